# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

from odoo import fields, http
from odoo.exceptions import UserError
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tests.common import HOST, Opener, get_db_name
from odoo.tools import mute_logger

from .common import make_role_user


@tagged("post_install", "-at_install")
class TestTwoFactorPolicy(HttpCase):
    """Finance Managers and administrators log in with a second factor (``ecom_audit.totp_required``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.manager = make_role_user(cls.env, "manager", company, login="ecom_test_2fa_manager")
        cls.accountant = make_role_user(cls.env, "accountant", company, login="ecom_test_2fa_accountant")
        cls.env["ir.config_parameter"].set_param("ecom_audit.totp_required", "True")

    def _web_login(self, user):
        """POST the login form with the user's password (= login); returns the response."""
        # a fresh anonymous session, its cookie where the server sets it (as web's TestWebLogin)
        self.session = http.root.session_store.new()
        self.session.update(http.get_default_session(), db=get_db_name())
        self.opener = Opener(self.env.cr)
        self.opener.cookies.set("session_id", self.session.sid, domain=HOST, path="/")
        return self.url_open(
            "/web/login",
            data={"login": user.login, "password": user.login, "csrf_token": http.Request.csrf_token(self)},
            allow_redirects=False,
        )

    def _logged_in_uid(self):
        response = self.url_open(
            "/web/session/get_session_info", data="{}", headers={"Content-Type": "application/json"}
        )
        return response.json().get("result", {}).get("uid")

    def test_manager_needs_a_second_factor(self):
        response = self._web_login(self.manager)
        self.assertIn("/web/login/totp", response.headers.get("Location", ""))
        # no session with only the password
        self.assertFalse(self._logged_in_uid())
        self.assertIn("/web/login", self.url_open("/odoo").url)
        # the code sent by e-mail completes the login
        self.url_open("/web/login/totp").raise_for_status()
        self.manager.invalidate_recordset(["login_date"])
        code, _expiration = self.manager._get_totp_mail_code()
        response = self.url_open(
            "/web/login/totp",
            data={"totp_token": code, "csrf_token": http.Request.csrf_token(self)},
            allow_redirects=False,
        )
        self.assertEqual(self._logged_in_uid(), self.manager.id)

    def test_accountant_logs_in_with_a_password(self):
        response = self._web_login(self.accountant)
        self.assertNotIn("/web/login/totp", response.headers.get("Location", ""))
        self.assertEqual(self._logged_in_uid(), self.accountant.id)

    def test_administrator_needs_a_second_factor(self):
        admin = make_role_user(
            self.env,
            "manager",
            self.env.company,
            login="ecom_test_2fa_admin",
            extra_groups=("base.group_system",),
        )
        self.assertEqual(admin._mfa_type(), "totp_mail")
        self.assertFalse(self.accountant._mfa_type())
        self.env["ir.config_parameter"].set_param("ecom_audit.totp_required", "False")
        self.assertFalse(admin._mfa_type())

    def test_rpc_takes_api_keys_only(self):
        db = self.env.cr.dbname
        with mute_logger("odoo.addons.base.models.res_users", "odoo.addons.ecom_audit"):
            self.assertFalse(self.xmlrpc_common.authenticate(db, self.manager.login, self.manager.login, {}))
        key = (
            self.env["res.users.apikeys"]
            .with_user(self.manager)
            ._generate(None, "integration", fields.Datetime.now() + timedelta(days=1))
        )
        self.assertEqual(self.xmlrpc_common.authenticate(db, self.manager.login, key, {}), self.manager.id)
        self.assertEqual(
            self.xmlrpc_common.authenticate(db, self.accountant.login, self.accountant.login, {}),
            self.accountant.id,
        )


@tagged("post_install", "-at_install")
class TestPasswordPolicy(TransactionCase):
    def test_minimum_length(self):
        self.env["ir.config_parameter"].set_param("auth_password_policy.minlength", "12")
        user = make_role_user(self.env, "accountant", self.env.company, login="ecom_test_pw_accountant")
        with self.assertRaisesRegex(UserError, "at least 12 characters"):
            user.with_user(user).change_password("ecom_test_pw_accountant", "short-11chr")
        user.with_user(user).change_password("ecom_test_pw_accountant", "long-enough-12")
