# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The app's first screen: the shops' overview per role, and where Warehouse Operators land."""

import io
from datetime import datetime

import openpyxl

from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_audit.tests.common import make_role_user


def make_overview_fixtures(cls, prefix):
    """A shop with a WeChat Pay bill, an order paid 80 and settled 79 (one amount difference after
    a run), an open missing-bill alert, and one user per role (the shop operator listed on it)."""
    env = cls.env
    company = env.company
    cls.accountant = make_role_user(env, "accountant", company, login=f"{prefix}_accountant")
    cls.shop_operator = make_role_user(env, "shop_operator", company, login=f"{prefix}_shop")
    cls.warehouse_operator = make_role_user(env, "warehouse_operator", company, login=f"{prefix}_warehouse")
    cls.warehouse_operator.ecom_warehouse_ids = env["stock.warehouse"].search(
        [("company_id", "=", company.id)], limit=1
    )
    cls.shop = env["ecom.shop"].create(
        {
            "name": "Overview Douyin",
            "code": f"{prefix.upper()}OV",
            "platform": "douyin",
            "payment_channel": "wechat",
            "user_ids": [(4, cls.shop_operator.id)],
        }
    )
    cls.other_shop = env["ecom.shop"].create(
        {
            "name": "Overview Hidden",
            "code": f"{prefix.upper()}OH",
            "platform": "jd",
            "payment_channel": "alipay",
        }
    )
    currency = company.currency_id
    when = datetime(2024, 3, 1, 10, 0)
    env["ecom.order"].create(
        {
            "name": "OV-AMOUNT",
            "shop_id": cls.shop.id,
            "company_id": company.id,
            "status": "paid",
            "currency_id": currency.id,
            "amount_paid": 80.0,
            "order_time": when,
            "paid_time": when,
        }
    )
    statement = env["ecom.statement"].create(
        {
            "name": "OV/wechat",
            "shop_id": cls.shop.id,
            "fmt": "wechat_trade",
            "filename": "overview.csv",
            "sha256": "1" * 64,
            "state": "done",
            "line_count": 1,
            "period_end": datetime(2024, 3, 1, 23, 59),
        }
    )
    env["ecom.statement.line"].create(
        {
            "statement_id": statement.id,
            "shop_id": cls.shop.id,
            "company_id": company.id,
            "merchant_order_ref": "OV-AMOUNT",
            "line_type": "sale",
            "currency_id": currency.id,
            "gross": 79.0,
            "fee": 0.0,
            "net": 79.0,
            "occurred_at": when,
            "dedup_key": "overview:1",
        }
    )
    env["ecom.reconcile.run"].run_reconciliation(cls.shop.ids, "2024-03-01", "2024-03-07")
    env["ecom.reconcile.alert"]._insert(cls.shop, [("missing_bill", "2024-03-02", 1, 0.0)])


@tagged("post_install", "-at_install")
class TestOverview(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_overview_fixtures(cls, "ovt")

    def test_accountant_sees_every_shop_with_its_books(self):
        shops = (
            self.env["ecom.shop"]
            .with_user(self.accountant)
            .search([("id", "in", (self.shop | self.other_shop).ids)])
        )
        data = {shop.id: shop.overview for shop in shops}
        card = data[self.shop.id]
        self.assertEqual([b["format"] for b in card["bills"]], ["wechat_trade"])
        self.assertEqual(card["bills"][0]["last"], "2024-03-01")
        self.assertEqual(
            [(d["kind"], d["count"], d["amount"]) for d in card["differences"]],
            [("amount_mismatch", 1, -1.0), ("missing_payout", 1, -79.0)],
        )
        self.assertEqual((card["alerts"], card["missing_bills"]), (1, 1))
        # the bill is a settlement not posted yet; nothing posted on the clearing account
        self.assertEqual((card["to_post"], card["clearing"]), (1, 0.0))
        self.assertEqual(data[self.other_shop.id]["differences"], [])

    def test_shop_operator_sees_their_shop_without_finance_data(self):
        shops = self.env["ecom.shop"].with_user(self.shop_operator).search([])
        self.assertIn(self.shop, shops)
        self.assertNotIn(self.other_shop, shops)
        card = self.shop.with_user(self.shop_operator).overview
        self.assertEqual(card["differences"][0]["count"], 1)
        for key in ("to_post", "clearing", "budget_pct", "currency"):
            self.assertNotIn(key, card)

    def test_the_root_menu_opens_the_overview_by_role(self):
        root = self.env.ref("ecom_audit.menu_ecom_root")
        self.assertEqual(root.action, self.env.ref("ecom_finance.ecom_overview_server_action"))
        for user, expected in (
            (self.accountant, "ecom_finance.ecom_overview_action"),
            (self.shop_operator, "ecom_finance.ecom_overview_action"),
            (self.warehouse_operator, "stock.stock_picking_type_action"),
        ):
            with self.subTest(user=user.login):
                action = root.action.with_user(user).run()
                self.assertEqual(action["id"], self.env.ref(expected).id)


@tagged("post_install", "-at_install")
class TestOverviewUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_overview_fixtures(cls, "ovu")

    def test_overview_per_role(self):
        for user, tour in (
            (self.accountant, "ecom_overview_accountant_tour"),
            (self.shop_operator, "ecom_overview_shop_operator_tour"),
            (self.warehouse_operator, "ecom_overview_warehouse_tour"),
        ):
            with self.subTest(user=user.login):
                self.start_tour("/odoo", tour, login=user.login)


@tagged("post_install", "-at_install")
class TestUserGuide(HttpCase):
    def test_the_guide_opens_in_the_users_language(self):
        user = make_role_user(self.env, "shop_operator", self.env.company, login="guide_shop")
        action = self.env.ref("ecom_finance.ecom_guide_server_action")
        for lang, page, words in (
            ("en_US", "guide_en.html", "user guide"),
            ("zh_CN", "guide_zh_CN.html", "用户指南"),
        ):
            with self.subTest(lang=lang):
                self.env["res.lang"]._activate_lang(lang)
                user.lang = lang
                # as the web client calls it: with the user's language in the context
                result = action.with_user(user).with_context(lang=user.lang).run()
                self.assertEqual(result["tag"], "ecom_finance.guide")
                # the breadcrumb: the action's own name, in the user's language
                self.assertEqual(result["name"], action.with_context(lang=lang).name)
                self.assertEqual(result["params"]["url"], f"/ecom_finance/static/guide/{page}")
                response = self.url_open(result["params"]["url"])
                self.assertEqual(response.status_code, 200)
                self.assertIn(words, response.text)


@tagged("post_install", "-at_install")
class TestRunXlsxDownload(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_overview_fixtures(cls, "xls")
        cls.reconcile_run = cls.env["ecom.reconcile.run"].search([("shop_ids", "in", cls.shop.ids)], limit=1)

    def test_the_workbook_is_streamed_to_who_may_read_the_run(self):
        attachments = self.env["ir.attachment"].search_count([])
        self.authenticate(self.accountant.login, self.accountant.login)
        response = self.url_open(f"/ecom_reconcile/run/{self.reconcile_run.id}/xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        self.assertIn("Amount mismatch", book.sheetnames)
        # nothing left behind
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        # the Print menu's entry leads there
        action = self.env.ref("ecom_reconcile.action_report_reconcile_run_xlsx")
        run = self.reconcile_run
        context = {"active_model": run._name, "active_ids": run.ids, "active_id": run.id}
        result = action.with_user(self.accountant).with_context(**context).run()
        self.assertEqual(result["url"], f"/ecom_reconcile/run/{run.id}/xlsx")
        # a Warehouse Operator reads no run
        self.authenticate(self.warehouse_operator.login, self.warehouse_operator.login)
        with mute_logger("odoo.http"):
            response = self.url_open(f"/ecom_reconcile/run/{self.reconcile_run.id}/xlsx")
        self.assertEqual(response.status_code, 403)
