# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class EcomApprovalRequest(models.Model):
    """The operations of reconciliation under approval (``ecom.approval.gate.mixin``)."""

    _inherit = "ecom.approval.request"

    operation = fields.Selection(
        selection_add=[
            ("write_off", "Write-off of a Reconciliation Difference"),
            ("manual_entry",),
            ("posting_rule_change",),
            ("match_rule_change", "Reconciliation Rule Change"),
            ("group_grant",),
        ],
        # requests of these go with the addon: uninstalled, it leaves none behind
        ondelete={"write_off": "cascade", "match_rule_change": "cascade"},
    )
