# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from odoo.addons.ecom_audit.tests.common import make_role_user
from odoo.addons.queue_job.job import Job


@tagged("post_install", "-at_install")
class TestFulfilmentAndCost(TransactionCase):
    """Platform orders become sale orders and pickings; their cost comes from the valuation layers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_ecom")
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.shop = cls.env.ref("ecom_finance.demo_shop_tmall")
        cls.users = {
            role: make_role_user(cls.env, role, cls.company, login=f"ecom_ful_{role}")
            for role in ("shop_operator", "warehouse_operator", "accountant", "manager", "auditor")
        }
        cls.shop.user_ids = [(4, cls.users["shop_operator"].id)]
        cls.hangzhou = cls.shop.warehouse_id
        cls.shanghai = cls.env.ref("base.demo_warehouse_ecom_shanghai")
        cls.env["ecom.warehouse.rule"].create(
            {"shop_id": cls.shop.id, "regions": "上海, 江苏", "warehouse_id": cls.shanghai.id}
        )
        Category = cls.env["product.category"]
        cogs_account = cls.env["account.account"].search(
            [("code", "=", "500000"), ("company_ids", "in", cls.company.id)], limit=1
        )
        cls.fifo = cls._product(
            "FIFO-T",
            Category.create(
                {
                    "name": "FIFO test",
                    "property_cost_method": "fifo",
                    "property_valuation": "real_time",
                    "property_stock_account_output_categ_id": cogs_account.id,
                }
            ),
        )
        cls.avco = cls._product(
            "AVCO-T",
            Category.create(
                {
                    "name": "AVCO test",
                    "property_cost_method": "average",
                    "property_valuation": "real_time",
                    "property_stock_account_output_categ_id": cogs_account.id,
                }
            ),
        )
        # FIFO layers: 10 at 50, then 10 at 70; AVCO: 10 at 50 then 10 at 70 -> 60 each
        for product in (cls.fifo, cls.avco):
            for cost in (50.0, 70.0):
                cls._receive(product, 10, cost)
        cls.counter = 0

    @classmethod
    def _product(cls, code, category):
        return cls.env["product.product"].create(
            {
                "name": code,
                "default_code": code,
                "is_storable": True,
                "type": "consu",
                "categ_id": category.id,
                "company_id": cls.company.id,
            }
        )

    @classmethod
    def _receive(cls, product, quantity, cost, warehouse=None):
        """A receipt of ``quantity`` units at unit ``cost`` from a vendor."""
        move = cls.env["stock.move"].create(
            {
                "name": f"receive {product.default_code}",
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": quantity,
                "price_unit": cost,
                "location_id": cls.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": (warehouse or cls.hangzhou).lot_stock_id.id,
                "company_id": cls.company.id,
            }
        )
        move._action_confirm()
        move.quantity = quantity
        move.picked = True
        move._action_done()

    def _order(self, status, lines, address="浙江省杭州市西湖区", refund=0.0):
        self.counter += 1
        return self.env["ecom.order"].create(
            {
                "name": f"FUL-{self.counter}",
                "shop_id": self.shop.id,
                "company_id": self.company.id,
                "status": status,
                "currency_id": self.shop.currency_id.id,
                "amount_paid": sum(q * p for _product, q, p in lines),
                "refund_amount": refund,
                "order_time": datetime(2024, 3, 1, 2, 0),
                "address": address,
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "line_no": n,
                            "sku": product.default_code,
                            "product_id": product.id,
                            "quantity": q,
                            "unit_price": p,
                            "subtotal": q * p,
                        },
                    )
                    for n, (product, q, p) in enumerate(lines, start=1)
                ],
            }
        )

    def _fulfil(self, orders):
        return self.env["ecom.order"].with_user(self.users["accountant"]).fulfil_orders(orders.ids)

    def _valuation_gap(self):
        """Sum of the company's valuation layers minus the balance of its stock valuation accounts."""
        layers = self.env["stock.valuation.layer"].search([("company_id", "=", self.company.id)])
        accounts = (
            self.env["product.category"]
            .search([])
            .with_company(self.company)
            .mapped("property_stock_valuation_account_id")
        )
        lines = self.env["account.move.line"].search(
            [
                ("account_id", "in", accounts.ids),
                ("parent_state", "=", "posted"),
                ("company_id", "=", self.company.id),
            ]
        )
        return round(sum(layers.mapped("value")) - sum(lines.mapped("balance")), 2)

    def test_paid_order_reserves_from_the_warehouse_of_its_region(self):
        hangzhou_order = self._order("paid", [(self.fifo, 2, 99.0)])
        shanghai_order = self._order("paid", [(self.fifo, 1, 99.0)], address="上海市浦东新区")
        counts = self._fulfil(hangzhou_order | shanghai_order)
        self.assertEqual(counts["sale_orders"], 2)
        self.assertEqual(hangzhou_order.warehouse_id, self.hangzhou)
        self.assertEqual(shanghai_order.warehouse_id, self.shanghai)
        self.assertEqual(hangzhou_order.sale_order_id.state, "sale")
        self.assertEqual(hangzhou_order.sale_order_id.client_order_ref, hangzhou_order.name)
        self.assertEqual(hangzhou_order.fulfilment_state, "confirmed")
        delivery = hangzhou_order.sale_order_id.picking_ids
        self.assertEqual(delivery.picking_type_id.warehouse_id, self.hangzhou)
        self.assertNotEqual(delivery.state, "done")
        self.assertEqual(hangzhou_order.with_user(self.users["accountant"]).cogs, 0.0)

    def test_shipped_orders_carry_their_fifo_and_average_cost(self):
        order = self._order("shipped", [(self.fifo, 12, 99.0), (self.avco, 5, 80.0)])
        self._fulfil(order)
        self.assertEqual(order.fulfilment_state, "delivered")
        self.assertEqual(order.sale_order_id.picking_ids.state, "done")
        lines = order.line_ids.with_user(self.users["accountant"])
        fifo_line, avco_line = lines.sorted("line_no")
        self.assertAlmostEqual(fifo_line.cogs, 10 * 50.0 + 2 * 70.0, places=2)  # oldest layers first
        self.assertAlmostEqual(avco_line.cogs, 5 * 60.0, places=2)  # (10*50 + 10*70) / 20
        self.assertAlmostEqual(order.with_user(self.users["accountant"]).cogs, 940.0, places=2)
        self.assertEqual(self._valuation_gap(), 0.0)
        # fulfilling again changes nothing
        self.assertEqual(
            self._fulfil(order),
            {"sale_orders": 0, "deliveries": 0, "returns": 0, "cancelled": 0, "awaiting_approval": 0},
        )

    def test_refund_after_shipping_returns_the_goods_at_their_cost(self):
        order = self._order("completed", [(self.fifo, 3, 99.0)])
        self._fulfil(order)
        self.assertAlmostEqual(order.line_ids.with_user(self.users["accountant"]).cogs, 150.0, places=2)
        order.status = "refunded"  # the platform's next export says so
        self.assertEqual(self._fulfil(order)["returns"], 1)
        self.assertEqual(order.fulfilment_state, "returned")
        self.env.invalidate_all()  # a new request: the cost is read again from the layers
        self.assertAlmostEqual(order.line_ids.with_user(self.users["accountant"]).cogs, 0.0, places=2)
        self.assertEqual(self._valuation_gap(), 0.0)

    def test_refund_above_the_shop_threshold_needs_a_second_person(self):
        self.shop.refund_approval_amount = 200.0
        small = self._order("completed", [(self.fifo, 1, 99.0)])
        large = self._order("completed", [(self.fifo, 3, 99.0)])
        self._fulfil(small | large)
        small.write({"status": "refunded", "refund_amount": 99.0})
        large.write({"status": "refunded", "refund_amount": 297.0})
        counts = self._fulfil(small | large)
        self.assertEqual((counts["returns"], counts["awaiting_approval"]), (1, 1))
        self.assertEqual((small.fulfilment_state, large.fulfilment_state), ("returned", "delivered"))
        Request = self.env["ecom.approval.request"]
        request = Request.search([("res_model", "=", "ecom.order"), ("res_id", "=", large.id)])
        self.assertEqual(
            (request.operation, request.requester_id, request.amount, request.state),
            ("refund", self.users["accountant"], 297.0, "pending"),
        )
        # asking again asks nothing new; nobody approves their own request
        self.assertEqual(self._fulfil(large)["awaiting_approval"], 1)
        self.assertEqual(
            Request.search_count([("res_model", "=", "ecom.order"), ("res_id", "=", large.id)]), 1
        )
        with self.assertRaises(AccessError):
            request.with_user(self.users["accountant"]).action_approve()
        request.with_user(self.users["manager"]).action_approve()
        # the platform's next export changes the amount: the approval no longer covers it
        large.refund_amount = 298.0
        self.assertEqual(self._fulfil(large)["awaiting_approval"], 1)
        self.assertEqual((large.fulfilment_state, request.state), ("delivered", "cancelled"))
        request = Request.search([("res_model", "=", "ecom.order"), ("res_id", "=", large.id)], limit=1)
        self.assertEqual((request.amount, request.state), (298.0, "pending"))
        request.with_user(self.users["manager"]).action_approve()
        self.assertEqual(self._fulfil(large)["returns"], 1)
        self.assertEqual((large.fulfilment_state, request.state), ("returned", "applied"))
        self.assertEqual(self._valuation_gap(), 0.0)

    def test_cancelled_before_shipping_cancels_the_sale_order(self):
        order = self._order("paid", [(self.avco, 1, 80.0)])
        self._fulfil(order)
        order.status = "cancelled"
        self.assertEqual(self._fulfil(order)["cancelled"], 1)
        self.assertEqual(order.sale_order_id.state, "cancel")
        # an order refunded or cancelled before it ever reached Odoo moves nothing
        never = self._order("cancelled", [(self.avco, 1, 80.0)])
        self.assertEqual(self._fulfil(never)["sale_orders"], 0)
        self.assertFalse(never.sale_order_id)

    def test_negative_stock_keeps_valuation_and_ledger_equal(self):
        product = self._product("NEG-T", self.fifo.categ_id)
        self._receive(product, 2, 40.0)
        order = self._order("shipped", [(product, 5, 99.0)])
        self._fulfil(order)
        self.assertEqual(product.with_context(location=self.hangzhou.lot_stock_id.id).qty_available, -3)
        self.assertEqual(self._valuation_gap(), 0.0)
        # the next receipt at another cost settles the 3 units sold short
        self._receive(product, 10, 60.0)
        self.assertEqual(self._valuation_gap(), 0.0)
        self.assertEqual(product.with_context(location=self.hangzhou.lot_stock_id.id).qty_available, 7)

    def test_margin_is_revenue_less_fees_less_cost(self):
        order = self._order("shipped", [(self.fifo, 2, 100.0), (self.avco, 1, 200.0)])
        self._fulfil(order)
        statement = self.env["ecom.statement"].create(
            {
                "name": "margin",
                "shop_id": self.shop.id,
                "fmt": "alipay",
                "filename": "m.csv",
                "sha256": "m" * 64,
                "state": "done",
            }
        )
        self.env["ecom.statement.line"].create(
            [
                {
                    "statement_id": statement.id,
                    "shop_id": self.shop.id,
                    "company_id": self.company.id,
                    "line_type": line_type,
                    "currency_id": self.shop.currency_id.id,
                    "gross": gross,
                    "fee": fee,
                    "net": gross - fee,
                    "occurred_at": datetime(2024, 3, 1, 3, 0),
                    "order_ref": order.name,
                    "dedup_key": f"m-{n}",
                }
                for n, (line_type, gross, fee) in enumerate(
                    [("sale", 400.0, 2.4), ("commission", -20.0, 0.0)]
                )
            ]
        )
        report = self.env["ecom.order.margin.report"].with_user(self.users["accountant"])
        rows = report.search([("order_id", "=", order.id)])
        self.assertEqual(len(rows), 2)
        self.assertAlmostEqual(sum(rows.mapped("revenue")), 400.0, places=2)
        self.assertAlmostEqual(sum(rows.mapped("fees")), 22.4, places=2)
        self.assertAlmostEqual(sum(rows.mapped("cogs")), 2 * 50.0 + 60.0, places=2)
        self.assertAlmostEqual(sum(rows.mapped("margin")), 400.0 - 22.4 - 160.0, places=2)
        by_shop = report.read_group([("order_id", "=", order.id)], ["margin:sum"], ["shop_id"])
        self.assertAlmostEqual(by_shop[0]["margin"], 217.6, places=2)

    def test_costs_stay_with_finance(self):
        order = self._order("shipped", [(self.fifo, 1, 99.0)])
        for role in ("shop_operator", "warehouse_operator"):
            with self.subTest(role=role):
                with self.assertRaises(AccessError):
                    self.env["ecom.order"].with_user(self.users[role]).fulfil_orders(order.ids)
                with self.assertRaises(AccessError):
                    self.env["ecom.order.margin.report"].with_user(self.users[role]).search([])
        with self.assertRaises(AccessError):
            order.with_user(self.users["shop_operator"]).read(["cogs"])
        with self.assertRaises(AccessError):
            order.line_ids.with_user(self.users["shop_operator"]).read(["cogs"])
        with self.assertRaises(AccessError):
            self.env["ecom.order"].with_user(self.users["auditor"]).fulfil_orders(order.ids)
        # the auditor reads costs, writes nothing
        self._fulfil(order)
        self.assertAlmostEqual(order.with_user(self.users["auditor"]).cogs, 50.0, places=2)

    def test_counts_and_transfers_keep_valuation_and_ledger_equal(self):
        product = self._product("CNT-T", self.avco.categ_id)
        self._receive(product, 10, 30.0)
        location = self.hangzhou.lot_stock_id
        # a count finds 8: the 2 missing units leave the valuation at their average cost
        self.env["stock.quant"].with_context(inventory_mode=True).search(
            [("product_id", "=", product.id), ("location_id", "=", location.id)]
        ).write({"inventory_quantity": 8})
        self.env["stock.quant"].search([("product_id", "=", product.id)]).action_apply_inventory()
        self.assertAlmostEqual(product.with_company(self.company).value_svl, 240.0, places=2)
        # a transfer to Shanghai moves units, not value
        move = self.env["stock.move"].create(
            {
                "name": "HZ to SH",
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": 3,
                "location_id": location.id,
                "location_dest_id": self.shanghai.lot_stock_id.id,
                "company_id": self.company.id,
            }
        )
        move._action_confirm()
        move.quantity = 3
        move.picked = True
        move._action_done()
        self.assertAlmostEqual(product.with_company(self.company).value_svl, 240.0, places=2)
        self.assertEqual(product.with_context(location=self.shanghai.lot_stock_id.id).qty_available, 3)
        self.assertEqual(self._valuation_gap(), 0.0)

    def test_valuation_by_warehouse_adds_up_to_the_company_valuation(self):
        self._receive(self.fifo, 5, 90.0, warehouse=self.shanghai)
        order = self._order("shipped", [(self.fifo, 4, 99.0)], address="上海市")
        self._fulfil(order)
        Report = self.env["ecom.stock.valuation.report"].with_user(self.users["accountant"])
        rows = Report.search([("product_id", "=", self.fifo.id)])
        by_warehouse = {row.warehouse_id: row for row in rows}
        self.assertEqual(by_warehouse[self.hangzhou].quantity, 20)
        self.assertEqual(by_warehouse[self.shanghai].quantity, 1)
        total = sum(rows.mapped("value"))
        self.assertAlmostEqual(total, self.fifo.with_company(self.company).value_svl, places=1)
        # before the receipts there was nothing
        past = Report.with_context(ecom_valuation_date="2020-01-01").search(
            [("product_id", "=", self.fifo.id)]
        )
        self.assertFalse(past)
        with self.assertRaises(AccessError):
            self.env["ecom.stock.valuation.report"].with_user(self.users["warehouse_operator"]).search([])

    def test_many_orders_are_fulfilled_in_background_jobs(self):
        orders = self._order("shipped", [(self.fifo, 1, 99.0)])
        orders |= self._order("shipped", [(self.avco, 1, 80.0)])
        orders |= self._order("paid", [(self.avco, 1, 80.0)])
        accountant_orders = orders.with_user(self.users["accountant"])
        fulfilment = accountant_orders._enqueue_fulfil(batch_size=2)
        self.assertEqual(
            (fulfilment.state, fulfilment.order_count, fulfilment.job_state), ("queued", 3, "pending")
        )
        job = self.env["queue.job"].search([("uuid", "=", fulfilment.job_uuid)])
        self.assertEqual(job.channel, "root.ecom.fulfilment")
        self.assertEqual(
            set(orders.mapped("fulfilment_state")), {"none"}, "nothing is done before the job runs"
        )
        Job.load(self.env, job.uuid).perform()  # what the job runner does
        self.assertEqual(orders.mapped("fulfilment_state"), ["delivered", "delivered", "confirmed"])
        self.assertEqual(job.user_id, self.users["accountant"])
        fulfilment.invalidate_recordset()
        self.assertEqual(fulfilment.state, "done")
        self.assertEqual((fulfilment.counts["sale_orders"], fulfilment.counts["deliveries"]), (3, 2))
        self.assertIn("3 sale orders, 2 deliveries", fulfilment.counts_display)
        with self.assertRaises(AccessError):
            orders.with_user(self.users["shop_operator"])._enqueue_fulfil()
        # what the fulfilment says is written by its own code only
        for vals in ({"state": "queued"}, {"counts": {"sale_orders": 9}}, {"order_ids": [(5, 0, 0)]}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                fulfilment.with_user(self.users["manager"]).sudo().write(vals)
        self.assertEqual(fulfilment.state, "done")

    def test_backdated_count_and_receipt_keep_valuation_and_ledger_equal(self):
        product = self._product("BACK-T", self.fifo.categ_id)
        self._receive(product, 6, 25.0)
        # a count of the end of last year, posted in that period
        quant = (
            self.env["stock.quant"]
            .with_context(inventory_mode=True)
            .search([("product_id", "=", product.id), ("location_id", "=", self.hangzhou.lot_stock_id.id)])
        )
        quant.write({"inventory_quantity": 4, "accounting_date": "2023-12-31"})
        quant.action_apply_inventory()
        count_moves = (
            self.env["stock.valuation.layer"].search([("product_id", "=", product.id)]).account_move_id
        )
        self.assertIn("2023-12-31", [str(d) for d in count_moves.mapped("date")])
        # a receipt booked in a past period too
        move = self.env["stock.move"].create(
            {
                "name": "late invoice receipt",
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": 3,
                "price_unit": 40.0,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": self.hangzhou.lot_stock_id.id,
                "company_id": self.company.id,
            }
        )
        move._action_confirm()
        move.quantity = 3
        move.picked = True
        move.with_context(force_period_date="2024-01-31")._action_done()
        self.assertEqual(str(move.stock_valuation_layer_ids.account_move_id.date), "2024-01-31")
        self.assertAlmostEqual(product.with_company(self.company).value_svl, 4 * 25.0 + 3 * 40.0, places=2)
        self.assertEqual(self._valuation_gap(), 0.0)

    def test_margin_report_follows_what_changes_and_flags_what_is_not_delivered(self):
        """The report is a table refreshed set-wise for what changed; it must agree with a fresh
        computation of every row, and an order not delivered yet has no margin to show."""
        Report = self.env["ecom.order.margin.report"].with_user(self.users["accountant"])
        order = self._order("paid", [(self.fifo, 1, 200.0)])
        rows = Report.search([("order_id", "=", order.id)])
        self.assertEqual((len(rows), rows.cogs_pending, rows.cogs), (1, True, 0.0))
        self.assertIn(rows, Report.search([("cogs_pending", "=", True)]))
        order.status = "shipped"
        self._fulfil(order)
        rows = Report.search([("order_id", "=", order.id)])
        self.assertEqual((rows.cogs_pending, rows.cogs), (False, 50.0))
        order.refund_amount = 20.0  # a later change of the order is taken by the next read
        self.assertAlmostEqual(Report.search([("order_id", "=", order.id)]).revenue, 180.0, places=2)
        # incremental refreshes agree with a computation of every row from scratch
        self.env.flush_all()
        columns = "id, order_id, revenue, fees, cogs, margin, is_negative, cogs_pending"
        query = SQL("SELECT %s FROM ecom_order_margin_report ORDER BY id", SQL(columns))
        self.env.cr.execute(query)
        stored = self.env.cr.fetchall()
        Report.sudo()._refresh(full=True)
        self.env.cr.execute(query)
        self.assertEqual(stored, self.env.cr.fetchall())
        self.assertTrue(stored)

    def test_a_delivery_beyond_the_stock_on_hand_is_reported(self):
        # 20 FIFO-T in stock at Hangzhou: an order of 25 the platform shipped drives it to -5
        short = self._order("shipped", [(self.fifo, 25, 99.0)])
        enough = self._order("shipped", [(self.avco, 2, 80.0)])
        self._fulfil(short | enough)
        self.assertEqual(short.fulfilment_state, "delivered")
        self.assertEqual(
            short.stock_shortage,
            f"FIFO-T: 25.0 shipped, 20.0 on hand in {self.hangzhou.lot_stock_id.display_name}",
        )
        self.assertFalse(enough.stock_shortage)
        self.assertEqual(self.fifo.with_context(warehouse_id=self.hangzhou.id).qty_available, -5)
        self.assertIn(short, self.env["ecom.order"].search([("stock_shortage", "!=", False)]))

        Order = self.env["ecom.order"]
        reported = Order._cron_stock_shortage()
        self.assertIn(short, reported)
        activity = self.shop.activity_ids.filtered(lambda a: "shipped with more than on hand" in a.summary)
        self.assertEqual(len(activity), 1)
        self.assertIn("FIFO-T: 25.0 shipped", activity.note)
        self.assertFalse(Order._cron_stock_shortage() & short, "reported once")
        with self.assertRaises(AccessError):
            short.with_user(self.users["manager"]).write({"stock_shortage": False})
