# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..approval import in_request_write


class EcomApprovalLine(models.Model):
    """One decision on an approval request: who, which level, when, what and why. Append-only."""

    _name = "ecom.approval.line"
    _description = "Approval Decision"
    _order = "request_id, id"

    request_id = fields.Many2one(
        "ecom.approval.request", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True)
    user_id = fields.Many2one("res.users", string="By", required=True, readonly=True)
    level = fields.Integer(required=True, readonly=True)
    decision = fields.Selection(
        [("approve", "Approved"), ("reject", "Rejected"), ("void", "Voided")], required=True, readonly=True
    )
    comment = fields.Text(readonly=True)
    decided_at = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)

    @api.model_create_multi
    def create(self, vals_list):
        if not in_request_write():
            raise AccessError(self.env._("Decisions are recorded by Approve and Reject only."))
        return super().create(vals_list)

    def write(self, vals):
        if not in_request_write():
            raise AccessError(self.env._("A decision is never changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(self.env._("A decision is never deleted."))
