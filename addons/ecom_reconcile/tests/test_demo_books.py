# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoBooks(TransactionCase):
    """The demo week is in the books: settlements posted, orders shipped from both warehouses."""

    def test_demo_week_is_posted_shipped_and_reported(self):
        tmall = self.env.ref("ecom_finance.demo_shop_tmall", raise_if_not_found=False)
        douyin = self.env.ref("ecom_finance.demo_shop_douyin", raise_if_not_found=False)
        if not tmall or not douyin:
            self.skipTest("installed without demo data")
        shops = tmall | douyin
        settlements = self.env["ecom.statement"].search(
            [("shop_id", "in", shops.ids), ("fmt", "in", ("alipay", "wechat_trade"))]
        )
        self.assertEqual(set(settlements.mapped("posting_state")), {"posted"})
        orders = self.env["ecom.order"].search([("shop_id", "in", shops.ids)])
        self.assertIn("delivered", orders.mapped("fulfilment_state"))
        shipped_from = orders.filtered(lambda o: o.fulfilment_state == "delivered").mapped("warehouse_id")
        self.assertEqual(shipped_from, tmall.warehouse_id | douyin.warehouse_id)
        margins = self.env["ecom.order.margin.report"].search([("shop_id", "in", shops.ids)])
        self.assertTrue(margins)
        self.assertGreater(sum(margins.mapped("cogs")), 0)
        self.assertGreater(sum(margins.filtered(lambda m: m.shop_id == tmall).mapped("fees")), 0)
        self.assertGreater(sum(margins.mapped("revenue")), sum(margins.mapped("cogs")))
