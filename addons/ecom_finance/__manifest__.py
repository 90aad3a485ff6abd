{
    "name": "E-commerce Finance",
    "summary": "Shops, platform orders, automatic accounting and costing for e-commerce",
    "version": "18.0.1.0.0",
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
        "purchase_stock",
        "queue_job",
        "ecom_audit",
    ],
    "external_dependencies": {"python": ["ecomfin"]},
    "data": [
        "security/ecom_finance_security.xml",
        "security/ir.model.access.csv",
        "views/ecom_shop_views.xml",
        "views/ecom_finance_menus.xml",
    ],
    "demo": [
        "demo/ecom_finance_demo_company.xml",
        "demo/ecom_finance_demo_products.xml",
        "demo/ecom_finance_demo_users.xml",
        "demo/ecom_finance_demo_shops.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "ecom_finance/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": True,
}
