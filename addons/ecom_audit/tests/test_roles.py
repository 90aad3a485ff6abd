# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import EcomRolesCase


@tagged("post_install", "-at_install")
class TestRoles(EcomRolesCase):
    def test_group_ladder(self):
        manager = self.users["manager"]
        self.assertTrue(manager.has_group("ecom_audit.group_ecom_accountant"))
        self.assertFalse(manager.has_group("ecom_audit.group_ecom_auditor"))
        accountant = self.users["accountant"]
        self.assertFalse(accountant.has_group("ecom_audit.group_ecom_manager"))
        auditor = self.users["auditor"]
        self.assertFalse(auditor.has_group("ecom_audit.group_ecom_accountant"))
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("ecom_audit.group_ecom_manager"))

    def test_roles_share_one_category(self):
        category = self.env.ref("ecom_audit.module_category_ecom_finance")
        groups = self.env["res.groups"].search([("category_id", "=", category.id)])
        self.assertEqual(
            sorted(groups.mapped("name")),
            [
                "Accountant",
                "Auditor",
                "Finance Manager",
                "Partner API",
                "Shop Operator",
                "Warehouse Operator",
            ],
        )

    def test_no_role_can_grant_itself_a_group(self):
        for role, user in self.users.items():
            target = "base.group_system" if role == "manager" else "ecom_audit.group_ecom_manager"
            group = self.env.ref(target)
            with self.subTest(role=role), self.assertRaises(AccessError):
                user.with_user(user).write({"groups_id": [(4, group.id)]})
            user.invalidate_recordset()
            self.assertFalse(user.has_group(target))

    def test_roles_are_not_administrators(self):
        for role, user in self.users.items():
            with self.subTest(role=role):
                self.assertFalse(user.has_group("base.group_system"))
                self.assertFalse(user.has_group("base.group_erp_manager"))
