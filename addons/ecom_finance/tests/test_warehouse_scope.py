# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user

from .test_approvals import INJECTED

EXPORT = ("base.group_allow_export",)


class DemoStockCase(TransactionCase):
    """The demo company, its Hangzhou warehouse, and a storable product with stock there."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_ecom")
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.hangzhou = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id), ("code", "=", "HZ")]
        )

    @classmethod
    def _stocked_product(cls, name, code, cost, warehouses, quantity):
        product = cls.env["product.product"].create(
            {
                "name": name,
                "default_code": code,
                "is_storable": True,
                "standard_price": cost,
                "company_id": cls.company.id,
            }
        )
        for warehouse in warehouses:
            cls.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, quantity)
        return product


@tagged("post_install", "-at_install")
class TestWarehouseScope(DemoStockCase):
    """Warehouse Operators see and move the stock of their own warehouses, and never its cost."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shanghai = cls.env.ref("base.demo_warehouse_ecom_shanghai")
        # allowed to export, so that the export of costs is refused for the costs, not the export
        cls.operator = make_role_user(
            cls.env, "warehouse_operator", cls.company, login="ecom_wh_hz", extra_groups=EXPORT
        )
        cls.operator.ecom_warehouse_ids = cls.hangzhou
        cls.unassigned = make_role_user(cls.env, "warehouse_operator", cls.company, login="ecom_wh_none")
        cls.shop_operator = make_role_user(
            cls.env, "shop_operator", cls.company, login="ecom_wh_shop", extra_groups=EXPORT
        )
        cls.accountant = make_role_user(cls.env, "accountant", cls.company, login="ecom_wh_acc")
        cls.product = cls._stocked_product("Scoped", "SCOPE-1", 40.0, cls.hangzhou | cls.shanghai, 50)

    def _quants(self, user):
        return self.env["stock.quant"].with_user(user).search([("product_id", "=", self.product.id)])

    def test_operator_sees_the_stock_of_own_warehouses_only(self):
        Warehouse = self.env["stock.warehouse"].with_user(self.operator)
        self.assertEqual(Warehouse.search([]), self.hangzhou)
        self.assertEqual(self._quants(self.operator).warehouse_id, self.hangzhou)
        shanghai_quant = self.env["stock.quant"].search(
            [("product_id", "=", self.product.id), ("location_id", "=", self.shanghai.lot_stock_id.id)]
        )
        with self.assertRaises(AccessError):
            shanghai_quant.with_user(self.operator).read(["quantity"])
        with self.assertRaises(AccessError):
            self.shanghai.lot_stock_id.with_user(self.operator).read(["name"])
        groups = (
            self.env["stock.quant"]
            .with_user(self.operator)
            .read_group([("product_id", "=", self.product.id)], ["quantity:sum"], ["warehouse_id"])
        )
        self.assertEqual([(g["warehouse_id"][0], g["quantity"]) for g in groups], [(self.hangzhou.id, 50)])
        pickings = self.env["stock.picking"].with_user(self.operator).search([])
        self.assertTrue(pickings)
        self.assertFalse(pickings.picking_type_id.warehouse_id - self.hangzhou)
        # a Warehouse Operator without warehouses sees no stock at all
        self.assertFalse(self.env["stock.warehouse"].with_user(self.unassigned).search([]))
        self.assertFalse(self._quants(self.unassigned))
        # context flags change nothing
        self.assertEqual(self._quants(self.operator.with_context(**INJECTED)).warehouse_id, self.hangzhou)

    def test_operator_moves_stock_in_own_warehouse_not_in_another(self):
        def picking_vals(warehouse):
            return {
                "picking_type_id": warehouse.in_type_id.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": "receipt",
                            "product_id": self.product.id,
                            "product_uom_qty": 5,
                            "product_uom": self.product.uom_id.id,
                            "location_id": self.env.ref("stock.stock_location_suppliers").id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                        }
                    )
                ],
            }

        Picking = self.env["stock.picking"].with_user(self.operator)
        receipt = Picking.create(picking_vals(self.hangzhou))
        receipt.action_confirm()
        receipt.move_ids.quantity = 5
        receipt.move_ids.picked = True
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(
            self.product.with_context(warehouse_id=self.hangzhou.id).qty_available,
            55,
        )
        with self.assertRaises(AccessError):
            Picking.create(picking_vals(self.shanghai))
        # a delivery to a customer: its cost leaves the valuation without the operator reading it
        delivery = Picking.create(
            {
                "picking_type_id": self.hangzhou.out_type_id.id,
                "location_id": self.hangzhou.lot_stock_id.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "move_ids": [
                    Command.create(
                        {
                            "name": "delivery",
                            "product_id": self.product.id,
                            "product_uom_qty": 7,
                            "product_uom": self.product.uom_id.id,
                            "location_id": self.hangzhou.lot_stock_id.id,
                            "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                        }
                    )
                ],
            }
        )
        delivery.action_confirm()
        delivery.move_ids.quantity = 7
        delivery.move_ids.picked = True
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        self.assertEqual(self.product.with_context(warehouse_id=self.hangzhou.id).qty_available, 48)

    def test_operators_never_read_costs(self):
        for user in (self.operator, self.shop_operator):
            product = self.product.with_user(user)
            with self.subTest(user=user.login):
                self.assertEqual(product.read(["name"])[0]["name"], "Scoped")
                for fname in ("standard_price", "avg_cost", "total_value", "value_svl"):
                    with self.assertRaises(AccessError):
                        product.read([fname])
                with self.assertRaises(AccessError):
                    product.search_read([("id", "=", self.product.id)], ["standard_price"])
                with self.assertRaises(AccessError):
                    product.search([("standard_price", ">", 0)])
                with self.assertRaises(AccessError):
                    product.export_data(["standard_price"])
                with self.assertRaises(AccessError):
                    product.read_group([("id", "=", self.product.id)], ["standard_price:sum"], [])
                with self.assertRaises(AccessError):
                    product.product_tmpl_id.read(["standard_price"])
                self.assertNotIn("standard_price", product.fields_get())
                arch = product.get_views([(False, "form")])["views"]["form"]["arch"]
                self.assertNotIn('name="standard_price"', arch)
        moves = self.env["stock.move"].with_user(self.operator).search([("product_id", "=", self.product.id)])
        with self.assertRaises(AccessError):
            moves.read(["price_unit"])
        # finance roles keep them
        self.assertEqual(
            self.product.with_user(self.accountant).read(["standard_price"])[0]["standard_price"], 40.0
        )

    def test_warehouse_assignment_is_audited_and_admin_only(self):
        self.operator.ecom_warehouse_ids = self.hangzhou | self.shanghai
        self.env["ecom.audit.log"]._flush_pending()
        entry = self.env["ecom.audit.log"].search(
            [("model", "=", "res.users"), ("res_ids", "=", str(self.operator.id))], order="id desc", limit=1
        )
        self.assertEqual(
            entry.changes["ecom_warehouse_ids"],
            [[self.hangzhou.id], sorted((self.hangzhou | self.shanghai).ids)],
        )
        # the rules follow the new assignment at once
        self.assertEqual(
            self.env["stock.warehouse"].with_user(self.operator).search([]), self.hangzhou | self.shanghai
        )
        for user in (self.operator, self.accountant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.operator.with_user(user).write({"ecom_warehouse_ids": [Command.clear()]})


@tagged("post_install", "-at_install")
class TestScrapApproval(DemoStockCase):
    """Scraps above the company's threshold need a second person's approval."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.hangzhou
        cls.operator = make_role_user(cls.env, "warehouse_operator", cls.company, login="ecom_scrap_op")
        cls.operator.ecom_warehouse_ids = cls.warehouse
        cls.accountant = make_role_user(cls.env, "accountant", cls.company, login="ecom_scrap_acc")
        cls.product = cls._stocked_product("Fragile", "SCRAP-1", 30.0, cls.warehouse, 100)
        cls.env["ecom.approval.threshold"].create(
            {"company_id": cls.company.id, "operation": "scrap", "min_value": 100, "min_quantity": 20}
        )

    def _scrap(self, quantity):
        return (
            self.env["stock.scrap"]
            .with_user(self.operator)
            .create(
                {
                    "product_id": self.product.id,
                    "scrap_qty": quantity,
                    "location_id": self.warehouse.lot_stock_id.id,
                    "company_id": self.company.id,
                }
            )
        )

    def _on_hand(self):
        return self.product.with_context(warehouse_id=self.warehouse.id).qty_available

    def test_small_scrap_is_done_large_one_needs_approval(self):
        self._scrap(3).action_validate()  # 90.00: below both thresholds
        self.assertEqual(self._on_hand(), 97)
        scrap = self._scrap(5)  # 150.00
        for context in ({}, INJECTED):
            with self.subTest(context=context), self.assertRaises(UserError):
                scrap.with_context(**context).action_validate()
        with self.assertRaises(UserError):
            scrap.sudo().do_scrap()
        scrap.action_ecom_request_scrap()
        request = self.env["ecom.approval.request"].search(
            [("res_model", "=", "stock.scrap"), ("res_id", "=", scrap.id)]
        )
        self.assertEqual(
            (request.operation, request.requester_id, request.amount), ("scrap", self.operator, 150.0)
        )
        with self.assertRaises(AccessError):
            request.with_user(self.operator).action_approve()
        request.with_user(self.accountant).action_approve()
        # changed after the approval: not what was approved
        scrap.scrap_qty = 6
        with self.assertRaises(UserError):
            scrap.action_validate()
        scrap.scrap_qty = 5
        scrap.action_validate()
        self.assertEqual((scrap.state, self._on_hand(), request.state), ("done", 92, "applied"))
