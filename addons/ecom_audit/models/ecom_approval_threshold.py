# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..approval import in_approved_change

# Loosening a threshold (fewer approvals) is itself a change under dual approval. ecom_audit has
# no operation of its own for it yet: it goes as a change of the accounting setup, decided by
# two Finance Managers and applied on approval, like a posting rule change or a shop's refund
# threshold (``ecom_finance``).
THRESHOLD_CHANGE_OPERATION = "posting_rule_change"
# Amounts and quantities where 0 means "no threshold": clearing or raising them loosens.
ZERO_IS_NONE = ("two_levels_above", "min_quantity")


class EcomApprovalThreshold(models.Model):
    """How many people approve an operation in a company (Finance Managers configure it).

    Without a threshold an operation needs one approver. Every change is an entry of the audit
    trail (who, when, old -> new), as for every ``ecom.*`` model. Tightening a threshold (a new
    one, a lower amount, *Always Two Levels* set) is saved at once; loosening it (raising or
    clearing an amount, *Always Two Levels* unset, another company or operation, deleting it)
    is asked for (``ecom_request_write``, ``ecom_request_unlink``, or saving the list) and made
    when a second Finance Manager approves it.
    """

    _name = "ecom.approval.threshold"
    _inherit = ["ecom.approval.mixin"]
    _description = "Approval Threshold"
    _order = "company_id, operation"
    _ecom_approval_operation = THRESHOLD_CHANGE_OPERATION

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    # the operations of the requests, whichever addons added them
    operation = fields.Selection(selection="_selection_operation", required=True)
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
    def _selection_operation(self):
        return self.env["ecom.approval.request"]._fields["operation"]._description_selection(self.env)

    @api.depends("operation", "company_id")
    def _compute_display_name(self):
        labels = dict(self._fields["operation"]._description_selection(self.env))
        for threshold in self:
            operation = labels.get(threshold.operation, "")
            threshold.display_name = f"{operation} ({threshold.company_id.name or ''})"

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

    # ------------------------------------------------------------------
    # Loosening goes through a dual approval; tightening does not
    # ------------------------------------------------------------------

    def _ecom_loosened_by(self, vals):
        """The names in ``vals`` that would make this threshold ask for fewer approvals."""
        self.ensure_one()
        loosened = []
        for name in ("company_id", "operation"):
            if name in vals and vals[name] != (self[name].id if name == "company_id" else self[name]):
                loosened.append(name)  # the threshold leaves what it guarded
        if "two_levels_always" in vals and self.two_levels_always and not vals["two_levels_always"]:
            loosened.append("two_levels_always")
        for name in ("two_levels_above", "min_value", "min_quantity"):
            if name not in vals:
                continue
            new, current = float(vals[name] or 0.0), self[name]
            if name in ZERO_IS_NONE and not current:
                continue  # no threshold yet: setting one tightens
            if (name in ZERO_IS_NONE and not new) or new > current:
                loosened.append(name)
        return loosened

    def _ecom_loosening(self, vals):
        return self.filtered(lambda threshold: threshold._ecom_loosened_by(vals))

    def _ecom_check_change(self, operation):
        # a new threshold only adds approvals, and a write is checked by what it changes
        # (``write``); deleting one is always asked for
        if operation == "unlink":
            return super()._ecom_check_change(operation)
        return None

    def write(self, vals):
        if not (self.env.su or in_approved_change()):
            loosened = self._ecom_loosening(vals)
            if loosened:
                raise UserError(
                    self.env._(
                        "Raising, clearing or moving the approval threshold %(thresholds)s needs an "
                        "approval: request the change (save the list, or ecom_request_write), a second "
                        "Finance Manager approves it.",
                        thresholds=", ".join(loosened.mapped("display_name")),
                    )
                )
        return super().write(vals)

    def web_save(self, vals, specification, next_id=None):
        """Saving the list creates a threshold (it only adds approvals), writes what tightens and
        asks for what loosens (the list shows the threshold as it still is)."""
        if not self:
            records = self.create(vals)
        else:
            loosened = self.browse()
            if not (self.env.su or in_approved_change()):
                loosened = self._ecom_loosening(vals)
            if loosened:
                loosened.ecom_request_write(vals)
                loosened._ecom_notify_requested()
            (self - loosened).write(vals)
            records = self
        if next_id:
            records = self.browse(next_id)
        return records.with_context(bin_size=True).web_read(specification)
