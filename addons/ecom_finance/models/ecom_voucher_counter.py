# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models
from odoo.tools import SQL


class EcomVoucherCounter(models.Model):
    """The last voucher number given per company, voucher word and month (记账凭证号).

    Written by ``next_number`` only, in the posting's transaction: the row it increments stays
    locked until that transaction ends, so two postings of the same month and word take the numbers
    one after the other, and a posting that rolls back gives its number back (no gap). A number
    given is never given again: reversing or resetting an entry keeps its number.
    """

    _name = "ecom.voucher.counter"
    _description = "Voucher Number Counter"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    word = fields.Char(required=True, readonly=True)
    period = fields.Char(required=True, readonly=True, help="Year and month, YYYY-MM.")
    last = fields.Integer(required=True, readonly=True)

    _sql_constraints = [
        ("company_word_period_uniq", "unique(company_id, word, period)", "One counter per month and word."),
    ]

    def _next_number(self, company_id, word, period, count=1):
        """Take ``count`` numbers of ``word`` in ``period`` for the company; answers the last one
        taken (the first ever is 1)."""
        return self.env.execute_query(
            SQL(
                """INSERT INTO ecom_voucher_counter (company_id, word, period, last)
                   VALUES (%(company)s, %(word)s, %(period)s, %(count)s)
                   ON CONFLICT (company_id, word, period)
                   DO UPDATE SET last = ecom_voucher_counter.last + %(count)s
                   RETURNING last""",
                company=company_id,
                word=word,
                period=period,
                count=count,
            )
        )[0][0]
