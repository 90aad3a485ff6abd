# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .. import approval_notices, step_up
from ..approval import approved_change, canonical_json, in_request_write, request_write, substance_hash
from ..roles import MANAGER
from .approval_substance import substance_html

# ecom_audit's own operations (a threshold change goes as a posting rule change); each addon adds
# its own (``selection_add``), the model it guards says who approves it (``ecom.approval.gate.mixin``).
OPERATIONS = [
    ("posting_rule_change", "Posting Rule Change"),
    ("group_grant", "Grant of a Finance Group"),
]
STATES = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("applied", "Applied"),
    ("cancelled", "Cancelled"),
]


class EcomApprovalRequest(models.Model):
    """A request to carry out one operation whose substance is frozen by a hash.

    What is asked (model, record, operation) and its substance (amounts, target values) are
    fixed at creation: ``substance`` is canonical JSON and ``substance_hash`` its SHA-256.
    The target recomputes its substance whenever it changes; a request whose hash no longer
    matches is void (editing after approval resets it). Requests change only through their
    own methods (approve, reject, cancel, apply): ``write`` refuses every other writer,
    whatever the caller's rights or context.
    """

    _name = "ecom.approval.request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Approval Request"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    operation = fields.Selection(OPERATIONS, required=True, readonly=True, index=True)
    res_model = fields.Char(string="Model", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference(string="Record", model_field="res_model", readonly=True, index=True)
    description = fields.Char(readonly=True, help="What is asked, in words.")
    substance = fields.Json(
        string="Approved Substance", readonly=True, help="What is approved: amounts and target values."
    )
    substance_html = fields.Html(
        string="Substance",
        compute="_compute_substance_html",
        sanitize=True,
        help="What is approved, in words: names, amounts with their currency, times in your time zone.",
    )
    substance_json = fields.Text(string="Substance (JSON)", compute="_compute_substance_json")
    substance_hash = fields.Char(readonly=True, index=True)
    amount = fields.Monetary(readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    requester_id = fields.Many2one("res.users", required=True, readonly=True, index=True)
    reason = fields.Text(readonly=True)
    state = fields.Selection(STATES, required=True, default="pending", readonly=True, index=True)
    levels_required = fields.Integer(required=True, default=1, readonly=True)
    levels_approved = fields.Integer(compute="_compute_levels_approved")
    line_ids = fields.One2many("ecom.approval.line", "request_id", string="Decisions", readonly=True)
    applied_date = fields.Datetime(readonly=True)
    can_decide = fields.Boolean(compute="_compute_can_decide")

    @api.depends("operation")
    def _compute_name(self):
        labels = dict(self._fields["operation"]._description_selection(self.env))
        for request in self:
            request.name = f"{labels.get(request.operation, '')} #{request.id or ''}"

    @api.depends("substance")
    def _compute_substance_json(self):
        for request in self:
            request.substance_json = canonical_json(request.substance) if request.substance else False

    @api.depends_context("uid", "tz", "lang")
    @api.depends("substance", "res_model", "res_id", "currency_id")
    def _compute_substance_html(self):
        for request in self:
            request.substance_html = substance_html(request)

    @api.depends("line_ids.decision")
    def _compute_levels_approved(self):
        for request in self:
            request.levels_approved = len(request.line_ids.filtered(lambda line: line.decision == "approve"))

    @api.depends_context("uid")
    @api.depends("state", "line_ids", "requester_id")
    def _compute_can_decide(self):
        user = self.env.user
        for request in self:
            request.can_decide = (
                request.state == "pending"
                and request.requester_id != user
                and user not in request.line_ids.user_id
                and user not in request._beneficiaries()
                and user.has_group(request._level_group(request.levels_approved + 1))
            )

    # ------------------------------------------------------------------
    # No writer but the request's own methods
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not in_request_write():
            raise AccessError(self.env._("Approval requests are created by the operation that needs them."))
        return super().create(vals_list)

    def write(self, vals):
        if not in_request_write():
            raise AccessError(
                self.env._(
                    "Approval requests change only through Approve, Reject and Cancel: %s.",
                    ", ".join(sorted(vals)),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(self.env._("Approval requests are kept; cancel a request instead."))

    # ------------------------------------------------------------------
    # Requesting
    # ------------------------------------------------------------------

    @api.model
    def _create_request(
        self, operation, target, substance, description, amount=0.0, currency=None, reason=False, company=None
    ):
        """Ask for ``operation`` on ``target`` (a record, or an empty recordset for a creation).

        An open request of the same operation and record with the same substance is returned
        as it is; one with another substance is cancelled (superseded).
        """
        if not company:
            company = target.company_id if "company_id" in target and target[:1].company_id else None
        company = company or self.env.company
        digest = substance_hash(substance)
        res_id = target.id if target else 0
        same = self.search(
            [
                ("operation", "=", operation),
                ("res_model", "=", target._name),
                ("res_id", "=", res_id),
                ("state", "in", ("pending", "approved")),
                ("requester_id", "=", self.env.uid),
            ]
        )
        if res_id:
            mine = same.filtered(lambda request: request.substance_hash == digest)
            if mine:
                return mine[0]
            same._void(self.env._("Superseded by a new request."))
        levels = self.env["ecom.approval.threshold"]._levels_for(company, operation, amount)
        with request_write():
            request = self.create(
                {
                    "operation": operation,
                    "res_model": target._name,
                    "res_id": res_id,
                    "description": description,
                    "substance": substance,
                    "substance_hash": digest,
                    "amount": amount,
                    "currency_id": (currency or company.currency_id).id,
                    "company_id": company.id,
                    "requester_id": self.env.uid,
                    "reason": reason,
                    "levels_required": levels,
                }
            )
        request._notify_deciders()
        return request

    def _level_group(self, level):
        self.ensure_one()
        # the target's model says (``ecom.approval.gate.mixin``); one gone with its addon: a Finance Manager
        Model = self.env.get(self.res_model)
        if level > 1 or Model is None:
            return MANAGER
        # another operation the model guards names its own first level
        others = getattr(Model, "_ecom_approval_level_one_groups", None) or {}
        return others.get(self.operation, Model._ecom_approval_level_one_group)

    # ------------------------------------------------------------------
    # Deciding
    # ------------------------------------------------------------------

    def _check_decider(self):
        """The current user may decide the next level of the request, or an AccessError says why."""
        user = self.env.user
        for request in self:
            if request.state != "pending":
                raise UserError(self.env._("%s is no longer pending.", request.name))
            if request.requester_id == user:
                raise AccessError(
                    self.env._("You asked for %s: someone else must decide on it.", request.name)
                )
            if user in request.line_ids.user_id:
                raise AccessError(
                    self.env._(
                        "You already decided on %s: the next level needs another person.", request.name
                    )
                )
            if user in request._beneficiaries():
                raise AccessError(self.env._("%s is for you: someone else must decide on it.", request.name))
            level = request.levels_approved + 1
            if not user.has_group(request._level_group(level)):
                raise AccessError(
                    self.env._(
                        "Level %(level)s of %(request)s is approved by a %(group)s.",
                        level=level,
                        request=request.name,
                        group=self.env.ref(request._level_group(level)).name,
                    )
                )

    def _target(self):
        self.ensure_one()
        return self.env[self.res_model].browse(self.res_id)

    def _beneficiaries(self):
        """The users the request is for (the grantee of a grant): never among its deciders."""
        self.ensure_one()
        if not self.res_id or self.res_model not in self.env:  # a creation, or its addon is gone
            return self.env["res.users"]
        # read as the system: who benefits is checked, not shown, and the decider may lack
        # rights on the target
        target = self._target().sudo()
        if not hasattr(target, "_ecom_approval_beneficiaries") or not target.exists():
            return self.env["res.users"]
        return target._ecom_approval_beneficiaries()

    def _is_stale(self):
        """Whether the target's substance no longer is what was asked for."""
        self.ensure_one()
        if self.res_model not in self.env:  # the addon of the target was uninstalled
            return True
        # a check, not a disclosure: the decider may lack rights on the target (an Accountant
        # approving a scrap), the request shows its substance anyway
        target = self._target().sudo()
        if self.res_id and not target.exists():
            return True
        return substance_hash(target._ecom_approval_substance(self)) != self.substance_hash

    @step_up.required("_check_decider")
    def action_approve(self, comment=False):
        """Approve the next level; the last level approves the request (and applies it, for
        rule changes and grants). A request whose target changed since is voided instead.

        The decider confirms their identity first (``ecom_audit.step_up``): in the web client,
        the Security Control wizard, which then approves."""
        for request in self._in_own_company():
            if request._is_stale():
                request._void(self.env._("The record changed after the request: ask again."))
                continue
            level = request.levels_approved + 1
            request._decide("approve", level, comment)
            request._close_todos()
            if level >= request.levels_required:
                request._write({"state": "approved"})
                request._notify_requester(self.env._("Approved by %s.", self.env.user.name))
                if request.env[request.res_model]._ecom_approval_applied_on_approval:
                    # a rule change or a grant: carried out now; the others are carried out
                    # by someone later (the write-off, the posting of the entry), who consumes
                    # the approval
                    request._apply()
            else:
                request._notify_deciders()
        return True

    @step_up.required("_check_decider")
    def action_reject(self, comment=False):
        """Reject at the next level, the identity confirmed first (as ``action_approve``)."""
        for request in self._in_own_company():
            request._decide("reject", request.levels_approved + 1, comment)
            request._write({"state": "rejected"})
            request._close_todos()
            request._notify_requester(
                self.env._(
                    "Rejected by %(user)s: %(comment)s", user=self.env.user.name, comment=comment or "-"
                )
            )
            target = request._target()
            if hasattr(target, "_ecom_approval_rejected"):
                with approved_change():
                    target._ecom_approval_rejected(request)
        return True

    def action_cancel(self):
        """The requester withdraws a request not yet carried out."""
        for request in self:
            if request.requester_id != self.env.user:
                raise AccessError(self.env._("Only the requester cancels %s.", request.name))
            if request.state not in ("pending", "approved"):
                raise UserError(self.env._("%s can no longer be cancelled.", request.name))
        self._void(self.env._("Cancelled by the requester."))
        return True

    def _in_own_company(self):
        """Each request in an environment of its own company: an approver allowed in several
        companies decides (and applies) a request of any of them, whichever they work in."""
        for request in self:
            yield request.with_company(request.company_id)

    def _decide(self, decision, level, comment):
        self.ensure_one()
        with request_write():
            self.env["ecom.approval.line"].create(
                {
                    "request_id": self.id,
                    "user_id": self.env.uid,
                    "level": level,
                    "decision": decision,
                    "comment": comment or False,
                }
            )

    def _write(self, vals):
        with request_write():
            return self.write(vals)

    def _void(self, why):
        for request in self:
            with request_write():
                self.env["ecom.approval.line"].create(
                    {
                        "request_id": request.id,
                        "user_id": self.env.uid,
                        "level": request.levels_approved + 1,
                        "decision": "void",
                        "comment": why,
                    }
                )
        self._write({"state": "cancelled"})
        self._close_todos()

    # ------------------------------------------------------------------
    # Telling the people concerned (``ecom_audit.approval_notices``)
    # ------------------------------------------------------------------

    def _deciders(self):
        return approval_notices.deciders(self)

    def _notify_deciders(self):
        approval_notices.notify_deciders(self)

    def _close_todos(self):
        approval_notices.close_todos(self)

    def _notify_requester(self, body):
        approval_notices.notify_requester(self, body)

    # ------------------------------------------------------------------
    # Applying
    # ------------------------------------------------------------------

    def _apply(self):
        """Carry out an approved rule change or grant (as the approver who completed it)."""
        for request in self:
            # applied first: the change below must not void the request it carries out
            request._write({"state": "applied", "applied_date": fields.Datetime.now()})
            with approved_change():
                record = request._target()._ecom_apply_approval(request)
            if not request.res_id and record:
                request._write({"res_id": record.id})

    @api.model
    def _consume(self, operation, target):
        """The approved request for ``operation`` on ``target`` with its current substance, marked
        applied; an empty recordset when there is none."""
        target.ensure_one()
        digest = substance_hash(target._ecom_approval_substance(self.new({"operation": operation})))
        request = self.search(
            [
                ("operation", "=", operation),
                ("res_model", "=", target._name),
                ("res_id", "=", target.id),
                ("state", "=", "approved"),
                ("substance_hash", "=", digest),
            ],
            limit=1,
        )
        request._write({"state": "applied", "applied_date": fields.Datetime.now()})
        return request

    @api.model
    def _void_stale(self, targets):
        """Void the open requests on ``targets`` whose substance changed (called after a change)."""
        if not targets:
            return
        # whoever changed the record voids the requests on it, even one who cannot read them
        requests = self.sudo().search(
            [
                ("res_model", "=", targets._name),
                ("res_id", "in", targets.ids),
                ("state", "in", ("pending", "approved")),
            ]
        )
        stale = requests.filtered(lambda request: request._is_stale())
        stale._void(self.env._("The record changed after the request: ask again."))
