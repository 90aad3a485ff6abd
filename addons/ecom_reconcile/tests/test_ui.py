# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime

from odoo.tests import HttpCase, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user


@tagged("post_install", "-at_install")
class TestReconcileUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = make_role_user(cls.env, "accountant", cls.env.company, login="ecom_tour_accountant")
        shop = cls.env["ecom.shop"].create(
            {"name": "Tour shop", "code": "TOUR", "platform": "douyin", "payment_channel": "wechat"}
        )
        currency = cls.env.company.currency_id
        when = datetime(2024, 3, 1, 10, 0)
        cls.env["ecom.order"].create(
            {
                "name": "T-AMOUNT",
                "shop_id": shop.id,
                "company_id": shop.company_id.id,
                "status": "paid",
                "currency_id": currency.id,
                "amount_paid": 80.0,
                "order_time": when,
                "paid_time": when,
            }
        )
        statement = cls.env["ecom.statement"].create(
            {
                "name": "TOUR/wechat",
                "shop_id": shop.id,
                "fmt": "wechat_trade",
                "filename": "tour.csv",
                "sha256": "0" * 64,
                "state": "done",
            }
        )
        cls.env["ecom.statement.line"].create(
            {
                "statement_id": statement.id,
                "shop_id": shop.id,
                "company_id": shop.company_id.id,
                "merchant_order_ref": "T-AMOUNT",
                "line_type": "sale",
                "currency_id": currency.id,
                "gross": 79.0,
                "fee": 0.0,
                "net": 79.0,
                "occurred_at": when,
                "dedup_key": "tour:1",
            }
        )
        result = cls.env["ecom.reconcile.run"].run_reconciliation(shop.ids, "2024-03-01", "2024-03-07")
        cls.run_id = result["run_id"]

    def test_accountant_drills_into_a_difference(self):
        self.start_tour(
            f"/odoo/action-ecom_reconcile.ecom_reconcile_run_action/{self.run_id}",
            "ecom_reconcile_drilldown_tour",
            login=self.accountant.login,
        )
        difference = self.env["ecom.reconcile.difference"].search(
            [("run_id", "=", self.run_id), ("reference", "=", "T-AMOUNT")]
        )
        self.assertEqual((difference.kind, difference.state), ("amount_mismatch", "assigned"))
        self.assertEqual(difference.user_id, self.accountant)
