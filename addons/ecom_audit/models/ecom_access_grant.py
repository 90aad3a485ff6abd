# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..approval import approved_change, in_approved_change, protected_in, substance_hash
from ..roles import MANAGER

_logger = logging.getLogger(__name__)

# Written by the grant's own methods only (inside ``approved_change``).
PROTECTED_FIELDS = {"state", "request_id", "added_group_ids", "revoked_at"}
GRANT_STATES = [
    ("draft", "Draft"),
    ("requested", "Awaiting Approval"),
    ("approved", "Approved"),
    ("active", "Active"),
    ("revoked", "Revoked"),
    ("rejected", "Rejected"),
]


class EcomAccessGrant(models.Model):
    """A finance group for a user, until a date and time if given, once a second person approves.

    The grant gives the user the group and what it implies (only what the user did not have);
    the hourly ``_cron_revoke`` takes exactly that back when ``date_until`` has passed. Every
    change of the user's groups is in the audit trail, as is the grant itself.
    """

    _name = "ecom.access.grant"
    _inherit = ["ecom.approval.gate.mixin"]
    _description = "Temporary Access Grant"
    # a Finance Manager other than the requester approves it; the grant starts on approval
    _ecom_approval_operation = "group_grant"
    _ecom_approval_level_one_group = MANAGER
    _ecom_approval_applied_on_approval = True
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one("res.users", required=True, index=True, check_company=True)
    group_id = fields.Many2one(
        "res.groups",
        required=True,
        domain=lambda self: [
            ("category_id", "=", self.env.ref("ecom_audit.module_category_ecom_finance").id)
        ],
    )
    date_from = fields.Datetime(string="From", required=True, default=fields.Datetime.now)
    date_until = fields.Datetime(string="Until", help="Empty: until revoked by hand.")
    reason = fields.Text(required=True)
    # protected (PROTECTED_FIELDS): not copied, refused in create, copy, load and write
    state = fields.Selection(
        GRANT_STATES, required=True, default="draft", readonly=True, index=True, copy=False
    )
    request_id = fields.Many2one("ecom.approval.request", readonly=True, copy=False)
    added_group_ids = fields.Many2many(
        "res.groups",
        string="Groups Given",
        readonly=True,
        copy=False,
        help="What the grant added; what revoking removes.",
    )
    revoked_at = fields.Datetime(readonly=True, copy=False)

    @api.depends("user_id", "group_id")
    def _compute_name(self):
        for grant in self:
            grant.name = f"{grant.group_id.full_name or ''} -> {grant.user_id.name or ''}"

    @api.constrains("date_from", "date_until")
    def _check_dates(self):
        for grant in self:
            if grant.date_until and grant.date_until <= grant.date_from:
                raise UserError(self.env._("A grant ends after it starts."))

    @api.constrains("group_id")
    def _check_finance_role(self):
        """Only the roles of e-commerce finance are granted (the field's domain binds the web
        client only: an RPC caller could name any group, Settings included)."""
        category = self.env.ref("ecom_audit.module_category_ecom_finance")
        # the group's category is read to check it, whoever may read groups
        for grant in self.sudo():
            if grant.group_id.category_id != category:
                raise ValidationError(
                    self.env._(
                        "A grant gives a role of E-commerce Finance, not %s.", grant.group_id.full_name
                    )
                )

    @api.model
    def _check_protected(self, vals_list):
        """Refuse the protected fields to every caller but the grant's own methods (``_set``),
        in create, copy and load as in write: a grant made approved, active or pointing at a
        request is the same bypass as one written so."""
        # creating or not: a grant may be made only as a draft without a request
        protected = protected_in(vals_list, PROTECTED_FIELDS, creating=True)
        if protected:
            raise AccessError(
                self.env._(
                    "Grants change state through Request, approval and Revoke: %s.",
                    ", ".join(sorted(protected)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        # copy() and load() create through here too
        self._check_protected(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_protected([{name: True for name in PROTECTED_FIELDS & set(vals)}])
        if not in_approved_change() and self.filtered(
            lambda grant: grant.state not in ("draft", "requested")
        ):
            raise UserError(self.env._("An approved grant is not edited: revoke it and ask for another."))
        requested = self.filtered(lambda grant: grant.state == "requested")
        result = super().write(vals)
        if requested and not in_approved_change():
            # changed while awaiting approval: the request is void, the grant is asked for again
            requested._ecom_void_stale_approvals()
            requested.filtered(lambda grant: grant.request_id.state == "cancelled")._set({"state": "draft"})
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if self.filtered(lambda grant: grant.state != "draft"):
            raise UserError(self.env._("Only draft grants are deleted; the others are kept."))

    def _set(self, vals):
        with approved_change():
            return self.write(vals)

    # ------------------------------------------------------------------
    # Approval
    # ------------------------------------------------------------------

    def _ecom_approval_substance(self, request):
        self.ensure_one()
        return {
            "grant": self.id,
            "user": self.user_id.id,
            "group": self.group_id.id,
            "from": fields.Datetime.to_string(self.date_from),
            "until": fields.Datetime.to_string(self.date_until) if self.date_until else False,
            "reason": self.reason,
        }

    def _ecom_approval_beneficiaries(self):
        """Who the approval is for: they do not decide on it (``ecom.approval.request``)."""
        return self.user_id

    def action_request(self):
        """Ask for the grant: a Finance Manager other than the requester approves it."""
        for grant in self:
            if grant.state != "draft":
                raise UserError(self.env._("%s was already requested.", grant.name))
            if grant.group_id in grant.user_id.groups_id:
                raise UserError(self.env._("%s already holds this group.", grant.user_id.name))
            request = grant._ecom_ask_approval(self.env._("Grant %s", grant.name), reason=grant.reason)
            grant._set({"state": "requested", "request_id": request.id})
        return True

    def _ecom_apply_approval(self, request):
        """Approved: the grant starts now, or at ``date_from`` (the cron starts it)."""
        self.ensure_one()
        self._set({"state": "approved"})
        if self.date_from <= fields.Datetime.now():
            self._activate()
        return self

    def _ecom_approval_rejected(self, request):
        self._set({"state": "rejected"})

    def _is_approved(self):
        """Whether the grant's own approval request was approved, for this very grant: the
        request's state, its target and the user and group it froze. A state or request set by
        any other path than Request and approval (a forged row) does not give anything."""
        self.ensure_one()
        # the request is read as the system: the check must not depend on who runs it (the cron)
        request = self.request_id.sudo()
        substance = request.substance or {}
        return bool(
            request
            and request.state in ("approved", "applied")
            and request.operation == self._ecom_approval_operation
            and request.res_model == self._name
            and request.res_id == self.id
            and substance.get("grant") == self.id
            and substance.get("user") == self.user_id.id
            and substance.get("group") == self.group_id.id
            and request.substance_hash == substance_hash(self._ecom_approval_substance(request))
        )

    def _activate(self):
        unapproved = self.filtered(lambda grant: not grant._is_approved())
        if unapproved:
            raise AccessError(
                self.env._(
                    "%s was not approved: the group is not given.", ", ".join(unapproved.mapped("name"))
                )
            )
        for grant in self:
            user = grant.user_id
            before = user.groups_id
            # The approval is the authorisation: the approver (a Finance Manager) need not be an
            # administrator of users to give what was approved.
            user.sudo().write({"groups_id": [fields.Command.link(grant.group_id.id)]})
            grant._set(
                {"state": "active", "added_group_ids": [fields.Command.set((user.groups_id - before).ids)]}
            )

    def action_revoke(self):
        if not self.env.su and not self.env.user.has_group("ecom_audit.group_ecom_manager"):
            raise AccessError(self.env._("Only a Finance Manager revokes a grant."))
        self.filtered(lambda grant: grant.state in ("requested", "approved", "active"))._revoke()
        return True

    def _revoke(self):
        for grant in self:
            if grant.state == "active":
                # taking back exactly what was given needs no other right than the grant's
                grant.user_id.sudo().write(
                    {"groups_id": [fields.Command.unlink(group.id) for group in grant.added_group_ids]}
                )
            elif grant.request_id.state in ("pending", "approved"):
                grant.request_id._void(self.env._("The grant was revoked."))
            grant._set({"state": "revoked", "revoked_at": fields.Datetime.now()})
            _logger.info("Access grant %s revoked", grant.id)

    @api.model
    def _cron_revoke(self):
        """Hourly: start the approved grants whose time has come, revoke those whose time is up."""
        now = fields.Datetime.now()
        due = self.search([("state", "=", "approved"), ("date_from", "<=", now)])
        forged = due.filtered(lambda grant: not grant._is_approved())
        if forged:
            _logger.warning("Access grants %s are approved without a valid approval: not started", forged.ids)
        (due - forged)._activate()
        self.search(
            [("state", "=", "active"), ("date_until", "!=", False), ("date_until", "<=", now)]
        )._revoke()
