# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Risk scores on real data: a month of a shop's usual days, then a day with an outlier order,
a payment taken twice, a refund of half the day's sales and a payout two days late."""

from datetime import date, datetime, timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_reconcile.models import ecom_risk_score

from ecomfin import risk as core

from .common import ReconcileCase

DAY = date(2024, 3, 31)


@tagged("post_install", "-at_install")
class TestRiskScores(ReconcileCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.shop_colleague  # WeChat Pay, settled by day, Asia/Shanghai
        rows, credits = [], []
        for index in range(1, 31):
            day = datetime(2024, 3, index)
            amounts = {
                f"O{index}A": 100.0 + 2 * (index % 5),
                f"O{index}B": 95.0 + index % 3,
                f"O{index}C": 105.0,
            }
            for hour, (name, amount) in enumerate(amounts.items(), start=2):
                cls._order(cls.shop, name, amount, day + timedelta(hours=hour))
                rows.append((day + timedelta(hours=hour, minutes=5), "sale", amount, 0.0, name, ""))
            total = sum(amounts.values())
            if index % 5 == 0:
                rows.append((day + timedelta(hours=6), "refund", -10.0, 0.0, f"O{index}A", ""))
                total -= 10.0
            # credited the next morning (09:00 in Shanghai)
            credits.append((day + timedelta(days=1, hours=1), "adjustment", total, 0.0, False, "财付通 T+1"))
        cls._lines(cls.shop, "wechat_trade", rows)
        cls._lines(cls.shop, "bank_csv", credits)
        Run = cls.env["ecom.reconcile.run"]
        Run.run_reconciliation(cls.shop.ids, "2024-03-01", "2024-03-30")
        # the day scored: 10:00 to 14:00 in Shanghai
        start = datetime(2024, 3, 31)
        cls.outlier = cls._order(cls.shop, "OUT", 2000.0, start + timedelta(hours=2))
        cls.normal = cls._order(cls.shop, "N1", 100.0, start + timedelta(hours=3))
        cls.twice = cls._order(cls.shop, "DUP", 100.0, start + timedelta(hours=4))
        cls._lines(
            cls.shop,
            "wechat_trade",
            [
                (start + timedelta(hours=2, minutes=5), "sale", 2000.0, 0.0, "OUT", ""),
                (start + timedelta(hours=3, minutes=5), "sale", 100.0, 0.0, "N1", ""),
                (start + timedelta(hours=4, minutes=5), "sale", 100.0, 0.0, "DUP", ""),
                (start + timedelta(hours=4, minutes=7), "sale", 100.0, 0.0, "DUP", ""),
                (start + timedelta(hours=6), "refund", -1200.0, 0.0, "OUT", ""),
            ],
        )
        # two days later instead of the next morning: 44 hours after the refund
        cls._lines(
            cls.shop, "bank_csv", [(start + timedelta(days=2, hours=2), "adjustment", 1100.0, 0.0, False, "")]
        )
        cls.day_run = Run.browse(Run.run_reconciliation(cls.shop.ids, "2024-03-31", "2024-03-31")["run_id"])

    def _scores(self):
        return self.env["ecom.risk.score"].search([("shop_id", "=", self.shop.id), ("date", "=", DAY)])

    def _alerts(self):
        return self.env["ecom.reconcile.alert"].search(
            [("shop_id", "=", self.shop.id), ("condition", "=", "risk_score")]
        )

    def test_ranking_and_reasons(self):
        scores = self._scores().sorted(lambda s: (-s.score, s.id))
        self.assertEqual(
            [(s.entity, s.order_id.name or False, s.level) for s in scores],
            [
                ("day", False, "high"),
                ("order", "OUT", "medium"),
                ("order", "DUP", "low"),
            ],
        )
        day, outlier, twice = scores
        self.assertEqual(day.score, 100)
        self.assertEqual(day.run_id, self.day_run)
        self.assertEqual(
            [code for code, _params, _points in day.reasons], ["refund", "payout_delay", "duplicates"]
        )
        self.assertIn("refund rate 52% against the shop's usual 1%", day.reasons_text)
        self.assertIn("1 duplicate-looking payment(s)", day.reasons_text)
        # the channel's usual: credited about 21 hours after the day's last line
        self.assertRegex(
            day.reasons_text, r"payout 44 hours after settlement against the channel's usual 2\d "
        )
        self.assertEqual(outlier.score, 50)
        self.assertRegex(
            outlier.reasons_text,
            r"^amount 2000\.00 is \d+\.\d robust deviations above the shop's median of 10\d\.\d\d",
        )
        self.assertEqual(twice.score, 30)
        self.assertFalse(scores.filtered(lambda s: s.order_id == self.normal), "nothing unusual: not kept")

    def test_history_days_score_nothing_unusual(self):
        history = self.env["ecom.risk.score"].search(
            [("shop_id", "=", self.shop.id), ("date", "<", DAY), ("score", ">", 0)]
        )
        self.assertFalse(history, history.mapped("reasons_text"))

    def test_alert_raised_once_per_entity_and_day(self):
        alerts = self._alerts()
        self.assertEqual(alerts.mapped("period_key"), ["2024-03-31"])
        self.assertEqual(alerts.amount, 100.0)
        Score = self.env["ecom.risk.score"]
        Score._score_days(self.shop, DAY, DAY)
        self.assertEqual(self._alerts(), alerts, "scored again: no second alert")
        # a lower threshold: the outlier order too, the day still once
        self.env["ir.config_parameter"].set_param(ecom_risk_score.THRESHOLD_PARAM, "50")
        Score._score_days(self.shop, DAY, DAY)
        self.assertEqual(sorted(self._alerts().mapped("period_key")), ["2024-03-31", "2024-03-31 OUT"])
        self.assertEqual(len(self._scores()), 3, "scored again: the day's scores are replaced")

    def test_difference_shows_the_risk_of_its_order(self):
        difference = self.env["ecom.reconcile.difference"].search(
            [
                ("shop_id", "=", self.shop.id),
                ("order_id", "=", self.twice.id),
                ("kind", "=", "duplicate_payment"),
            ]
        )
        self.assertTrue(difference)
        for role in ("accountant", "auditor"):
            seen = difference.with_user(self.users[role])
            self.assertEqual((seen.risk_score, seen.risk_level), (30, "low"))
            self.assertIn("duplicate-looking payment", seen.risk_reasons)
        with self.assertRaises(AccessError):
            difference.with_user(self.users["shop_operator"]).risk_score  # noqa: B018

    def test_overview_shows_the_latest_day(self):
        risk = self.shop.with_user(self.users["accountant"])._ecom_overview()[self.shop.id]["risk"]
        self.assertEqual(
            (risk["score"], risk["level"], risk["date"], risk["count"]), (100, "high", "2024-03-31", 2)
        )
        self.assertNotIn(
            "risk", self.shop.with_user(self.users["shop_operator"])._ecom_overview()[self.shop.id]
        )

    def test_rights(self):
        Score = self.env["ecom.risk.score"]
        for role in ("accountant", "manager", "auditor"):
            self.assertEqual(
                len(
                    Score.with_user(self.users[role]).search(
                        [("shop_id", "=", self.shop.id), ("date", "=", DAY)]
                    )
                ),
                3,
            )
        for role in ("shop_operator", "warehouse_operator"):
            with self.assertRaises(AccessError), mute_logger("odoo.models"):
                Score.with_user(self.users[role]).search([])
        score = self._scores()[:1]
        vals = {
            "entity": "day",
            "shop_id": self.shop.id,
            "company_id": self.company.id,
            "date": DAY,
            "score": 1,
            "level": "low",
        }
        with self.assertRaises(AccessError):
            Score.with_user(self.users["manager"]).create(vals)
        # not even the superuser writes a score by hand
        with self.assertRaises(AccessError):
            Score.create(vals)
        with self.assertRaises(AccessError):
            score.write({"score": 0})
        with self.assertRaises(AccessError):
            score.copy()

    def test_reason_texts_are_the_cores(self):
        texts = ecom_risk_score.reason_texts(self.env)
        self.assertEqual(texts, core.REASON_TEXTS)
