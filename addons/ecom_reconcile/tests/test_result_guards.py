# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Reconciliation results change only through their own actions, and nothing worked on is erased.

- a run never deletes a difference that a person worked on: it is archived, with its state,
  explanation and chatter, and a note saying why the run no longer finds it;
- a run's summary (counts, hashes, snapshots, state, job) is written by the run only;
- a difference's facts and workflow (state, resolved date, archive) change only through the run
  and the difference's own actions; matches only through the run;
- each action checks the caller's rights before anything else, and the views show a button only
  to the roles that may press it.
"""

from datetime import datetime

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_audit.approval import approved_change

from .common import ReconcileCase


def at(day, hour=10):
    return datetime(2024, 3, day, hour, 0)


class GuardCase(ReconcileCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.shop_colleague  # Douyin shop paid through WeChat Pay
        cls._order(cls.shop, "G1", 100.0, at(1))  # matched
        cls._order(cls.shop, "G2", 50.0, at(1))  # missing_payment
        cls._order(cls.shop, "G4", 80.0, at(2))  # amount_mismatch
        cls._order(cls.shop, "G5", 60.0, at(2))  # duplicate_payment
        cls._order(cls.shop_own, "A1", 10.0, at(1))  # missing_payment of the operator's shop
        cls._lines(
            cls.shop,
            "wechat_trade",
            [
                (at(1, 11), "sale", 100.0, 0.6, "G1", ""),
                (at(2, 11), "sale", 79.0, 0.47, "G4", ""),
                (at(2, 11), "sale", 60.0, 0.36, "G5", ""),
                (at(2, 12), "sale", 60.0, 0.36, "G5", ""),
            ],
        )
        cls.accountant = cls.users["accountant"]
        cls.operator = cls.users["shop_operator"]
        cls.manager = cls.users["manager"]
        cls.auditor = cls.users["auditor"]

    def _run(self, shops):
        Run = self.env["ecom.reconcile.run"].with_user(self.accountant)
        return Run.browse(Run.run_reconciliation(shops.ids, "2024-03-01", "2024-03-07")["run_id"])

    def _difference(self, run, reference):
        return run.difference_ids.filtered(lambda d: d.reference == reference)

    def _bodies(self, record):
        return " ".join(
            self.env["mail.message"]
            .search([("model", "=", record._name), ("res_id", "=", record.id)])
            .mapped("body")
        )


@tagged("post_install", "-at_install")
class TestWorkedOnDifferencesAreKept(GuardCase):
    def test_a_shop_taken_off_keeps_the_work_done_on_its_differences(self):
        run = self._run(self.shop | self.shop_own)
        mismatch = self._difference(run, "G4").with_user(self.accountant)
        mismatch.action_assign_to_me()
        mismatch.message_post(body="Checked with the buyer.")
        resolved = self._difference(run, "G5").with_user(self.accountant)
        resolved.resolution = "Second capture refunded by WeChat Pay."
        resolved.action_resolve()
        untouched = self._difference(run, "G2")
        run.with_user(self.accountant).shop_ids = self.shop_own
        run.with_user(self.accountant).action_run_full()
        run.invalidate_recordset()
        # the run's results are those of its shops
        self.assertFalse(run.difference_ids.filtered(lambda d: d.shop_id == self.shop))
        self.assertFalse(run.match_ids.filtered(lambda m: m.shop_id == self.shop))
        self.assertEqual(run.difference_count, 1)
        self.assertEqual(sum(run.counts.values()), 1)
        # never worked on: replaced as before
        self.assertFalse(untouched.exists())
        # worked on: kept, archived, as it was, with its comments and why it is no longer found
        for difference, state in ((mismatch, "assigned"), (resolved, "resolved")):
            difference.invalidate_recordset()
            self.assertTrue(difference.exists())
            self.assertEqual((difference.active, difference.state, difference.run_id), (False, state, run))
            self.assertIn("No longer found by", self._bodies(difference))
            self.assertIn("D-COL was taken off the run", self._bodies(difference))
        self.assertIn("Checked with the buyer.", self._bodies(mismatch))
        self.assertEqual(resolved.resolution, "Second capture refunded by WeChat Pay.")
        # an archived difference is kept as it is: its actions refuse it
        with self.assertRaisesRegex(UserError, "archived"):
            mismatch.action_resolve()
        # the run's report and the alerts read the live differences only
        self.assertNotIn(mismatch, run._report_open_differences())

    def test_a_written_off_difference_found_again_with_other_amounts_is_kept(self):
        run = self._run(self.shop)
        duplicate = self._difference(run, "G5")
        duplicate.with_user(self.accountant).resolution = "Two captures of G5; the second goes back."
        duplicate.with_user(self.manager).action_request_write_off()
        request = self.env["ecom.approval.request"].search(
            [("res_model", "=", duplicate._name), ("res_id", "=", duplicate.id)]
        )
        request.with_user(self.accountant).action_approve()
        duplicate.with_user(self.manager).action_write_off()
        duplicate.with_user(self.accountant).message_post(body="Written off with the month-end close.")
        missing = self._difference(run, "G2")
        # a third capture of G5 comes in, and G2 gets paid: G5's difference changes, G2's goes
        self._lines(
            self.shop,
            "wechat_trade",
            [(at(2, 13), "sale", 60.0, 0.36, "G5", ""), (at(1, 15), "sale", 50.0, 0.3, "G2", "")],
        )
        run.with_user(self.accountant).action_run_full()
        run.invalidate_recordset()
        self.assertFalse(missing.exists(), "never worked on: gone with the payment that arrived")
        duplicate.invalidate_recordset()
        self.assertTrue(duplicate.exists(), "written off: kept")
        self.assertEqual((duplicate.active, duplicate.state), (False, "written_off"))
        self.assertEqual(request.res_id, duplicate.id)
        self.assertIn("Written off with the month-end close.", self._bodies(duplicate))
        new = self._difference(run, "G5")
        self.assertEqual(len(new.channel_line_ids), 3)
        self.assertEqual((new.state, new.resolution), ("open", "Two captures of G5; the second goes back."))
        self.assertIn(f"#{duplicate.id}", self._bodies(new))
        self.assertIn(f"#{new.id}", self._bodies(duplicate))

    def test_a_run_holding_worked_on_differences_is_not_deleted(self):
        run = self._run(self.shop)
        self._difference(run, "G4").with_user(self.accountant).action_assign_to_me()
        with self.assertRaisesRegex(UserError, "worked on"):
            run.with_user(self.manager).unlink()
        untouched = self._run(self.shop_own)
        untouched.with_user(self.manager).unlink()
        self.assertFalse(untouched.exists())


@tagged("post_install", "-at_install")
class TestRunSummaryIsTheRuns(GuardCase):
    SUMMARY = {
        "counts": {"timing": 3},
        "matched_count": 99,
        "difference_count": 5,
        "inputs_hash": "f" * 64,
        "inputs_snapshot": [{"id": 1, "sha256": "0" * 64}],
        "rules_snapshot": [{"id": 1, "version": 1}],
        "executed_at": "2024-03-08 00:00:00",
        "clearing_reconciled_count": 5,
        "state": "done",
        "job_uuid": "d5f0e2b4-0000-4000-8000-000000000000",
    }

    def test_summary_fields_are_refused_to_accountants_everywhere(self):
        run = self._run(self.shop).with_user(self.accountant)
        before = (run.matched_count, run.difference_count, run.inputs_hash, run.counts)
        Run = self.env["ecom.reconcile.run"].with_user(self.accountant)
        for name, value in self.SUMMARY.items():
            with self.subTest(field=name):
                with self.assertRaises(AccessError):
                    run.write({name: value})
                with self.assertRaises(AccessError):
                    Run.create(
                        {
                            "shop_ids": [(6, 0, self.shop.ids)],
                            "date_from": "2024-03-01",
                            "date_to": "2024-03-07",
                            name: value,
                        }
                    )
                with self.assertRaises(AccessError):
                    run.sudo().write({name: value})
        run.invalidate_recordset()
        self.assertEqual((run.matched_count, run.difference_count, run.inputs_hash, run.counts), before)
        # load: refused too, nothing created
        with mute_logger("odoo.sql_db"):
            result = Run.load(
                ["shop_ids/.id", "date_from", "date_to", "matched_count"],
                [[str(self.shop.id), "2024-03-01", "2024-03-07", "42"]],
            )
        self.assertFalse(result["ids"])
        self.assertTrue(any(message["type"] == "error" for message in result["messages"]))
        # copy: a new draft run, nothing of the summary
        copy = run.copy()
        self.assertEqual(
            (copy.state, copy.matched_count, copy.difference_count, copy.inputs_hash, copy.counts),
            ("draft", 0, 0, False, False),
        )
        self.assertFalse(copy.executed_at or copy.inputs_snapshot or copy.rules_snapshot)
        # what the run writes itself still is written
        copy.action_run()
        self.assertEqual((copy.state, copy.matched_count), ("done", run.matched_count))

    def test_a_draft_run_is_created_as_the_web_client_does(self):
        run = (
            self.env["ecom.reconcile.run"]
            .with_user(self.accountant)
            .create(
                {
                    "shop_ids": [(6, 0, self.shop.ids)],
                    "date_from": "2024-03-01",
                    "date_to": "2024-03-07",
                    "state": "draft",
                    "matched_count": 0,
                }
            )
        )
        self.assertEqual(run.state, "draft")


@tagged("post_install", "-at_install")
class TestDifferenceChangesThroughItsActions(GuardCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Run = cls.env["ecom.reconcile.run"].with_user(cls.users["accountant"])
        cls.run_record = Run.browse(
            Run.run_reconciliation((cls.shop | cls.shop_own).ids, "2024-03-01", "2024-03-07")["run_id"]
        )
        cls.own = cls.run_record.difference_ids.filtered(lambda d: d.reference == "A1")
        cls.colleague = cls.run_record.difference_ids.filtered(lambda d: d.reference == "G4")

    def test_state_is_not_written_directly(self):
        for role, difference in (("shop_operator", self.own), ("accountant", self.colleague)):
            record = difference.with_user(self.users[role])
            for vals in (
                {"state": "resolved"},
                {"state": "resolved", "resolution": "fine"},
                {"state": "written_off"},
                {"state": "assigned"},
                {"resolved_date": "2024-03-08 00:00:00"},
                {"active": False},
                {"stage": "payout"},
            ):
                with self.subTest(role=role, vals=vals), self.assertRaises(AccessError):
                    record.write(vals)
            with self.subTest(role=role), self.assertRaises(AccessError):
                record.action_archive()
        # no context key and no superuser writes a state
        with self.assertRaises(AccessError):
            self.colleague.sudo().with_context(ecom_write_off_checked=True).write({"state": "resolved"})
        self.assertEqual((self.own.state, self.colleague.state), ("open", "open"))
        self.assertTrue(self.own.active and self.colleague.active)

    def test_differences_and_matches_are_not_created_copied_or_loaded(self):
        match = self.run_record.match_ids[:1]
        self.assertTrue(match)
        vals = {
            "run_id": self.run_record.id,
            "shop_id": self.shop.id,
            "company_id": self.company.id,
            "kind": "timing",
            "reference": "FAKE",
            "state": "resolved",
        }
        for role in ("shop_operator", "accountant", "manager"):
            user = self.users[role]
            Difference = self.env["ecom.reconcile.difference"].with_user(user)
            Match = self.env["ecom.reconcile.match"].with_user(user)
            with self.subTest(role=role):
                with self.assertRaises(AccessError):
                    Difference.create(vals)
                with self.assertRaises(AccessError):
                    Match.create({"run_id": self.run_record.id, "shop_id": self.shop.id, "kind": "payout"})
                with self.assertRaises(AccessError):
                    (self.own if role == "shop_operator" else self.colleague).with_user(user).copy()
                with self.assertRaises(AccessError):
                    match.with_user(user).write({"amount": 0.0})
                with mute_logger("odoo.sql_db"):
                    result = Difference.load(
                        ["run_id/.id", "shop_id/.id", "company_id/.id", "kind", "state"],
                        [
                            [
                                str(self.run_record.id),
                                str(self.shop.id),
                                str(self.company.id),
                                "timing",
                                "resolved",
                            ]
                        ],
                    )
                self.assertFalse(result["ids"])
        # not even as the superuser, outside the run
        with self.assertRaises(AccessError):
            self.env["ecom.reconcile.difference"].sudo().create(vals)
        with self.assertRaises(AccessError):
            self.env["ecom.reconcile.match"].sudo().create(
                {
                    "run_id": self.run_record.id,
                    "shop_id": self.shop.id,
                    "company_id": self.company.id,
                    "kind": "payout",
                }
            )
        with self.assertRaises(AccessError):
            match.sudo().write({"amount": 0.0})
        self.assertFalse(self.env["ecom.reconcile.difference"].search([("reference", "=", "FAKE")]))

    def test_the_actions_still_close_a_difference(self):
        own = self.own.with_user(self.operator)
        own.action_assign_to_me()
        own.resolution = "Paid by bank transfer."
        own.action_resolve()
        self.assertEqual((own.state, own.user_id), ("resolved", self.operator))
        # closed: its explanation and assignee stay as they were closed
        with self.assertRaises(AccessError):
            own.write({"resolution": "Something else."})
        with self.assertRaises(AccessError):
            own.action_reopen()  # an accountant reopens
        own.with_user(self.accountant).action_reopen()
        self.assertEqual(own.state, "open")
        colleague = self.colleague.with_user(self.accountant)
        colleague.resolution = "Written off: 1.00 short."
        with self.assertRaises(AccessError):
            colleague.action_request_write_off()  # Finance Managers
        colleague.with_user(self.manager).action_request_write_off()
        request = self.env["ecom.approval.request"].search(
            [("res_model", "=", colleague._name), ("res_id", "=", colleague.id)]
        )
        request.with_user(self.accountant).action_approve()
        colleague.with_user(self.manager).action_write_off()
        self.assertEqual(colleague.state, "written_off")
        with self.assertRaises(AccessError):
            colleague.action_reopen()  # a write-off is undone by a Finance Manager
        colleague.with_user(self.manager).action_reopen()
        self.assertEqual(colleague.state, "open")
        # the engine path still writes (the run's own code)
        with approved_change():
            colleague.sudo().write({"state": "assigned", "user_id": self.accountant.id})
        self.assertEqual(colleague.state, "assigned")

    def test_actions_check_the_callers_rights_first(self):
        Difference = self.env["ecom.reconcile.difference"]
        Alert = self.env["ecom.reconcile.alert"]
        empty_difference = Difference.with_user(self.auditor)
        for method in (
            "action_assign_to_me",
            "action_resolve",
            "action_reopen",
            "action_request_write_off",
            "action_write_off",
        ):
            with self.subTest(method=method):
                # an empty recordset: refused for the role, not silently done
                with self.assertRaises(AccessError):
                    getattr(empty_difference, method)()
                with self.assertRaises(AccessError):
                    getattr(self.colleague.with_user(self.auditor), method)()
                # a Shop Operator: not on another shop's difference
                with self.assertRaises(AccessError):
                    getattr(self.colleague.with_user(self.operator), method)()
        for method in ("action_request_write_off", "action_write_off"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(Difference.with_user(self.accountant), method)()
        with self.assertRaises(AccessError):
            Alert.with_user(self.auditor).action_done()
        for method in (
            "action_run",
            "action_run_full",
            "action_reconcile_clearing",
            "action_run_in_background",
        ):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(self.env["ecom.reconcile.run"].with_user(self.auditor), method)()


@tagged("post_install", "-at_install")
class TestButtonsByRole(GuardCase):
    def _buttons(self, model, view_type, user):
        arch = self.env[model].with_user(user).get_views([(False, view_type)])["views"][view_type]["arch"]
        return {button.get("name") for button in etree.fromstring(arch).iter("button")}

    def test_each_role_sees_the_buttons_it_may_use(self):
        workflow = {"action_assign_to_me", "action_resolve"}
        closing = {"action_request_write_off", "action_write_off"}
        reopen = {"action_reopen"}
        form = "ecom.reconcile.difference"
        self.assertFalse(self._buttons(form, "form", self.auditor) & (workflow | closing | reopen))
        self.assertEqual(self._buttons(form, "form", self.operator) & (workflow | closing | reopen), workflow)
        self.assertEqual(
            self._buttons(form, "form", self.accountant) & (workflow | closing | reopen),
            workflow | {"action_reopen"},
        )
        self.assertEqual(
            self._buttons(form, "form", self.manager) & (workflow | closing | reopen),
            workflow | closing | reopen,
        )
        self.assertNotIn("action_done", self._buttons("ecom.reconcile.alert", "kanban", self.auditor))
        self.assertIn("action_done", self._buttons("ecom.reconcile.alert", "kanban", self.operator))
        run_buttons = {
            "action_run",
            "action_run_full",
            "action_run_in_background",
            "action_reconcile_clearing",
        }
        self.assertFalse(self._buttons("ecom.reconcile.run", "form", self.auditor) & run_buttons)
        self.assertFalse(self._buttons("ecom.reconcile.run", "form", self.operator) & run_buttons)
