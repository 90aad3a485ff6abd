# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models

from odoo.addons.ecom_finance.const import PAYMENT_CHANNELS

MATCH_KEYS = [
    ("merchant_order_ref", "Merchant order no. (商户订单号)"),
    ("order_ref", "Provider order / trade no."),
    ("provider_txn_id", "Channel transaction id"),
    ("memo", "Reference inside the memo (regular expression)"),
]
PAYOUT_SOURCES = [
    ("payout_lines", "The channel lists its payouts (Alipay 提现, Stripe payouts)"),
    ("payout_ref", "Lines carry a payout id (Shopify, Amazon settlement id)"),
    ("daily_net", "Net of each settlement day is paid out (WeChat Pay T+1)"),
]
# Fields whose change makes a new version of the rule (runs record the version they used).
VERSIONED_FIELDS = {
    "match_key",
    "fallback_key",
    "memo_regex",
    "amount_tolerance",
    "amount_tolerance_pct",
    "fx_tolerance_pct",
    "time_window_hours",
    "compare",
    "payout_source",
    "payout_window_days",
    "timezone",
}


class EcomReconcileRule(models.Model):
    """How to match one shop's (or one payment channel's) orders, payments and bank credits.

    Users change rules through an approval request (``ecom.approval.mixin``).
    """

    _name = "ecom.reconcile.rule"
    _description = "Reconciliation Rule"
    _inherit = ["mail.thread", "ecom.approval.mixin"]
    _ecom_approval_operation = "match_rule_change"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
    shop_id = fields.Many2one(
        "ecom.shop", check_company=True, index=True, help="Empty: the default of the payment channel."
    )
    payment_channel = fields.Selection(
        PAYMENT_CHANNELS, compute="_compute_payment_channel", store=True, readonly=False, required=True
    )
    match_key = fields.Selection(MATCH_KEYS, required=True, default="merchant_order_ref", tracking=True)
    fallback_key = fields.Selection(MATCH_KEYS, tracking=True, help="Used where the first key is empty.")
    memo_regex = fields.Char(
        string="Memo Pattern",
        tracking=True,
        help="PostgreSQL regular expression whose first group is the order reference, e.g. 订单号[:：](\\w+)",
    )
    amount_tolerance = fields.Float(string="Tolerance", digits=(16, 2), default=0.0, tracking=True)
    amount_tolerance_pct = fields.Float(string="Tolerance (%)", digits=(16, 4), default=0.0, tracking=True)
    fx_tolerance_pct = fields.Float(
        string="FX Tolerance (%)",
        digits=(16, 4),
        default=1.0,
        tracking=True,
        help="An order and a payment in two currencies, compared at Odoo's rate of the payment's day: a "
        "gap within this share of the order is an FX gap (kept apart on the match), beyond it an amount "
        "difference.",
    )
    time_window_hours = fields.Integer(
        default=72,
        tracking=True,
        help="A payment later than this after the order's payment time is a timing difference.",
    )
    compare = fields.Selection(
        [("gross", "Gross (before fees)"), ("net", "Net (after fees)")],
        default="gross",
        required=True,
        tracking=True,
        help="What the order's paid amount is compared with.",
    )
    payout_source = fields.Selection(PAYOUT_SOURCES, required=True, default="daily_net", tracking=True)
    payout_window_days = fields.Integer(
        default=3, tracking=True, help="Days after settlement within which the bank credit must arrive."
    )
    timezone = fields.Char(default="Asia/Shanghai", required=True, help="Time zone of the settlement days.")
    version = fields.Integer(default=1, readonly=True, copy=False)
    bill_due_hour = fields.Float(
        default=10.0, help="Local hour by which yesterday's bill of the channel must be imported (T+1)."
    )
    stale_days = fields.Integer(default=7, help="Days after which an unresolved difference raises an alert.")
    refund_alert_amount = fields.Float(help="A refund above this amount raises an alert (0: never).")
    alert_user_id = fields.Many2one(
        "res.users", string="Alerts To", help="Who gets an activity for each alert of the shops of this rule."
    )

    @api.depends("shop_id.payment_channel")
    def _compute_payment_channel(self):
        for rule in self.filtered("shop_id"):
            rule.payment_channel = rule.shop_id.payment_channel

    def write(self, vals):
        if VERSIONED_FIELDS & set(vals):
            for rule in self:
                super(EcomReconcileRule, rule).write({**vals, "version": rule.version + 1})
            return True
        return super().write(vals)

    @api.model
    def _for_shop(self, shop):
        """The rule that applies to ``shop``: its own, else its channel's default."""
        return self.search(
            [
                "|",
                ("shop_id", "=", shop.id),
                "&",
                ("shop_id", "=", False),
                ("payment_channel", "=", shop.payment_channel),
                ("company_id", "in", [shop.company_id.id, False]),
            ],
            order="shop_id, sequence, id",
            limit=1,
        )

    def _snapshot(self):
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            **{name: self[name] for name in sorted(VERSIONED_FIELDS)},
        }
