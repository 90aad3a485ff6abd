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
