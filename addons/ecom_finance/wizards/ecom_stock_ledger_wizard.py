# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..report.ecom_stock_ledger_report import DATE_FROM_KEY, DATE_TO_KEY, last_month


class EcomStockLedgerWizard(models.TransientModel):
    """Choose the period (last month unless told), the company and maybe a warehouse of the stock
    ledger; or check the stock against the books at the end of the period."""

    _name = "ecom.stock.ledger.wizard"
    _description = "Stock Ledger over a Period"

    date_from = fields.Date(string="From", required=True, default=lambda self: self._default_period()[0])
    date_to = fields.Date(string="To", required=True, default=lambda self: self._default_period()[1])
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    warehouse_id = fields.Many2one(
        "stock.warehouse", domain="[('company_id', '=', company_id)]", help="Empty: every warehouse."
    )

    def _default_period(self):
        return last_month(fields.Date.context_today(self))

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(self.env._("The period ends before it starts."))

    def action_open(self):
        """The stock ledger of the period."""
        self.ensure_one()
        self.env["ecom.stock.ledger.check"]._check_rights()
        domain = [("company_id", "=", self.company_id.id)]
        if self.warehouse_id:
            domain.append(("warehouse_id", "=", self.warehouse_id.id))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Stock Ledger %(start)s - %(end)s", start=self.date_from, end=self.date_to),
            "res_model": "ecom.stock.ledger.report",
            "view_mode": "list,pivot",
            "domain": domain,
            "context": {
                DATE_FROM_KEY: fields.Date.to_string(self.date_from),
                DATE_TO_KEY: fields.Date.to_string(self.date_to),
            },
        }

    def action_check(self):
        """The stock at the end of the period against the valuation accounts."""
        self.ensure_one()
        return self.env["ecom.stock.ledger.check"].run_check(self.date_to, self.company_id.id)
