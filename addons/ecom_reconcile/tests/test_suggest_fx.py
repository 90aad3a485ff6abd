# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Suggested matches across currencies: an order in USD paid in CNY, compared at Odoo's rate of
the payment's day within the rule's FX tolerance; accepting keeps the FX gap apart on the match
(``fx_gap``), beyond the tolerance there is no such suggestion."""

from datetime import date, datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.ecom_reconcile.engine import fx

from .common import ReconcileCase

DIFFERENCE = "ecom.reconcile.difference"
REFUSED = ("shop_operator", "warehouse_operator")


def at(day, hour=10, minute=0):
    return datetime(2024, 3, day, hour, minute)


@tagged("post_install", "-at_install")
class TestSuggestFx(ReconcileCase):
    """Orders of the Douyin shop in a foreign currency, paid in the company's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        shop = cls.shop = cls.shop_colleague
        company = shop.company_id
        cls.foreign = cls.env.ref("base.USD" if company.currency_id.name != "USD" else "base.EUR")
        cls.foreign.active = True
        # Odoo's rates: units of the foreign currency per unit of the company's currency
        Rate = cls.env["res.currency.rate"]
        for day, rate in (("2024-02-28", 0.14), ("2024-03-02", 0.139)):
            Rate.create(
                {"name": day, "rate": rate, "currency_id": cls.foreign.id, "company_id": company.root_id.id}
            )
        cls.rule = cls.env["ecom.reconcile.rule"]._for_shop(shop)
        cls.order_in = cls._foreign_order(shop, "F1", 100.0, at(1))  # paid 715.50 3 minutes later
        cls.order_far = cls._foreign_order(shop, "F2", 200.0, at(2))  # paid 1460.00: 202.94, 1.47 % off
        cls._lines(
            shop,
            "wechat_trade",
            [
                (at(1, 10, 3), "sale", 715.50, 4.29, "LOSTF1", ""),
                (at(2, 10, 5), "sale", 1460.0, 8.76, "LOSTF2", ""),
            ],
        )
        run_id = (
            cls.env["ecom.reconcile.run"]
            .with_user(cls.users["accountant"])
            .run_reconciliation(shop.ids, "2024-03-01", "2024-03-07")["run_id"]
        )
        differences = cls.env["ecom.reconcile.run"].browse(run_id).difference_ids
        cls.unpaid = {d.reference: d for d in differences if d.kind == "missing_payment"}
        cls.unknown = {d.reference: d for d in differences if d.kind == "missing_order"}

    @classmethod
    def _foreign_order(cls, shop, name, amount, when):
        return cls.env["ecom.order"].create(
            {
                "name": name,
                "shop_id": shop.id,
                "company_id": shop.company_id.id,
                "status": "paid",
                "currency_id": cls.foreign.id,
                "amount_paid": amount,
                "order_time": when,
                "paid_time": when,
            }
        )

    def suggest(self, difference, user="accountant"):
        return self.env[DIFFERENCE].with_user(self.users[user]).suggest(difference.ids)[str(difference.id)]

    def line(self, ref):
        return self.env["ecom.statement.line"].search([("merchant_order_ref", "=", ref)])

    def test_the_rate_of_the_day_is_odoos(self):
        company, cny = self.shop.company_id, self.shop.company_id.currency_id
        for day in (date(2024, 3, 1), date(2024, 3, 2), date(2024, 2, 1)):
            with self.subTest(day=day):
                self.assertAlmostEqual(
                    fx.conversion(self.env, cny, self.foreign, company, day),
                    cny._get_conversion_rate(cny, self.foreign, company, day),
                )
                self.assertAlmostEqual(
                    fx.conversion(self.env, self.foreign, cny, company, day),
                    cny._get_conversion_rate(self.foreign, cny, company, day),
                )
        self.assertEqual(fx.conversion(self.env, cny, cny, company, date(2024, 3, 1)), 1.0)

    def test_the_run_leaves_them_apart(self):
        # matching by reference needs one currency: the run leaves both sides open
        self.assertEqual(set(self.unpaid), {"F1", "F2"})
        self.assertEqual(set(self.unknown), {"LOSTF1", "LOSTF2"})
        self.assertEqual(self.rule.fx_tolerance_pct, 1.0)

    def test_an_order_paid_in_another_currency(self):
        found = self.suggest(self.unpaid["F1"])
        self.assertTrue(found)
        best = found[0]
        self.assertEqual(best["line_ids"], self.line("LOSTF1").ids)
        self.assertEqual(best["order_ids"], self.order_in.ids)
        self.assertGreater(best["confidence"], 0.5)
        cny, usd = self.shop.company_id.currency_id.name, self.foreign.name
        self.assertIn(
            f"{cny} 715.50 = {usd} 100.17 at the rate of 2024-03-01; FX gap {usd} 0.17 within the rule's 1%",
            best["reasons"],
        )
        # the other side: the lines' difference proposes the order, at the rate of their day
        back = self.suggest(self.unknown["LOSTF1"])
        self.assertEqual(back[0]["order_ids"], self.order_in.ids)
        self.assertIn(
            f"{usd} 100.00 = {cny} 714.29 at the rate of 2024-03-01; FX gap {cny} -1.21 within the rule's 1%",
            back[0]["reasons"],
        )

    def test_beyond_the_fx_tolerance_no_suggestion(self):
        lost = self.line("LOSTF2").ids
        self.assertNotIn(lost, [s["line_ids"] for s in self.suggest(self.unpaid["F2"])])
        self.assertNotIn(self.order_far.ids, [s["order_ids"] for s in self.suggest(self.unknown["LOSTF2"])])
        # a wider FX tolerance lets it in, at the rate of its own day (2024-03-02: 0.139)
        self.rule.fx_tolerance_pct = 2.0
        found = self.suggest(self.unpaid["F2"])
        self.assertEqual(found[0]["line_ids"], lost)
        self.assertTrue(
            any("at the rate of 2024-03-02" in r for r in found[0]["reasons"]), found[0]["reasons"]
        )
        # an FX tolerance of 0: no cross-currency suggestions at all
        self.rule.fx_tolerance_pct = 0.0
        self.assertEqual(self.suggest(self.unpaid["F1"]), [])

    def test_accept_keeps_the_fx_gap_apart(self):
        difference, other = self.unpaid["F1"], self.unknown["LOSTF1"]
        result = self.env[DIFFERENCE].with_user(self.users["accountant"]).accept_suggestion(difference.id, 0)
        match = self.env["ecom.reconcile.match"].browse(result["match_id"])
        self.assertEqual(match.order_id, self.order_in)
        self.assertEqual(match.channel_line_ids, self.line("LOSTF1"))
        self.assertEqual(match.currency_id, self.foreign)
        self.assertAlmostEqual(match.residual, 0.0)
        self.assertAlmostEqual(match.fx_gap, 0.17)
        self.assertAlmostEqual(match.fx_rate, 0.14)
        self.assertEqual((difference.state, other.state), ("resolved", "resolved"))
        self.assertIn(
            "FX gap of USD 0.17 at the rate of 2024-03-01".replace("USD", self.foreign.name),
            difference.resolution,
        )
        decision = self.env["ecom.reconcile.suggestion.decision"].browse(result["decision_id"])
        self.assertAlmostEqual(decision.fx_gap, 0.17)
        self.assertAlmostEqual(decision.gap, 0.0)
        self.assertFalse(decision.gap_open)
        # the difference shows it, on both sides
        for each in (difference, other):
            each.invalidate_recordset(["fx_gap", "fx_currency_id"])
            self.assertAlmostEqual(each.with_user(self.users["accountant"]).fx_gap, 0.17)
            self.assertEqual(each.fx_currency_id, self.foreign)
        # Reopen undoes it
        difference.with_user(self.users["accountant"]).action_reopen()
        self.assertFalse(match.exists())
        difference.invalidate_recordset(["fx_gap"])
        self.assertEqual(difference.fx_gap, 0.0)

    def test_accept_from_the_lines_side_at_their_day(self):
        # the payment of 2024-03-02 (rate 0.139), let in by an FX tolerance of 2 %
        self.rule.fx_tolerance_pct = 2.0
        difference, other = self.unknown["LOSTF2"], self.unpaid["F2"]
        found = self.suggest(difference)
        self.assertEqual(found[0]["order_ids"], self.order_far.ids)
        result = (
            self.env[DIFFERENCE]
            .with_user(self.users["accountant"])
            .accept_suggestion(difference.id, 0, found[0]["line_ids"], found[0]["order_ids"])
        )
        match = self.env["ecom.reconcile.match"].browse(result["match_id"])
        self.assertEqual(match.order_id, self.order_far)
        self.assertAlmostEqual(match.fx_rate, 0.139)
        self.assertAlmostEqual(match.fx_gap, 2.94)  # 1460 x 0.139 - 200, in the order's currency
        self.assertAlmostEqual(match.residual, 0.0)
        self.assertEqual((difference.state, other.state), ("resolved", "resolved"))
        self.assertIn("at the rate of 2024-03-02", difference.resolution)

    def test_rights(self):
        difference = self.unpaid["F1"]
        for role in REFUSED:
            Difference = self.env[DIFFERENCE].with_user(self.users[role])
            with self.subTest(role=role), self.assertRaises(AccessError):
                Difference.suggest(difference.ids)
            with self.subTest(role=role), self.assertRaises(AccessError):
                Difference.accept_suggestion(difference.id, 0)
        self.assertEqual(difference.state, "open")
        # the FX tolerance is a rule field: changed through an approved request only
        for role in ("manager", "accountant"):
            with self.subTest(role=role), self.assertRaises(UserError):
                self.rule.with_user(self.users[role]).write({"fx_tolerance_pct": 5.0})
        self.assertEqual(self.rule.fx_tolerance_pct, 1.0)
        result = self.env[DIFFERENCE].with_user(self.users["accountant"]).accept_suggestion(difference.id, 0)
        self.assertEqual(result["state"], "resolved")
