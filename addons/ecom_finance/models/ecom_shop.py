from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ecom_audit.approval import approved_change, in_approved_change
from odoo.addons.ecom_audit.roles import MANAGER

from ..posting_defaults import CHANNEL_SUFFIX, CLEARING_PREFIX, EVENT_ACCOUNTS, EXTRA_ACCOUNTS
from .ecom_statement import FINANCE_READERS, ORDER_PROFILES, PLATFORM_ORDER_PROFILE

PLATFORMS = [
    ("tmall", "Tmall"),
    ("taobao", "Taobao"),
    ("jd", "JD"),
    ("pdd", "Pinduoduo"),
    ("douyin", "Douyin"),
    ("shopify", "Shopify"),
    ("amazon", "Amazon"),
    ("other", "Other"),
]

# Raising or clearing a shop's refund threshold is asked for and approved by a second Finance
# Manager. ecom_audit has no operation of its own for a shop's settings yet: it goes as a change
# of the shop's accounting setup, decided and applied like a posting rule change.
REFUND_THRESHOLD = "refund_approval_amount"
REFUND_THRESHOLD_OPERATION = "posting_rule_change"

PAYMENT_CHANNELS = [
    ("alipay", "Alipay"),
    ("wechat", "WeChat Pay"),
    ("shopify_payments", "Shopify Payments"),
    ("amazon", "Amazon Pay / Settlement"),
    ("stripe", "Stripe"),
    ("other", "Other"),
]


class EcomShop(models.Model):
    """A shop on a selling platform, paid through one payment channel.

    The anchor of e-commerce finance: imports, postings, reconciliation runs and
    access rules all hang off a shop.
    """

    _name = "ecom.shop"
    _description = "E-commerce Shop"
    _inherit = ["mail.thread", "mail.activity.mixin", "ecom.encrypted.mixin", "ecom.approval.gate.mixin"]
    _order = "sequence, name, id"
    # loosening the refund threshold: decided by Finance Managers, set when approved
    _ecom_approval_operation = REFUND_THRESHOLD_OPERATION
    _ecom_approval_level_one_group = MANAGER
    _ecom_approval_applied_on_approval = True
    _ecom_encrypted_fields = {"api_secret": "api_secret_token"}
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short code of the shop, unique per company; used in references and file names.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        tracking=True,
        help="Currency in which the platform settles this shop.",
    )
    platform = fields.Selection(PLATFORMS, required=True, default="other", tracking=True)
    payment_channel = fields.Selection(PAYMENT_CHANNELS, required=True, default="other", tracking=True)
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        tracking=True,
        help="Warehouse the shop's orders ship from by default.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Settlement Journal",
        check_company=True,
        tracking=True,
        groups=FINANCE_READERS,
        help="Journal receiving the settlement entries of this shop.",
    )
    clearing_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        tracking=True,
        groups=FINANCE_READERS,
        help="Account holding the money the payment channel owes until it is paid out to the bank.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Channel Partner",
        tracking=True,
        groups=FINANCE_READERS,
        help="The payment channel or platform as a partner: on the clearing journal items, so what "
        "it owes ages like any receivable.",
    )
    finance_user_id = fields.Many2one(
        "res.users",
        string="Finance Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        groups=FINANCE_READERS,
        help="Receives the shop's finance alerts, such as orders sold at a loss.",
    )
    posting_grouping = fields.Selection(
        [("settlement", "One entry per settlement and month"), ("day", "One entry per settlement and day")],
        required=True,
        default="settlement",
        tracking=True,
        groups=FINANCE_READERS,
        help="How settlement entries are summarised. A settlement spanning a month end is always split.",
    )
    refund_approval_amount = fields.Monetary(
        string="Refunds Approved Above",
        tracking=True,
        groups=FINANCE_READERS,
        help="A refunded order above this amount has its return or cancellation booked only once a "
        "second person approved it (Fulfil asks for the approval). 0: refunds need no approval.",
    )
    timezone = fields.Char(
        default="Asia/Shanghai",
        required=True,
        tracking=True,
        help="Time zone of the shop's business days: it decides which day and month a movement is posted in.",
    )
    warehouse_rule_ids = fields.One2many(
        "ecom.warehouse.rule",
        "shop_id",
        string="Warehouse Rules",
        help="Ship orders to some regions from another warehouse than the shop's.",
    )
    posting_rule_ids = fields.One2many(
        "ecom.posting.rule",
        "shop_id",
        string="Posting Rules of the Shop",
        groups=FINANCE_READERS,
        help="Rules of this shop only; events without one use the company's rules.",
    )
    api_user_ids = fields.Many2many(
        "res.users",
        "ecom_shop_api_user_rel",
        "shop_id",
        "user_id",
        string="Partner API Users",
        domain=[("share", "=", True)],
        help="Portal users of the Partner API role who may push this shop's files over XML-RPC and "
        "read the state of their imports.",
    )
    user_ids = fields.Many2many(
        "res.users",
        "ecom_shop_res_users_rel",
        "shop_id",
        "user_id",
        string="Allowed Users",
        help="Shop Operators see only the shops they are listed on.",
    )
    order_profile = fields.Selection(
        ORDER_PROFILES,
        compute="_compute_order_profile",
        store=True,
        readonly=False,
        help="Layout of the platform's order export; the canonical CSV works for every shop.",
    )
    bank_csv_profile_id = fields.Many2one(
        "ecom.bank.csv.profile",
        string="Bank CSV Profile",
        check_company=True,
        groups=FINANCE_READERS,
        help="Column mapping used for bank statement CSV files imported for this shop.",
    )
    create_placeholder_products = fields.Boolean(
        help="An order import creates a placeholder product for each unknown SKU, flagged for "
        "review, instead of stopping with the list of unknown SKUs.",
    )
    api_secret = fields.Char(
        string="API Secret",
        compute="_compute_ecom_decrypted",
        inverse="_inverse_ecom_encrypted",
        groups="ecom_audit.group_ecom_manager",
        help="Secret of the platform or channel API; stored encrypted (AES-GCM), readable by Finance "
        "Managers only.",
    )
    api_secret_token = fields.Char(
        string="API Secret (encrypted)", readonly=True, copy=False, groups="base.group_system"
    )
    is_foreign_currency = fields.Boolean(
        compute="_compute_is_foreign_currency",
        help="The shop settles in another currency than its company's.",
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(company_id, code)",
            "The shop code must be unique per company.",
        ),
    ]

    @api.depends("platform")
    def _compute_order_profile(self):
        for shop in self:
            shop.order_profile = PLATFORM_ORDER_PROFILE.get(shop.platform, "canonical")

    @api.depends("currency_id", "company_id.currency_id")
    def _compute_is_foreign_currency(self):
        for shop in self:
            shop.is_foreign_currency = shop.currency_id != shop.company_id.currency_id

    def _warehouse_for(self, address):
        """The warehouse shipping an order of this shop to ``address``."""
        self.ensure_one()
        rule = self.warehouse_rule_ids.filtered(lambda r: r._matches(address))[:1]
        return (
            rule.warehouse_id
            or self.warehouse_id
            or self.env["stock.warehouse"].search([("company_id", "=", self.company_id.id)], limit=1)
        )

    # ------------------------------------------------------------------
    # The refund threshold: loosened only through a dual approval
    # ------------------------------------------------------------------

    def _ecom_loosens_refund_threshold(self, amount):
        """Whether ``amount`` as this shop's *Refunds Approved Above* asks for fewer approvals than
        the current threshold: it clears it or raises it (0 is no threshold at all)."""
        self.ensure_one()
        current = self.refund_approval_amount
        return bool(current) and (not amount or self.currency_id.compare_amounts(amount, current) > 0)

    def _ecom_check_refund_threshold(self, vals):
        """Refuse to clear or raise a refund threshold outside an approved change. Lowering or
        setting one needs nothing; the superuser (installation, data files) is let through,
        as for posting rules; no context key is."""
        if REFUND_THRESHOLD not in vals or self.env.su or in_approved_change():
            return
        loosened = self.filtered(lambda shop: shop._ecom_loosens_refund_threshold(vals[REFUND_THRESHOLD]))
        if loosened:
            raise UserError(
                self.env._(
                    "Raising or clearing the refund approval threshold of %(shops)s needs an approval: "
                    "request the change (save the shop form, or ecom_request_write), a "
                    "second Finance Manager approves it.",
                    shops=", ".join(loosened.mapped("display_name")),
                )
            )

    def write(self, vals):
        self._ecom_check_refund_threshold(vals)
        result = super().write(vals)
        if REFUND_THRESHOLD in vals or "currency_id" in vals:
            # a threshold changed meanwhile voids the requests asked on the old one
            self._ecom_void_stale_approvals()
        return result

    def ecom_request_write(self, vals, reason=False):
        """Ask to change *Refunds Approved Above* of these shops (the one field of a shop under
        approval; XML-RPC too), like ``ecom_request_write`` of the posting rules: it is set when a
        second Finance Manager approves it. Returns the ids of the requests, one per shop."""
        self.check_access("write")
        if set(vals) != {REFUND_THRESHOLD}:
            raise UserError(
                self.env._(
                    "These fields cannot be requested: %s.",
                    ", ".join(sorted(set(vals) - {REFUND_THRESHOLD})) or "-",
                )
            )
        amount = float(vals[REFUND_THRESHOLD] or 0.0)
        field = self._fields[REFUND_THRESHOLD].get_description(self.env)["string"]
        request_ids = []
        for shop in self:
            substance = {
                "model": self._name,
                "op": "write",
                "id": shop.id,
                "vals": {REFUND_THRESHOLD: amount},
                "before": shop._ecom_refund_threshold_before(),
            }
            request = shop._ecom_ask_approval(
                self.env._(
                    "%(field)s of %(shop)s: %(before)s -> %(after)s %(currency)s",
                    field=field,
                    shop=shop.display_name,
                    before=shop.refund_approval_amount,
                    after=amount,
                    currency=shop.currency_id.name,
                ),
                substance=substance,
                amount=abs(amount),
                currency=shop.currency_id,
                reason=reason,
            )
            request_ids.append(request.id)
        return request_ids

    def _ecom_refund_threshold_before(self):
        self.ensure_one()
        return {
            REFUND_THRESHOLD: self.currency_id.round(self.refund_approval_amount),
            "currency": self.currency_id.name,
        }

    def _ecom_approval_substance(self, request):
        """A threshold request as it would be now: the asked value and the shop's current one."""
        self.ensure_one()
        substance = dict(request.substance or {})
        substance["before"] = self._ecom_refund_threshold_before()
        return substance

    def _ecom_apply_approval(self, request):
        """Set the approved threshold (inside ``approved_change``, as the approver)."""
        self.ensure_one()
        self.write({REFUND_THRESHOLD: request.substance["vals"][REFUND_THRESHOLD]})
        return self

    def web_save(self, vals, specification, next_id=None):
        """Saving the form asks for a loosened threshold instead of setting it; the rest is saved."""
        if REFUND_THRESHOLD in vals and not (self.env.su or in_approved_change()):
            amount = vals[REFUND_THRESHOLD]
            loosened = self.filtered(lambda shop: shop._ecom_loosens_refund_threshold(amount))
            if loosened:
                vals = {name: value for name, value in vals.items() if name != REFUND_THRESHOLD}
                loosened.ecom_request_write({REFUND_THRESHOLD: amount})
                (self - loosened).write({REFUND_THRESHOLD: amount})
                self.env.user._bus_send(
                    "simple_notification",
                    {
                        "type": "info",
                        "title": self.env._("Approval requested"),
                        "message": self.env._(
                            "The new refund approval threshold is set when a second Finance Manager "
                            "approves it (E-commerce Finance > Approvals)."
                        ),
                    },
                )
        return super().web_save(vals, specification, next_id=next_id)

    # ------------------------------------------------------------------
    # Accounting setup
    # ------------------------------------------------------------------

    def _check_posting_setup(self):
        self.ensure_one()
        missing = [
            self._fields[name].get_description(self.env)["string"]
            for name in ("journal_id", "clearing_account_id", "partner_id")
            if not self[name]
        ]
        if missing:
            raise UserError(
                self.env._(
                    "Shop %(shop)s cannot post: set its %(fields)s (or use Set Up Accounting).",
                    shop=self.display_name,
                    fields=", ".join(missing),
                )
            )

    def action_setup_accounting(self):
        """Give the shops what posting needs, keeping whatever is already set.

        The e-commerce journal of the company, a clearing account per payment channel, the
        channel as a partner, and the company's default posting rules on its chart of
        accounts (Odoo's generic chart or the Chinese one).
        """
        done = []
        for shop in self:
            company = shop.company_id
            chart = company.chart_template
            if chart not in EVENT_ACCOUNTS:
                raise UserError(
                    self.env._(
                        "No default posting accounts for the chart %(chart)s of %(company)s: create the "
                        "posting rules by hand.",
                        chart=chart or "-",
                        company=company.display_name,
                    )
                )
            for code, (name, account_type, reconcile) in EXTRA_ACCOUNTS[chart].items():
                shop._account_by_code(code, name, account_type, reconcile)
            channel = dict(self._fields["payment_channel"]._description_selection(self.env))[
                shop.payment_channel
            ]
            vals = {}
            if not shop.clearing_account_id:
                vals["clearing_account_id"] = shop._account_by_code(
                    CLEARING_PREFIX[chart] + CHANNEL_SUFFIX[shop.payment_channel],
                    self.env._("%s Clearing", channel),
                    "asset_receivable",
                    True,
                ).id
            if not shop.journal_id:
                vals["journal_id"] = shop._ecom_journal().id
            if not shop.partner_id:
                vals["partner_id"] = shop._channel_partner(channel).id
            shop.write(vals)
            company_rules = [("company_id", "=", company.id), ("shop_id", "=", False)]
            rules_before = self.env["ecom.posting.rule"].search_count(company_rules)
            shop._create_default_rules(chart)
            done.append(
                self.env._(
                    "%(shop)s: journal %(journal)s, clearing account %(account)s, partner %(partner)s, "
                    "%(rules)s default posting rules added to the company.",
                    shop=shop.name,
                    journal=shop.journal_id.display_name,
                    account=shop.clearing_account_id.display_name,
                    partner=shop.partner_id.display_name,
                    rules=self.env["ecom.posting.rule"].search_count(company_rules) - rules_before,
                )
            )
        # say what the shops now have (it said nothing)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Accounting set up"),
                "message": "\n".join(done),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _account_by_code(self, code, name=None, account_type=None, reconcile=False):
        """The company's account of this code; created when a name is given, else an error."""
        company = self.company_id
        Account = self.env["account.account"].with_company(company)
        account = Account.search([("code", "=", code), ("company_ids", "in", company.id)], limit=1)
        if not account and not name:
            raise UserError(
                self.env._(
                    "%(company)s has no account %(code)s for the default posting rules.",
                    company=company.display_name,
                    code=code,
                )
            )
        if not account:
            account = Account.create(
                {
                    "code": code,
                    "name": name,
                    "account_type": account_type,
                    "reconcile": reconcile,
                    "company_ids": [company.id],
                }
            )
        return account

    def _ecom_journal(self):
        company = self.company_id
        Journal = self.env["account.journal"]
        journal = Journal.search([("company_id", "=", company.id), ("code", "=", "ECOM")], limit=1)
        return journal or Journal.create(
            {
                "name": self.env._("E-commerce Settlements"),
                "code": "ECOM",
                "type": "general",
                "company_id": company.id,
            }
        )

    def _channel_partner(self, channel):
        ref = f"ecom-channel-{self.payment_channel}"
        Partner = self.env["res.partner"]
        return Partner.search([("ref", "=", ref)], limit=1) or Partner.create(
            {"name": channel, "ref": ref, "is_company": True}
        )

    def _create_default_rules(self, chart):
        Rule = self.env["ecom.posting.rule"]
        company = self.company_id
        existing = set(
            Rule.search([("company_id", "=", company.id), ("shop_id", "=", False)]).mapped("event_type")
        )
        # The shipped defaults of posting_defaults.py, only for events without a rule, by a Finance
        # Manager (Set Up Accounting): no approval. Any other rule change goes through one.
        vals_list = [
            {"company_id": company.id, "event_type": event, "account_id": self._account_by_code(code).id}
            for event, code in EVENT_ACCOUNTS[chart].items()
            if event not in existing
        ]
        with approved_change():
            Rule.create(vals_list)
