# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Connector backends over XML-RPC, as each role: what partners' scripts call (``pull``)."""

import json
from datetime import timedelta
from xmlrpc.client import Fault

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_audit.tests.common import ROLE_GROUPS, make_role_user

from ecomfin.connectors.fake import FakeServer, FakeShop
from ecomfin.connectors.fake.stripe import FakeStripe

ACCESS_ERROR = 4  # the fault code of an odoo.exceptions.AccessError over XML-RPC
BACKEND = "ecom.connector.backend"


@tagged("post_install", "-at_install")
class TestConnectorRpc(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.users = {role: make_role_user(cls.env, role, cls.company) for role in ROLE_GROUPS}
        today = fields.Date.context_today(cls.env["res.users"])
        cls.server = FakeServer(FakeStripe(FakeShop(60, seed=9, days=2, today=today, currency="USD"))).start()
        cls.addClassCleanup(cls.server.stop)
        cls.env.ref("base.USD").active = True
        cls.shop = cls.env["ecom.shop"].create(
            {
                "name": "Stripe RPC Shop",
                "code": "W-RPC",
                "company_id": cls.company.id,
                "currency_id": cls.env.ref("base.USD").id,
                "platform": "shopify",
                "payment_channel": "stripe",
            }
        )
        cls.since = today - timedelta(days=2)

    def call(self, role, model, method, *args, **kwargs):
        user = self.users[role]
        db = self.env.cr.dbname
        uid = self.xmlrpc_common.authenticate(db, user.login, user.login, {})
        return self.xmlrpc_object.execute_kw(db, uid, user.login, model, method, list(args), kwargs)

    def assertRefused(self, role, model, method, *args, **kwargs):
        with (
            self.subTest(role=role, method=method, args=args),
            mute_logger("odoo.http", "odoo.addons.ecom_audit"),
            self.assertRaises(Fault) as info,
        ):
            self.call(role, model, method, *args, **kwargs)
        self.assertEqual(info.exception.faultCode, ACCESS_ERROR, info.exception.faultString)

    def test_roles_over_rpc(self):
        values = {
            "name": "Stripe over RPC",
            "shop_id": self.shop.id,
            "platform": "stripe",
            "base_url": self.server.url,
            "since": str(self.since),
            "credentials": json.dumps(FakeStripe.credentials),
        }
        for role in ("accountant", "auditor", "shop_operator", "warehouse_operator"):
            self.assertRefused(role, BACKEND, "create", values)
        backend_id = self.call("manager", BACKEND, "create", values)
        # bookkeeping is the pull's, whatever the context says
        for field, value in (("state", "queued"), ("last_result", {"lines_created": 9})):
            self.assertRefused("manager", BACKEND, "write", [backend_id], {field: value})
            self.assertRefused(
                "manager",
                BACKEND,
                "write",
                [backend_id],
                {field: value},
                context={"ecom_connector_backend_write": True},
            )

        for role in ("auditor", "shop_operator", "warehouse_operator"):
            self.assertRefused(role, BACKEND, "pull", [backend_id])
        result = self.call("accountant", BACKEND, "pull", [backend_id])
        self.assertGreater(result["lines_created"], 60)
        self.assertEqual(result["errors"], [])
        self.assertTrue(result["statement_ids"])
        again = self.call("accountant", BACKEND, "pull", [backend_id])
        self.assertEqual(
            (again["lines_created"], again["statement_ids"]), (0, []), "pulling again creates nothing"
        )

        # the credentials: Finance Managers only; the others see whether they are set
        self.assertRefused("accountant", BACKEND, "read", [backend_id], ["credentials"])
        self.assertRefused("auditor", BACKEND, "read", [backend_id], ["credentials"])
        self.assertRefused("accountant", BACKEND, "read", [backend_id], ["credentials_token"])
        (read,) = self.call(
            "auditor", BACKEND, "read", [backend_id], ["credentials_set", "health", "cursor_ids"]
        )
        self.assertEqual((read["credentials_set"], read["health"]), (True, "ok"))
        (cursor,) = self.call(
            "auditor", "ecom.connector.cursor", "read", read["cursor_ids"], ["stream", "cursor"]
        )
        self.assertEqual(cursor["stream"], "balance")
        for role in ("shop_operator", "warehouse_operator"):
            self.assertRefused(role, BACKEND, "read", [backend_id], ["name"])
        for role in ("accountant", "manager", "auditor"):
            self.assertRefused(role, "ecom.connector.cursor", "write", read["cursor_ids"], {"cursor": False})
        self.assertRefused("accountant", "ecom.connector.cursor", "action_reset", read["cursor_ids"])
        self.assertTrue(self.call("manager", "ecom.connector.cursor", "action_reset", read["cursor_ids"]))
