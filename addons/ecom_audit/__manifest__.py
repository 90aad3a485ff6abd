{
    "name": "E-commerce Finance: Audit and Roles",
    "summary": "Roles of e-commerce finance and the tamper-evident audit layer",
    "version": "18.0.1.0.0",
    "category": "Accounting/E-commerce Finance",
    "website": "https://github.com/ecom-finance/ecom-finance",
    "author": "ecom-finance",
    "maintainers": ["ecom-finance"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["base", "mail"],
    "data": [
        "security/ecom_audit_security.xml",
        "views/ecom_audit_menus.xml",
    ],
    "installable": True,
    "application": False,
}
