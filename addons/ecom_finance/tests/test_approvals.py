# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from xmlrpc.client import Fault

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_audit.tests.common import make_role_user

INJECTED = {
    "tracking_disable": True,
    "check_move_validity": False,
    "ecom_approved": True,
    "install_mode": True,
    "skip_ecom_approval": True,
}


class ApprovalSetup:
    @classmethod
    def _setup(cls, prefix):
        cls.company = cls.env.ref("base.demo_company_ecom")
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.tmall = cls.env.ref("ecom_finance.demo_shop_tmall")
        cls.accountant = make_role_user(cls.env, "accountant", cls.company, login=f"{prefix}_accountant")
        cls.manager = make_role_user(cls.env, "manager", cls.company, login=f"{prefix}_manager")
        cls.manager2 = make_role_user(cls.env, "manager", cls.company, login=f"{prefix}_manager2")
        cls.rules = cls.env["ecom.posting.rule"]._rules_for(cls.tmall)

    @classmethod
    def _manual_entry(cls, user, amount=100.0, journal=None):
        return (
            cls.env["account.move"]
            .with_user(user)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": (journal or cls.tmall.journal_id).id,
                    "date": "2024-03-31",
                    "ref": "Manual correction",
                    "line_ids": [
                        Command.create(
                            {"account_id": cls.rules["commission"].account_id.id, "debit": amount}
                        ),
                        Command.create({"account_id": cls.tmall.clearing_account_id.id, "credit": amount}),
                    ],
                }
            )
        )


@tagged("post_install", "-at_install")
class TestApprovals(ApprovalSetup, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup("ecom_appr")

    def _request(self, request_id):
        return self.env["ecom.approval.request"].browse(request_id)

    def test_posting_rule_change_applied_only_after_approval(self):
        rule = self.rules["commission"]
        old_account = rule.account_id
        new_account = self.rules["service_fee"].account_id
        Rule = self.env["ecom.posting.rule"]
        for context in ({}, INJECTED):
            with self.subTest(context=context):
                with self.assertRaises(UserError):
                    rule.with_user(self.manager).with_context(**context).write({"account_id": new_account.id})
                with self.assertRaises(UserError):
                    Rule.with_user(self.manager).with_context(**context).create(
                        {
                            "company_id": self.company.id,
                            "event_type": "commission",
                            "shop_id": self.tmall.id,
                            "account_id": new_account.id,
                        }
                    )
                with self.assertRaises(UserError):
                    rule.with_user(self.manager).with_context(**context).unlink()
        with self.assertRaises(AccessError):
            rule.with_user(self.accountant).ecom_request_write({"account_id": new_account.id})
        [request_id] = rule.with_user(self.manager).ecom_request_write({"account_id": new_account.id})
        request = self._request(request_id)
        self.assertEqual((request.operation, request.state), ("posting_rule_change", "pending"))
        self.assertEqual(rule.account_id, old_account, "nothing changes before the approval")
        with self.assertRaises(AccessError):
            request.with_user(self.manager).action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.accountant).action_approve()  # rule changes: Finance Managers
        request.with_user(self.manager2).action_approve()
        self.assertEqual(request.state, "applied")
        self.assertEqual(request.line_ids.mapped("decision"), ["approve"])
        self.assertEqual(rule.account_id, new_account)
        # a new rule and a deletion, the same way
        request = self._request(
            Rule.with_user(self.manager).ecom_request_create(
                {
                    "company_id": self.company.id,
                    "shop_id": self.tmall.id,
                    "event_type": "commission",
                    "account_id": old_account.id,
                }
            )
        )
        request.with_user(self.manager2).action_approve()
        shop_rule = Rule.browse(request.res_id)
        self.assertEqual((shop_rule.shop_id, shop_rule.account_id), (self.tmall, old_account))
        self._request(shop_rule.with_user(self.manager).ecom_request_unlink()[0]).with_user(
            self.manager2
        ).action_approve()
        self.assertFalse(shop_rule.exists())

    def test_saving_the_form_asks_for_the_change(self):
        """What the web client does on Save (``web_save``), New and Archive, as a Finance Manager."""
        rule = self.rules["commission"]
        old_account = rule.account_id
        new_account = self.rules["service_fee"].account_id
        Rule = self.env["ecom.posting.rule"].with_user(self.manager)
        spec = {"account_id": {"fields": {"display_name": {}}}, "active": {}}
        [shown] = rule.with_user(self.manager).web_save({"account_id": new_account.id}, spec)
        self.assertEqual(shown["account_id"]["id"], old_account.id, "the form shows the rule as it still is")
        request = self.env["ecom.approval.request"].search(
            [("res_model", "=", "ecom.posting.rule"), ("res_id", "=", rule.id), ("state", "=", "pending")]
        )
        self.assertEqual(
            (request.requester_id, request.substance["vals"]), (self.manager, {"account_id": new_account.id})
        )
        request.with_user(self.manager2).action_approve()
        self.assertEqual(rule.account_id, new_account)
        # a new rule is saved archived, without effect, and its activation asked for
        vals = {"company_id": self.company.id, "shop_id": self.tmall.id, "event_type": "commission"}
        [created] = Rule.web_save({**vals, "account_id": old_account.id}, spec)
        new_rule = Rule.browse(created["id"])
        self.assertFalse(new_rule.active)
        self.assertEqual(Rule._rules_for(self.tmall)["commission"], rule)
        [activation] = self.env["ecom.approval.request"].search(
            [("res_model", "=", "ecom.posting.rule"), ("res_id", "=", new_rule.id)]
        )
        # the proposal cannot be activated, nor changed, but through the request
        for change in ({"active": True}, {"account_id": new_account.id}):
            with self.assertRaises(UserError):
                new_rule.write(change)
        with self.assertRaises(AccessError):
            activation.with_user(self.manager).action_approve()
        activation.with_user(self.manager2).action_approve()
        self.assertTrue(new_rule.active)
        self.assertEqual(Rule._rules_for(self.tmall)["commission"], new_rule)
        # archiving asks too; an Accountant may ask for none of it
        new_rule.with_user(self.manager).action_archive()
        self.assertTrue(new_rule.active)
        for call in (
            lambda: new_rule.with_user(self.accountant).web_save({"account_id": new_account.id}, spec),
            lambda: self.env["ecom.posting.rule"].with_user(self.accountant).web_save(vals, spec),
            lambda: new_rule.with_user(self.accountant).action_archive(),
        ):
            with self.assertRaises(AccessError):
                call()

    def test_rule_changed_after_the_request_voids_it(self):
        rule = self.rules["commission"]
        new_account = self.rules["service_fee"].account_id
        [request_id] = rule.with_user(self.manager).ecom_request_write({"account_id": new_account.id})
        request = self._request(request_id)
        # the rule changes meanwhile (another approved change): what was asked no longer holds
        rule.write({"partner_id": self.tmall.partner_id.id, "account_id": self.rules["refund"].account_id.id})
        self.assertEqual(request.state, "cancelled")
        with self.assertRaises(UserError):
            request.with_user(self.manager2).action_approve()
        self.assertEqual(rule.account_id, self.rules["refund"].account_id)

    def test_manual_entry_on_the_shop_journal_needs_approval(self):
        move = self._manual_entry(self.accountant)
        self.assertTrue(move.ecom_manual_entry)
        for context in ({}, INJECTED):
            with self.subTest(context=context), self.assertRaises(UserError):
                move.with_user(self.accountant).with_context(**context).action_post()
        with self.assertRaises(UserError):
            move.with_context(**INJECTED).action_post()  # not even the superuser
        move.with_user(self.accountant).action_ecom_request_post()
        request = self.env["ecom.approval.request"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", move.id)]
        )
        self.assertEqual((request.operation, request.state), ("manual_entry", "pending"))
        with self.assertRaises(AccessError):
            request.with_user(self.accountant).action_approve()
        request.with_user(self.manager).action_approve()
        self.assertEqual(request.state, "approved")
        # edited after the approval: the approval is void, posting is refused
        move.with_user(self.accountant).write(
            {
                "line_ids": [
                    Command.update(line.id, {"debit": line.debit * 10, "credit": line.credit * 10})
                    for line in move.line_ids
                ]
            }
        )
        self.assertEqual(request.state, "cancelled")
        with self.assertRaises(UserError):
            move.with_user(self.accountant).action_post()
        # asked again for what it is now, approved by someone else: it posts, once
        move.with_user(self.accountant).action_ecom_request_post()
        again = self.env["ecom.approval.request"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", move.id), ("state", "=", "pending")]
        )
        self.assertEqual(again.amount, 1000.0)
        again.with_user(self.manager).action_approve()
        move.with_user(self.accountant).action_post()
        self.assertEqual((move.state, again.state), ("posted", "applied"))

    def test_two_levels_above_the_threshold(self):
        self.env["ecom.approval.threshold"].with_user(self.manager).create(
            {"company_id": self.company.id, "operation": "manual_entry", "two_levels_above": 500.0}
        )
        small = self._manual_entry(self.accountant, 100.0)
        large = self._manual_entry(self.accountant, 5000.0)
        (small | large).with_user(self.accountant).action_ecom_request_post()
        Request = self.env["ecom.approval.request"]
        small_request = Request.search([("res_model", "=", "account.move"), ("res_id", "=", small.id)])
        large_request = Request.search([("res_model", "=", "account.move"), ("res_id", "=", large.id)])
        self.assertEqual((small_request.levels_required, large_request.levels_required), (1, 2))
        accountant2 = make_role_user(self.env, "accountant", self.company, login="ecom_appr_accountant2")
        large_request.with_user(accountant2).action_approve()
        self.assertEqual(large_request.state, "pending")
        with self.assertRaises(AccessError):
            large_request.with_user(accountant2).action_approve()  # same person, second level
        accountant3 = make_role_user(self.env, "accountant", self.company, login="ecom_appr_accountant3")
        with self.assertRaises(AccessError):
            large_request.with_user(accountant3).action_approve()  # level 2 is a Finance Manager's
        large_request.with_user(self.manager).action_approve()
        self.assertEqual(large_request.state, "approved")
        large.with_user(self.accountant).action_post()
        self.assertEqual(large.state, "posted")

    def test_other_journals_and_settlement_posting_need_none(self):
        misc = self.env["account.journal"].search(
            [("company_id", "=", self.company.id), ("type", "=", "general"), ("code", "!=", "ECOM")], limit=1
        )
        self.assertNotIn(misc, self.env["account.move"]._ecom_journals())
        move = self._manual_entry(self.accountant, journal=misc)
        move.with_user(self.accountant).action_post()
        self.assertEqual(move.state, "posted")


@tagged("post_install", "-at_install")
class TestApprovalsOverXmlRpc(ApprovalSetup, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup("ecom_appr_rpc")

    def _call(self, user, model, method, args):
        db = self.env.cr.dbname
        uid = self.xmlrpc_common.authenticate(db, user.login, user.login, {})
        return self.xmlrpc_object.execute_kw(db, uid, user.login, model, method, args, {"context": INJECTED})

    def test_context_flags_do_not_post_or_change_rules(self):
        move = self._manual_entry(self.accountant)
        rule = self.rules["commission"]
        account = rule.account_id
        with mute_logger("odoo.http"):
            for user, model, method, args in (
                (self.accountant, "account.move", "action_post", [move.ids]),
                (self.manager, "account.move", "action_post", [move.ids]),
                (
                    self.manager,
                    "ecom.posting.rule",
                    "write",
                    [rule.ids, {"account_id": self.rules["refund"].account_id.id}],
                ),
                (self.manager, "ecom.posting.rule", "unlink", [rule.ids]),
            ):
                with self.subTest(method=method, user=user.login), self.assertRaises(Fault):
                    self._call(user, model, method, args)
        move.invalidate_recordset()
        rule.invalidate_recordset()
        self.assertEqual((move.state, rule.account_id), ("draft", account))


@tagged("post_install", "-at_install")
class TestInventoryApprovals(ApprovalSetup, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup("ecom_appr_stock")
        cls.storekeeper = make_role_user(
            cls.env, "warehouse_operator", cls.company, login="ecom_appr_storekeeper"
        )
        cls.storekeeper.ecom_warehouse_ids = cls.tmall.warehouse_id
        cls.location = cls.tmall.warehouse_id.lot_stock_id
        cls.product = cls.env["product.product"].create(
            {"name": "Counted", "is_storable": True, "standard_price": 10.0, "default_code": "CNT-APPR"}
        )
        cls.env["stock.quant"]._update_available_quantity(cls.product, cls.location, 100)
        cls.env["ecom.approval.threshold"].create(
            {
                "company_id": cls.company.id,
                "operation": "inventory_adjustment",
                "min_quantity": 10,
                "min_value": 500,
            }
        )

    def _count(self, quantity):
        quant = self.env["stock.quant"].search(
            [("product_id", "=", self.product.id), ("location_id", "=", self.location.id)]
        )
        quant.with_context(inventory_mode=True).write({"inventory_quantity": quantity})
        return quant

    def test_small_count_applies_large_needs_approval(self):
        self._count(95).action_apply_inventory()  # 5 units, 50.00: below both thresholds
        self.assertEqual(self.product.with_company(self.company).qty_available, 95)
        quant = self._count(40)  # 55 units, 550.00
        for context in ({}, INJECTED):
            with self.subTest(context=context), self.assertRaises(UserError):
                quant.with_context(**context).action_apply_inventory()
        quant.with_user(self.storekeeper).action_ecom_request_adjustment()
        request = self.env["ecom.approval.request"].search(
            [("res_model", "=", "stock.quant"), ("res_id", "=", quant.id)]
        )
        self.assertEqual((request.requester_id, request.amount), (self.storekeeper, 550.0))
        with self.assertRaises(AccessError):
            request.with_user(self.storekeeper).action_approve()
        request.with_user(self.accountant).action_approve()
        # counted again after the approval: not what was approved
        quant.with_context(inventory_mode=True).write({"inventory_quantity": 30})
        with self.assertRaises(UserError):
            quant.action_apply_inventory()
        quant.with_context(inventory_mode=True).write({"inventory_quantity": 40})
        quant.action_apply_inventory()
        self.assertEqual(self.product.with_company(self.company).qty_available, 40)
        self.assertEqual(request.state, "applied")
