# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
from datetime import timedelta

from odoo.tests import tagged

from ecomfin.connectors.fake import FakeServer, FakeShop, platform_today
from ecomfin.connectors.fake.alipay import FakeAlipay

from .common import ReconcileCase


@tagged("post_install", "-at_install")
class TestConnectorAlerts(ReconcileCase):
    """A scheduled pull that finds no bill for a day it should raises the missing-bill alert."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.shop_own  # Tmall, paid through Alipay
        cls.rule = cls.env["ecom.reconcile.rule"]._for_shop(cls.shop)
        # due from midnight (Shanghai) of the next day: whatever the hour the test runs at
        cls.rule.write({"bill_due_hour": 0, "alert_user_id": cls.users["accountant"].id})
        cls.today = platform_today("alipay")
        cls.api = FakeAlipay(FakeShop(40, seed=3, days=3, today=cls.today))
        cls.server = FakeServer(cls.api).start()
        cls.addClassCleanup(cls.server.stop)
        cls.env["ir.config_parameter"].sudo().set_param("ecom_finance.connector_backoff", "0.001")
        cls.backend = (
            cls.env["ecom.connector.backend"]
            .with_user(cls.users["manager"])
            .create(
                {
                    "name": "Alipay (fake)",
                    "shop_id": cls.shop.id,
                    "platform": "alipay",
                    "base_url": cls.server.url,
                    "since": cls.today - timedelta(days=3),
                    "rate_limit": 1000,
                    "credentials": json.dumps(cls.api.credentials_for(cls.server.url)),
                }
            )
        )

    def _missing_bill_alerts(self):
        return self.env["ecom.reconcile.alert"].search(
            [("shop_id", "=", self.shop.id), ("condition", "=", "missing_bill")]
        )

    def test_a_pull_finding_no_bill_for_a_due_day_raises_the_alert_once(self):
        late = self.today - timedelta(days=2)
        self.api.pending.add(late)
        Backend = self.env["ecom.connector.backend"].with_user(self.users["accountant"])
        result = Backend.pull([self.backend.id])
        self.assertEqual(result["errors"], [])
        self.assertGreater(result["lines_created"], 0, "the day before it came in")
        cursor = self.backend.cursor_ids
        self.assertEqual((cursor.missing_day, cursor.cursor), (late, late.isoformat()), "waits at that day")
        alert = self._missing_bill_alerts()
        self.assertEqual(alert.period_key, str(late))
        self.assertEqual(alert.activity_ids.user_id, self.users["accountant"])

        Backend.pull([self.backend.id])
        self.assertEqual(len(self._missing_bill_alerts()), 1, "once per day")

        self.api.pending.clear()
        caught_up = Backend.pull([self.backend.id])
        self.assertGreater(caught_up["lines_created"], 0)
        self.assertFalse(self.backend.cursor_ids.missing_day)
        self.assertEqual(self.backend.cursor_ids.cursor, self.today.isoformat())

    def test_no_alert_before_the_bill_is_due(self):
        # today's bill is due tomorrow: a pull that finds none raises nothing yet
        self.backend._on_missing_day("bill", self.today)
        self.assertFalse(self._missing_bill_alerts())
        self.backend._on_missing_day("bill", self.today - timedelta(days=1))
        self.assertEqual(self._missing_bill_alerts().period_key, str(self.today - timedelta(days=1)))
