# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class EcomAuditVerification(models.TransientModel):
    """The result of one verification of the audit trail, shown to the Auditor who asked."""

    _name = "ecom.audit.verification"
    _description = "Audit Trail Verification"

    ok = fields.Boolean(string="Intact", readonly=True)
    checked = fields.Integer(string="Entries Checked", readonly=True)
    message = fields.Text(readonly=True)
    bad_ranges = fields.Text(readonly=True, help="Every range of entries that fails.")
    warnings = fields.Text(readonly=True, help="What the verifier could not check (anchors not set up...).")
