# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Suggested matches on real data: a run leaves orders and payment lines whose references do
not meet; ``suggest`` proposes them with reasons, ``accept_suggestion`` makes the match (a gap
beyond the tolerance still goes through the write-off), ``reject_suggestion`` keeps the
rejection, Reopen undoes an acceptance, and the weights are learned from the decisions."""

import re
from datetime import datetime
from xmlrpc.client import Fault

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_reconcile.engine import suggestions

from ecomfin import suggest as core

from .common import ReconcileCase

ACCESS_ERROR = 4  # the fault code of an odoo.exceptions.AccessError over XML-RPC
DIFFERENCE = "ecom.reconcile.difference"
REFUSED = ("auditor", "shop_operator", "warehouse_operator")


def at(day, hour=10, minute=0):
    return datetime(2024, 3, day, hour, minute)


class SuggestCase(ReconcileCase):
    """Orders of the Douyin shop (WeChat Pay) whose payments lost their order numbers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        shop = cls.shop = cls.shop_colleague
        order = cls._order
        order(shop, "M1", 50.0, at(1, 9))  # matched: the channel's usual fee is 0.6 %
        order(shop, "M2", 80.0, at(1, 9))
        cls.lost = order(shop, "S1", 100.0, at(1))  # paid 3 minutes later under "LOST1"
        cls.net = order(shop, "S2", 200.0, at(2))  # paid net of an unannounced fee under "LOST2"
        for n in range(6):  # six more for the learning
            order(shop, f"L{n}", 30.0 + n, at(3 + n % 3, 8 + n))
        rows = [
            (at(1, 9, 5), "sale", 50.0, 0.30, "M1", ""),
            (at(1, 9, 5), "sale", 80.0, 0.48, "M2", ""),
            (at(1, 10, 3), "sale", 100.0, 0.60, "LOST1", ""),
            (at(2, 11), "sale", 198.80, 0.0, "LOST2", ""),
        ]
        rows += [
            (at(3 + n % 3, 8 + n, 10), "sale", 30.0 + n, round((30 + n) * 0.006, 2), f"LX{n}", "")
            for n in range(6)
        ]
        cls._lines(shop, "wechat_trade", rows)
        run_id = (
            cls.env["ecom.reconcile.run"]
            .with_user(cls.users["accountant"])
            .run_reconciliation(shop.ids, "2024-03-01", "2024-03-07")["run_id"]
        )
        cls.recon_run = cls.env["ecom.reconcile.run"].browse(run_id)
        differences = cls.recon_run.difference_ids
        cls.unpaid = {d.reference: d for d in differences if d.kind == "missing_payment"}
        cls.unknown = {d.reference: d for d in differences if d.kind == "missing_order"}

    def suggest(self, difference, user="accountant"):
        Difference = self.env[DIFFERENCE].with_user(self.users[user])
        return Difference.suggest(difference.ids)[str(difference.id)]

    def line(self, ref):
        return self.env["ecom.statement.line"].search([("merchant_order_ref", "=", ref)])


@tagged("post_install", "-at_install")
class TestSuggest(SuggestCase):
    def test_the_run_leaves_what_suggestions_are_for(self):
        self.assertEqual(set(self.unpaid), {"S1", "S2", *(f"L{n}" for n in range(6))})
        self.assertEqual(set(self.unknown), {"LOST1", "LOST2", *(f"LX{n}" for n in range(6))})
        self.assertEqual(set(self.recon_run.suggestion_models), {str(self.shop.id)})
        self.assertEqual(self.recon_run.suggestion_models[str(self.shop.id)], core.DEFAULT_MODEL.version)

    def test_a_payment_that_lost_its_order_number(self):
        found = self.suggest(self.unpaid["S1"])
        self.assertTrue(found)
        best = found[0]
        self.assertEqual(set(best), {"line_ids", "order_ids", "confidence", "reasons"})
        self.assertEqual(best["line_ids"], self.line("LOST1").ids)
        self.assertEqual(best["order_ids"], self.lost.ids)
        self.assertGreater(best["confidence"], 0.5)
        self.assertLessEqual(best["confidence"], 1.0)
        self.assertIn("same amount (100.00)", best["reasons"])
        self.assertIn("3 min apart", best["reasons"])
        confidences = [s["confidence"] for s in found]
        self.assertEqual(confidences, sorted(confidences, reverse=True))
        # the other side proposes the order for the lines
        back = self.suggest(self.unknown["LOST1"])
        self.assertEqual(back[0]["order_ids"], self.lost.ids)
        self.assertEqual(back[0]["line_ids"], self.line("LOST1").ids)

    def test_a_payment_net_of_an_unannounced_fee(self):
        found = self.suggest(self.unpaid["S2"])
        self.assertEqual(found[0]["line_ids"], self.line("LOST2").ids)
        self.assertTrue(
            any("after the channel's usual fee of 0.60%" in reason for reason in found[0]["reasons"]),
            found[0]["reasons"],
        )

    def test_matched_lines_and_closed_differences_get_no_suggestions(self):
        for found in (
            self.env[DIFFERENCE]
            .with_user(self.users["accountant"])
            .suggest(self.recon_run.difference_ids.ids)
            .values()
        ):
            for suggestion in found:
                self.assertNotIn(self.line("M1").id, suggestion["line_ids"])
        matched = self.recon_run.match_ids.filtered(lambda m: m.kind == "order_payment")
        self.assertEqual(sorted(matched.mapped("reference")), ["M1", "M2"])

    def test_accept_makes_the_match_and_resolves_both_sides(self):
        difference, other = self.unpaid["S1"], self.unknown["LOST1"]
        Difference = self.env[DIFFERENCE].with_user(self.users["accountant"])
        result = Difference.accept_suggestion(difference.id, 0)
        match = self.env["ecom.reconcile.match"].browse(result["match_id"])
        self.assertEqual(match.order_id, self.lost)
        self.assertEqual(match.channel_line_ids, self.line("LOST1"))
        self.assertEqual(match.run_id, self.recon_run)
        self.assertAlmostEqual(match.residual, 0.0)
        self.assertEqual((difference.state, other.state), ("resolved", "resolved"))
        self.assertIn("Matched by an accepted suggestion", difference.resolution)
        self.assertIn("same amount (100.00)", difference.resolution)
        decision = self.env["ecom.reconcile.suggestion.decision"].browse(result["decision_id"])
        self.assertEqual(decision.decision, "accepted")
        self.assertEqual(decision.user_id, self.users["accountant"])
        self.assertEqual(decision.model_version, core.DEFAULT_MODEL.version)
        self.assertEqual(len(decision.features), len(core.FEATURES))
        self.assertEqual(decision.closed_difference_ids, difference | other)
        # audited: the state change is tracked, the reasons are in the chatter
        self.assertTrue(
            difference.message_ids.filtered(lambda m: "accepted suggestion" in (m.body or "")),
        )
        self.env.cr.precommit.run()  # the tracking is written before the commit
        tracked = difference.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "state")
        self.assertEqual(tracked.mapped("new_value_char"), ["Resolved"])
        self.assertEqual(tracked.mail_message_id.author_id, self.users["accountant"].partner_id)
        self.assertEqual(self.suggest(difference), [])
        # a run again keeps the match a person made
        self.recon_run.with_user(self.users["accountant"]).action_run_full()
        self.assertTrue(match.exists())
        self.assertEqual(difference.state, "resolved")

    def test_reopen_undoes_an_acceptance(self):
        difference, other = self.unpaid["S1"], self.unknown["LOST1"]
        accountant = self.users["accountant"]
        result = self.env[DIFFERENCE].with_user(accountant).accept_suggestion(difference.id, 0)
        difference.with_user(accountant).action_reopen()
        self.assertFalse(self.env["ecom.reconcile.match"].browse(result["match_id"]).exists())
        self.assertEqual((difference.state, other.state), ("open", "open"))
        self.assertTrue(self.env["ecom.reconcile.suggestion.decision"].browse(result["decision_id"]).undone)
        self.assertEqual(self.suggest(difference)[0]["line_ids"], self.line("LOST1").ids)

    def test_a_gap_beyond_the_tolerance_goes_through_the_write_off(self):
        difference = self.unpaid["S2"]
        accountant, manager = self.users["accountant"], self.users["manager"]
        result = self.env[DIFFERENCE].with_user(accountant).accept_suggestion(difference.id, 0)
        self.assertEqual(result["state"], "assigned")
        self.assertEqual(difference.user_id, accountant)
        self.assertIn("A gap of -1.20 remains", difference.resolution)
        with self.assertRaisesRegex(UserError, "written off"):
            difference.with_user(accountant).action_resolve()
        self.assertEqual(difference.state, "assigned")
        # the write-off needs its approval, as any other
        with self.assertRaises(UserError):
            difference.with_user(manager).action_write_off()
        difference.with_user(manager).action_request_write_off()
        request = self.env["ecom.approval.request"].search(
            [("res_model", "=", DIFFERENCE), ("res_id", "=", difference.id), ("state", "=", "pending")]
        )
        self.assertEqual(len(request), 1)
        # and Reopen undoes it while it is open
        difference.with_user(accountant).action_reopen()
        self.assertEqual(difference.state, "open")
        self.assertFalse(self.env["ecom.reconcile.match"].browse(result["match_id"]).exists())

    def test_reject_is_kept_and_not_suggested_again(self):
        difference = self.unpaid["S1"]
        before = self.suggest(difference)
        decision_id = (
            self.env[DIFFERENCE].with_user(self.users["accountant"]).reject_suggestion(difference.id, 0)
        )
        decision = self.env["ecom.reconcile.suggestion.decision"].browse(decision_id)
        self.assertEqual(decision.decision, "rejected")
        self.assertEqual(decision.line_ids, before[0]["line_ids"])
        self.assertEqual(difference.state, "open")
        after = self.suggest(difference)
        self.assertNotIn(before[0]["line_ids"], [s["line_ids"] for s in after])
        with self.assertRaisesRegex(UserError, "no suggestion number 7"):
            self.env[DIFFERENCE].with_user(self.users["accountant"]).accept_suggestion(difference.id, 7)
        # what the caller saw is checked: the suggestions changed since the first list
        with self.assertRaisesRegex(UserError, "changed since they were shown"):
            self.env[DIFFERENCE].with_user(self.users["accountant"]).accept_suggestion(
                difference.id, 0, before[0]["line_ids"], before[0]["order_ids"]
            )
        self.assertEqual(difference.state, "open")

    def test_roles(self):
        difference = self.unpaid["S1"]
        for role in REFUSED:
            Difference = self.env[DIFFERENCE].with_user(self.users[role])
            for call in (
                lambda D=Difference: D.suggest(difference.ids),
                lambda D=Difference: D.accept_suggestion(difference.id, 0),
                lambda D=Difference: D.reject_suggestion(difference.id, 0),
            ):
                with self.subTest(role=role), self.assertRaises(AccessError):
                    call()
        self.assertEqual(difference.state, "open")
        self.assertFalse(self.env["ecom.reconcile.suggestion.decision"].search([]))
        self.assertTrue(self.suggest(difference, "manager"))
        decision_id = (
            self.env[DIFFERENCE].with_user(self.users["manager"]).reject_suggestion(difference.id, 0)
        )
        decision = self.env["ecom.reconcile.suggestion.decision"].browse(decision_id)
        for role in ("accountant", "manager", "auditor"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                decision.with_user(self.users[role]).write({"decision": "accepted"})
            with self.subTest(role=role), self.assertRaises(AccessError):
                decision.with_user(self.users[role]).unlink()
        self.assertEqual(decision.decision, "rejected")
        self.assertEqual(
            decision.with_user(self.users["auditor"]).read(["decision"])[0]["decision"], "rejected"
        )
        with self.assertRaises(AccessError):
            decision.with_user(self.users["shop_operator"]).read(["decision"])
        Decision = self.env["ecom.reconcile.suggestion.decision"].with_user(self.users["accountant"])
        with self.assertRaises(AccessError):
            Decision.create(
                {
                    "shop_id": self.shop.id,
                    "company_id": self.shop.company_id.id,
                    "channel": "x",
                    "decision": "accepted",
                }
            )
        with self.assertRaises(AccessError):
            self.env["ecom.reconcile.suggestion.model"].with_user(self.users["manager"]).create(
                {
                    "shop_id": self.shop.id,
                    "company_id": self.shop.company_id.id,
                    "channel": "x",
                    "version": "v",
                    "weights": {},
                }
            )

    def test_learning_from_decisions(self):
        accountant = self.users["accountant"]
        Difference = self.env[DIFFERENCE].with_user(accountant)
        for n in range(6):
            difference = self.unpaid[f"L{n}"]
            found = self.suggest(difference)
            self.assertEqual(found[0]["line_ids"], self.line(f"LX{n}").ids, n)
            if n % 2:
                Difference.reject_suggestion(difference.id, 0)
            else:
                Difference.accept_suggestion(difference.id, 0)
        Model = self.env["ecom.reconcile.suggestion.model"]
        added = Model._fit(self.shop)
        self.assertEqual(len(added), 1)
        self.assertEqual(added.decision_count, 6)
        self.assertNotEqual(added.version, core.DEFAULT_MODEL.version)
        self.assertTrue(re.fullmatch(r"sg1-[0-9a-f]{16}", added.version))
        self.assertEqual(core.Model(added.weights).version, added.version)
        self.assertFalse(Model._fit(self.shop), "the same decisions fit the same weights: no new version")
        # the run made before keeps the defaults; a new run takes the learned weights
        self.assertEqual(Model._for_difference(self.unpaid["S1"]), Model.browse())
        run_id = (
            self.env["ecom.reconcile.run"]
            .with_user(accountant)
            .run_reconciliation(self.shop.ids, "2024-03-01", "2024-03-07")["run_id"]
        )
        run = self.env["ecom.reconcile.run"].browse(run_id)
        self.assertEqual(run.suggestion_models[str(self.shop.id)], added.version)
        new = run.difference_ids.filtered(lambda d: d.reference == "S1" and d.kind == "missing_payment")
        Difference.reject_suggestion(new.id, 0)
        decision = self.env["ecom.reconcile.suggestion.decision"].search([("difference_id", "=", new.id)])
        self.assertEqual(decision.model_version, added.version)

    def test_reason_texts_are_the_cores(self):
        texts = suggestions.reason_texts(self.env)
        self.assertEqual(set(texts), set(core.REASON_TEXTS))
        placeholders = re.compile(r"%\((\w+)\)s")
        for code, text in texts.items():
            self.assertEqual(text, core.REASON_TEXTS[code])
            self.assertEqual(placeholders.findall(text), placeholders.findall(core.REASON_TEXTS[code]))


@tagged("post_install", "-at_install")
class TestSuggestRpc(HttpCase, SuggestCase):
    def call(self, role, method, *args):
        user = self.users[role]
        db = self.env.cr.dbname
        uid = self.xmlrpc_common.authenticate(db, user.login, user.login, {})
        return self.xmlrpc_object.execute_kw(db, uid, user.login, DIFFERENCE, method, list(args), {})

    def test_suggest_over_xmlrpc_per_role(self):
        difference = self.unpaid["S1"]
        for role in ("accountant", "manager"):
            found = self.call(role, "suggest", difference.ids)
            self.assertEqual(list(found), [str(difference.id)])
            self.assertEqual(found[str(difference.id)][0]["line_ids"], self.line("LOST1").ids)
        for role in REFUSED:
            with (
                self.subTest(role=role),
                mute_logger("odoo.http", "odoo.addons.ecom_audit"),
                self.assertRaises(Fault) as info,
            ):
                self.call(role, "suggest", difference.ids)
            self.assertEqual(info.exception.faultCode, ACCESS_ERROR, info.exception.faultString)
        result = self.call("accountant", "accept_suggestion", difference.id, 0)
        self.assertEqual(result["state"], "resolved")


@tagged("post_install", "-at_install")
class TestSuggestDialog(SuggestCase):
    def test_the_suggestions_button(self):
        difference = self.unpaid["S1"].with_user(self.users["accountant"])
        action = difference.action_suggestions()
        wizard = self.env[action["res_model"]].with_user(self.users["accountant"]).browse(action["res_id"])
        self.assertEqual(wizard.line_ids[0].statement_line_ids, self.line("LOST1"))
        self.assertIn("same amount (100.00)", wizard.line_ids[0].reasons)
        # Reject shows the dialog again without it
        again = wizard.line_ids[0].action_reject()
        other = self.env[again["res_model"]].with_user(self.users["accountant"]).browse(again["res_id"])
        self.assertNotIn(self.line("LOST1"), other.line_ids.statement_line_ids)
        for role in REFUSED:
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.unpaid["S1"].with_user(self.users[role]).action_suggestions()
        # Accept on the dialog of the other side's difference
        action = self.unknown["LOST1"].with_user(self.users["accountant"]).action_suggestions()
        wizard = self.env[action["res_model"]].with_user(self.users["accountant"]).browse(action["res_id"])
        self.assertEqual(wizard.line_ids[0].order_ids, self.lost)
        wizard.line_ids[0].action_accept()
        self.assertEqual(self.unknown["LOST1"].state, "resolved")
        self.assertEqual(self.unpaid["S1"].state, "resolved")


@tagged("post_install", "-at_install")
class TestSuggestTour(HttpCase, SuggestCase):
    def test_accountant_accepts_a_suggestion(self):
        difference = self.unpaid["S1"]
        self.start_tour(
            f"/odoo/action-ecom_reconcile.ecom_reconcile_difference_action/{difference.id}",
            "ecom_reconcile_suggest_tour",
            login=self.users["accountant"].login,
        )
        self.assertEqual(difference.state, "resolved")
        self.assertEqual(self.unknown["LOST1"].state, "resolved")
        match = self.env["ecom.reconcile.match"].search([("order_id", "=", self.lost.id)])
        self.assertEqual(match.channel_line_ids, self.line("LOST1"))
