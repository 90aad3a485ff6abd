# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime, timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.ecom_audit.tests.test_audit_anomaly_rules import bus_notices

from .common import ReconcileCase


@tagged("post_install", "-at_install")
class TestAlerts(ReconcileCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.shop_colleague  # WeChat Pay
        cls.rule = cls.env["ecom.reconcile.rule"]._for_shop(cls.shop)
        cls.rule.write({"refund_alert_amount": 300.0, "alert_user_id": cls.users["accountant"].id})
        cls._order(cls.shop, "D1", 60.0, datetime(2024, 3, 2, 10))
        cls._lines(
            cls.shop,
            "wechat_trade",
            [
                (datetime(2024, 3, 2, 11), "sale", 60.0, 0.0, "D1", ""),
                (datetime(2024, 3, 2, 12), "sale", 60.0, 0.0, "D1", ""),
                (datetime(2024, 3, 3, 12), "refund", -500.0, 0.0, "R1", ""),
            ],
        )
        # the bills imported so far end with 2024-03-03 (Shanghai)
        cls.env["ecom.statement"].search([("shop_id", "=", cls.shop.id)]).period_end = datetime(
            2024, 3, 3, 16
        )
        cls.env["ecom.reconcile.run"].run_reconciliation(cls.shop.ids, "2024-03-01", "2024-03-03")

    def _alerts(self):
        return self.env["ecom.reconcile.alert"].search([("shop_id", "=", self.shop.id)])

    def test_alerts_fire_once_per_condition_and_period(self):
        Alert = self.env["ecom.reconcile.alert"]
        now = datetime(2024, 3, 5, 3, 0)  # 11:00 in Shanghai: yesterday's bill is due since 10:00
        Alert._cron_check(now=now)
        raised = {(a.condition, a.period_key) for a in self._alerts()}
        self.assertIn(("missing_bill", "2024-03-04"), raised)
        self.assertIn(("duplicate_payment", "D1"), raised)
        self.assertTrue(any(c == "large_refund" for c, _key in raised))
        self.assertNotIn("stale_difference", {c for c, _key in raised})
        activity = self._alerts().activity_ids
        self.assertEqual(activity.user_id, self.users["accountant"])
        notices = bus_notices(self.env, self.users["accountant"].partner_id)
        # the shop's alerts (the rule is shared with other shops: theirs too)
        own = [notice for notice in notices if self.shop.name in notice]
        self.assertEqual(len(own), len(self._alerts()), "each alert told at once in the web client")
        self.assertTrue(all(any(alert.name in notice for notice in own) for alert in self._alerts()))

        count = len(self._alerts())
        self.assertFalse(Alert._cron_check(now=now + timedelta(minutes=30)) & self._alerts())
        self.assertEqual(len(self._alerts()), count, "no repeat within the same period")

        later = datetime.now() + timedelta(days=8)
        Alert._cron_check(now=later)
        stale = self._alerts().filtered(lambda a: a.condition == "stale_difference")
        self.assertEqual(len(stale), 1)
        self.assertGreaterEqual(stale.count, 1)

    def test_no_missing_bill_before_the_due_hour_or_with_the_bill(self):
        Alert = self.env["ecom.reconcile.alert"]
        Alert._cron_check(now=datetime(2024, 3, 5, 1, 0))  # 09:00 in Shanghai
        self.assertNotIn("missing_bill", self._alerts().mapped("condition"))
        statement = self._statement(self.shop, "wechat_trade")
        statement.period_end = datetime(2024, 3, 4, 23, 0)
        Alert._cron_check(now=datetime(2024, 3, 5, 3, 0))
        self.assertNotIn("missing_bill", self._alerts().mapped("condition"))

    def test_shop_operator_sees_and_closes_own_alerts(self):
        self.env["ecom.reconcile.alert"]._cron_check(now=datetime(2024, 3, 5, 3, 0))
        operator = self.users["shop_operator"]
        self.assertFalse(
            self.env["ecom.reconcile.alert"].with_user(operator).search([("shop_id", "=", self.shop.id)])
        )
        accountant_alerts = self._alerts().with_user(self.users["accountant"])
        accountant_alerts.action_done()
        self.assertEqual(set(accountant_alerts.mapped("state")), {"done"})

    def test_an_alert_is_closed_with_its_button_only(self):
        """A direct write closed an alert without its to-dos, or reopened a closed one."""
        self.env["ecom.reconcile.alert"]._cron_check(now=datetime(2024, 3, 5, 3, 0))
        alerts = self._alerts()
        self.assertTrue(alerts)
        for role in ("shop_operator", "accountant", "manager"):
            for vals in ({"state": "done"}, {"count": 0}, {"amount": 0.0}):
                with self.subTest(role=role, vals=vals), self.assertRaises(AccessError):
                    alerts.with_user(self.users[role]).write(vals)
        with self.assertRaises(AccessError):
            self.env["ecom.reconcile.alert"].with_user(self.users["manager"]).create(
                {
                    "name": "x",
                    "shop_id": self.shop.id,
                    "company_id": self.company.id,
                    "condition": "large_refund",
                    "period_key": "x",
                }
            )
        self.assertEqual(set(alerts.mapped("state")), {"open"})
        alerts.with_user(self.users["accountant"]).action_done()
        self.assertEqual(set(alerts.mapped("state")), {"done"})
        with self.assertRaises(AccessError):
            alerts.with_user(self.users["manager"]).write({"state": "open"})
