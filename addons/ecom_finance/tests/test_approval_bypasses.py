# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The ways around the dual approvals of issue 13, each closed at the server."""

from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user

from .test_approvals import INJECTED, ApprovalSetup


class BypassSetup(ApprovalSetup):
    def _requests(self, record, state=None):
        domain = [("res_model", "=", record._name), ("res_id", "=", record.id)]
        if state:
            domain.append(("state", "=", state))
        return self.env["ecom.approval.request"].search(domain)


@tagged("post_install", "-at_install")
class TestManualEntryBypasses(BypassSetup, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup("ecom_byp_move")
        group = cls.env["account.tax.group"].create({"name": "Bypass VAT", "company_id": cls.company.id})
        cls.tax_a, cls.tax_b = (
            cls.env["account.tax"].create(
                {
                    "name": name,
                    "amount": 10.0,
                    "type_tax_use": "purchase",
                    "tax_group_id": group.id,
                    "company_id": cls.company.id,
                }
            )
            for name in ("Bypass VAT A 10%", "Bypass VAT B 10%")
        )
        plan = cls.env["account.analytic.plan"].create({"name": "Bypass Plan"})
        cls.analytic = cls.env["account.analytic.account"].create(
            {"name": "Bypass Campaign", "plan_id": plan.id, "company_id": cls.company.id}
        )

    def _approve(self, move):
        move.with_user(self.accountant).action_ecom_request_post()
        request = self._requests(move, "pending")
        request.with_user(self.manager).action_approve()
        self.assertEqual(request.state, "approved")
        return request

    def test_writing_the_state_never_posts_a_manual_entry(self):
        move = self._manual_entry(self.accountant)
        for label, target in (
            ("accountant", move.with_user(self.accountant)),
            ("accountant, injected context", move.with_user(self.accountant).with_context(**INJECTED)),
            ("superuser, injected context", move.with_context(**INJECTED)),
        ):
            with self.subTest(label), self.assertRaises(UserError):
                target.write({"state": "posted"})
        move.invalidate_recordset()
        self.assertEqual(move.state, "draft")
        # approved and posted once, reset to draft and edited: it needs a new approval, whatever
        # the way it is posted
        request = self._approve(move)
        move.with_user(self.accountant).action_post()
        self.assertEqual((move.state, request.state), ("posted", "applied"))
        move.with_user(self.accountant).button_draft()
        move.with_user(self.accountant).write(
            {
                "line_ids": [
                    Command.update(line.id, {"debit": line.debit * 10, "credit": line.credit * 10})
                    for line in move.line_ids
                ]
            }
        )
        with self.assertRaises(UserError):
            move.with_user(self.accountant).write({"state": "posted"})
        with self.assertRaises(UserError):
            move.with_user(self.accountant).action_post()
        move.invalidate_recordset()
        self.assertEqual(move.state, "draft")
        # asked again and approved: Post posts it
        self._approve(move)
        move.with_user(self.accountant).action_post()
        self.assertEqual(move.state, "posted")

    def test_the_approval_covers_analytics_taxes_reference_and_partners(self):
        partner = self.env["res.partner"].create({"name": "Bypass Payee"})
        changes = {
            "reference": lambda move: move.write({"ref": "Another reason"}),
            "partner of a line": lambda move: move.write(
                {"line_ids": [Command.update(move.line_ids[0].id, {"partner_id": partner.id})]}
            ),
            "analytic distribution": lambda move: move.write(
                {
                    "line_ids": [
                        Command.update(
                            move.line_ids[0].id, {"analytic_distribution": {str(self.analytic.id): 100.0}}
                        )
                    ]
                }
            ),
            "taxes": lambda move: move.write(
                {
                    "line_ids": [
                        Command.update(self._taxed_line(move).id, {"tax_ids": [Command.set(self.tax_b.ids)]})
                    ]
                }
            ),
        }
        for label, change in changes.items():
            with self.subTest(label):
                move = self._manual_entry(self.accountant)
                if label == "taxes":
                    move = self._taxed_entry()
                request = self._approve(move)
                change(move.with_user(self.accountant))
                with self.assertRaises(UserError):
                    move.with_user(self.accountant).action_post()
                move.invalidate_recordset()
                request.invalidate_recordset()
                self.assertEqual(move.state, "draft")
                self.assertEqual(request.state, "cancelled")

    def _taxed_line(self, move):
        return move.line_ids.filtered(lambda line: line.tax_ids)

    def _taxed_entry(self):
        """A manual entry whose expense line carries tax A: 100 + 10 of tax against 110."""
        return (
            self.env["account.move"]
            .with_user(self.accountant)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": self.tmall.journal_id.id,
                    "date": "2024-03-31",
                    "ref": "Manual correction",
                    "line_ids": [
                        Command.create(
                            {
                                "account_id": self.rules["commission"].account_id.id,
                                "debit": 100.0,
                                "tax_ids": [Command.set(self.tax_a.ids)],
                            }
                        ),
                        Command.create({"account_id": self.tmall.clearing_account_id.id, "credit": 110.0}),
                    ],
                }
            )
        )


@tagged("post_install", "-at_install")
class TestCountBypasses(BypassSetup, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup("ecom_byp_stock")
        cls.storekeeper = make_role_user(
            cls.env, "warehouse_operator", cls.company, login="ecom_byp_storekeeper"
        )
        cls.storekeeper.ecom_warehouse_ids = cls.tmall.warehouse_id
        cls.location = cls.tmall.warehouse_id.lot_stock_id
        cls.product = cls.env["product.product"].create(
            {"name": "Counted Bypass", "is_storable": True, "standard_price": 10.0, "default_code": "CNT-BYP"}
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

    def _quant(self):
        return self.env["stock.quant"].search(
            [("product_id", "=", self.product.id), ("location_id", "=", self.location.id)]
        )

    def test_clearing_the_count_flag_does_not_skip_the_approval(self):
        quant = self._quant().with_user(self.storekeeper).with_context(inventory_mode=True)
        # 60 units (600.00) counted, the "counted" flag cleared in the same write
        quant.write({"inventory_quantity": 40, "inventory_quantity_set": False})
        self.assertFalse(quant.inventory_quantity_set)
        for label, target in (
            ("storekeeper", quant),
            ("storekeeper, injected context", quant.with_context(**INJECTED)),
            ("superuser", quant.sudo().with_context(**INJECTED)),
        ):
            with self.subTest(label), self.assertRaises(UserError):
                target.action_apply_inventory()
        self.assertEqual(self.product.with_company(self.company).qty_available, 100)
        # the count is asked for, approved by an accountant, then applied
        quant.action_ecom_request_adjustment()
        request = self._requests(self._quant(), "pending")
        self.assertEqual((request.requester_id, request.amount), (self.storekeeper, 600.0))
        request.with_user(self.accountant).action_approve()
        quant.action_apply_inventory()
        self.assertEqual(self.product.with_company(self.company).qty_available, 40)
        self.assertEqual(request.state, "applied")

    def test_a_small_count_needs_none_whatever_the_flag(self):
        quant = self._quant().with_user(self.storekeeper).with_context(inventory_mode=True)
        quant.write({"inventory_quantity": 97, "inventory_quantity_set": False})
        quant.action_apply_inventory()
        self.assertEqual(self.product.with_company(self.company).qty_available, 97)


@tagged("post_install", "-at_install")
class TestRefundBypasses(BypassSetup, TransactionCase):
    """The goods returned decide the approval of a refund, not the status nor the amount refunded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup("ecom_byp_refund")
        cogs_account = cls.env["account.account"].search(
            [("code", "=", "500000"), ("company_ids", "in", cls.company.id)], limit=1
        )
        category = cls.env["product.category"].create(
            {
                "name": "Bypass FIFO",
                "property_cost_method": "fifo",
                "property_valuation": "real_time",
                "property_stock_account_output_categ_id": cogs_account.id,
            }
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Refunded Goods",
                "default_code": "REF-BYP",
                "is_storable": True,
                "categ_id": category.id,
                "company_id": cls.company.id,
            }
        )
        move = cls.env["stock.move"].create(
            {
                "name": "receive REF-BYP",
                "product_id": cls.product.id,
                "product_uom": cls.product.uom_id.id,
                "product_uom_qty": 20,
                "price_unit": 50.0,
                "location_id": cls.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": cls.tmall.warehouse_id.lot_stock_id.id,
                "company_id": cls.company.id,
            }
        )
        move._action_confirm()
        move.quantity = 20
        move.picked = True
        move._action_done()
        # set by the system (installation): the threshold's own changes are tested below
        cls.tmall.refund_approval_amount = 100.0
        cls.counter = 0

    def _delivered_order(self, quantity):
        self.counter += 1
        order = self.env["ecom.order"].create(
            {
                "name": f"BYP-{self.counter}",
                "shop_id": self.tmall.id,
                "company_id": self.company.id,
                "status": "completed",
                "currency_id": self.tmall.currency_id.id,
                "amount_paid": quantity * 99.0,
                "order_time": datetime(2024, 3, 1, 2, 0),
                "address": "浙江省杭州市西湖区",
                "line_ids": [
                    Command.create(
                        {
                            "line_no": 1,
                            "sku": self.product.default_code,
                            "product_id": self.product.id,
                            "quantity": quantity,
                            "unit_price": 99.0,
                            "subtotal": quantity * 99.0,
                        }
                    )
                ],
            }
        )
        self._fulfil(order)
        self.assertEqual(order.fulfilment_state, "delivered")
        return order

    def _fulfil(self, orders):
        return self.env["ecom.order"].with_user(self.accountant).fulfil_orders(orders.ids)

    def _on_hand(self):
        return self.product.with_company(self.company).qty_available

    def test_a_token_refund_or_a_cancellation_does_not_return_the_goods_unapproved(self):
        for label, vals in (
            ("refunded for 0.01", {"status": "refunded", "refund_amount": 0.01}),
            ("cancelled after shipping", {"status": "cancelled", "refund_amount": 0.0}),
        ):
            with self.subTest(label):
                order = self._delivered_order(3)  # 3 units at 50.00: 150.00 back to stock
                on_hand = self._on_hand()
                order.write(vals)  # the platform's next export says so
                counts = self._fulfil(order)
                self.assertEqual((counts["returns"], counts["awaiting_approval"]), (0, 1))
                self.assertEqual((order.fulfilment_state, self._on_hand()), ("delivered", on_hand))
                request = self._requests(order, "pending")
                self.assertEqual(
                    (request.operation, request.requester_id, request.amount),
                    ("refund", self.accountant, 150.0),
                )
                with self.assertRaises(AccessError):
                    request.with_user(self.accountant).action_approve()
                request.with_user(self.manager).action_approve()
                self.assertEqual(self._fulfil(order)["returns"], 1)
                self.assertEqual((order.fulfilment_state, self._on_hand()), ("returned", on_hand + 3))
                self.assertEqual(request.state, "applied")

    def test_goods_worth_less_than_the_threshold_return_without_approval(self):
        order = self._delivered_order(1)  # 50.00
        order.write({"status": "cancelled"})
        self.assertEqual(self._fulfil(order)["returns"], 1)
        self.assertFalse(self._requests(order))


@tagged("post_install", "-at_install")
class TestRefundThresholdChanges(BypassSetup, TransactionCase):
    """Raising or clearing a shop's refund-approval threshold is itself approved by a second person."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup("ecom_byp_threshold")
        cls.tmall.refund_approval_amount = 200.0  # by the system (installation, data files)

    def test_one_manager_cannot_loosen_the_threshold(self):
        shop = self.tmall.with_user(self.manager)
        for label, amount in (("cleared", 0.0), ("raised", 10000.0)):
            for context in ({}, INJECTED):
                with self.subTest(label, context=context), self.assertRaises(UserError):
                    shop.with_context(**context).write({"refund_approval_amount": amount})
        # saving the form asks for the change and saves the rest
        shop.web_save({"refund_approval_amount": 0.0, "name": "Tmall Flagship"}, {"name": {}})
        shop.invalidate_recordset()
        self.assertEqual((shop.name, shop.refund_approval_amount), ("Tmall Flagship", 200.0))
        request = self._requests(self.tmall, "pending")
        self.assertEqual(request.requester_id, self.manager)
        with self.assertRaises(AccessError):
            request.with_user(self.manager).action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.accountant).action_approve()
        request.with_user(self.manager2).action_approve()
        shop.invalidate_recordset()
        self.assertEqual((shop.refund_approval_amount, request.state), (0.0, "applied"))

    def test_tightening_needs_no_approval(self):
        shop = self.tmall.with_user(self.manager)
        shop.write({"refund_approval_amount": 50.0})
        self.assertEqual(shop.refund_approval_amount, 50.0)
        self.assertFalse(self._requests(self.tmall))

    def test_a_request_voids_when_the_threshold_changes_meanwhile(self):
        shop = self.tmall.with_user(self.manager)
        [request_id] = shop.ecom_request_write({"refund_approval_amount": 1000.0})
        request = self.env["ecom.approval.request"].browse(request_id)
        shop.write({"refund_approval_amount": 150.0})
        self.assertEqual(request.state, "cancelled")
        with self.assertRaises(UserError):
            request.with_user(self.manager2).action_approve()
        self.assertEqual(shop.refund_approval_amount, 150.0)
