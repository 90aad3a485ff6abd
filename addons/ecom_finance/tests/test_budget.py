# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date, datetime

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.ecom_audit.tests.test_audit_anomaly_rules import bus_notices

from .test_posting import SettlementCase


@tagged("post_install", "-at_install")
class TestBudgetAlerts(SettlementCase):
    """Budgets consumed by posted settlement entries; alerts once per level; negative margins."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marketing = cls.env["ecom.budget"].create(
            {
                "name": "Platform commissions",
                "company_id": cls.company.id,
                "shop_id": cls.tmall.id,
                "account_ids": [(6, 0, cls.rules["commission"].account_id.ids)],
                "date_from": date(2024, 3, 1),
                "amount": 100.0,
                "threshold": 80.0,
                "user_id": cls.users["manager"].id,
            }
        )

    def _activities(self, record):
        return self.env["mail.activity"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]
        )

    def test_threshold_then_overrun_alert_once_each(self):
        budget = self.marketing.with_user(self.users["accountant"])
        self._post(self._statement(self.tmall, [("2024-03-20 10:00", "commission", -85.0, 0.0)]))
        # another shop's commissions and another month's do not count
        self._post(
            self._statement(self.shopify, [("2024-03-20 10:00", "commission", -50.0, 0.0)], "stripe_balance")
        )
        self._post(self._statement(self.tmall, [("2024-04-02 10:00", "commission", -50.0, 0.0)]))
        self.env.invalidate_all()
        self.assertAlmostEqual(budget.consumed, 85.0, places=2)
        self.assertEqual(budget.budget_state, "threshold")
        Budget = self.env["ecom.budget"]
        Budget._cron_check()
        Budget._cron_check()
        activities = self._activities(self.marketing)
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.users["manager"])
        self.assertIn("85%", activities.summary)
        notices = bus_notices(self.env, self.users["manager"].partner_id)
        self.assertEqual(len(notices), 1, "the responsible is told at once, in their web client")
        self.assertIn("85%", notices[0])
        self._post(self._statement(self.tmall, [("2024-03-25 10:00", "commission", -30.0, 0.0)]))
        self.env.invalidate_all()
        self.assertEqual(budget.budget_state, "overrun")
        Budget._cron_check()
        Budget._cron_check()
        self.assertEqual(len(self._activities(self.marketing)), 2)
        self.assertEqual(self.marketing.alert_level, "overrun")

    def test_budget_is_a_calendar_month_and_managers_set_it(self):
        with self.assertRaises(ValidationError):
            self.marketing.date_from = date(2024, 3, 5)
        with self.assertRaises(AccessError):
            self.marketing.with_user(self.users["accountant"]).amount = 1000.0
        with self.assertRaises(AccessError):
            self.env["ecom.budget"].with_user(self.users["shop_operator"]).search([])
        self.marketing.with_user(self.users["manager"]).amount = 1000.0

    def test_negative_margin_orders_are_reported_once_per_shop(self):
        product = self.env.ref("base.ecom_demo_product_tea_longjing")
        orders = self.env["ecom.order"].create(
            [
                {
                    "name": f"LOSS-{n}",
                    "shop_id": self.tmall.id,
                    "company_id": self.company.id,
                    "status": "shipped",
                    "currency_id": self.tmall.currency_id.id,
                    "amount_paid": price,
                    "order_time": datetime(2024, 3, 1, 2, 0),
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "sku": product.default_code,
                                "product_id": product.id,
                                "quantity": 1,
                                "unit_price": price,
                                "subtotal": price,
                            },
                        )
                    ],
                }
                for n, price in ((1, 10.0), (2, 12.0), (3, 500.0))
            ]
        )
        self.env["ecom.order"].with_user(self.users["accountant"]).fulfil_orders(orders.ids)
        self.tmall.finance_user_id = self.users["accountant"]
        before = len(self._activities(self.tmall))
        self.env["ecom.order"]._cron_negative_margin()
        self.env["ecom.order"]._cron_negative_margin()
        activities = self._activities(self.tmall)
        self.assertEqual(len(activities) - before, 1)
        alert = activities.sorted("id")[-1]
        self.assertEqual(alert.user_id, self.users["accountant"])
        self.assertIn("LOSS-1", alert.note)
        self.assertIn("LOSS-2", alert.note)
        self.assertNotIn("LOSS-3", alert.note)
        self.assertEqual(orders.mapped("margin_alerted"), [True, True, False])

    def test_receivable_aging_lists_what_the_channel_still_owes(self):
        statement = self._statement(self.tmall, [("2024-03-21 10:00", "sale", 500.0, 3.0)])
        self._post(statement)
        Aging = self.env["ecom.receivable.aging.report"].with_user(self.users["accountant"])
        rows = Aging.search([("move_id", "in", statement.move_ids.ids)])
        self.assertEqual(len(rows), 1)
        self.assertAlmostEqual(rows.amount_residual, 497.0, places=2)
        self.assertEqual(rows.partner_id, self.tmall.partner_id)
        self.assertEqual(rows.age_bucket, "90_plus")
        statement.with_user(self.users["accountant"]).action_reverse_entries()
        self.assertFalse(Aging.search([("move_id", "in", statement.move_ids.ids)]))
        with self.assertRaises(AccessError):
            self.env["ecom.receivable.aging.report"].with_user(self.users["shop_operator"]).search([])
