from datetime import datetime, time, timedelta

import pytz

from odoo import fields, models

from ecomfin.posting import FEE_EVENT, TYPE_EVENTS

from .ecom_posting_rule import EVENT_TYPE_SELECTION


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    ecom_event_type = fields.Selection(
        EVENT_TYPE_SELECTION,
        string="E-commerce Event",
        readonly=True,
        help="The settlement event this journal item sums; empty on the clearing items.",
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
        event = self.ecom_event_type
        if event == FEE_EVENT:
            return [*domain, ("fee", "!=", 0)]
        if event:
            line_types = [
                t for t, e in TYPE_EVENTS.items() if event == e or (isinstance(e, tuple) and event in e)
            ]
            domain += [("line_type", "in", line_types), ("gross", "!=", 0)]
            for promo in (e for e in TYPE_EVENTS.values() if isinstance(e, tuple) and event in e):
                domain.append(("gross", ">", 0) if event == promo[0] else ("gross", "<", 0))
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
