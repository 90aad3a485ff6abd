# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""RFID counts over XML-RPC, as each role (like ecom_finance's test_role_sessions)."""

from xmlrpc.client import Fault

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .rfid_common import burst, make_rfid_fixtures

ACCESS_ERROR = 4  # the fault code of an odoo.exceptions.AccessError over XML-RPC
COUNT = "ecom.rfid.count"
LINE = "ecom.rfid.count.line"


@tagged("post_install", "-at_install")
class TestRfidCountRpc(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_rfid_fixtures(cls)
        cls.users["operator_b"] = cls.operator_b
        cls.env["ecom.scan.event"]._receive(cls.device_a, burst())

    def call(self, role, model, method, *args, **kwargs):
        user = self.users[role]
        db = self.env.cr.dbname
        uid = self.xmlrpc_common.authenticate(db, user.login, user.login, {})
        return self.xmlrpc_object.execute_kw(db, uid, user.login, model, method, list(args), kwargs)

    def assertRefused(self, role, model, method, *args, **kwargs):
        with (
            self.subTest(role=role, model=model, method=method),
            mute_logger("odoo.http", "odoo.addons.ecom_audit"),
            self.assertRaises(Fault) as info,
        ):
            self.call(role, model, method, *args, **kwargs)
        self.assertEqual(info.exception.faultCode, ACCESS_ERROR, info.exception.faultString)

    def test_roles_over_rpc(self):
        count_id = self.call("warehouse_operator", COUNT, "create", {"device_id": self.device_a.id})
        self.assertTrue(self.call("warehouse_operator", COUNT, "action_count_last_burst", [count_id]))
        lines = self.call(
            "warehouse_operator",
            LINE,
            "search_read",
            [("count_id", "=", count_id)],
            fields=["counted_quantity", "system_quantity", "difference"],
        )
        self.assertEqual(sorted(line["difference"] for line in lines), [-1.0, 2.0])
        # costs: never to the operator, whatever the path; the finance roles read them
        self.assertRefused("warehouse_operator", LINE, "read", [lines[0]["id"]], ["value_difference"])
        self.assertRefused("warehouse_operator", COUNT, "read", [count_id], ["value_difference"])
        (count,) = self.call("accountant", COUNT, "read", [count_id], ["value_difference", "state"])
        self.assertEqual((count["value_difference"], count["state"]), (-5.0, "proposed"))
        # the others: no count, no state written by hand
        for role in ("accountant", "manager", "auditor", "shop_operator", "operator_b"):
            self.assertRefused(role, COUNT, "action_apply", [count_id])
        self.assertRefused("shop_operator", COUNT, "read", [count_id], ["state"])
        self.assertRefused("operator_b", COUNT, "read", [count_id], ["state"])
        self.assertRefused("warehouse_operator", COUNT, "write", [count_id], {"state": "applied"})
        self.call("warehouse_operator", COUNT, "action_apply", [count_id])
        (count,) = self.call("warehouse_operator", COUNT, "read", [count_id], ["state"])
        self.assertEqual(count["state"], "applied")
