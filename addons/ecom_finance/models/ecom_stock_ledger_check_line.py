# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class EcomStockLedgerCheckLine(models.Model):
    """One valuation account of a check: the stock's value, the account's balance, the difference."""

    _name = "ecom.stock.ledger.check.line"
    _description = "Stock Ledger Check: Account"
    _order = "flagged desc, account_id"

    check_id = fields.Many2one("ecom.stock.ledger.check", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="check_id.company_id", store=True)
    currency_id = fields.Many2one(related="check_id.currency_id")
    account_id = fields.Many2one("account.account", string="Valuation Account", required=True, readonly=True)
    stock_value = fields.Monetary(readonly=True)
    book_value = fields.Monetary(string="Book Balance", readonly=True)
    difference = fields.Monetary(readonly=True, help="Stock value less the balance of the account.")
    flagged = fields.Boolean(string="Differs", readonly=True, help="The difference is over a cent.")
