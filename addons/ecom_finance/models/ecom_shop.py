# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.ecom_audit.approval import in_approved_change
from odoo.addons.ecom_audit.roles import FINANCE_READERS, MANAGER

from ecomfin.vocab import (
    ORDER_PROFILE_LABELS,
    PAYMENT_CHANNEL_LABELS,
    PLATFORM_LABELS,
    PLATFORM_ORDER_PROFILE,
    SETTLEMENT_FORMATS,
)

from ..accounting_setup import setup_accounting

# Raising or clearing a shop's refund threshold is asked for and approved by a second Finance
# Manager. ecom_audit has no operation of its own for a shop's settings yet: it goes as a change
# of the shop's accounting setup, decided and applied like a posting rule change.
REFUND_THRESHOLD = "refund_approval_amount"
REFUND_THRESHOLD_OPERATION = "posting_rule_change"


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
    platform = fields.Selection(PLATFORM_LABELS, required=True, default="other", tracking=True)
    payment_channel = fields.Selection(PAYMENT_CHANNEL_LABELS, required=True, default="other", tracking=True)
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
        ORDER_PROFILE_LABELS,
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
    overview = fields.Json(
        compute="_compute_overview",
        help="What the overview's card of the shop shows: its last bills, imports, and for the finance "
        "roles what is left to post, the clearing balance and the budgets (see _ecom_overview).",
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(company_id, code)",
            "The shop code must be unique per company.",
        ),
    ]

    @api.model
    def _ecom_overview_action(self):
        """What the app's root menu opens: the shops' overview for whoever may read shops, Odoo's
        inventory overview (of their own warehouses) for Warehouse Operators."""
        if not self.has_access("read") and self.env.user.has_groups("stock.group_stock_user"):
            return self.env["ir.actions.act_window"]._for_xml_id("stock.stock_picking_type_action")
        return self.env["ir.actions.act_window"]._for_xml_id("ecom_finance.ecom_overview_action")

    def _compute_overview(self):
        data = self._ecom_overview()
        for shop in self:
            shop.overview = data.get(shop.id, {})

    def _ecom_overview(self):
        """``{shop id: {...}}``, set-wise for the shops shown (a few queries for all of them):

        - ``bills``: per format, the end of the last imported period (or the import's date),
          ``[{"format", "label", "last", "days"}]``;
        - ``queued``: imports waiting for their background job;
        - for the finance roles only: ``to_post`` (settlement imports not posted yet),
          ``clearing`` (posted balance of the shop's clearing account from its imports: what the
          channel still owes), ``budget_pct`` (the highest consumption of its budgets running
          today, in %), ``currency`` (the company's currency symbol).

        Other addons add their keys (ecom_reconcile: the open differences and alerts).
        """
        shops = self.filtered("id")
        if not shops:
            return {}
        result = {shop.id: {"bills": [], "queued": 0} for shop in shops}
        self.env["ecom.statement"].flush_model(["shop_id", "fmt", "state", "period_end"])
        labels = dict(self.env["ecom.statement"]._fields["fmt"]._description_selection(self.env))
        today = fields.Date.context_today(self)
        rows = self.env.execute_query(
            SQL(
                """SELECT shop_id, fmt, max(COALESCE(period_end, create_date))
                     FROM ecom_statement
                    WHERE shop_id = ANY(%s) AND state = 'done' AND fmt IS NOT NULL
                    GROUP BY shop_id, fmt
                    ORDER BY shop_id, fmt""",
                shops.ids,
            )
        )
        for shop_id, fmt, last in rows:
            result[shop_id]["bills"].append(
                {
                    "format": fmt,
                    "label": labels.get(fmt, fmt),
                    "last": fields.Date.to_string(last.date()),
                    "days": (today - last.date()).days,
                }
            )
        for shop_id, queued in self.env.execute_query(
            SQL(
                """SELECT shop_id, count(*) FROM ecom_statement
                    WHERE shop_id = ANY(%s) AND state = 'queued' GROUP BY shop_id""",
                shops.ids,
            )
        ):
            result[shop_id]["queued"] = queued
        if self.env.user.has_groups(FINANCE_READERS):
            shops._ecom_overview_finance(result)
        return result

    def _ecom_overview_finance(self, result):
        """The finance keys of ``_ecom_overview`` (finance roles only)."""
        self.env["account.move"].flush_model(["ecom_statement_id", "state"])
        self.env["account.move.line"].flush_model(["account_id", "balance", "parent_state", "move_id"])
        for shop_id, to_post in self.env.execute_query(
            SQL(
                """SELECT s.shop_id, count(*) FROM ecom_statement s
                    WHERE s.shop_id = ANY(%s) AND s.state = 'done' AND s.fmt = ANY(%s)
                      AND s.line_count > 0
                      AND NOT EXISTS (SELECT 1 FROM account_move m
                                       WHERE m.ecom_statement_id = s.id AND m.state = 'posted')
                    GROUP BY s.shop_id""",
                self.ids,
                sorted(SETTLEMENT_FORMATS),
            )
        ):
            result[shop_id]["to_post"] = to_post
        for shop_id, clearing in self.env.execute_query(
            SQL(
                """SELECT shop.id, sum(l.balance)
                     FROM ecom_shop shop
                     JOIN ecom_statement s ON s.shop_id = shop.id
                     JOIN account_move m ON m.ecom_statement_id = s.id
                     JOIN account_move_line l ON l.move_id = m.id AND l.account_id = shop.clearing_account_id
                                             AND l.parent_state = 'posted'
                    WHERE shop.id = ANY(%s)
                    GROUP BY shop.id""",
                self.ids,
            )
        ):
            result[shop_id]["clearing"] = clearing or 0.0
        today = fields.Date.context_today(self)
        budgets = self.env["ecom.budget"].search(
            [("shop_id", "in", self.ids), ("date_from", "<=", today), ("date_to", ">=", today)]
        )
        for budget in budgets:
            entry = result[budget.shop_id.id]
            entry["budget_pct"] = max(entry.get("budget_pct", 0.0), round(budget.consumed_pct, 1))
        for shop in self:
            entry = result[shop.id]
            entry["currency"] = shop.company_id.currency_id.symbol
            entry.setdefault("to_post", 0)
            entry.setdefault("clearing", 0.0)

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
        return setup_accounting(self)
