# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"
    # audited (ecom_audit): the quantities actually moved, from where to where, of which lot
    _ecom_audited_fields = {
        "product_id",
        "quantity",
        "picked",
        "lot_id",
        "package_id",
        "location_id",
        "location_dest_id",
        "move_id",
    }
