from odoo import api, fields, models

from .ecom_approval_request import OPERATIONS


class EcomApprovalThreshold(models.Model):
    """How many people approve an operation in a company (Finance Managers configure it).

    Without a threshold an operation needs one approver. Every change is an entry of the audit
    trail (who, when, old -> new), as for every ``ecom.*`` model.
    """

    _name = "ecom.approval.threshold"
    _description = "Approval Threshold"
    _order = "company_id, operation"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    operation = fields.Selection(OPERATIONS, required=True)
    two_levels_always = fields.Boolean(
        string="Always Two Levels", help="A Finance Manager approves a second level whatever the amount."
    )
    two_levels_above = fields.Monetary(
        string="Second Level Above",
        help="Above this amount (in the company's currency) a Finance Manager approves a second level. "
        "0: never by amount.",
    )
    min_value = fields.Monetary(
        string="Approval Above Value",
        help="Inventory adjustments and scraps: one worth more than this needs approval (0: every one).",
    )
    min_quantity = fields.Float(
        string="Approval Above Quantity",
        help="Inventory adjustments and scraps: one of more units than this needs approval "
        "(0: by value only).",
    )

    _sql_constraints = [
        (
            "company_operation_uniq",
            "unique(company_id, operation)",
            "One threshold per operation and company.",
        )
    ]

    @api.model
    def _for(self, company, operation):
        return self.search([("company_id", "=", company.id), ("operation", "=", operation)], limit=1)

    @api.model
    def _exceeded(self, company, operation, quantity, value):
        """Whether a count or scrap of ``quantity`` units worth ``value`` needs an approval in
        ``company``: above the quantity or the value of its threshold (none: never)."""
        threshold = self._for(company, operation)
        if not threshold:
            return False
        if threshold.min_quantity and abs(quantity) > threshold.min_quantity:
            return True
        return value > threshold.min_value

    @api.model
    def _levels_for(self, company, operation, amount):
        threshold = self._for(company, operation)
        if threshold.two_levels_always:
            return 2
        if threshold.two_levels_above and abs(amount or 0.0) > threshold.two_levels_above:
            return 2
        return 1
