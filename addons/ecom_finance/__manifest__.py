# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

{
    "name": "E-commerce Finance",
    "summary": "Shops, platform orders, automatic accounting and costing for e-commerce",
    "version": "18.0.1.1.0",
    "category": "Accounting/E-commerce Finance",
    "website": "https://github.com/ecom-finance/ecom-finance",
    "author": "ecom-finance",
    "maintainers": ["ecom-finance"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": [
        "account",
        "stock_account",
        "sale_stock",
        # purchase orders and their lines are audited (models/purchase_order*.py)
        "purchase_stock",
        "queue_job",
        "ecom_audit",
    ],
    "external_dependencies": {"python": ["ecomfin"]},
    "data": [
        "security/ecom_finance_security.xml",
        "security/ir.model.access.csv",
        "data/ecom_finance_cron.xml",
        "views/ecom_shop_views.xml",
        "views/ecom_bank_csv_profile_views.xml",
        "views/ecom_posting_rule_views.xml",
        "views/account_move_views.xml",
        "views/stock_quant_views.xml",
        "views/stock_scrap_views.xml",
        "views/res_users_views.xml",
        "report/ecom_order_margin_report_views.xml",
        "report/ecom_finance_reports_views.xml",
        "views/ecom_budget_views.xml",
        "views/ecom_statement_views.xml",
        "views/ecom_statement_line_views.xml",
        "views/ecom_order_views.xml",
        "wizards/ecom_statement_import_wizard_views.xml",
        "views/ecom_finance_menus.xml",
        "views/ecom_overview_views.xml",
    ],
    "demo": [
        "demo/ecom_finance_demo_company.xml",
        "demo/ecom_finance_demo_products.xml",
        "demo/ecom_finance_demo_users.xml",
        "demo/ecom_finance_demo_shops.xml",
        "demo/ecom_finance_demo_posting.xml",
        "demo/ecom_finance_demo_stock.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "ecom_finance/static/src/job_progress/*",
        ],
        "web.assets_tests": [
            "ecom_finance/static/tests/tours/*.js",
        ],
    },
    "uninstall_hook": "uninstall_hook",
    "installable": True,
    "application": True,
}
