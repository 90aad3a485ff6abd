import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..approval import approved_change, in_approved_change

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
    _description = "Temporary Access Grant"
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
    state = fields.Selection(GRANT_STATES, required=True, default="draft", readonly=True, index=True)
    request_id = fields.Many2one("ecom.approval.request", readonly=True)
    added_group_ids = fields.Many2many(
        "res.groups",
        string="Groups Given",
        readonly=True,
        help="What the grant added; what revoking removes.",
    )
    revoked_at = fields.Datetime(readonly=True)

    @api.depends("user_id", "group_id")
    def _compute_name(self):
        for grant in self:
            grant.name = f"{grant.group_id.full_name or ''} -> {grant.user_id.name or ''}"

    @api.constrains("date_from", "date_until")
    def _check_dates(self):
        for grant in self:
            if grant.date_until and grant.date_until <= grant.date_from:
                raise UserError(self.env._("A grant ends after it starts."))

    def write(self, vals):
        protected = PROTECTED_FIELDS & set(vals)
        if protected and not in_approved_change():
            raise AccessError(
                self.env._(
                    "Grants change state through Request, approval and Revoke: %s.",
                    ", ".join(sorted(protected)),
                )
            )
        if not in_approved_change() and self.filtered(
            lambda grant: grant.state not in ("draft", "requested")
        ):
            raise UserError(self.env._("An approved grant is not edited: revoke it and ask for another."))
        requested = self.filtered(lambda grant: grant.state == "requested")
        result = super().write(vals)
        if requested and not in_approved_change():
            # changed while awaiting approval: the request is void, the grant is asked for again
            self.env["ecom.approval.request"]._void_stale(requested)
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

    def action_request(self):
        """Ask for the grant: a Finance Manager other than the requester approves it."""
        for grant in self:
            if grant.state != "draft":
                raise UserError(self.env._("%s was already requested.", grant.name))
            if grant.group_id in grant.user_id.groups_id:
                raise UserError(self.env._("%s already holds this group.", grant.user_id.name))
            request = self.env["ecom.approval.request"]._create_request(
                "group_grant",
                grant,
                grant._ecom_approval_substance(None),
                self.env._("Grant %s", grant.name),
                reason=grant.reason,
            )
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

    def _activate(self):
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
        self.search([("state", "=", "approved"), ("date_from", "<=", now)])._activate()
        self.search(
            [("state", "=", "active"), ("date_until", "!=", False), ("date_until", "<=", now)]
        )._revoke()
