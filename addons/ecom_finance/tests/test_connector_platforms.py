# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Every platform's connector pulls its bundled fake server into a shop: orders and bills land as
imports, every order once, and a second pull adds nothing."""

import json
from datetime import timedelta

from odoo.tests import tagged

from ecomfin.connectors.fake import FAKES, FakeServer, FakeShop, platform_today

from .common import EcomShopCase

#: the currency of each platform's fake shop (its bills are in the shop's currency)
CURRENCIES = {"amazon": "USD", "shopify": "USD", "stripe": "USD"}
#: what a fake needs to have something for two days (Amazon settles every 14 days by default)
FAKE_OPTIONS = {"amazon": {"settlement_days": 1}}
ORDERS = 30


@tagged("post_install", "-at_install")
class TestConnectorPlatforms(EcomShopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("ecom_finance.connector_backoff", "0.001")
        for code in ("USD", "CNY"):
            cls.env.ref(f"base.{code}").active = True
        cls._servers = {}

    def _backend(self, platform, index, orders=ORDERS):
        currency = CURRENCIES.get(platform, "CNY")
        today = platform_today(platform)
        fake_shop = FakeShop(orders, seed=40 + index, days=2, today=today, currency=currency)
        server = FakeServer(FAKES[platform](fake_shop, **FAKE_OPTIONS.get(platform, {}))).start()
        self.addCleanup(server.stop)
        shop = self.env["ecom.shop"].create(
            {
                "name": f"{platform} fake shop",
                "code": f"F-{platform[:6].upper()}{index}",
                "company_id": self.company.id,
                "currency_id": self.env.ref(f"base.{currency}").id,
                "platform": "other",
                "payment_channel": "other",
                "create_placeholder_products": True,
            }
        )
        backend = (
            self.env["ecom.connector.backend"]
            .with_user(self.users["manager"])
            .create(
                {
                    "name": f"{platform} (fake)",
                    "shop_id": shop.id,
                    "platform": platform,
                    "base_url": server.url,
                    "since": today - timedelta(days=2),
                    "rate_limit": 1000,
                    "credentials": json.dumps(server.api.credentials_for(server.url)),
                }
            )
        )
        self._servers[backend.id] = server
        return backend, shop

    def test_every_platform_pulls_into_imports_once(self):
        for index, platform in enumerate(sorted(FAKES)):
            with self.subTest(platform=platform):
                backend, shop = self._backend(platform, index)
                Backend = self.env["ecom.connector.backend"].with_user(self.users["accountant"])
                result = Backend.pull([backend.id])
                self.assertEqual(result["errors"], [])
                self.assertGreater(result["lines_created"], 0)
                streams = backend.cursor_ids
                self.assertEqual(set(streams.mapped("stream")), set(backend._connector().streams))
                self.assertTrue(all(streams.mapped("last_success")))
                statements = self.env["ecom.statement"].browse(result["statement_ids"])
                self.assertEqual(statements.connector_backend_id, backend)
                if "orders" in streams.mapped("stream"):
                    orders = self.env["ecom.order"].search([("shop_id", "=", shop.id)])
                    self.assertEqual(len(orders), ORDERS, "every order once")
                again = Backend.pull([backend.id])
                self.assertEqual(
                    (again["lines_created"], again["statement_ids"], again["errors"]), (0, [], [])
                )

    def test_an_orders_pull_cut_half_way_keeps_what_it_fetched_and_resumes(self):
        backend, shop = self._backend("taobao", 20, orders=450)
        server = self._servers[backend.id]
        Backend = self.env["ecom.connector.backend"].with_user(self.users["accountant"])
        # three pages come, then the platform is gone
        server.faults.add({"kind": "reset", "after": 3, "times": 99})
        cut = Backend.pull([backend.id])
        self.assertEqual(len(cut["errors"]), 1)
        orders = self.env["ecom.order"].search([("shop_id", "=", shop.id)])
        self.assertEqual(len(cut["statement_ids"]), 1, "the pages fetched are stored together")
        self.assertTrue(0 < len(orders) < 450)
        server.faults.clear()
        resumed = Backend.pull([backend.id])
        self.assertEqual(resumed["errors"], [])
        orders = self.env["ecom.order"].search([("shop_id", "=", shop.id)])
        self.assertEqual(len(orders), 450, "every order once")
        self.assertEqual(len(set(orders.mapped("name"))), 450)
