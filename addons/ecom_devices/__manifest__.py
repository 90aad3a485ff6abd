# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

{
    "name": "E-commerce Finance: Devices",
    "summary": "A register of the warehouses' handhelds, scanners, RFID readers and IoT boxes",
    "version": "18.0.1.2.0",
    "category": "Accounting/E-commerce Finance",
    "website": "https://github.com/ecom-finance/ecom-finance",
    "author": "ecom-finance",
    "maintainers": ["ecom-finance"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    # ecom_finance: the Warehouse Operators' warehouses (res.users.ecom_warehouse_ids) and their
    # rules; bus: the scans pushed to the handheld screens
    "depends": ["stock", "bus", "ecom_audit", "ecom_finance"],
    "external_dependencies": {"python": ["ecomfin"]},
    "data": [
        "security/ecom_devices_security.xml",
        "security/ir.model.access.csv",
        "security/ecom_rfid_count_security.xml",
        "views/ecom_scan_event_views.xml",
        "views/ecom_device_views.xml",
        "wizards/ecom_device_token_wizard_views.xml",
        "views/ecom_handheld_views.xml",
        "views/ecom_devices_menus.xml",
        "views/ecom_rfid_count_views.xml",
    ],
    "demo": ["demo/ecom_device_demo.xml", "demo/ecom_rfid_count_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "ecom_devices/static/src/handheld/*",
        ],
        "web.assets_tests": [
            "ecom_devices/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
