# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Step-up: deciding an approval asks the decider to confirm their identity (issue 22,
``ecom_audit.step_up``)."""

import base64
import time

from odoo.exceptions import AccessError, UserError
from odoo.http import root
from odoo.service import security
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.auth_totp.models.totp import TIMESTEP, hotp

from .common import make_role_user


@tagged("post_install", "-at_install")
class TestStepUp(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.env["ir.config_parameter"].sudo().set_param("ecom_audit.step_up_minutes", 5)
        cls.env["ir.config_parameter"].sudo().set_param("base.login_cooldown_after", 3)
        cls.manager = make_role_user(cls.env, "manager", company, login="ecom_step_up_manager")
        cls.approver = make_role_user(cls.env, "manager", company, login="ecom_step_up_approver")
        cls.clerk = make_role_user(cls.env, "shop_operator", company, login="ecom_step_up_clerk")
        cls.clerk2 = make_role_user(cls.env, "shop_operator", company, login="ecom_step_up_clerk2")
        cls.accountant = make_role_user(cls.env, "accountant", company, login="ecom_step_up_accountant")
        cls.group = cls.env.ref("ecom_audit.group_ecom_auditor")
        cls.Log = cls.env["ecom.audit.log"]

    def _grant(self, user=None):
        """A grant asked for by one Finance Manager, pending the approval of another."""
        vals = {"user_id": (user or self.clerk).id, "group_id": self.group.id, "reason": "Year-end audit"}
        grant = self.env["ecom.access.grant"].with_user(self.manager).create(vals)
        grant.action_request()
        self.assertEqual(grant.request_id.state, "pending")
        return grant

    def _call_button(self, record, method):
        return self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {"model": record._name, "method": method, "args": [record.ids], "kwargs": {}},
        )

    def _confirm(self, wizard_id, password=None, **vals):
        self.make_jsonrpc_request(
            "/web/dataset/call_kw/res.users.identitycheck/write",
            {
                "model": "res.users.identitycheck",
                "method": "write",
                "args": [[wizard_id], vals or {"password": password}],
                "kwargs": {},
            },
        )
        return self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {"model": "res.users.identitycheck", "method": "run_check", "args": [[wizard_id]], "kwargs": {}},
        )

    def _step_ups(self, request):
        self.env.invalidate_all()
        return self.Log.search([("operation", "=", "step_up"), ("res_ids", "=", str(request.id))])

    def test_the_web_client_confirms_the_password_then_approves(self):
        grant = self._grant()
        request = grant.request_id
        self.authenticate(self.approver.login, self.approver.login)
        action = self._call_button(request, "action_approve")
        self.assertEqual(action["res_model"], "res.users.identitycheck")
        self.assertEqual(action["target"], "new")
        request.invalidate_recordset()
        self.assertEqual(request.state, "pending", "nothing decided before the identity is confirmed")
        # a wrong password: still nothing decided
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            self._confirm(action["res_id"], "not-the-password")
        request.invalidate_recordset()
        self.assertEqual(request.state, "pending")
        # the password: the wizard carries out the approval it was opened for
        self._confirm(action["res_id"], self.approver.login)
        request.invalidate_recordset()
        grant.invalidate_recordset()
        self.assertEqual(request.state, "applied")
        self.assertEqual(request.line_ids.user_id, self.approver)
        self.assertEqual(grant.state, "active")
        (entry,) = self._step_ups(request)
        self.assertEqual(entry.user_uid, self.approver.id)
        self.assertEqual(entry.model, "ecom.approval.request")
        self.assertEqual(entry.changes["decision"], "action_approve")
        self.assertEqual(entry.changes["how"], "session")
        # within the next minutes, the next decision is carried out at once
        other = self._grant(self.clerk2).request_id
        self.assertFalse(self._call_button(other, "action_reject"), "no Security Control this time")
        other.invalidate_recordset()
        self.assertEqual(other.state, "rejected")
        self.assertEqual(self._step_ups(other).changes["decision"], "action_reject")

    def _check_identity(self, user, password):
        """The refusal of ``password`` in the Security Control, or None (called as the wizard's
        button does, not in assertRaises, which would roll back what the refusal logged)."""
        wizard = self.env["res.users.identitycheck"].with_user(user).create({"password": password})
        try:
            wizard._check_identity()
        except UserError as refused:
            return refused.args[0]
        return None

    def test_guesses_in_the_security_control_count_towards_the_lockout(self):
        """Someone at an unattended session cannot guess the password in the Security Control."""
        start = self.env.cr.now().replace(microsecond=0)
        self.assertIn("Incorrect Password", self._check_identity(self.approver, "guess-1"))
        self.assertIn("Incorrect Password", self._check_identity(self.approver, "guess-2"))
        self.assertIn("Incorrect Password", self._check_identity(self.approver, "guess-3"))
        # the login is locked now: the right password is refused like a wrong one
        self.assertIn("locked", self._check_identity(self.approver, self.approver.login))
        # another user is not concerned
        self.assertIsNone(self._check_identity(self.manager, self.manager.login))
        self.env.invalidate_all()
        failed = self.Log.search(
            [
                ("operation", "=", "login_failed"),
                ("login", "=", self.approver.login),
                ("logged_at", ">=", start),
            ]
        )
        self.assertEqual(len(failed), 4)
        self.assertEqual({entry.changes.get("via") for entry in failed}, {"step_up"})
        self.assertEqual(failed[0].changes.get("refused"), "locked", "the newest first")
        (locked,) = self.Log.search([("operation", "=", "account_locked"), ("logged_at", ">=", start)])
        self.assertEqual(locked.changes["login"], self.approver.login)

    def test_who_may_not_decide_is_refused_before_any_password(self):
        request = self._grant().request_id
        self.authenticate(self.manager.login, self.manager.login)  # the requester
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as refused:
            self._call_button(request, "action_approve")
        self.assertIn("AccessError", refused.exception.args[0])
        wizards = self.env["res.users.identitycheck"].sudo().search([("create_uid", "=", self.manager.id)])
        self.assertFalse(wizards, "no Security Control opened")

    def test_over_xmlrpc_the_credential_of_the_call_confirms(self):
        request = self._grant().request_id
        db = self.env.cr.dbname
        uid = self.xmlrpc_common.authenticate(db, self.approver.login, self.approver.login, {})
        result = self.xmlrpc_object.execute_kw(
            db, uid, self.approver.login, "ecom.approval.request", "action_approve", [request.ids]
        )
        self.assertIs(result, True)
        request.invalidate_recordset()
        self.assertEqual(request.state, "applied")
        self.assertEqual(self._step_ups(request).changes["how"], "rpc")

    def test_server_code_decides_with_rights_checked_and_no_step_up(self):
        request = self._grant().request_id
        with self.assertRaises(AccessError):
            request.with_user(self.accountant).action_approve()
        self.assertIs(request.with_user(self.approver).action_approve(), True)
        self.assertEqual(request.state, "applied")
        self.env.flush_all()
        self.Log._flush_pending()
        self.assertFalse(self._step_ups(request))

    def test_a_user_with_an_authenticator_app_confirms_with_its_code(self):
        key = b"ecom-step-up-secret!"
        request = self._grant().request_id
        self.authenticate(self.approver.login, self.approver.login)
        # the app set up in this session (with two factors, a password alone logs in no more)
        self.approver.sudo().totp_secret = base64.b32encode(key).decode()
        self.env.flush_all()
        self.session.session_token = security.compute_session_token(self.session, self.env)
        root.session_store.save(self.session)
        action = self._call_button(request, "action_approve")
        wizard = self.env["res.users.identitycheck"].sudo().browse(action["res_id"])
        self.assertEqual(wizard.auth_method, "totp", "the code is asked first")
        code = hotp(key, int(time.time() // TIMESTEP))
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            self._confirm(wizard.id, totp_code=str((code + 500_000) % 1_000_000))
        request.invalidate_recordset()
        self.assertEqual(request.state, "pending")
        self._confirm(wizard.id, totp_code=str(code))
        request.invalidate_recordset()
        self.assertEqual(request.state, "applied")
        self.assertEqual(self._step_ups(request).user_uid, self.approver.id)


@tagged("post_install", "-at_install")
class TestStepUpTour(HttpCase):
    """The same in Chromium: the Approve button opens Security Control, the password carries it out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.env["ir.config_parameter"].sudo().set_param("ecom_audit.step_up_minutes", 5)
        cls.manager = make_role_user(cls.env, "manager", company, login="ecom_tour_step_up_manager")
        cls.approver = make_role_user(cls.env, "manager", company, login="ecom_tour_step_up_approver")
        clerk = make_role_user(cls.env, "shop_operator", company, login="ecom_tour_step_up_clerk")
        vals = {
            "user_id": clerk.id,
            "group_id": cls.env.ref("ecom_audit.group_ecom_auditor").id,
            "reason": "Audit",
        }
        cls.grant = cls.env["ecom.access.grant"].with_user(cls.manager).create(vals)
        cls.grant.action_request()

    def test_approve_asks_for_the_password_in_the_browser(self):
        request = self.grant.request_id
        self.assertEqual(request.state, "pending")
        self.start_tour(
            f"/odoo/action-ecom_audit.ecom_approval_request_action/{request.id}",
            "ecom_audit_step_up_tour",
            login=self.approver.login,
        )
        request.invalidate_recordset()
        self.assertEqual(request.state, "applied")
        self.assertEqual(request.line_ids.user_id, self.approver)
        step_up = self.env["ecom.audit.log"].search(
            [("operation", "=", "step_up"), ("res_ids", "=", str(request.id))]
        )
        self.assertEqual(step_up.changes["how"], "session")
