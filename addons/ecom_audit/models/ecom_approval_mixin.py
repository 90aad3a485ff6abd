# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models
from odoo.exceptions import UserError

from ..approval import approved_change, in_approved_change
from ..roles import MANAGER

MAGIC_FIELDS = {"id", "create_uid", "create_date", "write_uid", "write_date", "display_name"}


class EcomApprovalMixin(models.AbstractModel):
    """Changes of the records of a model (create, write, unlink) go through an approval request.

    A model sets ``_ecom_approval_operation`` (e.g. ``posting_rule_change``). Its users ask with
    ``ecom_request_create(vals)``, ``ecom_request_write(vals)`` and ``ecom_request_unlink()``, or
    simply edit, create, archive and save in the web client, which asks for them (``web_save``);
    the change is made when the last level approves it, as the approver. Direct create, write
    and unlink are refused except to the superuser (installation, data files) and inside an
    approved change (``ecom_audit.approval.approved_change``, set by Python code only, never by
    a caller's context).
    """

    _name = "ecom.approval.mixin"
    _inherit = ["ecom.approval.gate.mixin"]
    _description = "Changes under Approval"
    # decided by Finance Managers, made when the last level approves
    _ecom_approval_level_one_group = MANAGER
    _ecom_approval_applied_on_approval = True

    @api.model
    def _ecom_check_change(self, operation):
        if self.env.su or in_approved_change():
            return
        self.check_access(operation)
        raise UserError(
            self.env._(
                "Changes to %(model)s need an approval: request the change (Request Change), a second "
                "person approves it.",
                model=self._description,
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._ecom_check_change("create")
        return super().create(vals_list)

    def write(self, vals):
        self._ecom_check_change("write")
        result = super().write(vals)
        self._ecom_void_stale_approvals()
        return result

    def unlink(self):
        self._ecom_check_change("unlink")
        return super().unlink()

    # ------------------------------------------------------------------
    # Requests
    # ------------------------------------------------------------------

    def _ecom_change_vals(self, vals):
        """``vals`` restricted to what a request may change: stored, non-magic fields."""
        unknown = sorted(
            name
            for name in vals
            if name in MAGIC_FIELDS or name not in self._fields or not self._fields[name].store
        )
        if unknown:
            raise UserError(self.env._("These fields cannot be requested: %s.", ", ".join(unknown)))
        return dict(vals)

    def _ecom_before(self, names):
        """Current values of ``names`` (ids for relations), what a write request expects to change."""
        self.ensure_one()
        before = {}
        for name in sorted(names):
            before[name] = self._ecom_audit_value(name, self[name])
        return before

    def _ecom_approval_substance(self, request):
        """The substance of ``request`` as it would be now: the asked change and, for a write or
        an unlink, the record's current values of what it touches."""
        substance = dict(request.substance or {})
        if self and substance.get("op") in ("write", "unlink"):
            substance["before"] = self._ecom_before(substance.get("before", {}).keys())
        return substance

    def _ecom_request(self, op, vals, reason):
        names = (
            list(vals)
            if op == "write"
            else [name for name, field in self._fields.items() if field.store and name not in MAGIC_FIELDS]
        )
        substance = {"model": self._name, "op": op, "id": self.id or 0, "vals": vals}
        if self:
            substance["before"] = self._ecom_before(names)
        description = self.env._(
            "%(op)s %(model)s %(name)s",
            op={
                "create": self.env._("Create"),
                "write": self.env._("Change"),
                "unlink": self.env._("Delete"),
            }[op],
            model=self._description,
            name=self.display_name or "",
        )
        company = self.env["res.company"].browse(vals.get("company_id")) if not self else None
        return self._ecom_ask_approval(description, substance=substance, reason=reason, company=company)

    @api.model
    def ecom_request_create(self, vals, reason=False):
        """Ask for a new record (XML-RPC too); returns the id of the approval request."""
        self.check_access("create")
        return self.browse()._ecom_request("create", self._ecom_change_vals(vals), reason).id

    def ecom_request_write(self, vals, reason=False):
        """Ask to change these records; returns the ids of the approval requests, one per record."""
        self.check_access("write")
        vals = self._ecom_change_vals(vals)
        return [record._ecom_request("write", vals, reason).id for record in self]

    def ecom_request_unlink(self, reason=False):
        self.check_access("unlink")
        return [record._ecom_request("unlink", {}, reason).id for record in self]

    # ------------------------------------------------------------------
    # The web client: saving a form asks for the change
    # ------------------------------------------------------------------

    def web_save(self, vals, specification, next_id=None):
        """Saving a form or an editable list asks for the change instead of making it.

        An edit of existing records becomes one request per record; the form shows the record
        as it still is. A new record is saved archived, which gives it no effect, and its
        activation with the values entered is asked for; rejected, it stays archived.
        """
        if self.env.su or in_approved_change():
            return super().web_save(vals, specification, next_id=next_id)
        if self:
            self.ecom_request_write(vals)
            records = self
        else:
            self.check_access("create")
            vals = self._ecom_change_vals(vals)
            with approved_change():
                records = self.create({**vals, "active": False})
            records.ecom_request_write({**vals, "active": True})
        self._ecom_notify_requested()
        return records.web_read(specification)

    def action_archive(self):
        self.ecom_request_write({"active": False})
        self._ecom_notify_requested()
        return True

    def action_unarchive(self):
        self.ecom_request_write({"active": True})
        self._ecom_notify_requested()
        return True

    def _ecom_notify_requested(self):
        self.env.user._bus_send(
            "simple_notification",
            {
                "type": "info",
                "title": self.env._("Change requested"),
                "message": self.env._(
                    "Your change of %(model)s is asked for: it is made when a second person approves it "
                    "(E-commerce Finance > Approvals).",
                    model=self._description,
                ),
            },
        )

    def _ecom_apply_approval(self, request):
        """Make the approved change (inside ``approved_change``); returns the record."""
        substance = request.substance
        if substance["op"] == "create":
            return self.create(substance["vals"])
        self.ensure_one()
        if substance["op"] == "write":
            self.write(substance["vals"])
            return self
        self.unlink()
        return self.browse()
