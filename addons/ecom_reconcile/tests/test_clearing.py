# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date, datetime

import pytz

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from odoo.addons.ecom_audit.tests.common import create_approved, make_role_user

SHANGHAI = pytz.timezone("Asia/Shanghai")


def utc(local):
    """Naive UTC datetime of a Shanghai wall-clock time 'YYYY-MM-DD HH:MM'."""
    moment = SHANGHAI.localize(datetime.strptime(local, "%Y-%m-%d %H:%M"))
    return moment.astimezone(pytz.utc).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestClearingReconciliation(TransactionCase):
    """Matched payouts reconcile the clearing items of the posted settlements (demo company, CNY)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_ecom")
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.users = {
            role: make_role_user(cls.env, role, cls.company, login=f"ecom_clearing_{role}")
            for role in ("shop_operator", "accountant", "manager", "auditor")
        }
        cls.manager2 = make_role_user(cls.env, "manager", cls.company, login="ecom_clearing_manager2")
        cls.usd = cls.env.ref("base.USD")
        cls.env["res.currency.rate"].create(
            [
                {
                    "name": "2024-03-01",
                    "currency_id": cls.usd.id,
                    "company_id": cls.company.id,
                    "rate": 1 / 7.1,
                },
                {
                    "name": "2024-03-08",
                    "currency_id": cls.usd.id,
                    "company_id": cls.company.id,
                    "rate": 1 / 7.2,
                },
            ]
        )
        cls.alipay = cls._shop("CLR-ALI", "tmall", "alipay", "121591", grouping="day")
        cls.wechat = cls._shop("CLR-WX", "douyin", "wechat", "121592", grouping="day")
        cls.shopify = cls._shop("CLR-US", "shopify", "shopify_payments", "121593", currency=cls.usd)
        cls.counter = 0

    @classmethod
    def _shop(cls, code, platform, channel, clearing_code, grouping="settlement", currency=None):
        clearing = cls.env["account.account"].create(
            {
                "code": clearing_code,
                "name": f"{code} Clearing",
                "account_type": "asset_receivable",
                "reconcile": True,
                "company_ids": [cls.company.id],
            }
        )
        shop = cls.env["ecom.shop"].create(
            {
                "name": f"Clearing test {code}",
                "code": code,
                "company_id": cls.company.id,
                "platform": platform,
                "payment_channel": channel,
                "currency_id": (currency or cls.company.currency_id).id,
                "clearing_account_id": clearing.id,
                "posting_grouping": grouping,
                "user_ids": [(4, cls.users["shop_operator"].id)],
            }
        )
        shop.action_setup_accounting()
        return shop

    @classmethod
    def _statement(cls, shop, fmt, rows):
        """An import of ``rows``: (Shanghai time, line type, gross, fee, memo[, payout ref])."""
        cls.counter += 1
        statement = cls.env["ecom.statement"].create(
            {
                "name": f"{shop.code}/{fmt}/{cls.counter}",
                "shop_id": shop.id,
                "fmt": fmt,
                "filename": f"clearing{cls.counter}.csv",
                "sha256": f"c{cls.counter:063d}",
                "state": "done",
                "line_count": len(rows),
                "period_start": datetime(2024, 3, 1),
                "period_end": datetime(2024, 3, 10),
            }
        )
        cls.env["ecom.statement.line"].create(
            [
                {
                    "statement_id": statement.id,
                    "shop_id": shop.id,
                    "company_id": shop.company_id.id,
                    "line_no": n,
                    "provider_txn_id": f"CLR{cls.counter}-{n}",
                    "line_type": line_type,
                    "currency_id": shop.currency_id.id,
                    "gross": gross,
                    "fee": fee,
                    "net": gross - fee,
                    "occurred_at": utc(moment),
                    "memo": memo,
                    "payout_ref": payout_ref[0] if payout_ref else False,
                    "dedup_key": f"clearing-{statement.id}-{n}",
                }
                for n, (moment, line_type, gross, fee, memo, *payout_ref) in enumerate(rows, start=1)
            ]
        )
        return statement

    def _post(self, statement):
        ids = self.env["ecom.statement"].with_user(self.users["accountant"]).post_entries(statement.ids)
        return self.env["account.move"].browse(ids)

    def _run(self, shop, date_from, date_to, role="accountant"):
        Run = self.env["ecom.reconcile.run"].with_user(self.users[role])
        return self.env["ecom.reconcile.run"].browse(
            Run.run_reconciliation(shop.ids, date_from, date_to)["run_id"]
        )

    def _clearing(self, shop):
        """The shop's clearing items: owed per day (a dict) and every item."""
        items = self.env["account.move.line"].search(
            [("account_id", "=", shop.clearing_account_id.id), ("parent_state", "=", "posted")]
        )
        owed = {
            str(item.move_id.ecom_period_start): item
            for item in items
            if item.move_id.ecom_statement_id and not item.ecom_event_type
        }
        return owed, items

    def _balance(self, shop):
        return round(sum(self._clearing(shop)[1].mapped("balance")), 2)

    def _payout_entries(self, bank):
        return self.env["account.move"].search([("ecom_bank_line_id", "in", bank.line_ids.ids)])

    def _wechat_week(self):
        """WeChat Pay trade bill (no payout lines, paid T+1) and the bank credits of days 1 and 2."""
        trade = self._statement(
            self.wechat,
            "wechat_trade",
            [
                ("2024-03-01 10:00", "sale", 100.0, 0.6, ""),
                ("2024-03-02 10:00", "sale", 200.0, 1.2, ""),
                ("2024-03-03 10:00", "sale", 50.0, 0.3, ""),  # its credit has not arrived
            ],
        )
        bank = self._statement(
            self.wechat,
            "bank_csv",
            [
                ("2024-03-02 09:00", "adjustment", 99.4, 0.0, "财付通 T+1"),
                ("2024-03-03 09:00", "adjustment", 198.8, 0.0, "财付通 T+1"),
            ],
        )
        return trade, bank

    def _alipay_days(self):
        bill = self._statement(
            self.alipay,
            "alipay",
            [
                ("2024-03-01 10:00", "sale", 100.0, 0.6, ""),
                ("2024-03-02 10:00", "sale", 200.0, 1.2, ""),
                ("2024-03-02 18:00", "payout", -298.2, 0.0, "提现"),
                ("2024-03-03 10:00", "sale", 50.0, 0.3, ""),  # not paid out yet
            ],
        )
        bank = self._statement(
            self.alipay, "bank_csv", [("2024-03-03 09:00", "adjustment", 298.2, 0.0, "支付宝提现")]
        )
        return bill, bank

    def test_payout_lines_reconcile_the_days_they_paid(self):
        bill, bank = self._alipay_days()
        self._post(bill)
        run = self._run(self.alipay, "2024-03-01", "2024-03-03")
        match = run.match_ids.filtered(lambda m: m.kind == "payout")
        self.assertEqual(len(match), 1)
        owed, items = self._clearing(self.alipay)
        payout = items.filtered(lambda item: item.ecom_event_type == "payout")
        self.assertEqual(payout.balance, -298.2)
        for item in (owed["2024-03-01"], owed["2024-03-02"], payout):
            self.assertTrue(item.reconciled, item.name)
            self.assertEqual(item.amount_residual, 0.0)
        self.assertFalse(owed["2024-03-03"].reconciled)
        self.assertAlmostEqual(owed["2024-03-03"].amount_residual, 49.7, places=2)
        self.assertEqual(self._balance(self.alipay), 49.7, "only the unpaid day is still owed")
        self.assertEqual(match.clearing_line_ids, owed["2024-03-01"] | owed["2024-03-02"] | payout)
        self.assertEqual(run.clearing_reconciled_count, 3)
        self.assertFalse(match.payout_move_ids, "the channel's bill books its payouts itself")
        self.assertFalse(self._payout_entries(bank))

    def test_payout_lines_with_an_entry_per_month_reconcile_partially(self):
        self.alipay.posting_grouping = "settlement"
        bill, _bank = self._alipay_days()
        self._post(bill)
        run = self._run(self.alipay, "2024-03-01", "2024-03-03")
        owed, items = self._clearing(self.alipay)
        month = owed["2024-03-01"]
        payout = items.filtered(lambda item: item.ecom_event_type == "payout")
        self.assertTrue(payout.reconciled)
        self.assertFalse(month.reconciled)
        self.assertAlmostEqual(month.amount_residual, 49.7, places=2)
        self.assertEqual(run.match_ids.clearing_line_ids, month | payout)
        self.assertEqual(run.clearing_reconciled_count, 1)

    def test_settlement_days_get_one_payout_entry_per_bank_credit(self):
        trade, bank = self._wechat_week()
        self._post(trade)
        run = self._run(self.wechat, "2024-03-01", "2024-03-03")
        matches = run.match_ids.filtered(lambda m: m.kind == "payout").sorted("reference")
        self.assertEqual(matches.mapped("reference"), ["2024-03-01", "2024-03-02"])
        entries = self._payout_entries(bank).sorted("date")
        self.assertEqual(len(entries), 2)
        payout_account = self.env["ecom.posting.rule"]._rules_for(self.wechat)["payout"].account_id
        for match, entry, credit, day in zip(
            matches, entries, bank.line_ids.sorted("occurred_at"), ("2024-03-02", "2024-03-03"), strict=True
        ):
            self.assertEqual(match.payout_move_ids, entry)
            self.assertEqual(entry.state, "posted")
            self.assertEqual(entry.journal_id, self.wechat.journal_id)
            self.assertEqual(str(entry.date), day)
            self.assertEqual(entry.ecom_bank_line_id, credit)
            self.assertEqual(entry.ecom_payout_run_id, run)
            self.assertIn(match.reference, entry.ref)
            self.assertEqual(entry.line_ids.partner_id, self.wechat.partner_id)
            debit = entry.line_ids.filtered(lambda item: item.debit)
            self.assertEqual((debit.account_id, debit.debit), (payout_account, credit.gross))
            credit_item = entry.line_ids - debit
            self.assertEqual(credit_item.account_id, self.wechat.clearing_account_id)
            self.assertTrue(credit_item.reconciled)
            self.assertIn(credit_item, match.clearing_line_ids)
        owed, _items = self._clearing(self.wechat)
        self.assertTrue(owed["2024-03-01"].reconciled and owed["2024-03-02"].reconciled)
        self.assertEqual(
            matches[0].clearing_line_ids, owed["2024-03-01"] | entries[0].line_ids.filtered("credit")
        )
        self.assertFalse(owed["2024-03-03"].reconciled)
        self.assertEqual(self._balance(self.wechat), 49.7)
        self.assertEqual(run.clearing_reconciled_count, 4)

    def test_running_again_books_each_credit_once(self):
        trade, bank = self._wechat_week()
        self._post(trade)
        accountant = self.users["accountant"]
        run = self._run(self.wechat, "2024-03-01", "2024-03-03")
        entries = self._payout_entries(bank)
        self.assertEqual(len(entries), 2)
        # the same run again, and another run of the same period: nothing new, nothing fails
        run.with_user(accountant).action_run()
        run.with_user(accountant).action_reconcile_clearing()
        other = self._run(self.wechat, "2024-03-01", "2024-03-03")
        self.assertEqual(self._payout_entries(bank), entries)
        self.assertFalse(entries.reversal_move_ids)
        self.assertEqual(other.match_ids.payout_move_ids, entries)
        self.assertEqual((run.clearing_reconciled_count, other.clearing_reconciled_count), (4, 4))
        self.assertEqual(self._balance(self.wechat), 49.7)
        # payouts now go through another account: the run's entries are reversed, then booked anew
        transfer = self.env["account.account"].create(
            {
                "code": "101791",
                "name": "WeChat Pay in Transit",
                "account_type": "asset_current",
                "reconcile": True,
                "company_ids": [self.company.id],
            }
        )
        create_approved(
            self.env,
            "ecom.posting.rule",
            {
                "company_id": self.company.id,
                "shop_id": self.wechat.id,
                "event_type": "payout",
                "account_id": transfer.id,
            },
            self.users["manager"],
            self.manager2,
        )
        run.with_user(accountant).action_run_full()
        self.assertTrue(entries.exists(), "never deleted")
        self.assertEqual(entries.mapped("state"), ["posted", "posted"])
        self.assertEqual(len(entries.reversal_move_ids), 2)
        live = self._payout_entries(bank)._ecom_live_postings()
        self.assertEqual(len(live), 2)
        self.assertFalse(live & entries)
        self.assertEqual(live.line_ids.filtered("debit").account_id, transfer)
        self.assertEqual(run.match_ids.payout_move_ids, live)
        owed, _items = self._clearing(self.wechat)
        self.assertTrue(owed["2024-03-01"].reconciled and owed["2024-03-02"].reconciled)
        self.assertEqual(self._balance(self.wechat), 49.7)
        self.assertEqual(run.clearing_reconciled_count, 4)

    def test_without_settlement_entries_nothing_is_reconciled(self):
        trade, bank = self._wechat_week()
        run = self._run(self.wechat, "2024-03-01", "2024-03-03")
        matches = run.match_ids.filtered(lambda m: m.kind == "payout")
        self.assertEqual(len(matches), 2, "the run matches as before")
        self.assertEqual(run.difference_ids.mapped("kind"), ["missing_payout"])
        self.assertFalse(self._payout_entries(bank))
        self.assertFalse(matches.clearing_line_ids)
        self.assertFalse(matches.payout_move_ids)
        self.assertEqual(run.clearing_reconciled_count, 0)
        self.assertEqual(self._balance(self.wechat), 0.0)
        # posted later: the run reconciles on request, without running again
        self._post(trade)
        run.with_user(self.users["accountant"]).action_reconcile_clearing()
        self.assertEqual(len(self._payout_entries(bank)), 2)
        self.assertEqual(run.clearing_reconciled_count, 4)
        self.assertEqual(self._balance(self.wechat), 49.7)

    def test_reversed_settlement_entries_are_not_reconciled(self):
        trade, bank = self._wechat_week()
        self._post(trade)
        trade.with_user(self.users["accountant"]).action_reverse_entries()
        run = self._run(self.wechat, "2024-03-01", "2024-03-03")
        self.assertFalse(self._payout_entries(bank))
        self.assertEqual(run.clearing_reconciled_count, 0)

    def test_foreign_currency_shop_reconciles_in_its_currency(self):
        settlement = self._statement(
            self.shopify,
            "shopify_balance",
            [
                ("2024-03-05 10:00", "sale", 100.0, 3.2, "", "PO-1"),
                ("2024-03-06 10:00", "sale", 50.0, 1.75, "", "PO-1"),
            ],
        )
        bank = self._statement(
            self.shopify, "bank_csv", [("2024-03-08 10:00", "adjustment", 145.05, 0.0, "SHOPIFY PAYOUT PO-1")]
        )
        self._post(settlement)
        run = self._run(self.shopify, "2024-03-01", "2024-03-08")
        entry = self._payout_entries(bank)
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.date, date(2024, 3, 8))
        debit = entry.line_ids.filtered("debit")
        self.assertEqual(debit.currency_id, self.usd)
        self.assertAlmostEqual(debit.amount_currency, 145.05, places=2)
        self.assertAlmostEqual(debit.balance, 1044.36, places=2)  # at 7.2 on the day of the credit
        owed, _items = self._clearing(self.shopify)
        month = owed["2024-03-05"]
        self.assertAlmostEqual(month.amount_currency, 145.05, places=2)
        self.assertAlmostEqual(month.balance, 145.05 * 7.1, delta=0.01)  # at 7.1 on the settlement day
        self.assertTrue(month.reconciled)
        self.assertEqual((month.amount_residual, month.amount_residual_currency), (0.0, 0.0))
        self.assertEqual(run.clearing_reconciled_count, 2)

    def test_only_accountants_reconcile(self):
        trade, bank = self._wechat_week()
        self._post(trade)
        with self.assertRaises(AccessError):
            self._run(self.wechat, "2024-03-01", "2024-03-03", role="shop_operator")
        self.assertFalse(self._payout_entries(bank))
        run = self._run(self.wechat, "2024-03-01", "2024-03-03", role="accountant")
        self.assertEqual(len(self._payout_entries(bank)), 2)
        for role in ("shop_operator", "auditor"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                run.with_user(self.users[role]).action_reconcile_clearing()
        match = run.match_ids.filtered(lambda m: m.kind == "payout")[:1]
        with self.assertRaises(AccessError):
            match.with_user(self.users["shop_operator"]).read(["clearing_line_ids"])
        self.assertTrue(match.with_user(self.users["auditor"]).clearing_line_ids)
        run.with_user(self.users["manager"]).action_reconcile_clearing()
        self.assertEqual(len(self._payout_entries(bank)), 2)

    def test_odoo_bank_statement_lines_of_the_credits_are_matched_with_the_payouts(self):
        """One bank import for both reconciliations: the credits' lines in Odoo's bank statements
        (made by the import, ecom_finance) are matched with the run's payout entries."""
        trade, bank = self._wechat_week()
        self._post(trade)
        journal = self.env["account.journal"].create(
            {"name": "Clearing test bank", "code": "CLRB", "type": "bank", "company_id": self.company.id}
        )
        credits = bank.line_ids.sorted("occurred_at")
        statement = self.env["account.bank.statement"].create(
            {
                "name": "CLR bank",
                "journal_id": journal.id,
                "line_ids": [
                    Command.create(
                        {
                            "journal_id": journal.id,
                            "date": credit.occurred_at.date(),
                            "payment_ref": credit.memo,
                            "amount": credit.gross,
                            "ecom_statement_line_id": credit.id,
                        }
                    )
                    for credit in credits
                ],
            }
        )
        self.assertFalse(any(statement.line_ids.mapped("is_reconciled")))
        self._run(self.wechat, "2024-03-01", "2024-03-03")
        entries = self._payout_entries(bank)
        payout_account = self.env["ecom.posting.rule"]._rules_for(self.wechat)["payout"].account_id
        for statement_line in statement.line_ids:
            statement_line.invalidate_recordset()
            self.assertTrue(statement_line.is_reconciled, statement_line.payment_ref)
            counterpart = statement_line.move_id.line_ids - statement_line.move_id.line_ids.filtered(
                lambda item: item.account_id == journal.default_account_id
            )
            self.assertEqual(counterpart.account_id, payout_account)
            self.assertEqual(counterpart.partner_id, self.wechat.partner_id)
            # the payout account takes reconciliations: the two items are reconciled together
            self.assertTrue(payout_account.reconcile)
            entry = entries.filtered(
                lambda move, line=statement_line: move.ecom_bank_line_id == line.ecom_statement_line_id
            )
            self.assertTrue(counterpart.reconciled)
            self.assertEqual(
                counterpart.full_reconcile_id, entry.line_ids.filtered("debit").full_reconcile_id
            )
