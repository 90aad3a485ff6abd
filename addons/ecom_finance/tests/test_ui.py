# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import HttpCase, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user


@tagged("post_install", "-at_install")
class TestShopUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = make_role_user(cls.env, "manager", cls.env.company, login="ecom_tour_manager")

    def test_manager_creates_a_shop_in_the_web_client(self):
        self.start_tour(
            "/odoo/action-ecom_finance.ecom_shop_action",
            "ecom_finance_shop_tour",
            login=self.manager.login,
        )
        shop = self.env["ecom.shop"].search([("code", "=", "JD-TOUR")])
        self.assertEqual(shop.name, "JD Tour Shop")
        self.assertEqual((shop.platform, shop.payment_channel), ("jd", "alipay"))
        self.assertEqual(shop.company_id, self.env.company)

    def test_demo_users_log_in(self):
        if not self.env.ref("base.demo_company_ecom", raise_if_not_found=False):
            self.skipTest("ecom_finance was installed without demo data")
        for login in ("ecom_shop", "ecom_warehouse", "ecom_accountant", "ecom_manager", "ecom_auditor"):
            with self.subTest(login=login):
                session = self.authenticate(login, login)
                self.assertEqual(session.login, login)
                response = self.url_open("/odoo")
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("/web/login", response.url)


@tagged("post_install", "-at_install")
class TestPostingUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.demo_company_ecom", raise_if_not_found=False)
        cls.company = company
        if not company:
            return
        cls.accountant = make_role_user(cls.env, "accountant", company, login="ecom_tour_accountant")
        shop = cls.env["ecom.shop"].create(
            {
                "name": "Tour Shop",
                "code": "TOUR",
                "company_id": company.id,
                "currency_id": company.currency_id.id,
                "platform": "tmall",
                "payment_channel": "alipay",
            }
        )
        shop.action_setup_accounting()
        cls.statement = cls.env["ecom.statement"].create(
            {
                "name": "TOUR/alipay/2024-03-05",
                "shop_id": shop.id,
                "fmt": "alipay",
                "filename": "tour.csv",
                "sha256": "t" * 64,
                "state": "done",
                "line_count": 3,
            }
        )
        cls.env["ecom.statement.line"].create(
            [
                {
                    "statement_id": cls.statement.id,
                    "shop_id": shop.id,
                    "company_id": company.id,
                    "line_type": line_type,
                    "order_ref": ref,
                    "currency_id": company.currency_id.id,
                    "gross": gross,
                    "fee": 0.0,
                    "net": gross,
                    "occurred_at": "2024-03-05 02:00:00",
                    "dedup_key": ref,
                }
                for ref, line_type, gross in (
                    ("TOUR-ORDER-1", "sale", 100.0),
                    ("TOUR-ORDER-2", "sale", 60.0),
                    ("TOUR-PAYOUT", "payout", -150.0),
                )
            ]
        )

    def test_accountant_posts_a_settlement_and_drills_down(self):
        if not self.company:
            self.skipTest("ecom_finance was installed without demo data")
        self.start_tour(
            f"/odoo/action-ecom_finance.ecom_statement_action/{self.statement.id}",
            "ecom_finance_posting_tour",
            login=self.accountant.login,
        )
        move = self.statement.move_ids
        self.assertEqual(move.state, "posted")
        self.assertEqual(self.statement.with_user(self.accountant).posting_state, "posted")


@tagged("post_install", "-at_install")
class TestRuleRequestUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.demo_company_ecom", raise_if_not_found=False)
        cls.company = company
        if not company:
            return
        cls.manager = make_role_user(cls.env, "manager", company, login="ecom_tour_rule_manager")
        shop = cls.env["ecom.shop"].create(
            {
                "name": "Rule Tour Shop",
                "code": "RTOUR",
                "company_id": company.id,
                "currency_id": company.currency_id.id,
            }
        )
        Account = cls.env["account.account"].with_company(company)
        cls.old_account, cls.new_account = (
            Account.create({"name": name, "code": code, "account_type": "expense"})
            for name, code in (("Tour Old Account", "TOUR01"), ("Tour Fees Account", "TOUR02"))
        )
        cls.rule = cls.env["ecom.posting.rule"].create(
            {
                "company_id": company.id,
                "shop_id": shop.id,
                "event_type": "commission",
                "account_id": cls.old_account.id,
            }
        )

    def test_manager_asks_for_a_rule_change_from_the_list(self):
        if not self.company:
            self.skipTest("ecom_finance was installed without demo data")
        self.start_tour(
            "/odoo/action-ecom_finance.ecom_posting_rule_action",
            "ecom_finance_rule_request_tour",
            login=self.manager.login,
        )
        self.assertEqual(self.rule.account_id, self.old_account)
        request = self.env["ecom.approval.request"].search(
            [("res_model", "=", "ecom.posting.rule"), ("res_id", "=", self.rule.id)]
        )
        self.assertEqual(
            (request.state, request.requester_id, request.substance["vals"]),
            ("pending", self.manager, {"account_id": self.new_account.id}),
        )
