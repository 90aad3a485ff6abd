# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime, time, timedelta

import pytz

from odoo import fields, models

from odoo.addons.ecom_audit.roles import FINANCE_READERS

from ecomfin.posting import event_sources

from .ecom_posting_rule import EVENT_TYPE_SELECTION


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"
    # audited: every change of what the items book (ecom_audit)
    _ecom_audited_fields = {"account_id", "partner_id", "debit", "credit", "amount_currency", "currency_id"}

    ecom_event_type = fields.Selection(
        EVENT_TYPE_SELECTION,
        string="E-commerce Event",
        readonly=True,
        help="The settlement event this journal item sums; empty on the clearing items.",
    )

    ecom_statement_id = fields.Many2one(
        related="move_id.ecom_statement_id", string="Settlement Statement", groups=FINANCE_READERS
    )

    def _ecom_source_domain(self):
        """Domain on ``ecom.statement.line`` of the statement lines this item sums."""
        self.ensure_one()
        move = self.move_id
        statement = move.ecom_statement_id
        tz = pytz.timezone(statement.shop_id.timezone)

        def utc(day):
            return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

        domain = [
            ("statement_id", "=", statement.id),
            ("occurred_at", ">=", utc(move.ecom_period_start)),
            ("occurred_at", "<", utc(move.ecom_period_end + timedelta(days=1))),
        ]
        if not self.ecom_event_type:  # a clearing item sums every line of its days
            return domain
        column, line_types, sign = event_sources(self.ecom_event_type)
        domain.append((column, "!=", 0))
        if line_types:
            domain.append(("line_type", "in", list(line_types)))
        if sign:
            domain.append(("gross", ">" if sign > 0 else "<", 0))
        return domain

    def action_ecom_open_source_lines(self):
        """Drill down from a settlement journal item to the statement lines behind it."""
        self.ensure_one()
        if not self.move_id.ecom_statement_id:
            return False
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Statement Lines of %s", self.name),
            "res_model": "ecom.statement.line",
            "view_mode": "list,form",
            "domain": self._ecom_source_domain(),
            "context": {"create": False},
        }
