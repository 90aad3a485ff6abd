# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import Command
from odoo.tests import tagged

from odoo.addons.ecom_audit.tests.common import make_role_user

from .test_warehouse_scope import DemoStockCase


@tagged("post_install", "-at_install")
class TestAuditCoverage(DemoStockCase):
    """What moves stock and money is in the trail, with the old and new values of every change,
    under the name of the (non-admin) user who made it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = make_role_user(cls.env, "warehouse_operator", cls.company, login="ecom_cov_wh")
        cls.operator.ecom_warehouse_ids = cls.hangzhou
        cls.manager = make_role_user(cls.env, "manager", cls.company, login="ecom_cov_mgr")
        cls.seller = make_role_user(
            cls.env,
            "shop_operator",
            cls.company,
            login="ecom_cov_sale",
            extra_groups=("sales_team.group_sale_salesman", "purchase.group_purchase_user"),
        )
        cls.product = cls._stocked_product("Audited Mug", "COV-MUG", 4.0, cls.hangzhou, 50)
        cls.partner = cls.env["res.partner"].create({"name": "Audited Buyer", "company_id": cls.company.id})
        cls.Log = cls.env["ecom.audit.log"]

    def _entries(self, records, operation):
        self.Log._flush_pending()
        return self.Log.search(
            [
                ("model", "=", records._name),
                ("operation", "=", operation),
                ("res_ids", "in", [str(record_id) for record_id in records.ids]),
            ],
            order="seq",
        )

    def _change(self, record, field, operation="write"):
        """[old, new] of ``field`` in the last entry of ``record`` that changed it."""
        entries = self._entries(record, operation).filtered(lambda entry: field in entry.changes)
        self.assertTrue(entries, f"no {operation} of {record._name}.{field} in the trail")
        return entries[-1].changes[field], entries[-1]

    # ------------------------------------------------------------------
    # Stock
    # ------------------------------------------------------------------

    def test_picking_validated_by_operator(self):
        stock = self.hangzhou.lot_stock_id
        customers = self.env.ref("stock.stock_location_customers")
        picking = (
            self.env["stock.picking"]
            .with_user(self.operator)
            .create(
                {
                    "picking_type_id": self.hangzhou.out_type_id.id,
                    "location_id": stock.id,
                    "location_dest_id": customers.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": "delivery",
                                "product_id": self.product.id,
                                "product_uom_qty": 7,
                                "product_uom": self.product.uom_id.id,
                                "location_id": stock.id,
                                "location_dest_id": customers.id,
                            }
                        )
                    ],
                }
            )
        )
        created = self._entries(picking, "create")
        self.assertEqual(created.user_uid, self.operator.id)
        self.assertEqual(created.changes["location_id"], [None, [stock.id]])
        picking.move_ids.product_uom_qty = 8
        self.assertEqual(self._change(picking.move_ids, "product_uom_qty")[0], [7.0, 8.0])
        picking.action_confirm()  # reserves the 8 (move lines)
        picking.move_ids.picked = True
        quant = self.env["stock.quant"].search(
            [("product_id", "=", self.product.id), ("location_id", "=", stock.id)]
        )
        picking.button_validate()
        self.assertEqual(picking.state, "done")

        (old, new), entry = self._change(picking, "date_done")
        self.assertEqual((old, bool(new)), (False, True))
        self.assertEqual(entry.user_uid, self.operator.id)
        self.assertEqual(self._change(picking.move_ids, "state")[0], ["assigned", "done"])
        line = picking.move_line_ids
        self.assertEqual(self._entries(line, "create").changes["quantity"], [None, 8.0])
        # the quant on hand, 50 -> 42, written by the operator's validation
        (old, new), entry = self._change(quant, "quantity")
        self.assertEqual((old, new), (50.0, 42.0))
        self.assertEqual(entry.user_uid, self.operator.id)

    def test_count_and_scrap_by_operator(self):
        stock = self.hangzhou.lot_stock_id
        quant = (
            self.env["stock.quant"]
            .with_user(self.operator)
            .search([("product_id", "=", self.product.id), ("location_id", "=", stock.id)])
        )
        quant.inventory_quantity = 48
        self.assertEqual(self._change(quant, "inventory_quantity")[0], [0.0, 48.0])
        scrap = (
            self.env["stock.scrap"]
            .with_user(self.operator)
            .create({"product_id": self.product.id, "scrap_qty": 2, "location_id": stock.id})
        )
        self.assertEqual(self._entries(scrap, "create").changes["scrap_qty"], [None, 2.0])
        scrap.do_scrap()
        (old, new), entry = self._change(scrap, "state")
        self.assertEqual((old, new), ("draft", "done"))
        self.assertEqual(entry.user_uid, self.operator.id)

    def test_lot_created_changed_deleted(self):
        product = self.product.sudo()
        product.tracking = "lot"
        lot = (
            self.env["stock.lot"]
            .with_user(self.operator)
            .create({"name": "LOT-COV-1", "product_id": product.id, "company_id": self.company.id})
        )
        self.assertEqual(self._entries(lot, "create").changes["name"], [None, "LOT-COV-1"])
        lot.ref = "supplier batch 7"
        self.assertEqual(self._change(lot, "ref")[0], [False, "supplier batch 7"])
        lot_id = lot.id
        lot.sudo().unlink()
        self.assertTrue(self._entries(lot.browse(lot_id), "unlink"))

    # ------------------------------------------------------------------
    # Products
    # ------------------------------------------------------------------

    def test_product_cost_barcode_category_by_manager(self):
        # Accountants read the costs; Finance Managers (account managers) change the products
        product = self.product.with_user(self.manager)
        product.standard_price = 5.5
        (old, new), entry = self._change(self.product, "standard_price")
        self.assertEqual((old, new), (4.0, 5.5))
        self.assertEqual(entry.user_uid, self.manager.id)
        self.product.barcode = "6900000000017"
        self.assertEqual(self._change(self.product, "barcode")[0], [False, "6900000000017"])
        category = self.env["product.category"].create({"name": "Audited Goods"})
        old_category = self.product.categ_id
        self.product.product_tmpl_id.categ_id = category
        self.assertEqual(
            self._change(self.product.product_tmpl_id, "categ_id")[0], [[old_category.id], [category.id]]
        )
        category.with_company(self.company).property_cost_method = "fifo"
        category.with_company(self.company).property_valuation = "real_time"
        self.assertEqual(self._change(category, "property_cost_method")[0][1], "fifo")
        self.assertEqual(self._change(category, "property_valuation")[0][1], "real_time")

    # ------------------------------------------------------------------
    # Sale and purchase orders
    # ------------------------------------------------------------------

    def test_sale_order_and_lines(self):
        order = (
            self.env["sale.order"]
            .with_user(self.seller)
            .create(
                {
                    "partner_id": self.partner.id,
                    "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 3})],
                }
            )
        )
        self.assertEqual(self._entries(order, "create").changes["partner_id"], [None, [self.partner.id]])
        line = order.order_line
        old_price = line.price_unit
        line.write({"product_uom_qty": 5, "price_unit": 12.5})
        self.assertEqual(self._change(line, "product_uom_qty")[0], [3.0, 5.0])
        (old, new), entry = self._change(line, "price_unit")
        self.assertEqual((old, new), (old_price, 12.5))
        self.assertEqual(entry.user_uid, self.seller.id)
        order.action_confirm()
        self.assertEqual(self._change(order, "state")[0], ["draft", "sale"])

    def test_purchase_order_and_lines(self):
        order = (
            self.env["purchase.order"]
            .with_user(self.seller)
            .create(
                {
                    "partner_id": self.partner.id,
                    "order_line": [
                        Command.create({"product_id": self.product.id, "product_qty": 10, "price_unit": 3.0})
                    ],
                }
            )
        )
        self.assertTrue(self._entries(order, "create"))
        order.order_line.price_unit = 2.75
        (old, new), entry = self._change(order.order_line, "price_unit")
        self.assertEqual((old, new), (3.0, 2.75))
        self.assertEqual(entry.user_uid, self.seller.id)
        order.button_confirm()
        self.assertEqual(self._change(order, "state")[0][1], "purchase")

    # ------------------------------------------------------------------
    # Bank accounts, journals, accounts
    # ------------------------------------------------------------------

    def test_bank_account_number_masked(self):
        bank = (
            self.env["res.partner.bank"]
            .with_user(self.manager)
            .create({"acc_number": "CN0012345678", "partner_id": self.partner.id})
        )
        self.assertEqual(self._entries(bank, "create").changes["acc_number"], [None, "***"])
        bank.write({"acc_number": "CN0099999999", "acc_holder_name": "Audited Buyer Ltd"})
        (old, new), entry = self._change(bank, "acc_number")
        self.assertEqual((old, new), ("***", "***"))
        self.assertNotIn("CN00", str(entry.changes))
        self.assertEqual(self._change(bank, "acc_holder_name")[0][1], "Audited Buyer Ltd")

    def test_journal_and_account_by_manager(self):
        journal = self.env["account.journal"].search(
            [("company_id", "=", self.company.id), ("type", "=", "bank")], limit=1
        )
        old_name = journal.name
        journal.with_user(self.manager).name = "Audited Bank"
        (old, new), entry = self._change(journal, "name")
        self.assertEqual((old, new), (old_name, "Audited Bank"))
        self.assertEqual(entry.user_uid, self.manager.id)
        account = (
            self.env["account.account"]
            .with_company(self.company)
            .search([("company_ids", "in", self.company.id), ("account_type", "=", "expense")], limit=1)
        )
        old_code = account.code
        account.with_user(self.manager).with_company(self.company).write(
            {"code": "699999", "reconcile": True}
        )
        self.assertEqual(self._change(account, "code_store")[0], [old_code, "699999"])
        self.assertEqual(self._change(account, "reconcile")[0], [False, True])
