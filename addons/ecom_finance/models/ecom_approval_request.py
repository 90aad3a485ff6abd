# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class EcomApprovalRequest(models.Model):
    """The operations of e-commerce finance under approval (``ecom.approval.gate.mixin``)."""

    _inherit = "ecom.approval.request"

    operation = fields.Selection(
        selection_add=[
            ("manual_entry", "Manual Entry on an E-commerce Journal"),
            ("posting_rule_change",),
            ("group_grant",),
            ("inventory_adjustment", "Inventory Adjustment"),
            ("scrap", "Scrap"),
            ("refund", "Refund of a Platform Order"),
            ("budget_overrun", "Spending beyond a Budget"),
        ],
        # requests of these go with the addon: uninstalled, it leaves none behind
        ondelete={
            "manual_entry": "cascade",
            "inventory_adjustment": "cascade",
            "scrap": "cascade",
            "refund": "cascade",
            "budget_overrun": "cascade",
        },
    )
