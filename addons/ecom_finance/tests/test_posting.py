# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime

import pytz

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.ecom_audit.tests.common import create_approved, make_role_user

SHANGHAI = pytz.timezone("Asia/Shanghai")


def utc(local):
    """Naive UTC datetime of a Shanghai wall-clock time 'YYYY-MM-DD HH:MM'."""
    moment = SHANGHAI.localize(datetime.strptime(local, "%Y-%m-%d %H:%M"))
    return moment.astimezone(pytz.utc).replace(tzinfo=None)


class SettlementCase(TransactionCase):
    """The demo company (CNY, generic chart), its demo shops, role users and statement helpers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_ecom")
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.tmall = cls.env.ref("ecom_finance.demo_shop_tmall")
        cls.shopify = cls.env.ref("ecom_finance.demo_shop_shopify")
        cls.users = {
            role: make_role_user(cls.env, role, cls.company, login=f"ecom_post_{role}")
            for role in ("shop_operator", "warehouse_operator", "accountant", "manager", "auditor")
        }
        cls.manager2 = make_role_user(cls.env, "manager", cls.company, login="ecom_post_manager2")
        cls.tmall.user_ids = [(4, cls.users["shop_operator"].id)]
        cls.usd = cls.env.ref("base.USD")
        cls.env["res.currency.rate"].create(
            [
                # 1 CNY = 1/7.1 USD in March, 1/7.2 in April: 1 USD = 7.1 / 7.2 CNY
                {
                    "name": "2024-03-01",
                    "currency_id": cls.usd.id,
                    "company_id": cls.company.id,
                    "rate": 1 / 7.1,
                },
                {
                    "name": "2024-04-01",
                    "currency_id": cls.usd.id,
                    "company_id": cls.company.id,
                    "rate": 1 / 7.2,
                },
            ]
        )
        cls.rules = cls.env["ecom.posting.rule"]._rules_for(cls.tmall)
        cls.counter = 0

    @classmethod
    def _statement(cls, shop, rows, fmt="alipay"):
        """An imported statement with ``rows`` of (Shanghai time, line type, gross, fee)."""
        cls.counter += 1
        statement = cls.env["ecom.statement"].create(
            {
                "name": f"{shop.code}/test/{cls.counter}",
                "shop_id": shop.id,
                "fmt": fmt,
                "filename": f"test{cls.counter}.csv",
                "sha256": f"{cls.counter:064d}",
                "state": "done",
                "line_count": len(rows),
            }
        )
        currency = shop.currency_id
        cls.env["ecom.statement.line"].create(
            [
                {
                    "statement_id": statement.id,
                    "shop_id": shop.id,
                    "company_id": shop.company_id.id,
                    "line_no": n,
                    "line_type": line_type,
                    "currency_id": currency.id,
                    "gross": gross,
                    "fee": fee,
                    "net": gross - fee,
                    "occurred_at": utc(moment),
                    "dedup_key": f"{statement.id}-{n}",
                }
                for n, (moment, line_type, gross, fee) in enumerate(rows, start=1)
            ]
        )
        return statement

    def _post(self, statements, role="accountant"):
        ids = self.env["ecom.statement"].with_user(self.users[role]).post_entries(statements.ids)
        return self.env["account.move"].browse(ids)

    def _event_lines(self, move):
        """Event type -> journal item of the event (the clearing items aside)."""
        clearing = move.ecom_statement_id.shop_id.clearing_account_id
        return {
            line.ecom_event_type: line
            for line in move.line_ids
            if line.ecom_event_type and line.account_id != clearing
        }

    def _clearing_balance(self, shop):
        lines = self.env["account.move.line"].search(
            [("account_id", "=", shop.clearing_account_id.id), ("parent_state", "=", "posted")]
        )
        return sum(lines.mapped("balance"))


@tagged("post_install", "-at_install")
class TestSettlementPosting(SettlementCase):
    """Settlement entries of the demo company and its demo shops."""

    maxDiff = None

    def test_every_event_type_is_booked_on_its_rule_account(self):
        rows = [
            ("2024-03-05 10:00", "sale", 1000.0, 6.0),
            ("2024-03-05 11:00", "refund", -100.0, -0.6),
            ("2024-03-05 12:00", "commission", -50.0, 0.0),
            ("2024-03-05 12:00", "fee", -20.0, 0.0),
            ("2024-03-05 12:00", "shipping", -8.0, 0.0),
            ("2024-03-05 12:00", "promotion", 15.0, 0.0),
            ("2024-03-05 12:00", "promotion", -12.0, 0.0),
            ("2024-03-05 12:00", "tax", -30.0, 0.0),
            ("2024-03-05 12:00", "reserve", -40.0, 0.0),
            ("2024-03-05 12:00", "adjustment", 2.5, 0.0),
            ("2024-03-05 18:00", "payout", -700.0, 0.0),
        ]
        move = self._post(self._statement(self.tmall, rows))
        self.assertEqual(len(move), 1)
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.journal_id, self.tmall.journal_id)
        self.assertEqual(str(move.date), "2024-03-05")
        expected = {
            # event: balance in CNY (credit negative); money into the channel balance is credited
            "sale": -1000.0,
            "refund": 100.0,
            "payment_fee": 5.4,  # 6.00 withheld on the sale, 0.60 given back on the refund
            "commission": 50.0,
            "service_fee": 20.0,
            "shipping": 8.0,
            "promotion_platform": -15.0,
            "promotion_merchant": 12.0,
            "tax_withheld": 30.0,
            "reserve": 40.0,
            "adjustment": -2.5,
            "payout": 700.0,
        }
        events = self._event_lines(move)
        self.assertEqual({e: round(line.balance, 2) for e, line in events.items()}, expected)
        for event, line in events.items():
            self.assertEqual(line.account_id, self.rules[event].account_id, event)
            self.assertEqual(line.partner_id, self.tmall.partner_id)
        clearing = move.line_ids.filtered(lambda line: line.account_id == self.tmall.clearing_account_id)
        # the channel owes the net of the day, less what it paid out
        self.assertEqual(sorted(clearing.mapped("balance")), [-700.0, 752.1])
        self.assertEqual(sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit")))

    def test_entry_total_equals_the_settlement_total(self):
        statement = self._statement(
            self.tmall,
            [
                ("2024-03-06 09:00", "sale", 199.0, 1.19),
                ("2024-03-06 09:10", "sale", 88.8, 0.53),
                ("2024-03-06 20:00", "refund", -88.8, -0.53),
            ],
        )
        move = self._post(statement)
        net = sum(statement.line_ids.mapped("net"))
        clearing = move.line_ids.filtered(lambda line: line.account_id == self.tmall.clearing_account_id)
        self.assertAlmostEqual(sum(clearing.mapped("balance")), net, places=2)
        self.assertAlmostEqual(net, 197.81, places=2)

    def test_settlement_spanning_a_month_end_is_split_in_the_shop_time_zone(self):
        statement = self._statement(
            self.tmall,
            [
                ("2024-03-31 23:59", "sale", 100.0, 0.6),
                # 00:30 in Shanghai is still March 31 in UTC: it belongs to April
                ("2024-04-01 00:30", "sale", 50.0, 0.3),
                ("2024-04-02 10:00", "payout", -149.1, 0.0),
            ],
        )
        moves = self._post(statement).sorted("date")
        self.assertEqual([str(d) for d in moves.mapped("date")], ["2024-03-31", "2024-04-02"])
        self.assertEqual(self._event_lines(moves[0])["sale"].balance, -100.0)
        self.assertEqual(self._event_lines(moves[1])["sale"].balance, -50.0)
        self.assertEqual(
            [(str(m.ecom_period_start), str(m.ecom_period_end)) for m in moves],
            [("2024-03-31", "2024-03-31"), ("2024-04-01", "2024-04-02")],
        )
        self.assertAlmostEqual(self._clearing_balance(self.tmall), 0.0, places=2)

    def test_grouping_by_day(self):
        self.tmall.posting_grouping = "day"
        statement = self._statement(
            self.tmall,
            [("2024-03-07 10:00", "sale", 10.0, 0.0), ("2024-03-08 10:00", "sale", 20.0, 0.0)],
        )
        self.assertEqual(
            [str(d) for d in self._post(statement).sorted("date").mapped("date")],
            ["2024-03-07", "2024-03-08"],
        )

    def test_posting_twice_does_nothing(self):
        statement = self._statement(self.tmall, [("2024-03-09 10:00", "sale", 10.0, 0.06)])
        first = self._post(statement)
        self.assertEqual(len(first), 1)
        self.assertEqual(statement.with_user(self.users["accountant"]).posting_state, "posted")
        self.assertFalse(self._post(statement))
        self.assertEqual(statement.with_user(self.users["accountant"]).move_count, 1)
        with self.assertRaises(UserError):
            statement.with_user(self.users["accountant"]).action_post_entries()

    def test_a_correction_is_a_reversal_then_a_new_posting(self):
        statement = self._statement(self.tmall, [("2024-03-10 10:00", "sale", 300.0, 1.8)])
        first = self._post(statement)
        # the commission account changes: reverse, then post again under the new rule
        statement.with_user(self.users["accountant"]).action_reverse_entries()
        self.assertEqual(statement.with_user(self.users["accountant"]).posting_state, "reversed")
        self.assertEqual(first.state, "posted", "the first entry stays in the books")
        self.assertTrue(first.reversal_move_ids)
        self.assertAlmostEqual(self._clearing_balance(self.tmall), 0.0, places=2)
        second = self._post(statement)
        self.assertEqual(len(second), 1)
        self.assertNotEqual(second, first)
        self.assertAlmostEqual(self._clearing_balance(self.tmall), 298.2, places=2)

    def test_foreign_currency_settlement_posts_at_the_day_rate(self):
        statement = self._statement(
            self.shopify,
            [
                ("2024-03-20 10:00", "sale", 0.01, 0.0),
                ("2024-03-20 10:00", "commission", 0.01, 0.0),
                ("2024-03-20 10:00", "shipping", 0.01, 0.0),
                ("2024-03-20 11:00", "sale", 120.0, 3.78),
            ],
            fmt="shopify_balance",
        )
        move = self._post(statement)
        sale = self._event_lines(move)["sale"]
        self.assertEqual(sale.currency_id, self.usd)
        self.assertAlmostEqual(sale.amount_currency, -120.01, places=2)
        self.assertAlmostEqual(sale.balance, -round(120.01 * 7.1, 2), places=2)
        self.assertAlmostEqual(sum(move.line_ids.mapped("balance")), 0.0, places=2)
        self.assertAlmostEqual(sum(move.line_ids.mapped("amount_currency")), 0.0, places=2)

    def test_drill_down_from_an_item_to_its_statement_lines(self):
        statement = self._statement(
            self.tmall,
            [
                ("2024-03-11 10:00", "sale", 10.0, 0.06),
                ("2024-03-11 11:00", "sale", 20.0, 0.12),
                ("2024-03-11 12:00", "promotion", 5.0, 0.0),
                ("2024-03-11 13:00", "promotion", -3.0, 0.0),
            ],
        )
        move = self._post(statement)
        accountant = self.users["accountant"]
        for event, count, total in (
            ("sale", 2, 30.0),
            ("payment_fee", 2, None),
            ("promotion_merchant", 1, -3.0),
        ):
            line = self._event_lines(move)[event].with_user(accountant)
            action = line.action_ecom_open_source_lines()
            sources = self.env["ecom.statement.line"].with_user(accountant).search(action["domain"])
            self.assertEqual(len(sources), count, event)
            if total is not None:
                self.assertAlmostEqual(sum(sources.mapped("gross")), total, places=2)
                self.assertAlmostEqual(-line.amount_currency, total, places=2)

    def test_missing_setup_is_named(self):
        shop = self.env["ecom.shop"].create(
            {"name": "Bare", "code": "BARE", "company_id": self.company.id, "payment_channel": "stripe"}
        )
        statement = self._statement(shop, [("2024-03-12 10:00", "sale", 10.0, 0.0)])
        with self.assertRaisesRegex(UserError, "Shop .*Bare.* cannot post: set its .*Settlement Journal"):
            self._post(statement)
        done = shop.with_user(self.users["manager"]).action_setup_accounting()
        self.assertIn("121505", done["params"]["message"])  # what it did is said
        self.assertEqual(shop.clearing_account_id.code, "121505")
        self.assertEqual(shop.partner_id.name, "Stripe")
        self.assertEqual(len(self._post(statement)), 1)

    def test_missing_rule_is_named(self):
        self.rules["commission"].active = False
        statement = self._statement(
            self.tmall,
            [("2024-03-13 10:00", "sale", 10.0, 0.0), ("2024-03-13 10:00", "commission", -1.0, 0.0)],
        )
        with self.assertRaisesRegex(UserError, "no account for the events: commission"):
            self._post(statement)
        self.assertFalse(statement.move_ids)

    def test_a_shop_rule_wins_over_the_company_rule(self):
        marketing = self.env["account.account"].create(
            {
                "code": "962100",
                "name": "Tmall Marketing",
                "account_type": "expense",
                "company_ids": [self.company.id],
            }
        )
        create_approved(
            self.env,
            "ecom.posting.rule",
            {
                "company_id": self.company.id,
                "shop_id": self.tmall.id,
                "event_type": "commission",
                "account_id": marketing.id,
            },
            self.users["manager"],
            self.manager2,
        )
        move = self._post(self._statement(self.tmall, [("2024-03-14 10:00", "commission", -5.0, 0.0)]))
        self.assertEqual(self._event_lines(move)["commission"].account_id, marketing)

    def test_only_finance_roles_post(self):
        statement = self._statement(self.tmall, [("2024-03-15 10:00", "sale", 10.0, 0.0)])
        for role in ("shop_operator", "warehouse_operator", "auditor"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self._post(statement, role)
        self.assertEqual(len(self._post(statement, "manager")), 1)
        # the accounting side of an import is not shown to a Shop Operator at all
        with self.assertRaises(AccessError):
            statement.with_user(self.users["shop_operator"]).read(["posting_state"])
        with self.assertRaises(AccessError):
            self.env["ecom.posting.rule"].with_user(self.users["shop_operator"]).search([])
        with self.assertRaises(AccessError):
            self.env["ecom.posting.rule"].with_user(self.users["accountant"]).create(
                {
                    "company_id": self.company.id,
                    "event_type": "sale",
                    "account_id": self.rules["sale"].account_id.id,
                }
            )

    def test_bank_statements_and_orders_are_not_posted(self):
        statement = self._statement(self.tmall, [("2024-03-16 10:00", "payout", 10.0, 0.0)], fmt="camt053")
        with self.assertRaisesRegex(UserError, "only imported payment-channel statements"):
            self._post(statement)

    def test_entries_and_their_changes_are_in_the_audit_trail(self):
        statement = self._statement(self.tmall, [("2024-03-17 10:00", "sale", 40.0, 0.24)])
        move = self._post(statement)
        Log = self.env["ecom.audit.log"]
        self.env.flush_all()
        Log._flush_pending()  # what the commit does
        logged = Log.search([("model", "=", "account.move"), ("res_ids", "=", str(move.id))])
        self.assertIn("create", logged.mapped("operation"))
        self.assertIn("write", logged.mapped("operation"), "posting changes the state")
        items = Log.search([("model", "=", "account.move.line"), ("operation", "=", "create")])
        self.assertTrue(set(map(str, move.line_ids.ids)) <= set(items.mapped("res_ids")))
        statement.with_user(self.users["accountant"]).action_reverse_entries()
        self.env.flush_all()
        Log._flush_pending()
        reversal = move.reversal_move_ids
        self.assertTrue(reversal)
        logged = Log.search([("model", "=", "account.move"), ("res_ids", "=", str(reversal.id))])
        self.assertIn("create", logged.mapped("operation"))

    def test_a_settlement_entry_is_not_reset_to_draft(self):
        """Reset to Draft left an entry only a manual approval could post again (with no button to
        ask for it), and its import read "Reversed": the way is Reverse Entries, then Post Entries."""
        statement = self._statement(self.tmall, [("2024-03-18 10:00", "sale", 40.0, 0.24)])
        move = self._post(statement)
        self.assertFalse(move.show_reset_to_draft_button)
        for user in (self.users["accountant"], self.env.user):
            with self.subTest(user=user.login), self.assertRaisesRegex(UserError, "Reverse Entries"):
                move.with_user(user).button_draft()
        self.assertEqual((move.state, statement.posting_state), ("posted", "posted"))
        statement.with_user(self.users["accountant"]).action_reverse_entries()
        statement.invalidate_recordset()
        self.assertEqual(statement.posting_state, "reversed")
        again = statement.with_user(self.users["accountant"]).action_post_entries()
        statement.invalidate_recordset()
        self.assertEqual(statement.posting_state, "posted")
        self.assertTrue(again)
