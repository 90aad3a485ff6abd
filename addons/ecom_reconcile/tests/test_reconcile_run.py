# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import io
from datetime import datetime

import openpyxl

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ReconcileCase

ORDER_KINDS = {
    "missing_payment",
    "missing_order",
    "amount_mismatch",
    "duplicate_payment",
    "refund_mismatch",
    "status_mismatch",
    "timing",
}


def at(day, hour=10):
    return datetime(2024, 3, day, hour, 0)


@tagged("post_install", "-at_install")
class TestOrdersAgainstPayments(ReconcileCase):
    """Every order-level kind planted once, and matches that must not become differences."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        shop = cls.shop_colleague  # Douyin shop paid through WeChat Pay
        cls.shop = shop
        order = cls._order
        order(shop, "O1", 100.0, at(1))  # matched
        order(shop, "O2", 50.0, at(1))  # missing_payment
        order(shop, "O4", 80.0, at(2))  # amount_mismatch
        order(shop, "O5", 60.0, at(2))  # duplicate_payment
        order(shop, "O6", 70.0, at(3), status="partially_refunded", refund=20.0)  # refund_mismatch
        order(shop, "O7", 40.0, at(3), status="cancelled")  # status_mismatch
        order(shop, "O8", 90.0, at(1))  # timing
        order(shop, "O9", 100.0, at(4))  # within the tolerance: matched
        order(shop, "O10", 35.0, at(4), status="cancelled")  # cancelled and unpaid: nothing to say
        cls._lines(
            shop,
            "wechat_trade",
            [
                (at(1, 11), "sale", 100.0, 0.6, "O1", ""),
                (at(2, 11), "sale", 30.0, 0.18, "X9", ""),  # missing_order
                (at(2, 11), "sale", 79.0, 0.47, "O4", ""),
                (at(2, 11), "sale", 60.0, 0.36, "O5", ""),
                (at(2, 12), "sale", 60.0, 0.36, "O5", ""),
                (at(3, 11), "sale", 70.0, 0.42, "O6", ""),
                (at(4, 11), "refund", -10.0, -0.06, "O6", ""),
                (at(3, 11), "sale", 40.0, 0.24, "O7", ""),
                (at(6, 11), "sale", 90.0, 0.54, "O8", ""),
                (at(4, 11), "sale", 100.01, 0.6, "O9", ""),
            ],
        )

    def _run(self, user=None):
        Run = self.env["ecom.reconcile.run"].with_user(user or self.users["accountant"])
        return Run.run_reconciliation(self.shop.ids, "2024-03-01", "2024-03-07")

    def test_every_planted_difference_is_found_with_its_kind(self):
        result = self._run()
        run = self.env["ecom.reconcile.run"].browse(result["run_id"])
        found = {(d.kind, d.reference) for d in run.difference_ids if d.kind in ORDER_KINDS}
        self.assertEqual(
            found,
            {
                ("missing_payment", "O2"),
                ("missing_order", "X9"),
                ("amount_mismatch", "O4"),
                ("duplicate_payment", "O5"),
                ("refund_mismatch", "O6"),
                ("status_mismatch", "O7"),
                ("timing", "O8"),
            },
        )
        matched = run.match_ids.filtered(lambda m: m.kind == "order_payment")
        self.assertEqual(sorted(matched.mapped("reference")), ["O1", "O9"])
        self.assertEqual(result["matched"], run.matched_count)
        for kind in ORDER_KINDS:
            self.assertEqual(result["counts"][kind], 1, kind)
        mismatch = run.difference_ids.filtered(lambda d: d.kind == "amount_mismatch")
        self.assertAlmostEqual(mismatch.amount, -1.0)
        self.assertEqual(mismatch.order_id.name, "O4")
        self.assertEqual(mismatch.channel_line_ids.mapped("merchant_order_ref"), ["O4"])
        duplicate = run.difference_ids.filtered(lambda d: d.kind == "duplicate_payment")
        self.assertEqual(len(duplicate.channel_line_ids), 2)

    def test_tolerance_decides(self):
        rule = self.env["ecom.reconcile.rule"]._for_shop(self.shop)
        version = rule.version
        rule.amount_tolerance = 1.0
        self.assertEqual(rule.version, version + 1)
        run = self.env["ecom.reconcile.run"].browse(self._run()["run_id"])
        self.assertNotIn("amount_mismatch", run.difference_ids.mapped("kind"))
        self.assertEqual(run.rules_snapshot[0]["version"], version + 1)

    def test_same_inputs_same_result_and_rerun_replaces_own_results(self):
        first = self.env["ecom.reconcile.run"].browse(self._run()["run_id"])
        second = self.env["ecom.reconcile.run"].browse(self._run()["run_id"])

        def signature(run):
            return sorted(
                (d.kind, d.reference, d.expected_amount, d.actual_amount) for d in run.difference_ids
            )

        self.assertEqual(signature(first), signature(second))
        self.assertEqual(first.inputs_hash, second.inputs_hash)
        self.assertTrue(first.inputs_snapshot)
        before = signature(first)
        ids_before = set(first.difference_ids.ids), set(first.match_ids.ids)
        first.with_user(self.users["accountant"]).action_run_full()
        first.invalidate_recordset()
        self.assertEqual(signature(first), before)
        self.assertEqual(
            (set(first.difference_ids.ids), set(first.match_ids.ids)),
            ids_before,
            "what a run from scratch finds again as it was stays the same record",
        )
        self.assertEqual(signature(second), before, "and leaves other runs alone")

    def test_a_shop_taken_off_a_run_takes_its_results_along(self):
        accountant = self.users["accountant"]
        Run = self.env["ecom.reconcile.run"].with_user(accountant)
        run = Run.browse(
            Run.run_reconciliation((self.shop | self.shop_own).ids, "2024-03-01", "2024-03-07")["run_id"]
        )
        mismatch = run.difference_ids.filtered(lambda d: d.kind == "amount_mismatch")
        mismatch.with_user(accountant).message_post(body="Checked with the buyer.")
        untouched = run.difference_ids.filtered(
            lambda d: d.kind == "missing_payment" and d.shop_id == self.shop
        )
        run.shop_ids = self.shop_own
        done = run.action_run()
        self.assertIn("matched", done["params"]["message"])
        run.invalidate_recordset()
        self.assertFalse(run.difference_ids.filtered(lambda d: d.shop_id == self.shop))
        self.assertFalse(run.match_ids.filtered(lambda m: m.shop_id == self.shop))
        self.assertFalse(untouched.exists(), "nobody worked on it: gone with its shop")
        # someone worked on it (a comment): kept, archived, off the run's results, with why
        mismatch.invalidate_recordset()
        self.assertEqual((mismatch.exists(), mismatch.active), (mismatch, False))
        bodies = " ".join(
            self.env["mail.message"]
            .search([("model", "=", "ecom.reconcile.difference"), ("res_id", "=", mismatch.id)])
            .mapped("body")
        )
        self.assertIn("Checked with the buyer.", bodies)
        self.assertIn(f"shop {self.shop.code} was taken off the run", bodies)

    def test_a_changed_difference_takes_over_the_work_done_on_it(self):
        accountant = self.users["accountant"]
        run = self.env["ecom.reconcile.run"].browse(self._run()["run_id"])
        duplicate = run.difference_ids.filtered(lambda d: d.kind == "duplicate_payment")
        duplicate = duplicate.with_user(accountant)
        duplicate.action_assign_to_me()
        duplicate.resolution = "Two captures of O5; the second goes back to the buyer."
        duplicate.message_post(body="Asked WeChat Pay for the refund of the second capture.")
        missing = run.difference_ids.filtered(lambda d: d.kind == "missing_payment")
        # a third capture of O5 comes in, and O2 gets paid: O5's difference changes, O2's goes
        self._lines(
            self.shop,
            "wechat_trade",
            [(at(2, 13), "sale", 60.0, 0.36, "O5", ""), (at(1, 15), "sale", 50.0, 0.3, "O2", "")],
        )
        run.with_user(accountant).action_run_full()
        run.invalidate_recordset()
        # replaced (its amounts changed), but worked on: kept, archived, with its comments
        duplicate.invalidate_recordset()
        self.assertEqual((duplicate.exists(), duplicate.active), (duplicate, False))
        self.assertIn("Asked WeChat Pay for the refund", " ".join(duplicate.message_ids.mapped("body")))
        self.assertFalse(missing.exists(), "nobody worked on it: gone")
        new = run.difference_ids.filtered(lambda d: d.kind == "duplicate_payment")
        self.assertEqual(len(new.channel_line_ids), 3)
        self.assertEqual(
            (new.user_id, new.state, new.resolution),
            (accountant, "assigned", "Two captures of O5; the second goes back to the buyer."),
        )
        bodies = " ".join(new.message_ids.mapped("body"))
        self.assertIn("Found again by", bodies)
        self.assertIn(f"#{duplicate.id}", bodies, "it points to the difference it replaces")
        self.assertIn(accountant.partner_id, new.message_partner_ids)
        self.assertFalse(
            self.env["mail.message"].search_count(
                [("model", "=", "ecom.reconcile.difference"), ("res_id", "=", missing.id)]
            ),
            "no comment is left on a difference that is gone",
        )

    def test_run_again_goes_over_what_new_imports_touch_only(self):
        accountant = self.users["accountant"]
        run = self.env["ecom.reconcile.run"].browse(self._run()["run_id"])

        def results(run):
            run.invalidate_recordset()
            return {(d.kind, d.reference, d.expected_amount, d.actual_amount) for d in run.difference_ids} | {
                (m.kind, m.reference, m.amount, m.residual) for m in run.match_ids
            }

        def kept():
            # the order <-> payment stage (the payout <-> bank one is run again whole)
            differences = run.difference_ids.filtered(lambda d: d.stage == "order")
            matches = run.match_ids.filtered(lambda m: m.kind == "order_payment")
            return {d.id: d.reference for d in differences} | {-m.id: m.reference for m in matches}

        before = kept()
        everything = set(run.difference_ids.ids) | set(run.match_ids.ids)
        mismatch = run.difference_ids.filtered(lambda d: d.kind == "amount_mismatch")
        duplicate = run.difference_ids.filtered(lambda d: d.kind == "duplicate_payment")
        duplicate.with_user(accountant).action_assign_to_me()
        # nothing new: nothing touched
        run.with_user(accountant).action_run()
        self.assertEqual(set(run.difference_ids.ids) | set(run.match_ids.ids), everything)
        # a later bill pays O2 (missing) and names X9 again (a second payment); an order export
        # cancels O4 (amount mismatch): these references are gone over, the rest is kept as it is
        self._lines(
            self.shop,
            "wechat_trade",
            [(at(1, 15), "sale", 50.0, 0.3, "O2", ""), (at(2, 15), "sale", 30.0, 0.18, "X9", "")],
        )
        order_export = self._statement(self.shop, "orders_csv")
        o4 = mismatch.order_id
        o4.write({"status": "cancelled", "last_statement_id": order_export.id})
        run.with_user(accountant).action_run()
        after = kept()
        touched = {"O2", "X9", "O4"}
        self.assertEqual(
            {key: ref for key, ref in before.items() if ref not in touched},
            {key: ref for key, ref in after.items() if ref not in touched},
            "the results of other references keep their records",
        )
        self.assertFalse(mismatch.exists())
        self.assertEqual((duplicate.exists().user_id, duplicate.state), (accountant, "assigned"))
        found = {(d.kind, d.reference) for d in run.difference_ids}
        self.assertNotIn(("missing_payment", "O2"), found)
        self.assertIn(("order_payment", "O2"), {(m.kind, m.reference) for m in run.match_ids})
        self.assertIn(("missing_order", "X9"), found)
        self.assertIn(("status_mismatch", "O4"), found)
        x9 = run.difference_ids.filtered(lambda d: d.reference == "X9")
        # gone over again: found with other amounts, on the same record (its key: run, stage,
        # shop, kind, reference), which says what changed
        self.assertIn(x9.id, before)
        self.assertIn("Found again by", " ".join(x9.message_ids.mapped("body")))
        self.assertEqual(len(x9.channel_line_ids), 2)
        # the same result as a run from scratch
        incremental = results(run)
        run.with_user(accountant).action_run_full()
        self.assertEqual(results(run), incremental)

    def test_daily_run_reconciles_yesterday_once(self):
        Run = self.env["ecom.reconcile.run"]
        runs = Run._cron_daily(today=datetime(2024, 3, 3).date())
        run = runs.filtered(lambda r: self.shop in r.shop_ids)
        self.assertEqual((run.date_from, run.date_to), (datetime(2024, 3, 2).date(),) * 2)
        self.assertIn(("amount_mismatch", "O4"), {(d.kind, d.reference) for d in run.difference_ids})
        self.assertNotIn("O1", run.difference_ids.mapped("reference"))  # paid on the 1st: not that day
        again = Run._cron_daily(today=datetime(2024, 3, 3).date())
        self.assertEqual(
            again.filtered(lambda r: self.shop in r.shop_ids), run, "the same day is run again, not twice"
        )

    def test_xlsx_export_reads_back(self):
        run = self.env["ecom.reconcile.run"].browse(self._run()["run_id"])
        book = openpyxl.load_workbook(io.BytesIO(run._xlsx_content()))
        self.assertEqual(book.sheetnames[0], "Summary")
        self.assertIn("Amount mismatch", book.sheetnames)
        sheet = book["Amount mismatch"]
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertEqual((sheet["B2"].value, sheet["D2"].value, sheet["E2"].value), ("O4", 80, 79))
        self.assertEqual(sheet["A3"].value, "Total")
        self.assertAlmostEqual(sheet["F3"].value, -1.0)
        action = run.action_export_xlsx()
        self.assertEqual(action["url"], f"/ecom_reconcile/run/{run.id}/xlsx")

    def test_xlsx_shows_the_readers_local_time(self):
        """The export showed UTC times beside a web client in Beijing time."""
        accountant = self.users["accountant"]
        accountant.tz = "Asia/Shanghai"
        run = self.env["ecom.reconcile.run"].browse(self._run()["run_id"]).with_user(accountant)
        book = openpyxl.load_workbook(io.BytesIO(run._xlsx_content()))
        sheet = book["Amount mismatch"]
        difference = run.difference_ids.filtered(lambda d: d.reference == "O4")
        self.assertEqual(difference.date, datetime(2024, 3, 2, 11, 0))  # stored in UTC
        self.assertEqual(sheet["C2"].value.replace(second=0), datetime(2024, 3, 2, 19, 0))
        summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows() if row[0].value}
        self.assertEqual(summary["Times in"], "Asia/Shanghai")


@tagged("post_install", "-at_install")
class TestPayoutsAgainstBank(ReconcileCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.env["ecom.shop"].create(
            {"name": "Payout shop", "code": "PAY1", "platform": "douyin", "payment_channel": "wechat"}
        )
        # channel lines without order references: only the settlement side is tested here
        cls._lines(
            cls.shop,
            "wechat_fund",
            [
                (at(1), "sale", 100.0, 0.0, False, ""),  # day 1 -> bank day 2 (1:1)
                (at(2), "sale", 200.0, 0.0, False, ""),  # days 2 and 3 -> bank day 4 (N:1)
                (at(3), "sale", 300.0, 0.0, False, ""),
                (at(4), "sale", 400.0, 0.0, False, ""),  # day 4 -> bank days 5 + 6 (1:N)
                (at(5), "sale", 70.0, 0.0, False, ""),  # day 5 -> nothing (missing_payout)
                (at(6), "sale", 90.0, 0.0, False, ""),  # day 6 -> 85 on day 7 (payout_mismatch)
                (at(7), "sale", 33.0, 0.0, False, ""),  # day 7 -> 33 on day 20 (timing)
            ],
        )
        cls._lines(
            cls.shop,
            "bank_csv",
            [
                (at(2, 9), "adjustment", 100.0, 0.0, False, "财付通 T+1"),
                (at(4, 9), "adjustment", 500.0, 0.0, False, "财付通 T+1"),
                (at(5, 9), "adjustment", 150.0, 0.0, False, "财付通 T+1"),
                (at(6, 9), "adjustment", 250.0, 0.0, False, "财付通 T+1"),
                (at(7, 9), "adjustment", 85.0, 0.0, False, "财付通 T+1"),
                (at(20, 9), "adjustment", 33.0, 0.0, False, "财付通 T+1"),
                (at(3, 9), "adjustment", -20.0, 0.0, False, "bank fee"),  # debits are not payouts
            ],
        )

    def test_one_to_one_many_to_one_one_to_many_and_leftovers(self):
        result = self.env["ecom.reconcile.run"].run_reconciliation(self.shop.ids, "2024-03-01", "2024-03-07")
        run = self.env["ecom.reconcile.run"].browse(result["run_id"])
        matches = sorted(
            (m.cardinality, m.reference, sorted(m.bank_line_ids.mapped("gross")))
            for m in run.match_ids.filtered(lambda m: m.kind == "payout")
        )
        self.assertEqual(
            matches,
            [
                ("1:1", "2024-03-01", [100.0]),
                ("1:N", "2024-03-04", [150.0, 250.0]),
                ("N:1", "2024-03-02, 2024-03-03", [500.0]),
            ],
        )
        found = sorted((d.kind, d.reference, d.expected_amount, d.actual_amount) for d in run.difference_ids)
        self.assertEqual(
            found,
            [
                ("missing_payout", "2024-03-05", 70.0, 0.0),
                ("payout_mismatch", "2024-03-06", 90.0, 85.0),
                ("timing", "2024-03-07", 33.0, 33.0),
            ],
        )
        links = {m.reference: len(m.channel_line_ids) for m in run.match_ids}
        self.assertEqual(links, {"2024-03-01": 1, "2024-03-04": 1, "2024-03-02, 2024-03-03": 2})

    def test_run_again_keeps_the_work_done_on_payout_differences(self):
        run = self.env["ecom.reconcile.run"].browse(
            self.env["ecom.reconcile.run"].run_reconciliation(self.shop.ids, "2024-03-01", "2024-03-07")[
                "run_id"
            ]
        )
        accountant = self.users["accountant"]
        missing = run.difference_ids.filtered(lambda d: d.kind == "missing_payout").with_user(accountant)
        missing.action_assign_to_me()
        mismatch = run.difference_ids.filtered(lambda d: d.kind == "payout_mismatch").with_user(accountant)
        mismatch.action_assign_to_me()
        mismatch.message_post(body="The bank kept 5.00 as a fee.")
        matches = run.match_ids
        # a late channel line of day 6: its settlement changes, nothing else does
        self._lines(self.shop, "wechat_fund", [(at(6, 15), "sale", 1.0, 0.0, False, "")])
        run.with_user(accountant).action_run_full()
        run.invalidate_recordset()
        self.assertEqual(run.match_ids, matches, "the matched payouts stay as they were")
        self.assertEqual((missing.exists().user_id, missing.state), (accountant, "assigned"))
        new = run.difference_ids.filtered(lambda d: d.kind == "payout_mismatch")
        self.assertNotEqual(new, mismatch)
        self.assertEqual((new.expected_amount, new.actual_amount), (91.0, 85.0))
        self.assertEqual((new.user_id, new.state), (accountant, "assigned"))
        self.assertEqual(len(new.channel_line_ids), 2)
        # the one it replaces, worked on, is kept archived with its comments
        mismatch.invalidate_recordset()
        self.assertEqual((mismatch.exists(), mismatch.active), (mismatch, False))
        self.assertIn("The bank kept 5.00 as a fee.", " ".join(mismatch.sudo().message_ids.mapped("body")))
        self.assertIn(f"#{mismatch.id}", " ".join(new.message_ids.mapped("body")))


@tagged("post_install", "-at_install")
class TestReconcileAccess(ReconcileCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._order(cls.shop_own, "A1", 10.0, at(1))
        cls._order(cls.shop_colleague, "B1", 20.0, at(1))
        result = cls.env["ecom.reconcile.run"].run_reconciliation(
            (cls.shop_own | cls.shop_colleague).ids, "2024-03-01", "2024-03-07"
        )
        cls.run_record = cls.env["ecom.reconcile.run"].browse(result["run_id"])

    def test_shop_operator_sees_own_shops_differences_only(self):
        operator = self.users["shop_operator"]
        differences = self.env["ecom.reconcile.difference"].with_user(operator).search([])
        self.assertEqual(differences.shop_id, self.shop_own)
        self.assertEqual(differences.mapped("reference"), ["A1"])
        with self.assertRaises(AccessError):
            self.env["ecom.reconcile.run"].with_user(operator).run_reconciliation(
                self.shop_own.ids, "2024-03-01", "2024-03-07"
            )

    def test_auditor_reads_everything_and_changes_nothing(self):
        auditor = self.users["auditor"]
        differences = self.env["ecom.reconcile.difference"].with_user(auditor).search([])
        self.assertEqual(differences.shop_id, self.shop_own | self.shop_colleague)
        with self.assertRaises(AccessError):
            differences[0].with_user(auditor).action_assign_to_me()
        with self.assertRaises(AccessError):
            self.run_record.with_user(auditor).action_run()

    def test_workflow_assign_resolve_and_write_off(self):
        accountant = self.users["accountant"]
        difference = self.run_record.difference_ids.filtered(lambda d: d.reference == "B1").with_user(
            accountant
        )
        difference.action_assign_to_me()
        self.assertEqual((difference.state, difference.user_id), ("assigned", accountant))
        with self.assertRaises(UserError):
            difference.action_resolve()  # no explanation yet
        difference.resolution = "Paid by bank transfer outside WeChat Pay"
        with self.assertRaises(UserError):
            difference.action_write_off()  # Finance Managers only
        difference.action_resolve()
        self.assertEqual(difference.state, "resolved")
        difference.action_reopen()
        manager = self.users["manager"]
        with self.assertRaisesRegex(UserError, "needs an approved request"):
            difference.with_user(manager).action_write_off()
        difference.with_user(manager).action_request_write_off()
        request = self.env["ecom.approval.request"].search(
            [("res_model", "=", difference._name), ("res_id", "=", difference.id)]
        )
        request.with_user(accountant).action_approve()
        difference.with_user(manager).action_write_off()
        self.assertEqual(difference.state, "written_off")
        self.assertEqual(request.state, "applied")

    def test_found_facts_and_write_off_are_not_writable_directly(self):
        difference = self.run_record.difference_ids[0]
        for role in ("accountant", "manager", "shop_operator"):
            user = self.users[role]
            record = difference.with_user(user)
            with self.subTest(role=role):
                if role == "shop_operator" and difference.shop_id != self.shop_own:
                    continue
                with self.assertRaises(AccessError):
                    record.write({"expected_amount": 0})
                with self.assertRaises(AccessError):
                    record.write({"state": "written_off"})
                with self.assertRaises(AccessError):
                    record.with_context(ecom_write_off_checked=True).write({"state": "written_off"})
        self.assertEqual(difference.state, "open")
