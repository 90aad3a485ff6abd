# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

{
    "name": "E-commerce Finance: Reconciliation",
    "summary": "Three-way reconciliation runs (order, payment channel, bank), their differences and alerts",
    "version": "18.0.1.1.0",
    "category": "Accounting/E-commerce Finance",
    "website": "https://github.com/ecom-finance/ecom-finance",
    "author": "ecom-finance",
    "maintainers": ["ecom-finance"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["ecom_finance", "mail"],
    "external_dependencies": {"python": ["ecomfin", "xlsxwriter"]},
    "data": [
        "security/ecom_reconcile_security.xml",
        "security/ir.model.access.csv",
        "data/ecom_reconcile_rule_data.xml",
        "data/ecom_reconcile_cron.xml",
        "data/ecom_reconcile_queue_data.xml",
        "data/ecom_reconcile_digest_data.xml",
        "views/ecom_reconcile_rule_views.xml",
        "views/ecom_reconcile_match_views.xml",
        "views/ecom_reconcile_difference_views.xml",
        "views/ecom_reconcile_suggestion_views.xml",
        "wizards/ecom_reconcile_suggestion_wizard_views.xml",
        "views/ecom_reconcile_run_views.xml",
        "views/ecom_reconcile_alert_views.xml",
        "views/ecom_reconcile_overview_views.xml",
        "views/account_move_views.xml",
        "views/ecom_reconcile_menus.xml",
        "report/ecom_reconcile_run_report.xml",
    ],
    "demo": ["demo/ecom_reconcile_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "ecom_reconcile/static/tests/tours/*.js",
        ],
    },
    "uninstall_hook": "uninstall_hook",
    "installable": True,
    "application": False,
}
