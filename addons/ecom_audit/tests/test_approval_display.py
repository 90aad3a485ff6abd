# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import tagged

from .common import EcomRolesCase, make_role_user


def grant_for(env, user, group, requester, **vals):
    return (
        env["ecom.access.grant"]
        .with_user(requester)
        .create({"user_id": user.id, "group_id": group.id, "reason": "Month-end close", **vals})
    )


@tagged("post_install", "-at_install")
class TestApprovalDisplay(EcomRolesCase):
    """An approver reads what a request approves in words: names, not database ids."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.users["manager"]
        cls.approver = make_role_user(cls.env, "manager", cls.company, login="ecom_test_display_approver")
        cls.approver.tz = "Asia/Shanghai"
        cls.clerk = make_role_user(cls.env, "shop_operator", cls.company, login="ecom_test_display_clerk")
        cls.clerk.name = "Clerk Zhou"
        cls.g_accountant = cls.env.ref("ecom_audit.group_ecom_accountant")

    def test_grant_in_words(self):
        grant = grant_for(
            self.env,
            self.clerk,
            self.g_accountant,
            self.manager,
            date_from="2026-01-01 00:00:00",
            date_until="2026-01-31 16:00:00",
            reason="<script>alert('x')</script> month-end",
        )
        grant.with_user(self.manager).action_request()
        request = grant.request_id.with_user(self.approver)
        html = str(request.substance_html)
        # the group by its full name, the user by name
        self.assertIn(self.g_accountant.full_name, html)
        self.assertIn("Clerk Zhou", html)
        # datetimes in the approver's time zone (Asia/Shanghai: UTC+8)
        self.assertIn("8:00:00", html)
        self.assertIn("Feb 1, 2026", html)
        # the reason is user input: escaped, never markup
        self.assertNotIn("<script>", html)
        self.assertIn("&lt;script&gt;", html)
        # the raw substance is kept as it was hashed
        self.assertEqual(request.substance["group"], self.g_accountant.id)
        self.assertIn(f'"group":{self.g_accountant.id}', request.substance_json)

    def test_posting_rule_change_in_words(self):
        if "ecom.posting.rule" not in self.env:
            self.skipTest("posting rules come with ecom_finance, not installed")
        Account = self.env["account.account"]
        old, new = (
            Account.create(
                {"code": code, "name": name, "account_type": "expense", "company_ids": [self.company.id]}
            )
            for code, name in (("ECOMD1", "Display Old Fees"), ("ECOMD2", "Display New Fees"))
        )
        # created archived (as the web client does), so that it meets no rule of the company
        rule = self.env["ecom.posting.rule"].create(
            {"company_id": self.company.id, "event_type": "commission", "account_id": old.id, "active": False}
        )
        [request_id] = rule.with_user(self.manager).ecom_request_write({"account_id": new.id})
        request = self.env["ecom.approval.request"].with_user(self.approver).browse(request_id)
        html = str(request.substance_html)
        label = self.env["ecom.posting.rule"]._fields["account_id"]._description_string(self.env)
        self.assertIn(label, html)
        # the accounts by code and name, before and after, side by side
        self.assertIn("ECOMD1 Display Old Fees", html)
        self.assertIn("ECOMD2 Display New Fees", html)
        self.assertLess(html.index("ECOMD1"), html.index("ECOMD2"))
        self.assertNotIn(f">{new.id}<", html)
        self.assertNotIn(f">{old.id}<", html)
