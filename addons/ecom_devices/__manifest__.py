# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

{
    "name": "E-commerce Finance: Devices",
    "summary": "A register of the warehouses' handhelds, scanners, RFID readers and IoT boxes",
    "version": "18.0.1.0.0",
    "category": "Accounting/E-commerce Finance",
    "website": "https://github.com/ecom-finance/ecom-finance",
    "author": "ecom-finance",
    "maintainers": ["ecom-finance"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["stock", "ecom_audit"],
    "data": [
        "security/ecom_devices_security.xml",
        "security/ir.model.access.csv",
        "views/ecom_device_views.xml",
        "views/ecom_devices_menus.xml",
    ],
    "installable": True,
    "application": False,
}
