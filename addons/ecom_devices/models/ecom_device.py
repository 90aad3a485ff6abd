# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class EcomDevice(models.Model):
    """A device that scans or reads in a warehouse: handheld, scanner, RFID reader or IoT box."""

    _name = "ecom.device"
    _description = "Warehouse Device"
    _inherit = ["mail.thread"]
    _order = "warehouse_id, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    serial = fields.Char(
        string="Serial Number",
        required=True,
        tracking=True,
        help="Serial number of the device; unique per company.",
    )
    device_type = fields.Selection(
        [
            ("handheld", "Handheld"),
            ("scanner", "Barcode Scanner"),
            ("rfid_reader", "RFID Reader"),
            ("iot_box", "IoT Box"),
        ],
        string="Type",
        required=True,
        default="handheld",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        tracking=True,
    )
    active = fields.Boolean(default=True, tracking=True)
    note = fields.Text()

    _sql_constraints = [
        (
            "serial_company_uniq",
            "unique(company_id, serial)",
            "A device with this serial number already exists in this company.",
        ),
    ]
