# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Loosening an approval threshold is itself under dual approval; tightening it is not."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import EcomRolesCase, make_role_user


@tagged("post_install", "-at_install")
class TestApprovalThresholdGuard(EcomRolesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.users["manager"]
        cls.manager2 = make_role_user(cls.env, "manager", cls.company, login="ecom_test_threshold_manager2")
        cls.Threshold = cls.env["ecom.approval.threshold"]
        cls.Request = cls.env["ecom.approval.request"]
        cls.threshold = cls.Threshold.with_user(cls.manager).create(
            {"operation": "write_off", "two_levels_always": True, "two_levels_above": 1000.0}
        )

    def _write(self, vals):
        self.threshold.with_user(self.manager).write(vals)

    def test_clearing_or_raising_alone_is_refused(self):
        for vals in (
            {"two_levels_always": False},
            {"two_levels_above": 5000.0},
            {"two_levels_above": 0.0},
            {"operation": "scrap"},
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "needs an approval"):
                self._write(vals)
        with self.assertRaisesRegex(UserError, "need an approval"):
            self.threshold.with_user(self.manager).unlink()
        self.assertTrue(self.threshold.two_levels_always)
        self.assertEqual(self.threshold.two_levels_above, 1000.0)

    def test_lowering_needs_no_approval(self):
        self._write({"two_levels_above": 500.0})
        self.assertEqual(self.threshold.two_levels_above, 500.0)
        scrap = self.Threshold.with_user(self.manager).create({"operation": "scrap", "min_value": 100.0})
        scrap.with_user(self.manager).write({"min_value": 50.0, "min_quantity": 3.0})
        self.assertEqual((scrap.min_value, scrap.min_quantity), (50.0, 3.0))
        with self.assertRaisesRegex(UserError, "needs an approval"):
            scrap.with_user(self.manager).write({"min_value": 80.0})

    def test_a_second_finance_manager_approves_the_loosening(self):
        (request_id,) = self.threshold.with_user(self.manager).ecom_request_write(
            {"two_levels_always": False, "two_levels_above": 0.0}
        )
        request = self.Request.browse(request_id)
        self.assertTrue(self.threshold.two_levels_always, "asked, not made")
        with self.assertRaisesRegex(AccessError, "someone else"):
            request.with_user(self.manager).action_approve()
        with self.assertRaisesRegex(AccessError, "Finance Manager"):
            request.with_user(self.users["accountant"]).action_approve()
        request.with_user(self.manager2).action_approve()
        self.assertEqual(request.state, "applied")
        self.assertFalse(self.threshold.two_levels_always)
        self.assertEqual(self.threshold.two_levels_above, 0.0)

    def test_deleting_goes_through_approval(self):
        (request_id,) = self.threshold.with_user(self.manager).ecom_request_unlink()
        self.Request.browse(request_id).with_user(self.manager2).action_approve()
        self.assertFalse(self.threshold.exists())

    def test_saving_the_list_asks_for_the_loosening(self):
        self.threshold.with_user(self.manager).web_save(
            {"two_levels_above": 9000.0}, {"two_levels_above": {}}
        )
        self.assertEqual(self.threshold.two_levels_above, 1000.0)
        request = self.Request.search(
            [
                ("res_model", "=", self.Threshold._name),
                ("res_id", "=", self.threshold.id),
                ("state", "=", "pending"),
            ]
        )
        self.assertEqual(request.substance["vals"], {"two_levels_above": 9000.0})
        self.assertEqual(request.requester_id, self.manager)
