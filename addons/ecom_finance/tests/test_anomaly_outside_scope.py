# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The access alert for changes outside a user's usual shops (``ecom_audit``'s rule, which reads
the shop of the ``ecom.*`` records having one: orders, statements, budgets...)."""

from datetime import datetime, timedelta

from odoo.tests import tagged

from odoo.addons.ecom_audit.tests.common import make_role_user
from odoo.addons.ecom_audit.tests.test_audit_anomaly_rules import AnomalyRulesMixin

from .common import EcomShopCase

DAY = datetime(2024, 3, 4, 4, 0)


@tagged("post_install", "-at_install")
class TestAnomalyOutsideScope(AnomalyRulesMixin, EcomShopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "UTC"
        cls.worker = make_role_user(cls.env, "accountant", cls.company, login="ecom_test_scope_worker")
        cls.newcomer = make_role_user(cls.env, "accountant", cls.company, login="ecom_test_scope_newcomer")
        cls.order_own, cls.order_colleague = cls.env["ecom.order"].create(
            [
                {
                    "name": f"SCOPE-{shop.code}",
                    "shop_id": shop.id,
                    "company_id": cls.company.id,
                    "status": "shipped",
                    "currency_id": shop.currency_id.id,
                    "order_time": datetime(2024, 3, 1, 2, 0),
                }
                for shop in (cls.shop_own, cls.shop_colleague)
            ]
        )

    def setUp(self):
        super().setUp()
        self._set_params(outside_scope_days=30)
        self.env["ir.config_parameter"].set_param("ecom_audit.anomaly_timezone", False)
        self._start_scan_here()

    def _write(self, user, order, when):
        entry = {
            "model": "ecom.order",
            "res_ids": str(order.id),
            "operation": "write",
            "changes": {"x": [1, 2]},
        }
        self._log_as(user, [entry], when)

    def test_change_outside_usual_shops_once_per_day(self):
        self._write(self.worker, self.order_own, DAY - timedelta(days=10))  # the usual shop
        self._write(self.worker, self.order_own, DAY)
        self.assertFalse(self._scan("outside_scope"), "the usual shop, and a first day without a past")
        self._write(self.worker, self.order_colleague, DAY + timedelta(hours=1))
        alert = self._scan("outside_scope")
        self.assertEqual(len(alert), 1)
        self.assertEqual((alert.login, alert.count, alert.threshold), (self.worker.login, 1, 30))
        self.assertEqual(alert.model_names, "ecom.order")
        self.assertIn(self.shop_colleague.name, alert.scope)
        self.assertNotIn(self.shop_own.name, alert.scope)
        self.assertEqual((alert.window_start, alert.window_end), (datetime(2024, 3, 4), datetime(2024, 3, 5)))
        for text in (self.worker.login, "1 records", self.shop_colleague.name, "30 days", "ecom.order"):
            self.assertIn(text, alert.details)
        self._write(self.worker, self.order_colleague, DAY + timedelta(hours=2))
        self.assertFalse(self._scan("outside_scope"), "more changes the same day raise nothing")
        self.assertFalse(self._scan("outside_scope", rescan=True))
        # the next day the shop was changed the day before: usual now
        self._write(self.worker, self.order_colleague, DAY + timedelta(days=1))
        self.assertFalse(self._scan("outside_scope"))

    def test_no_past_no_usual_shops(self):
        self._write(self.newcomer, self.order_colleague, DAY)
        self.assertFalse(self._scan("outside_scope"), "a user with no change in the days before")
        # past the baseline days, the old shop is not usual any more
        self._write(self.newcomer, self.order_own, DAY + timedelta(days=40))
        self._write(self.newcomer, self.order_colleague, DAY + timedelta(days=45))
        self.assertEqual(self._scan("outside_scope").login, self.newcomer.login)
