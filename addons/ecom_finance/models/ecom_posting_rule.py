# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ecomfin.posting import EVENT_TYPE_LABELS

# the selection of event types: ecomfin.posting's, labels included
EVENT_TYPE_SELECTION = EVENT_TYPE_LABELS


class EcomPostingRule(models.Model):
    """Where one kind of settlement event is booked: its account, partner and analytics.

    A rule of a shop wins over the company-wide rule of the same event type. The
    counterpart of every event is the shop's clearing account (what the channel owes).
    Users change rules through an approval request (``ecom.approval.mixin``).
    """

    _name = "ecom.posting.rule"
    _description = "E-commerce Posting Rule"
    _inherit = ["analytic.mixin", "ecom.approval.mixin"]
    _ecom_approval_operation = "posting_rule_change"
    _order = "company_id, shop_id nulls first, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    shop_id = fields.Many2one(
        "ecom.shop",
        index=True,
        check_company=True,
        ondelete="cascade",
        help="Empty: the rule applies to every shop of the company that has no rule of its own.",
    )
    event_type = fields.Selection(EVENT_TYPE_SELECTION, required=True)
    account_id = fields.Many2one(
        "account.account",
        required=True,
        check_company=True,
        domain="[('deprecated', '=', False)]",
        help="Account the event is booked on; its counterpart is the shop's clearing account.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        help="Partner on the event's journal item. Empty: the shop's channel partner.",
    )

    @api.constrains("company_id", "shop_id", "event_type", "active")
    def _check_unique(self):
        for rule in self.filtered("active"):
            twins = self.search_count(
                [
                    ("id", "!=", rule.id),
                    ("company_id", "=", rule.company_id.id),
                    ("shop_id", "=", rule.shop_id.id),
                    ("event_type", "=", rule.event_type),
                ]
            )
            if twins:
                raise ValidationError(
                    self.env._(
                        "There is already an active rule for %(event)s on %(scope)s.",
                        event=dict(self._fields["event_type"]._description_selection(self.env))[
                            rule.event_type
                        ],
                        scope=rule.shop_id.display_name or rule.company_id.display_name,
                    )
                )

    def _rules_for(self, shop):
        """Event type -> rule of ``shop``: its own rules, else its company's."""
        rules = self.search(
            [("company_id", "=", shop.company_id.id), ("shop_id", "in", [False, shop.id])],
            order="shop_id nulls first, sequence, id",
        )
        return {rule.event_type: rule for rule in rules}
