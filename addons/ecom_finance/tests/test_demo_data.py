# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import TransactionCase, tagged

DEMO_LOGINS = {
    "ecom_shop": "ecom_audit.group_ecom_shop_operator",
    "ecom_warehouse": "ecom_audit.group_ecom_warehouse_operator",
    "ecom_accountant": "ecom_audit.group_ecom_accountant",
    "ecom_manager": "ecom_audit.group_ecom_manager",
    "ecom_auditor": "ecom_audit.group_ecom_auditor",
}


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The first start shows a newcomer a recognisable company (only when demo data is loaded)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo_company = cls.env.ref("base.demo_company_ecom", raise_if_not_found=False)

    def setUp(self):
        super().setUp()
        if not self.demo_company:
            self.skipTest("ecom_finance was installed without demo data")

    def test_company_shops_and_warehouses(self):
        company = self.demo_company
        self.assertEqual(company.currency_id.name, "CNY")
        self.assertTrue(company.chart_template, "the demo company has a chart of accounts")
        shops = self.env["ecom.shop"].search([("company_id", "=", company.id)])
        self.assertEqual(
            sorted((s.platform, s.payment_channel, s.currency_id.name) for s in shops),
            [("douyin", "wechat", "CNY"), ("shopify", "shopify_payments", "USD"), ("tmall", "alipay", "CNY")],
        )
        self.assertEqual(shops.filtered("is_foreign_currency").platform, "shopify")
        warehouses = self.env["stock.warehouse"].search([("company_id", "=", company.id)])
        self.assertEqual(sorted(warehouses.mapped("code")), ["HZ", "SH"])
        self.assertEqual(shops.warehouse_id, warehouses)

    def test_products_valued_fifo_and_avco_automatically(self):
        # the goods (the company also buys a packing service: the demo payables)
        products = self.env["product.product"].search(
            [("company_id", "=", self.demo_company.id), ("type", "=", "consu")]
        )
        self.assertGreaterEqual(len(products), 20)
        self.assertTrue(all(products.mapped("is_storable")))
        categories = products.with_company(self.demo_company).categ_id
        self.assertEqual(sorted(categories.mapped("property_cost_method")), ["average", "fifo"])
        self.assertEqual(set(categories.mapped("property_valuation")), {"real_time"})
        self.assertTrue(all(categories.mapped("property_stock_valuation_account_id")))

    def test_one_user_per_role_sees_the_app(self):
        root = self.env.ref("ecom_audit.menu_ecom_root")
        for login, group in DEMO_LOGINS.items():
            with self.subTest(login=login):
                user = self.env["res.users"].search([("login", "=", login)])
                self.assertTrue(user.has_group(group))
                self.assertFalse(user.has_group("base.group_system"))
                self.assertEqual(user.company_id, self.demo_company)
                menus = self.env["ir.ui.menu"].with_user(user).load_menus(False)
                self.assertIn(root.id, menus["root"]["children"])
                self.assertTrue(menus[root.id]["children"], "the app shows at least one menu")

    def test_shop_operator_sees_the_two_domestic_shops(self):
        user = self.env["res.users"].search([("login", "=", "ecom_shop")])
        shops = self.env["ecom.shop"].with_user(user).search([])
        self.assertEqual(sorted(shops.mapped("code")), ["DY01", "TM01"])
