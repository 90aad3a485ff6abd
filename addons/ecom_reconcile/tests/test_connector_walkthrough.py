# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The README's walk-through of the connectors: a Finance Manager sets up a backend against the
bundled fake Tmall server in the web client and presses Pull Now; the job runs; the orders and
the Alipay bill of the same shop land and reconcile."""

import json
from datetime import timedelta

from odoo.tests import HttpCase, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user
from odoo.addons.queue_job.job import Job

from ecomfin.connectors.fake import FakeServer, FakeShop, platform_today
from ecomfin.connectors.fake.alipay import FakeAlipay
from ecomfin.connectors.fake.taobao import FakeTaobao

ORDERS = 60


@tagged("post_install", "-at_install")
class TestConnectorWalkthrough(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.manager = make_role_user(cls.env, "manager", company, login="ecom_connector_tour_manager")
        cls.accountant = make_role_user(
            cls.env, "accountant", company, login="ecom_connector_tour_accountant"
        )
        cls.today = platform_today("taobao")
        # one shop's orders on Tmall and their payments in its Alipay bill (the same seed)
        cls.fake_shop = FakeShop(ORDERS, seed=12, days=3, today=cls.today)
        cls.tmall = FakeServer(FakeTaobao(cls.fake_shop)).start()
        cls.alipay = FakeServer(FakeAlipay(cls.fake_shop)).start()
        cls.addClassCleanup(cls.tmall.stop)
        cls.addClassCleanup(cls.alipay.stop)
        cls.env.ref("base.CNY").active = True
        cls.shop = cls.env["ecom.shop"].create(
            {
                "name": "Connector Tour Shop",
                "code": "CTOUR",
                "company_id": company.id,
                "currency_id": cls.env.ref("base.CNY").id,
                "platform": "tmall",
                "payment_channel": "alipay",
                "create_placeholder_products": True,
            }
        )

    def _run_jobs(self, backend):
        """What the job runner does: each job of the pull in turn (a pull queues its rest)."""
        for _ in range(20):
            backend.invalidate_recordset()
            if backend.state != "queued":
                return
            Job.load(self.env, backend.job_uuid).perform()
        self.fail("the pull did not end")

    def test_set_up_pull_and_reconcile(self):
        fake = json.dumps(
            {"url": self.tmall.url, "credentials": json.dumps(self.tmall.api.credentials_for(self.tmall.url))}
        )
        url = "/odoo/action-ecom_finance.ecom_connector_backend_action/new"
        options = json.dumps({"stepDelay": 0, "startUrl": url})
        tour = "ecom_connector_setup_tour"
        code = f"sessionStorage.setItem('ecom_fake', {fake!r}); odoo.startTour({tour!r}, {options})"
        self.start_tour(url, tour, login=self.manager.login, code=code)

        backend = self.env["ecom.connector.backend"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(
            (backend.platform, backend.state, backend.job_state), ("taobao", "queued", "pending")
        )
        backend.since = self.today - timedelta(days=3)
        self._run_jobs(backend)
        orders = self.env["ecom.order"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(len(orders), ORDERS, "every order once")
        self.start_tour(
            f"/odoo/action-ecom_finance.ecom_connector_backend_action/{backend.id}",
            "ecom_connector_result_tour",
            login=self.manager.login,
        )

        # the shop's Alipay bill from its own backend, pulled by an Accountant
        alipay = (
            self.env["ecom.connector.backend"]
            .with_user(self.manager)
            .create(
                {
                    "name": "Alipay bill (tour)",
                    "shop_id": self.shop.id,
                    "platform": "alipay",
                    "base_url": self.alipay.url,
                    "since": self.today - timedelta(days=3),
                    "credentials": json.dumps(self.alipay.api.credentials_for(self.alipay.url)),
                }
            )
        )
        result = alipay.with_user(self.accountant).pull(alipay.ids)
        self.assertEqual(result["errors"], [])
        self.assertGreater(result["lines_created"], ORDERS)

        run = (
            self.env["ecom.reconcile.run"]
            .with_user(self.accountant)
            .run_reconciliation(
                self.shop.ids, str(self.today - timedelta(days=3)), str(self.today - timedelta(days=1))
            )
        )
        paid = [order for order in self.fake_shop.orders()]
        self.assertEqual(run["matched"], len(paid), "each pulled order matched to its pulled payment")
        self.assertFalse(run["counts"].get("missing_payment"), run["counts"])
        self.assertFalse(run["counts"].get("amount_mismatch"), run["counts"])
