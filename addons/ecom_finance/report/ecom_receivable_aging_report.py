# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models
from odoo.tools import SQL

AGE_BUCKETS = [
    ("0_30", "0-30 days"),
    ("31_60", "31-60 days"),
    ("61_90", "61-90 days"),
    ("90_plus", "Over 90 days"),
]


class EcomReceivableAgingReport(models.Model):
    """What the platforms and payment channels still owe: open clearing items by age.

    One row per journal item on a shop's clearing account with an open residual, aged from
    its date to today; the channel is the item's partner, so it ages like any receivable.
    """

    _name = "ecom.receivable.aging.report"
    _description = "Platform Receivable Aging"
    _auto = False
    _order = "date, id"
    _rec_name = "move_id"
    _depends = {
        "account.move.line": [
            "amount_residual",
            "reconciled",
            "account_id",
            "parent_state",
            "date",
            "partner_id",
        ],
        "ecom.shop": ["clearing_account_id", "company_id"],
    }

    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True)
    shop_id = fields.Many2one("ecom.shop", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Channel", readonly=True)
    account_id = fields.Many2one("account.account", readonly=True)
    date = fields.Date(readonly=True)
    age_days = fields.Integer(string="Age (days)", readonly=True, aggregator="max")
    age_bucket = fields.Selection(AGE_BUCKETS, string="Age", readonly=True)
    amount_residual = fields.Monetary(string="Open Amount", readonly=True)

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        return SQL(
            """
            SELECT l.id, l.move_id, s.id AS shop_id, l.company_id, l.company_currency_id AS currency_id,
                   l.partner_id, l.account_id, l.date, %(today)s::date - l.date AS age_days,
                   CASE WHEN %(today)s::date - l.date <= 30 THEN '0_30'
                        WHEN %(today)s::date - l.date <= 60 THEN '31_60'
                        WHEN %(today)s::date - l.date <= 90 THEN '61_90'
                        ELSE '90_plus' END AS age_bucket,
                   l.amount_residual
              FROM account_move_line l
              JOIN ecom_shop s ON s.clearing_account_id = l.account_id AND s.company_id = l.company_id
             WHERE l.parent_state = 'posted' AND NOT l.reconciled AND l.amount_residual <> 0
               AND (s.partner_id IS NULL OR l.partner_id IS NULL OR l.partner_id = s.partner_id)
            """,
            today=today,
        )
