# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"
    # audited (ecom_audit): what moves where, for whom, and when it was done (its state is
    # computed from its moves' states, which are audited on stock.move)
    _ecom_audited_fields = {
        "partner_id",
        "picking_type_id",
        "location_id",
        "location_dest_id",
        "scheduled_date",
        "date_done",
        "origin",
    }
