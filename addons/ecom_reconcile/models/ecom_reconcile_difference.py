from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

DIFFERENCE_KINDS = [
    ("missing_payment", "Missing payment"),
    ("missing_order", "Missing order"),
    ("amount_mismatch", "Amount mismatch"),
    ("duplicate_payment", "Duplicate payment"),
    ("refund_mismatch", "Refund mismatch"),
    ("status_mismatch", "Status mismatch"),
    ("missing_payout", "Missing payout"),
    ("payout_mismatch", "Payout mismatch"),
    ("timing", "Timing"),
]
DIFFERENCE_STATES = [
    ("open", "Open"),
    ("assigned", "Assigned"),
    ("resolved", "Resolved"),
    ("written_off", "Written Off"),
]


# What a write-off request approves, besides the amounts: changing it voids the request.
WRITE_OFF_SUBSTANCE = {"resolution"}

# Written by the run only: the workflow (assign, comment, resolve) never changes them.
PROTECTED_FIELDS = {
    "run_id",
    "shop_id",
    "company_id",
    "kind",
    "reference",
    "order_id",
    "channel_line_ids",
    "bank_line_ids",
    "currency_id",
    "expected_amount",
    "actual_amount",
    "amount",
    "date",
}


class EcomReconcileDifference(models.Model):
    """Something the sources disagree on, put in front of a person to explain and resolve."""

    _name = "ecom.reconcile.difference"
    _description = "Reconciliation Difference"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "run_id desc, kind, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    run_id = fields.Many2one(
        "ecom.reconcile.run",
        string="Reconciliation Run",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    shop_id = fields.Many2one("ecom.shop", required=True, index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    stage = fields.Selection(
        [("order", "Order <-> Payment"), ("payout", "Payout <-> Bank")],
        readonly=True,
        help="The stage of the run that found the difference.",
    )
    kind = fields.Selection(DIFFERENCE_KINDS, required=True, index=True, readonly=True)
    reference = fields.Char(
        index=True, readonly=True, help="The order reference or the settlement the difference is about."
    )
    order_id = fields.Many2one("ecom.order", index="btree_not_null", readonly=True)
    channel_line_ids = fields.Many2many(
        "ecom.statement.line",
        "ecom_reconcile_difference_channel_rel",
        "difference_id",
        "line_id",
        readonly=True,
    )
    bank_line_ids = fields.Many2many(
        "ecom.statement.line", "ecom_reconcile_difference_bank_rel", "difference_id", "line_id", readonly=True
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    expected_amount = fields.Monetary(readonly=True, help="What one source says (the order, the settlement).")
    actual_amount = fields.Monetary(readonly=True, help="What the other source says (the channel, the bank).")
    amount = fields.Monetary(
        compute="_compute_amount", store=True, help="Actual minus expected: what is unexplained."
    )
    date = fields.Datetime(readonly=True)
    state = fields.Selection(DIFFERENCE_STATES, default="open", required=True, index=True, tracking=True)
    user_id = fields.Many2one("res.users", string="Assignee", tracking=True, check_company=True)
    resolution = fields.Text(tracking=True)
    resolved_date = fields.Datetime(readonly=True)

    @api.depends("kind", "reference")
    def _compute_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for difference in self:
            difference.name = f"{labels.get(difference.kind, '')} {difference.reference or ''}".strip()

    @api.depends("expected_amount", "actual_amount")
    def _compute_amount(self):
        for difference in self:
            difference.amount = difference.actual_amount - difference.expected_amount

    def write(self, vals):
        protected = PROTECTED_FIELDS & set(vals)
        if protected and not self.env.su:
            raise AccessError(
                self.env._("What a run found is not editable: %s.", ", ".join(sorted(protected)))
            )
        if vals.get("state") == "written_off" and not self.env.su:
            raise AccessError(self.env._("Write differences off with the Write Off button."))
        result = super().write(vals)
        if WRITE_OFF_SUBSTANCE & set(vals):
            # a write-off asked for or approved before this change is void
            self.env["ecom.approval.request"]._void_stale(self)
        return result

    def action_assign_to_me(self):
        self._check_open()
        self.write({"user_id": self.env.uid, "state": "assigned"})

    def action_resolve(self):
        self._check_open()
        for difference in self:
            if not difference.resolution:
                raise UserError(
                    self.env._("Explain the resolution of %s before resolving it.", difference.name)
                )
        self.write({"state": "resolved", "resolved_date": fields.Datetime.now()})

    def action_reopen(self):
        self.write({"state": "open", "resolved_date": False})

    def action_request_write_off(self):
        """Ask for the write-off: a second person approves it (a Finance Manager too above the
        company's threshold), then Write Off carries it out."""
        self._check_write_off()
        Request = self.env["ecom.approval.request"]
        for difference in self:
            company = difference.company_id
            amount = (
                difference.currency_id._convert(
                    difference.amount, company.currency_id, company, fields.Date.context_today(self)
                )
                if difference.currency_id and difference.currency_id != company.currency_id
                else difference.amount
            )
            Request._create_request(
                "write_off",
                difference,
                difference._ecom_approval_substance(None),
                self.env._("Write off %(name)s: %(amount)s", name=difference.name, amount=difference.amount),
                amount=amount,
                reason=difference.resolution,
            )
        return True

    def action_write_off(self):
        """Write the difference off, once a second person approved the request for it.

        The journal entry of the write-off comes with the posting rules of the automatic
        accounting.
        """
        self._check_write_off()
        self._ecom_check_write_off_approval()
        self._write_state("written_off")

    def _check_write_off(self):
        self._check_open()
        if not self.env.su and not self.env.user.has_group("ecom_audit.group_ecom_manager"):
            raise UserError(self.env._("Only a Finance Manager may write a difference off."))
        for difference in self:
            if not difference.resolution:
                raise UserError(self.env._("Explain why %s is written off.", difference.name))

    def _ecom_approval_substance(self, request):
        """What a write-off approves: the difference, its amounts and the explanation."""
        self.ensure_one()
        return {
            "difference": self.id,
            "kind": self.kind,
            "reference": self.reference or "",
            "currency": self.currency_id.name or "",
            "expected": self.expected_amount,
            "actual": self.actual_amount,
            "amount": self.amount,
            "resolution": self.resolution or "",
        }

    def _write_state(self, state):
        # The state change of an action whose checks passed: straight to the ORM's write,
        # past the guard of write() that refuses it to direct (RPC) writes.
        return super().write({"state": state, "resolved_date": fields.Datetime.now()})

    def _ecom_check_write_off_approval(self):
        """Each difference needs an approved write-off request for its current amounts and
        explanation (``ecom.approval.request``); it is marked applied. No context key and no
        superuser skips it."""
        Request = self.env["ecom.approval.request"]
        for difference in self:
            if not Request._consume("write_off", difference):
                raise UserError(
                    self.env._(
                        "Writing %s off needs an approved request: Request Write-Off, then a second "
                        "person approves it.",
                        difference.name,
                    )
                )

    def _check_open(self):
        closed = self.filtered(lambda d: d.state in ("resolved", "written_off"))
        if closed:
            raise UserError(self.env._("%s is already closed; reopen it first.", closed[0].name))
