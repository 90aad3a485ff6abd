# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Models of the gate mixin's test only (loaded by ``FakeModelLoader``, never installed)."""

from odoo import fields, models

from ..approval import approved_change
from ..roles import MANAGER


class EcomApprovalRequest(models.Model):
    _inherit = "ecom.approval.request"

    operation = fields.Selection(
        selection_add=[("gate_test", "Gate Test"), ("gate_test_applied", "Gate Test Applied")],
        ondelete={"gate_test": "cascade", "gate_test_applied": "cascade"},
    )


class EcomGateTester(models.Model):
    """Carried out by someone once approved (a write-off, a scrap): ``action_do`` consumes it."""

    _name = "ecom.gate.tester"
    _inherit = ["ecom.approval.gate.mixin"]
    _description = "Approval Gate Tester"
    _ecom_approval_operation = "gate_test"

    name = fields.Char()
    amount = fields.Float()
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    done = fields.Boolean()

    def _ecom_approval_substance(self, request):
        self.ensure_one()
        return {"tester": self.id, "amount": self.amount}

    def write(self, vals):
        result = super().write(vals)
        if "amount" in vals:
            self._ecom_void_stale_approvals()
        return result

    def action_ask(self):
        return [tester._ecom_ask_approval(f"Do {tester.name}", amount=tester.amount) for tester in self]

    def action_do(self):
        self._ecom_require_approval(lambda tester: f"{tester.name} needs an approval")
        with approved_change():
            self.write({"done": True})


class EcomGateAppliedTester(models.Model):
    """Carried out when a Finance Manager approves it (a rule change, a grant)."""

    _name = "ecom.gate.applied.tester"
    _inherit = ["ecom.approval.gate.mixin"]
    _description = "Approval Gate Tester (applied on approval)"
    _ecom_approval_operation = "gate_test_applied"
    _ecom_approval_level_one_group = MANAGER
    _ecom_approval_applied_on_approval = True

    name = fields.Char()
    done = fields.Boolean()

    def _ecom_approval_substance(self, request):
        self.ensure_one()
        return {"tester": self.id, "name": self.name}

    def _ecom_apply_approval(self, request):
        # carried out as the approver, who has no access rights on a test model
        self.sudo().write({"done": True})
        return self
