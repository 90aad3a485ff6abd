# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo_test_helper import FakeModelLoader

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import EcomRolesCase


@tagged("post_install", "-at_install")
class TestApprovalGateMixin(EcomRolesCase):
    """``ecom.approval.gate.mixin`` on models of its own: ask, approve, consume, void."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from .fake_gate_models import EcomApprovalRequest, EcomGateAppliedTester, EcomGateTester

        cls.loader.update_registry((EcomApprovalRequest, EcomGateTester, EcomGateAppliedTester))
        cls.accountant = cls.users["accountant"]
        cls.manager = cls.users["manager"]
        cls.tester = cls.env["ecom.gate.tester"].create({"name": "Tester", "amount": 10.0})

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def test_ask_once_per_substance(self):
        (request,) = self.tester.action_ask()
        self.assertEqual(
            (request.operation, request.res_model, request.res_id, request.state, request.amount),
            ("gate_test", "ecom.gate.tester", self.tester.id, "pending", 10.0),
        )
        self.assertEqual(request.substance, {"tester": self.tester.id, "amount": 10.0})
        self.assertEqual(self.tester.action_ask()[0], request, "the same substance: the same request")
        self.tester.amount = 20.0
        self.assertEqual(request.state, "cancelled", "a change voids the open request")
        (again,) = self.tester.action_ask()
        self.assertNotEqual(again, request)

    def test_carried_out_once_with_an_approval(self):
        with self.assertRaisesRegex(UserError, "Tester needs an approval"):
            self.tester.action_do()
        (request,) = self.tester.action_ask()
        with self.assertRaises(AccessError):
            request.with_user(self.users["shop_operator"]).action_approve()
        request.with_user(self.accountant).action_approve()
        self.assertEqual(request.state, "approved", "approved, not carried out")
        self.assertFalse(self.tester.done)
        self.tester.action_do()
        self.assertEqual(request.state, "applied")
        self.assertTrue(self.tester.done)
        with self.assertRaisesRegex(UserError, "Tester needs an approval"):
            self.tester.action_do()

    def test_a_change_after_the_approval_voids_it(self):
        (request,) = self.tester.action_ask()
        request.with_user(self.accountant).action_approve()
        self.tester.amount = 11.0
        self.assertEqual(request.state, "cancelled")
        with self.assertRaisesRegex(UserError, "Tester needs an approval"):
            self.tester.action_do()

    def test_class_attributes_choose_the_approvers_and_when_it_is_applied(self):
        tester = self.env["ecom.gate.applied.tester"].create({"name": "Applied"})
        request = tester._ecom_ask_approval("Apply it")
        with self.assertRaisesRegex(AccessError, "Finance Manager"):
            request.with_user(self.accountant).action_approve()
        request.with_user(self.manager).action_approve()
        self.assertEqual(request.state, "applied")
        self.assertTrue(tester.done)
