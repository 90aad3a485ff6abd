# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The token actions over XML-RPC, as each role (like ecom_finance's test_role_sessions)."""

from xmlrpc.client import Fault

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import ENDPOINT, body, event, make_device_fixtures

ACCESS_ERROR = 4  # the fault code of an odoo.exceptions.AccessError over XML-RPC


@tagged("post_install", "-at_install")
class TestDeviceRpc(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_device_fixtures(cls)
        cls.users["stock_manager"] = cls.stock_manager

    def call(self, role, method, *args):
        user = self.users[role]
        db = self.env.cr.dbname
        uid = self.xmlrpc_common.authenticate(db, user.login, user.login, {})
        self.assertEqual(uid, user.id)
        return self.xmlrpc_object.execute_kw(db, uid, user.login, "ecom.device", method, list(args))

    def assertRefused(self, role, method, *args):
        with (
            self.subTest(role=role, method=method),
            mute_logger("odoo.http", "odoo.addons.ecom_audit"),
            self.assertRaises(Fault) as info,
        ):
            self.call(role, method, *args)
        self.assertEqual(info.exception.faultCode, ACCESS_ERROR, info.exception.faultString)

    def post(self, token):
        return self.url_open(
            ENDPOINT,
            data=body(event(f"rpc-{token[:8]}")),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )

    def test_inventory_administrators_rotate_and_revoke_over_rpc(self):
        ids = self.device_a.ids
        result = self.call("stock_manager", "action_rotate_token", ids)
        self.assertEqual(set(result), {"token"})
        first = result["token"]
        self.assertEqual(self.post(first).status_code, 200)
        second = self.call("stock_manager", "action_rotate_token", ids)["token"]
        self.assertNotEqual(first, second)
        self.assertEqual(self.post(first).status_code, 401)
        self.assertEqual(self.post(second).status_code, 200)
        (device,) = self.call("stock_manager", "read", ids, ["token_state", "token_prefix"])
        self.assertEqual(device["token_state"], "active")
        self.assertEqual(device["token_prefix"], second.split(".")[0])
        # never readable afterwards, not even as its hash; never written directly
        self.assertRefused("stock_manager", "read", ids, ["token_hash"])
        self.assertRefused("stock_manager", "write", ids, {"token_state": "revoked"})
        self.assertRefused("stock_manager", "write", ids, {"token_hash": "pbkdf2_sha256$1$00$00"})
        self.assertTrue(self.call("stock_manager", "action_revoke_token", ids))
        self.assertEqual(self.post(second).status_code, 401)

    def test_the_ecom_roles_may_not_manage_tokens(self):
        token = self.device_a.action_rotate_token()["token"]
        for role in ("shop_operator", "warehouse_operator", "accountant", "manager", "auditor"):
            for method in ("action_rotate_token", "action_revoke_token", "action_rotate_token_dialog"):
                self.assertRefused(role, method, self.device_a.ids)
        self.assertEqual(self.post(token).status_code, 200)
        self.assertEqual(self.device_a.token_state, "active")
