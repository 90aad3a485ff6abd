# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models

from ..report.ecom_stock_valuation_report import DATE_KEY


class EcomStockValuationWizard(models.TransientModel):
    """Choose the date of the inventory valuation by warehouse."""

    _name = "ecom.stock.valuation.wizard"
    _description = "Inventory Valuation at a Date"

    date = fields.Date(required=True, default=fields.Date.context_today)

    def action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Inventory Valuation at %s", self.date),
            "res_model": "ecom.stock.valuation.report",
            "view_mode": "pivot,list",
            "context": {DATE_KEY: fields.Date.to_string(self.date)},
        }
