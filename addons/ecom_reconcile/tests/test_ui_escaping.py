# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime

from odoo.tests import HttpCase, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user

IMG = '<img src=x onerror="window.__ecomXss=1">'
SCRIPT = "<script>window.__ecomXss=1</script>"


@tagged("post_install", "-at_install")
class TestReconcileUiEscaping(HttpCase):
    """HTML in a shop's name, an order reference, a difference's note and a chatter message is shown
    as text by the web client (list, form, chatter), never run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = make_role_user(cls.env, "accountant", cls.env.company, login="ecom_xss_accountant")
        shop = cls.env["ecom.shop"].create(
            {"name": f"Shop {IMG}", "code": "XSS", "platform": "douyin", "payment_channel": "wechat"}
        )
        when = datetime(2024, 3, 1, 10, 0)
        cls.env["ecom.order"].create(
            {
                "name": f"X1{SCRIPT}",
                "shop_id": shop.id,
                "company_id": shop.company_id.id,
                "status": "paid",
                "currency_id": cls.env.company.currency_id.id,
                "amount_paid": 80.0,
                "order_time": when,
                "paid_time": when,
            }
        )
        result = cls.env["ecom.reconcile.run"].run_reconciliation(shop.ids, "2024-03-01", "2024-03-07")
        cls.difference = cls.env["ecom.reconcile.difference"].search([("run_id", "=", result["run_id"])])
        difference = cls.difference.with_user(cls.accountant)
        difference.resolution = f"Note {IMG} {SCRIPT}"
        difference.message_post(body=f"Buyer wrote {IMG} {SCRIPT}")  # a plain-text body

    def test_payloads_are_shown_as_text(self):
        self.assertEqual(len(self.difference), 1)
        self.start_tour(
            "/odoo/action-ecom_reconcile.ecom_reconcile_difference_action",
            "ecom_reconcile_escaping_tour",
            login=self.accountant.login,
        )
