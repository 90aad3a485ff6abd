# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import new_test_user, tagged

from .common import EcomRolesCase, make_role_user


@tagged("post_install", "-at_install")
class TestApprovalCompanies(EcomRolesCase):
    """Requests and their to-dos reach an approver in every company they are allowed in, not only
    in the companies ticked in the company switcher."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        other = cls.other_company
        cls.other_manager = make_role_user(cls.env, "manager", other, login="ecom_test_other_manager")
        cls.other_clerk = make_role_user(cls.env, "shop_operator", other, login="ecom_test_other_clerk")
        # a Finance Manager of both companies, working in the first one
        cls.approver = new_test_user(
            cls.env,
            login="ecom_test_two_company_manager",
            groups="base.group_user,ecom_audit.group_ecom_manager",
            company_id=cls.company.id,
            company_ids=[cls.company.id, other.id],
        )
        cls.g_accountant = cls.env.ref("ecom_audit.group_ecom_accountant")

    def test_request_of_another_allowed_company(self):
        grant = (
            self.env["ecom.access.grant"]
            .with_user(self.other_manager)
            .create({"user_id": self.other_clerk.id, "group_id": self.g_accountant.id, "reason": "Close"})
        )
        grant.with_user(self.other_manager).action_request()
        request = grant.request_id
        self.assertEqual(request.company_id, self.other_company)
        self.assertIn(self.approver, request.activity_ids.user_id)

        # active in the first company only
        env = self.env(user=self.approver, context={"allowed_company_ids": [self.company.id]})
        Request = env["ecom.approval.request"]
        self.assertEqual(Request.search([("id", "=", request.id)]), request)
        self.assertTrue(Request.browse(request.id).can_decide)
        # the to-do is counted with the approval requests (not as an activity of an unreadable record)
        groups = {group["model"]: group for group in env["res.users"]._get_activity_groups()}
        self.assertIn("ecom.approval.request", groups)
        self.assertEqual(groups["ecom.approval.request"]["total_count"], 1)
        # and decided from there
        Request.browse(request.id).action_approve()
        self.assertEqual(request.state, "applied")
        self.assertEqual(grant.state, "active")
        self.assertIn(self.g_accountant, self.other_clerk.groups_id)

        # someone not allowed in the other company still sees nothing of it
        outsider = self.env(user=self.users["manager"])["ecom.approval.request"]
        self.assertFalse(outsider.search([("id", "=", request.id)]))
