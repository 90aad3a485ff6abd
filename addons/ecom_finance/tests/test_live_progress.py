# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""A background import's progress and its end reach the open form over the bus, through the
record's job channel, which only users who may read the record get."""

import json
from unittest.mock import patch

from websocket import WebSocketTimeoutException

from odoo.tests import HttpCase, tagged

from odoo.addons.bus.tests.common import WebsocketCase
from odoo.addons.bus.websocket import WebsocketConnectionHandler
from odoo.addons.ecom_audit.tests.common import make_role_user

from .test_statement_import import alipay_file, row


@tagged("post_install", "-at_install")
class TestLiveProgress(WebsocketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.accountant = make_role_user(cls.env, "accountant", company, login="ecom_live_accountant")
        cls.warehouse = make_role_user(cls.env, "warehouse_operator", company, login="ecom_live_warehouse")
        cls.shop = cls.env["ecom.shop"].create(
            {"name": "Live Shop", "code": "LIVE", "platform": "tmall", "payment_channel": "alipay"}
        )
        cls.env["ir.config_parameter"].set_param("ecom_finance.import_async_bytes", "100")
        cls.statement = (
            cls.env["ecom.statement"]
            .with_user(cls.accountant)
            ._enqueue_import(cls.shop, "live.csv", alipay_file([row(n) for n in range(1, 6)]))
        )

    def listen(self, login):
        session = self.authenticate(login, login)
        websocket = self.websocket_connect(cookie=f"session_id={session.sid}")
        channel = f"ecom_job:ecom.statement:{self.statement.id}"
        self.subscribe(websocket, [channel], self.env["bus.bus"]._bus_last_id())
        return websocket

    def received(self, websocket):
        return [message["message"] for message in json.loads(websocket.recv())]

    def test_progress_and_end_reach_the_form(self):
        websocket = self.listen(self.accountant.login)
        self.statement._job_progress(500, 2000)
        self.trigger_notification_dispatching([(self.statement, "ecom_job")])
        [progress] = self.received(websocket)
        self.assertEqual(progress["type"], "ecom_job/progress")
        payload = progress["payload"]
        self.assertEqual((payload["model"], payload["id"]), ("ecom.statement", self.statement.id))
        self.assertEqual((payload["done"], payload["total"], payload["progress"]), (500, 2000, 25.0))
        self.assertIn("500 of 2,000", payload["text"])
        # the job failed: the form is told, and reloads to show why and Retry
        job = self.env["queue.job"].search([("uuid", "=", self.statement.job_uuid)])
        job.write({"state": "failed", "exc_message": "live.csv, line 3: bad amount"})
        self.trigger_notification_dispatching([(self.statement, "ecom_job")])
        [end] = self.received(websocket)
        self.assertEqual((end["type"], end["payload"]["state"]), ("ecom_job/state", "failed"))

    def test_who_cannot_read_the_import_gets_nothing(self):
        # a Warehouse Operator reads no import: asking for its channel subscribes to nothing, and
        # the name asked for is not a channel the server sends to either
        websocket = self.listen(self.warehouse.login)
        name = f"ecom_job:ecom.statement:{self.statement.id}"
        self.statement._job_progress(10, 20)
        self.env["bus.bus"]._sendone(name, "ecom_job/progress", {"probe": True})
        self.trigger_notification_dispatching([(self.statement, "ecom_job"), name])
        websocket.settimeout(1)
        with self.assertRaises(WebSocketTimeoutException):
            websocket.recv()


@tagged("post_install", "-at_install")
class TestLiveProgressUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.accountant = make_role_user(cls.env, "accountant", company, login="ecom_live_tour_accountant")
        shop = cls.env["ecom.shop"].create(
            {"name": "Live Tour Shop", "code": "LIVET", "platform": "tmall", "payment_channel": "alipay"}
        )
        cls.env["ir.config_parameter"].set_param("ecom_finance.import_async_bytes", "100")
        cls.statement = (
            cls.env["ecom.statement"]
            .with_user(cls.accountant)
            ._enqueue_import(shop, "live-tour.csv", alipay_file([row(n) for n in range(1, 6)]))
        )

    def test_the_form_follows_a_queued_import(self):
        # Odoo turns the websockets off while tests run; the bus's own tests turn them on the same way
        self.startPatcher(patch.object(WebsocketConnectionHandler, "websocket_allowed", return_value=True))
        # what the job runner does before it calls /queue_job/runjob: the job is enqueued
        self.env.cr.execute(
            "UPDATE queue_job SET state = 'enqueued' WHERE uuid = %s", [self.statement.job_uuid]
        )
        tour = "ecom_live_progress_tour"
        url = f"/odoo/action-ecom_finance.ecom_statement_action/{self.statement.id}"
        job = json.dumps({"db": self.env.cr.dbname, "uuid": self.statement.job_uuid})
        options = json.dumps({"stepDelay": 0, "startUrl": url})
        code = f"sessionStorage.setItem('ecom_live_job', {job!r}); odoo.startTour({tour!r}, {options})"
        self.start_tour(url, tour, login=self.accountant.login, code=code)
        self.assertEqual((self.statement.state, self.statement.line_count), ("done", 5))
