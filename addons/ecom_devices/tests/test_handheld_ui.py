# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The handheld screen in Chromium at phone size (390x844), as a Warehouse Operator."""

import json
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from odoo.addons.bus.websocket import WebsocketConnectionHandler

from .handheld_common import make_handheld_fixtures


@tagged("post_install", "-at_install")
class TestHandheldUi(HttpCase):
    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_handheld_fixtures(cls)
        cls.operator = cls.users["warehouse_operator"]
        cls.token = cls.device_a.action_rotate_token()["token"]

    def test_receive_a_purchase_by_scanning_on_a_phone(self):
        # Odoo turns the websockets off while tests run; the bus's own tests turn them on the same
        # way (odoo.addons.bus.tests.common.WebsocketCase)
        self.startPatcher(patch.object(WebsocketConnectionHandler, "websocket_allowed", return_value=True))
        tour = "ecom_devices_handheld_tour"
        url = "/odoo/action-ecom_devices.ecom_handheld_action"
        options = json.dumps({"stepDelay": 0, "startUrl": url})
        # the paired device's token, for the step that posts its scan to the endpoint
        code = (
            f"sessionStorage.setItem('ecom_device_token', {self.token!r}); "
            f"odoo.startTour({tour!r}, {options})"
        )
        self.start_tour(
            url,
            tour,
            login=self.operator.login,
            code=code,
        )
        self.assertEqual(self.receipt.state, "done")
        self.assertEqual(self.receipt.move_ids.quantity, 3)
        scan = self.env["ecom.scan.event"].search([("device_id", "=", self.device_a.id)])
        self.assertEqual(scan.event_uid, "tour-scan-1")

    def test_count_a_shelf_by_scanning_on_a_phone(self):
        self.start_tour(
            "/odoo/action-ecom_devices.ecom_handheld_action",
            "ecom_devices_handheld_count_tour",
            login=self.operator.login,
        )
        stock = self.warehouse_a.lot_stock_id
        self.assertEqual(self.product.with_context(location=stock.id).qty_available, 2)
