# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

{
    "name": "E-commerce Finance: Audit and Roles",
    "summary": "Roles of e-commerce finance and the tamper-evident audit layer",
    "version": "18.0.1.3.0",
    "category": "Accounting/E-commerce Finance",
    "website": "https://github.com/ecom-finance/ecom-finance",
    "author": "ecom-finance",
    "maintainers": ["ecom-finance"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["base", "mail", "auth_totp_mail_enforce", "auth_password_policy"],
    "external_dependencies": {"python": ["ecomfin"]},
    "data": [
        "security/ecom_audit_security.xml",
        "security/ir.model.access.csv",
        "security/ecom_audit_rules.xml",
        "data/ecom_audit_cron.xml",
        "data/ecom_audit_login_policy_data.xml",
        "views/ecom_audit_log_views.xml",
        "views/ecom_audit_anomaly_views.xml",
        "views/ecom_approval_request_views.xml",
        "views/ecom_access_grant_views.xml",
        "views/res_users_views.xml",
        "wizards/ecom_audit_anomaly_settings_views.xml",
        "wizards/ecom_audit_verification_views.xml",
        "wizards/res_users_identitycheck_views.xml",
        "views/ecom_audit_menus.xml",
    ],
    "demo": ["data/ecom_audit_login_policy_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "ecom_audit/static/tests/tours/*.js",
        ],
    },
    "post_load": "post_load",
    "installable": True,
    "application": False,
}
