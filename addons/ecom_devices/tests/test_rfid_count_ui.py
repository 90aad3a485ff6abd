# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo.tests import HttpCase, tagged

from .common import ENDPOINT
from .rfid_common import burst, make_rfid_fixtures


@tagged("post_install", "-at_install")
class TestRfidCountUi(HttpCase):
    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_rfid_fixtures(cls)
        cls.operator = cls.users["warehouse_operator"]
        cls.token_a = cls.device_a.action_rotate_token()["token"]
        cls.count = cls.env["ecom.rfid.count"].create({"name": "Tour shelf", "device_id": cls.device_a.id})

    def test_count_a_shelf_from_a_burst_on_a_phone(self):
        events = [
            {"id": uid, "kind": kind, "code": code, "at": at.isoformat() + "Z"}
            for uid, kind, code, at in burst()
        ]
        response = self.url_open(
            ENDPOINT,
            data=json.dumps({"events": events}),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token_a}"},
        )
        self.assertEqual(response.json(), {"accepted": len(events), "duplicates": 0})
        self.start_tour(
            f"/odoo/action-ecom_devices.ecom_rfid_count_action/{self.count.id}",
            "ecom_devices_rfid_count_tour",
            login=self.operator.login,
        )
        self.assertEqual(self.count.state, "applied")
        on_hand = {
            product: product.with_context(location=self.shelf.id).qty_available
            for product in (self.tea, self.coffee)
        }
        self.assertEqual(on_hand, {self.tea: 7, self.coffee: 1})
