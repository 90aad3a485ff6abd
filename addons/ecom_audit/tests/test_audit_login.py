# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.exceptions import AccessDenied
from odoo.tests import HttpCase, tagged

from .common import make_role_user


@tagged("post_install", "-at_install")
class TestAuditLogin(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = make_role_user(cls.env, "accountant", cls.env.company, login="ecom_audit_login_user")

    def _entries(self):
        return self.env["ecom.audit.log"].search([("login", "=", self.user.login)], order="seq")

    def test_successful_and_failed_logins_are_logged(self):
        Users = self.env["res.users"]
        db = self.env.cr.dbname
        # not in assertRaises: Odoo's assertRaises rolls back what happened in its block
        denied = False
        try:
            Users.authenticate(
                db,
                {"type": "password", "login": self.user.login, "password": "wrong"},
                {"interactive": False},
            )
        except AccessDenied:
            denied = True
        self.assertTrue(denied)
        Users.authenticate(
            db,
            {"type": "password", "login": self.user.login, "password": self.user.login},
            {"interactive": False},
        )
        self.env["ecom.audit.log"].invalidate_model()
        entries = self._entries()
        self.assertEqual(entries.mapped("operation")[-2:], ["login_failed", "login"])
        self.assertEqual(entries[-1].user_uid, self.user.id)
        self.assertEqual(entries[-2].user_uid, 0)
        self.assertTrue(self.env["ecom.audit.log"].verify_chain()["ok"])
