# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The handheld screen's server side: scans applied to a receipt and to a count, its errors, and
who may use it (Warehouse Operators in their own warehouses, never seeing a cost)."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import PRODUCT_BARCODE
from .handheld_common import DOCK_BARCODE, OTHER_BARCODE, keys_of, make_handheld_fixtures

COST_WORDS = ("cost", "price", "value", "valuation", "amount")


@tagged("post_install", "-at_install")
class TestHandheld(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_handheld_fixtures(cls)
        cls.operator = cls.users["warehouse_operator"]

    def assertNoCost(self, answer):
        leaked = {key for key in keys_of(answer) if any(word in key for word in COST_WORDS)}
        self.assertFalse(leaked, f"cost-like fields in a handheld answer: {leaked}")

    def scan(self, code, user=None, picking=None, location=False, quantity=False, package=False):
        picking = (picking or self.receipt).with_user(user or self.operator)
        answer = picking.ecom_handheld_scan(code, location, quantity, package)
        self.assertNoCost(answer)
        return answer

    def done(self, answer):
        return {line["product"]["barcode"]: line["done"] for line in answer["view"]["lines"]}

    # ------------------------------------------------------------------
    # Receiving
    # ------------------------------------------------------------------

    def test_home_lists_the_operators_receipts_and_devices(self):
        home = self.env["stock.picking"].with_user(self.operator).ecom_handheld_pickings(False)
        self.assertEqual([d["name"] for d in home["devices"]], ["Handheld A"])
        self.assertGreaterEqual(home["counts"]["incoming"], 1)
        listed = self.env["stock.picking"].with_user(self.operator).ecom_handheld_pickings("incoming")
        self.assertIn(self.receipt.id, [p["id"] for p in listed["pickings"]])
        listed_b = self.env["stock.picking"].with_user(self.operator_b).ecom_handheld_pickings("incoming")
        self.assertNotIn(self.receipt.id, [p["id"] for p in listed_b["pickings"]])
        self.assertNoCost(home)
        self.assertNoCost(listed)

    def test_receive_by_scanning_then_validate(self):
        view = self.receipt.with_user(self.operator).ecom_handheld_view()
        self.assertNoCost(view)
        # Odoo pre-fills a receipt's quantities: nothing counts as scanned before a scan
        self.assertEqual(view["lines"][0]["done"], 0)
        answer = self.scan(PRODUCT_BARCODE)
        self.assertEqual(answer["status"], "ok")
        self.assertEqual(self.done(answer), {PRODUCT_BARCODE: 1})
        # GS1-128: GTIN (01) and a quantity (30) of 2
        answer = self.scan(f"]C101{PRODUCT_BARCODE.zfill(14)}302")
        self.assertEqual(answer["status"], "ok", answer)
        self.assertEqual(self.done(answer), {PRODUCT_BARCODE: 3})
        answer = self.receipt.with_user(self.operator).ecom_handheld_validate()
        self.assertEqual(answer["status"], "ok", answer)
        self.assertEqual(self.receipt.state, "done")
        on_hand = self.product.with_context(warehouse_id=self.warehouse_a.id).qty_available
        self.assertEqual(on_hand, 3)

    def test_a_location_scan_puts_the_next_products_there(self):
        shelf = self.env["stock.location"].create(
            {"name": "Shelf 1", "location_id": self.warehouse_a.lot_stock_id.id, "barcode": "DTA-SHELF-1"}
        )
        answer = self.scan("DTA-SHELF-1")
        self.assertEqual(answer["status"], "location")
        self.assertEqual(answer["location"]["id"], shelf.id)
        self.scan(PRODUCT_BARCODE, location=shelf.id)
        self.assertEqual(self.receipt.move_line_ids.location_dest_id, shelf)
        self.assertEqual(sum(self.receipt.move_line_ids.mapped("quantity")), 1)

    def test_errors_apply_nothing(self):
        cases = {
            "unknown_code": "NOT-A-CODE-42",
            "wrong_product": OTHER_BARCODE,
            "wrong_location": DOCK_BARCODE,
        }
        for error, code in cases.items():
            with self.subTest(error=error):
                answer = self.scan(code)
                self.assertEqual(answer["status"], "error")
                self.assertEqual(answer["error"], error)
                self.assertTrue(answer["message"])
        self.assertFalse(any(self.receipt.move_ids.mapped("picked")))
        self.scan(f"]C101{PRODUCT_BARCODE.zfill(14)}303")
        answer = self.scan(PRODUCT_BARCODE)
        self.assertEqual(answer["error"], "over_quantity")
        self.assertEqual(self.receipt.move_ids.quantity, 3)

    def test_a_lot_tracked_product_takes_its_lot_from_the_gs1_label(self):
        self.product.tracking = "lot"
        answer = self.scan(PRODUCT_BARCODE)
        self.assertEqual(answer["error"], "lot_required")
        answer = self.scan(f"(01){PRODUCT_BARCODE.zfill(14)}(10)L2412(30)2")
        self.assertEqual(answer["status"], "ok", answer)
        self.assertEqual(answer["view"]["lines"][0]["lots"], ["L2412"])
        self.assertEqual(self.receipt.move_line_ids.mapped("lot_name"), ["L2412"])
        self.assertEqual(self.receipt.move_ids.quantity, 2)

    def test_a_serial_tracked_product_takes_its_serial_from_the_gs1_label(self):
        self.product.tracking = "serial"
        answer = self.scan(f"(01){PRODUCT_BARCODE.zfill(14)}(21)SN-0001")
        self.assertEqual(answer["status"], "ok", answer)
        answer = self.scan(f"(01){PRODUCT_BARCODE.zfill(14)}(21)SN-0002")
        self.assertEqual(answer["view"]["lines"][0]["lots"], ["SN-0001", "SN-0002"])
        answer = self.scan(f"(01){PRODUCT_BARCODE.zfill(14)}(21)SN-0003(30)2")
        self.assertEqual(answer["error"], "over_quantity")

    def test_pick_a_delivery_then_validate_with_a_backorder(self):
        stock = self.warehouse_a.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(self.product, stock, 5)
        delivery = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse_a.out_type_id.id,
                "location_id": stock.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.product.name,
                            "product_id": self.product.id,
                            "product_uom_qty": 2,
                            "product_uom": self.product.uom_id.id,
                            "location_id": stock.id,
                            "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                        }
                    )
                ],
            }
        )
        delivery.action_confirm()
        delivery.action_assign()
        # reserved, not picked: nothing scanned yet
        self.assertEqual(delivery.with_user(self.operator).ecom_handheld_view()["lines"][0]["done"], 0)
        answer = self.scan(PRODUCT_BARCODE, picking=delivery)
        self.assertEqual(self.done(answer), {PRODUCT_BARCODE: 1})
        # one of two: the screen asks about the backorder, nothing validated yet
        answer = delivery.with_user(self.operator).ecom_handheld_validate()
        self.assertEqual(answer["status"], "backorder", answer)
        self.assertEqual([(m["done"], m["demand"]) for m in answer["missing"]], [(1, 2)])
        self.assertEqual(delivery.state, "assigned")
        answer = delivery.with_user(self.operator).ecom_handheld_validate(True)
        self.assertEqual((answer["status"], delivery.state), ("ok", "done"), answer)
        backorder = self.env["stock.picking"].search([("backorder_id", "=", delivery.id)])
        self.assertEqual(backorder.move_ids.product_uom_qty, 1)

    def test_validate_without_a_backorder(self):
        answer = self.scan(PRODUCT_BARCODE)
        self.assertEqual(
            self.receipt.with_user(self.operator).ecom_handheld_validate()["status"], "backorder"
        )
        answer = self.receipt.with_user(self.operator).ecom_handheld_validate(False)
        self.assertEqual((answer["status"], self.receipt.state), ("ok", "done"), answer)
        self.assertFalse(self.env["stock.picking"].search([("backorder_id", "=", self.receipt.id)]))
        self.assertEqual(self.product.with_context(warehouse_id=self.warehouse_a.id).qty_available, 1)

    def test_a_typed_quantity_replaces_the_labels(self):
        answer = self.scan(PRODUCT_BARCODE, quantity="2")
        self.assertEqual(self.done(answer), {PRODUCT_BARCODE: 2})
        answer = self.scan(PRODUCT_BARCODE, quantity=5)
        self.assertEqual(answer["error"], "over_quantity")
        for bad in ("0", "-1", "two"):
            with self.subTest(quantity=bad):
                self.assertEqual(self.scan(PRODUCT_BARCODE, quantity=bad)["error"], "bad_quantity")
        self.assertEqual(self.receipt.move_ids.quantity, 2)

    def test_an_sscc_label_packs_the_next_products(self):
        sscc = "006141411234567890"
        answer = self.scan(f"]C100{sscc}")
        self.assertEqual((answer["status"], answer["package"]["name"]), ("package", sscc), answer)
        self.scan(PRODUCT_BARCODE, quantity=2, package=sscc)
        self.scan(PRODUCT_BARCODE)
        lines = self.receipt.move_line_ids
        self.assertEqual(
            sorted((ml.result_package_id.name or "", ml.quantity) for ml in lines), [("", 1), (sscc, 2)]
        )
        self.receipt.with_user(self.operator).ecom_handheld_validate()
        package = self.env["stock.quant.package"].search([("name", "=", sscc)])
        self.assertEqual(package.quant_ids.quantity, 2)
        self.assertEqual(package.location_id, self.receipt.location_dest_id)
        # a package in stock is not one to pack into
        receipt = self.receipt.copy()
        receipt.action_confirm()
        self.assertEqual(self.scan(f"]C100{sscc}", picking=receipt)["error"], "package_in_stock")

    def test_an_internal_transfer_accepts_its_source_and_destination(self):
        stock = self.warehouse_a.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(self.product, stock, 1)
        transfer = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse_a.int_type_id.id,
                "location_id": stock.id,
                "location_dest_id": self.dock.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.product.name,
                            "product_id": self.product.id,
                            "product_uom_qty": 1,
                            "product_uom": self.product.uom_id.id,
                            "location_id": stock.id,
                            "location_dest_id": self.dock.id,
                        }
                    )
                ],
            }
        )
        transfer.action_confirm()
        self.assertEqual(self.scan(DOCK_BARCODE, picking=transfer)["status"], "location")
        self.assertEqual(self.scan(PRODUCT_BARCODE, picking=transfer)["status"], "ok")
        self.assertEqual(transfer.with_user(self.operator).ecom_handheld_validate()["status"], "ok")
        self.assertEqual(transfer.state, "done")

    def test_operator_of_another_warehouse_is_refused(self):
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.scan(PRODUCT_BARCODE, user=self.operator_b)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.receipt.with_user(self.operator_b).ecom_handheld_view()
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.receipt.with_user(self.operator_b).ecom_handheld_validate()
        self.assertFalse(any(self.receipt.move_ids.mapped("picked")))

    def test_roles_without_stock_rights_are_refused(self):
        shop = self.users["shop_operator"]
        with self.assertRaises(AccessError):
            self.env["stock.picking"].with_user(shop).ecom_handheld_pickings(False)
        with self.assertRaises(AccessError):
            self.env["stock.quant"].with_user(shop).ecom_handheld_count_view(False)

    # ------------------------------------------------------------------
    # Counting
    # ------------------------------------------------------------------

    def count(self, code, user=None, location=None, quantity=False):
        Quant = self.env["stock.quant"].with_user(user or self.operator)
        answer = Quant.ecom_handheld_count_scan(
            (location or self.warehouse_a.lot_stock_id).id, code, quantity
        )
        self.assertNoCost(answer)
        return answer

    def test_count_a_shelf_and_apply(self):
        stock = self.warehouse_a.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(self.product, stock, 5)
        view = self.env["stock.quant"].with_user(self.operator).ecom_handheld_count_view(False)
        # the location of the operator's bound device
        self.assertEqual(view["location"]["id"], self.device_a.location_id.id)
        self.count(PRODUCT_BARCODE)
        answer = self.count(f"]C101{PRODUCT_BARCODE.zfill(14)}303")
        self.assertEqual(answer["status"], "ok", answer)
        [line] = answer["view"]["lines"]
        self.assertEqual((line["on_hand"], line["counted"]), (5, 4))
        self.assertEqual(self.count("NOT-A-CODE-42")["error"], "unknown_code")
        answer = self.env["stock.quant"].with_user(self.operator).ecom_handheld_count_apply(stock.id)
        self.assertNoCost(answer)
        self.assertFalse(answer["view"]["lines"])
        self.assertEqual(self.product.with_context(location=stock.id).qty_available, 4)

    def test_count_above_the_threshold_goes_for_approval(self):
        stock = self.warehouse_a.lot_stock_id
        # above the threshold: a count difference worth more than nothing
        self.product.standard_price = 10
        self.env["ecom.approval.threshold"].create({"operation": "inventory_adjustment"})
        self.count(PRODUCT_BARCODE)
        self.env["stock.quant"].with_user(self.operator).ecom_handheld_count_apply(stock.id)
        # not applied: asked for approval, the count kept
        self.assertEqual(self.product.with_context(location=stock.id).qty_available, 0)
        request = self.env["ecom.approval.request"].search(
            [("operation", "=", "inventory_adjustment"), ("res_model", "=", "stock.quant")]
        )
        self.assertEqual(len(request), 1)
        self.assertEqual(request.requester_id, self.operator)
        view = self.env["stock.quant"].with_user(self.operator).ecom_handheld_count_view(stock.id)
        self.assertEqual([line["waiting"] for line in view["lines"]], [True])
        # a typed quantity and a package label while counting
        self.assertEqual(self.count(PRODUCT_BARCODE, quantity="4")["view"]["lines"][0]["counted"], 5)
        self.assertEqual(self.count("]C100006141411234567890")["error"], "package")

    def test_count_in_another_warehouse_is_refused(self):
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.count(PRODUCT_BARCODE, user=self.operator_b)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["stock.quant"].with_user(self.operator_b).ecom_handheld_count_apply(
                self.warehouse_a.lot_stock_id.id
            )

    def test_count_outside_stock_locations_is_refused(self):
        with self.assertRaises(UserError):
            self.count(PRODUCT_BARCODE, location=self.warehouse_a.view_location_id)
