# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.ecom_audit.approval import approved_change, in_approved_change
from odoo.addons.ecom_audit.roles import ACCOUNTANT, FINANCE_READERS, MANAGER, SHOP_OPERATOR

from ecomfin.differences import DIFFERENCE_KINDS

from ..engine import suggestions

DIFFERENCE_STATES = [
    ("open", "Open"),
    ("assigned", "Assigned"),
    ("resolved", "Resolved"),
    ("written_off", "Written Off"),
]
CLOSED_STATES = ("resolved", "written_off")
# the unique key of the live differences (see init)
FINDING_INDEX = "ecom_reconcile_difference_finding_uniq"
# who works on differences (Assign to Me, Resolve); Finance Managers write off
WORKERS = (SHOP_OPERATOR, ACCOUNTANT)
# who asks for, accepts and rejects suggested matches: Accountants (and Finance Managers)
SUGGESTION_USERS = (ACCOUNTANT,)


# What a write-off request approves, besides the amounts: changing it voids the request.
WRITE_OFF_SUBSTANCE = {"resolution"}

# Written by the run only (inside ``approved_change``): the workflow never changes them.
PROTECTED_FIELDS = {
    "run_id",
    "shop_id",
    "company_id",
    "stage",
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
    # archived by the run only: a difference it no longer finds that someone worked on
    "active",
}
# Written by the difference's own actions (and the run) only: a direct write of the state
# would close a difference without its explanation or its write-off approval.
WORKFLOW_FIELDS = {"state", "resolved_date"}
# What a person writes on an open difference; kept as it was once the difference is closed.
CLOSED_KEEPS = {"resolution", "user_id"}


class EcomReconcileDifference(models.Model):
    """Something the sources disagree on, put in front of a person to explain and resolve."""

    _name = "ecom.reconcile.difference"
    _description = "Reconciliation Difference"
    _inherit = [
        "ecom.reconcile.result.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "ecom.approval.gate.mixin",
    ]
    _order = "run_id desc, kind, id"
    # approved by an Accountant (and a Finance Manager above the threshold), then written off
    _ecom_approval_operation = "write_off"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
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
    active = fields.Boolean(
        default=True,
        readonly=True,
        help="Archived: no longer found by its run, and kept as it was because someone worked on it.",
    )
    # protected (WORKFLOW_FIELDS): changed by the actions below only
    state = fields.Selection(
        DIFFERENCE_STATES, default="open", required=True, index=True, tracking=True, readonly=True, copy=False
    )
    user_id = fields.Many2one("res.users", string="Assignee", tracking=True, check_company=True)
    resolution = fields.Text(tracking=True)
    resolved_date = fields.Datetime(readonly=True, copy=False)
    # the risk score of its order (or of its shop's day, without an order): ecom.risk.score
    risk_score_id = fields.Many2one(
        "ecom.risk.score", string="Risk", compute="_compute_risk", groups=FINANCE_READERS
    )
    risk_score = fields.Integer(compute="_compute_risk", groups=FINANCE_READERS)
    risk_level = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High")],
        compute="_compute_risk",
        groups=FINANCE_READERS,
    )
    risk_reasons = fields.Text(compute="_compute_risk", groups=FINANCE_READERS)
    fx_gap = fields.Monetary(
        string="FX Gap",
        compute="_compute_fx_gap",
        currency_field="fx_currency_id",
        help="Matched by an accepted suggestion across currencies: the gap of the rates of the day, within "
        "the rule's FX tolerance, kept apart from an amount difference.",
    )
    fx_currency_id = fields.Many2one("res.currency", string="FX Currency", compute="_compute_fx_gap")

    def init(self):
        # One live difference per finding: a run writes what it finds again on this key (see
        # engine/results.py), so the work done on a difference stays with its record.
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (run_id, stage, shop_id, kind, reference)
                    WHERE active""",
                SQL.identifier(FINDING_INDEX),
                SQL.identifier(self._table),
            )
        )

    @api.depends("kind", "reference")
    def _compute_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for difference in self:
            difference.name = f"{labels.get(difference.kind, '')} {difference.reference or ''}".strip()

    def _compute_risk(self):
        """The score of the difference's order (none: nothing unusual), or, without an order, of
        its shop's day (the local day of its date). Read as the superuser: only finance readers
        see the fields (``groups``)."""
        Score = self.env["ecom.risk.score"].sudo()
        by_order = {}
        for score in Score.search([("entity", "=", "order"), ("order_id", "in", self.order_id.ids)]):
            by_order.setdefault(score.order_id.id, score)
        day_of = {
            difference: fields.Datetime.context_timestamp(
                difference.with_context(tz=difference.shop_id.timezone), difference.date
            ).date()
            for difference in self
            if difference.date and difference.shop_id and not difference.order_id
        }
        days = (
            Score.search(
                [
                    ("entity", "=", "day"),
                    ("shop_id", "in", self.shop_id.ids),
                    ("date", "in", sorted(set(day_of.values()))),
                ]
            )
            if day_of
            else Score
        )
        by_day = {(score.shop_id.id, score.date): score for score in days}
        for difference in self:
            score = by_order.get(difference.order_id.id) or by_day.get(
                (difference.shop_id.id, day_of.get(difference))
            )
            difference.risk_score_id = score
            difference.risk_score = score.score if score else 0
            difference.risk_level = score.level if score else False
            difference.risk_reasons = score.with_env(self.env).reasons_text if score else False

    @api.depends("expected_amount", "actual_amount")
    def _compute_amount(self):
        for difference in self:
            difference.amount = difference.actual_amount - difference.expected_amount

    def _compute_fx_gap(self):
        decisions = self._accepted_decisions()
        for difference in self:
            match = decisions.filtered(lambda d, diff=difference: diff in d.closed_difference_ids)[
                :1
            ].match_id
            difference.fx_gap = match.fx_gap
            difference.fx_currency_id = match.currency_id

    @api.model_create_multi
    def create(self, vals_list):
        # copy() and load() create through here too: differences are the runs' findings only
        if not in_approved_change():
            raise AccessError(
                self.env._("Differences are found by reconciliation runs, not created by hand.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not in_approved_change():
            # no context key and no superuser passes: only the run and the actions below
            self._check_direct_write(vals)
        result = super().write(vals)
        if WRITE_OFF_SUBSTANCE & set(vals):
            # a write-off asked for or approved before this change is void
            self._ecom_void_stale_approvals()
        return result

    def _check_direct_write(self, vals):
        protected = PROTECTED_FIELDS & set(vals)
        if protected:
            raise AccessError(
                self.env._("What a run found is not editable: %s.", ", ".join(sorted(protected)))
            )
        workflow = WORKFLOW_FIELDS & set(vals)
        if workflow:
            raise AccessError(
                self.env._(
                    "A difference changes state through its buttons only (Assign to Me, Resolve, "
                    "Request Write-Off, Write Off, Reopen): %s.",
                    ", ".join(sorted(workflow)),
                )
            )
        if CLOSED_KEEPS & set(vals):
            kept = self.filtered(lambda d: d.state in CLOSED_STATES or not d.active)
            if kept:
                raise AccessError(
                    self.env._(
                        "%s is closed or archived: its explanation and assignee stay as they were "
                        "(reopen it first).",
                        kept[0].name,
                    )
                )

    def _set_workflow(self, vals):
        """The change of an action whose checks passed, past the guard of ``write()``."""
        with approved_change():
            return self.write(vals)

    def _check_rights(self, groups=WORKERS):
        """The caller's right to an action, checked first: the role, then the records (access
        rights and record rules: a Shop Operator's own shops only, an Auditor nowhere)."""
        if not self.env.su and not any(self.env.user.has_group(group) for group in groups):
            raise AccessError(self.env._("Your role may not change reconciliation differences this way."))
        self.check_access("write")

    def action_assign_to_me(self):
        self._check_rights()
        self._check_open()
        self._set_workflow({"user_id": self.env.uid, "state": "assigned"})

    def action_resolve(self):
        self._check_rights()
        self._check_open()
        for difference in self:
            if not difference.resolution:
                raise UserError(
                    self.env._("Explain the resolution of %s before resolving it.", difference.name)
                )
        gaps = self._accepted_decisions().filtered("gap_open")
        if gaps:
            name = (self & gaps.closed_difference_ids)[:1].name
            gap = f"{gaps[0].gap:.2f}"
            raise UserError(
                self.env._(
                    "The accepted suggestion of %(name)s leaves a gap of %(gap)s beyond the tolerance: "
                    "it is written off (Request Write-Off, then a second person approves), not resolved.",
                    name=name,
                    gap=gap,
                )
            )
        self._set_workflow({"state": "resolved", "resolved_date": fields.Datetime.now()})

    def action_reopen(self):
        """Reopen a closed difference: Accountants; a write-off is undone by a Finance Manager.

        A difference explained by an accepted suggestion (closed, or left open with a gap) is
        reopened with the others that suggestion explained, and its match is undone."""
        self._check_rights((ACCOUNTANT,))
        accepted = self._accepted_decisions()
        reopened = self | accepted.closed_difference_ids.filtered("active").with_env(self.env)
        if reopened.filtered(lambda d: d.state == "written_off"):
            reopened._check_rights((MANAGER,))
        reopened._check_rights((ACCOUNTANT,))
        self._check_live()
        still_open = self.filtered(
            lambda d: d.state not in CLOSED_STATES and d not in accepted.closed_difference_ids
        )
        if still_open:
            raise UserError(self.env._("%s is not closed.", still_open[0].name))
        if accepted:
            accepted._undo()
            for difference in reopened:
                difference.message_post(
                    body=self.env._("The accepted suggestion is undone: its match is deleted."),
                    subtype_xmlid="mail.mt_note",
                )
        reopened._set_workflow({"state": "open", "resolved_date": False})

    def _accepted_decisions(self):
        """The accepted suggestions, not undone, that explained these differences."""
        # read as the superuser: the guards of Resolve and Reopen need them whoever calls (a Shop
        # Operator reads no decision), and they give nothing back to the caller but the differences
        return (
            self.env["ecom.reconcile.suggestion.decision"]
            .sudo()
            .search(
                [
                    ("closed_difference_ids", "in", self.ids),
                    ("decision", "=", "accepted"),
                    ("undone", "=", False),
                ]
            )
        )

    # ------------------------------------------------------------------
    # Suggested matches (engine/suggestions.py, ecomfin.suggest)
    # ------------------------------------------------------------------

    @api.model
    def suggest(self, difference_ids):
        """XML-RPC: suggested counterparts of the differences ``difference_ids``.

        :returns: ``{difference id (text): [{"line_ids", "order_ids", "confidence" (0..1),
            "reasons" (in words)}]}``, best first; an empty list for a closed difference or a
            kind without suggestions
        """
        differences = self.browse(difference_ids)
        differences._check_rights(SUGGESTION_USERS)
        live = differences.filtered(lambda d: d.active and d.state not in CLOSED_STATES)
        found = suggestions.suggestions(live)
        return {
            str(difference.id): suggestions.as_dicts(self.env, found.get(difference.id, []))
            for difference in differences
        }

    def action_suggestions(self):
        """The Suggestions button: this difference's suggested matches, each with Accept and Reject."""
        self._check_rights(SUGGESTION_USERS)
        self.ensure_one()
        self._check_open()
        return self.env["ecom.reconcile.suggestion.wizard"]._open(self)

    @api.model
    def accept_suggestion(self, difference_id, index, line_ids=None, order_ids=None):
        """XML-RPC: make the match of suggestion number ``index`` (of ``suggest``) of the
        difference ``difference_id`` (see ``engine/suggestions.accept``). ``line_ids`` and
        ``order_ids``, when given, are those the caller saw there: refused if they changed.

        :returns: ``{"match_id", "decision_id", "state"}`` (the difference's state)
        """
        difference = self.browse(difference_id)
        difference._check_rights(SUGGESTION_USERS)
        difference.ensure_one()
        difference._check_open()
        expected = None if line_ids is None and order_ids is None else (line_ids or (), order_ids or ())
        return suggestions.accept(difference, index, expected)

    @api.model
    def reject_suggestion(self, difference_id, index, line_ids=None, order_ids=None):
        """XML-RPC: keep that suggestion number ``index`` of ``difference_id`` is wrong: it is not
        suggested again, and the weights learn from it (``line_ids``, ``order_ids``: as for
        ``accept_suggestion``). Returns the decision's id."""
        difference = self.browse(difference_id)
        difference._check_rights(SUGGESTION_USERS)
        difference.ensure_one()
        difference._check_open()
        expected = None if line_ids is None and order_ids is None else (line_ids or (), order_ids or ())
        return suggestions.reject(difference, index, expected)

    def action_request_write_off(self):
        """Ask for the write-off: a second person approves it (a Finance Manager too above the
        company's threshold), then Write Off carries it out."""
        self._check_rights((MANAGER,))
        self._check_write_off()
        for difference in self:
            company = difference.company_id
            amount = (
                difference.currency_id._convert(
                    difference.amount, company.currency_id, company, fields.Date.context_today(self)
                )
                if difference.currency_id and difference.currency_id != company.currency_id
                else difference.amount
            )
            difference._ecom_ask_approval(
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
        self._check_rights((MANAGER,))
        self._check_write_off()
        self._ecom_check_write_off_approval()
        self._set_workflow({"state": "written_off", "resolved_date": fields.Datetime.now()})

    def _check_write_off(self):
        self._check_open()
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

    def _ecom_check_write_off_approval(self):
        """Each difference needs an approved write-off request for its current amounts and
        explanation (``ecom.approval.request``); it is marked applied. No context key and no
        superuser skips it."""
        self._ecom_require_approval(
            lambda difference: self.env._(
                "Writing %s off needs an approved request: Request Write-Off, then a second "
                "person approves it.",
                difference.name,
            )
        )

    def _check_live(self):
        archived = self.filtered(lambda d: not d.active)
        if archived:
            raise UserError(
                self.env._(
                    "%s is no longer found by its run: it is kept archived, as it was.", archived[0].name
                )
            )

    def _check_open(self):
        self._check_live()
        closed = self.filtered(lambda d: d.state in CLOSED_STATES)
        if closed:
            raise UserError(self.env._("%s is already closed; reopen it first.", closed[0].name))
