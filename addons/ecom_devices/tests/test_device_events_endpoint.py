# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""``POST /ecom/device/events`` over HTTP, as a device (or an agent) sends its scans."""

import json

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import ENDPOINT, PRODUCT_BARCODE, body, device_notifications, event, make_device_fixtures


@tagged("post_install", "-at_install")
class TestDeviceEventsEndpoint(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_device_fixtures(cls)
        cls.token_a = cls.device_a.action_rotate_token()["token"]
        cls.token_b = cls.device_b.action_rotate_token()["token"]

    def post(self, data, token=None, headers=None):
        headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.url_open(ENDPOINT, data=data, headers=headers)

    def events_of(self, device):
        return self.env["ecom.scan.event"].search([("device_id", "=", device.id)])

    def set_param(self, key, value):
        self.env["ir.config_parameter"].set_param(f"ecom_devices.{key}", value)

    def test_good_token_stores_the_events_and_a_replay_counts_duplicates(self):
        Log = self.env["ecom.audit.log"].sudo()
        last_entry = Log.search([], order="id desc", limit=1).id or 0
        data = body(event("a-1"), event("a-2", kind="epc", code="3074257BF7194E4000001A85"))
        response = self.post(data, self.token_a)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {"accepted": 2, "duplicates": 0})
        events = self.events_of(self.device_a)
        self.assertEqual(sorted(events.mapped("event_uid")), ["a-1", "a-2"])
        barcode = events.filtered(lambda e: e.kind == "barcode")
        self.assertEqual(barcode.product_id, self.product)
        self.assertEqual(barcode.code, PRODUCT_BARCODE)
        self.assertEqual(str(barcode.scanned_at), "2026-12-07 08:00:00")
        self.assertEqual(events.warehouse_id, self.warehouse_a)
        self.assertTrue(self.device_a.token_last_used_at)
        # the same batch again, then one old and one new event
        self.assertEqual(self.post(data, self.token_a).json(), {"accepted": 0, "duplicates": 2})
        self.assertEqual(
            self.post(body(event("a-2"), event("a-3")), self.token_a).json(), {"accepted": 1, "duplicates": 1}
        )
        self.assertEqual(len(self.events_of(self.device_a)), 3)
        # the batches reached the device's channel, one notification each (none for the replay)
        notifications = device_notifications(self.device_a)
        self.assertEqual(len(notifications), 2)
        payloads = [json.loads(n.message)["payload"] for n in notifications.sorted("id")]
        self.assertEqual([e["uid"] for e in payloads[0]["events"]], ["a-1", "a-2"])
        self.assertEqual([e["uid"] for e in payloads[1]["events"]], ["a-3"])
        # each batch is one audit entry
        entries = Log.search([("model", "=", "ecom.scan.event"), ("id", ">", last_entry)])
        self.assertEqual(sorted(len(e.res_ids.split(",")) for e in entries), [1, 2])

    def test_missing_bad_revoked_and_rotated_away_tokens_are_refused(self):
        data = body(event("r-1"))
        old = self.token_a
        new = self.device_a.action_rotate_token()["token"]
        revoked = self.token_b
        self.device_b.action_revoke_token()
        for token in (None, "nonsense", old, revoked, new.split(".")[0] + ".forged"):
            with self.subTest(token=token):
                response = self.post(data, token)
                self.assertEqual(response.status_code, 401)
                self.assertEqual(response.json()["error"], "unauthorized")
                self.assertIn("Bearer", response.headers["WWW-Authenticate"])
        response = self.post(data, headers={"Authorization": f"Basic {new}"})
        self.assertEqual(response.status_code, 401)
        self.assertFalse(self.env["ecom.scan.event"].search([("event_uid", "=", "r-1")]))
        self.assertEqual(self.post(data, new).json(), {"accepted": 1, "duplicates": 0})

    def test_oversized_bodies_and_batches_are_refused(self):
        self.set_param("event_max_bytes", 300)
        big = body(*(event(f"big-{i}") for i in range(10)))
        self.assertGreater(len(big), 300)
        response = self.post(big, self.token_a)
        self.assertEqual(response.status_code, 413)
        self.assertEqual(response.json()["error"], "too_large")
        # no Content-Length (chunked): the cap holds on what is read
        response = self.url_open(
            ENDPOINT,
            data=(chunk.encode() for chunk in (big[:200], big[200:])),
            headers={"Authorization": f"Bearer {self.token_a}", "Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 413)
        self.set_param("event_max_bytes", 262144)
        self.set_param("event_max_events", 3)
        response = self.post(body(*(event(f"many-{i}") for i in range(4))), self.token_a)
        self.assertEqual(response.status_code, 413)
        self.assertEqual(response.json()["error"], "too_many_events")
        self.assertFalse(self.events_of(self.device_a))

    def test_a_malformed_event_is_named_and_nothing_is_stored(self):
        cases = [
            ({"id": "m-2", "kind": "qr", "code": "x", "at": "2026-12-07T08:00:00Z"}, "kind"),
            ({"kind": "barcode", "code": "x", "at": "2026-12-07T08:00:00Z"}, "id"),
            ({"id": "m-2", "kind": "barcode", "code": "x", "at": "07/12/2026"}, "at"),
            ({"id": "m-2", "kind": "epc", "code": "E" * 600, "at": "2026-12-07T08:00:00Z"}, "code"),
        ]
        for bad, field in cases:
            with self.subTest(field=field):
                response = self.post(body(event("m-1"), bad), self.token_a)
                self.assertEqual(response.status_code, 400, response.text)
                error = response.json()
                self.assertEqual((error["error"], error["index"], error["field"]), ("bad_event", 1, field))
                self.assertIn(f"events[1].{field}", error["message"])
        response = self.post("{not json", self.token_a)
        self.assertEqual(response.status_code, 400)
        response = self.post(body(event("m-1")), self.token_a, headers={"Content-Type": "text/plain"})
        self.assertEqual(response.status_code, 415)
        self.assertEqual(response.json()["error"], "unsupported_media_type")
        # a form (curl -d without a Content-Type): refused too, without a warning in the log
        response = self.url_open(
            ENDPOINT, data={"events": body(event("m-1"))}, headers={"Authorization": f"Bearer {self.token_a}"}
        )
        self.assertEqual(response.status_code, 415)
        self.assertFalse(self.events_of(self.device_a))

    def test_rate_limit_per_device(self):
        self.set_param("event_rate", "0.01")
        self.set_param("event_burst", "3")
        self.assertEqual(self.post(body(event("q-1"), event("q-2")), self.token_a).status_code, 200)
        response = self.post(body(event("q-3"), event("q-4")), self.token_a)
        self.assertEqual(response.status_code, 429)
        self.assertGreaterEqual(int(response.headers["Retry-After"]), 1)
        self.assertEqual(response.json()["error"], "rate_limited")
        self.assertEqual(len(self.events_of(self.device_a)), 2)
        # another device has its own bucket
        self.assertEqual(self.post(body(event("q-1"), event("q-2")), self.token_b).status_code, 200)

    def test_operators_see_the_scans_of_their_own_warehouses_only(self):
        self.assertEqual(self.post(body(event("w-1")), self.token_a).status_code, 200)
        self.assertEqual(self.post(body(event("w-1"), event("w-2")), self.token_b).status_code, 200)
        events_a, events_b = self.events_of(self.device_a), self.events_of(self.device_b)
        Event = self.env["ecom.scan.event"]
        operator_a = self.users["warehouse_operator"]
        self.assertEqual(Event.with_user(operator_a).search([]), events_a)
        self.assertEqual(Event.with_user(self.operator_b).search([]), events_b)
        with mute_logger("odoo.addons.ecom_audit"), self.assertRaises(AccessError):
            events_b.with_user(operator_a).read(["code"])
        # Auditors and Inventory Administrators read them all; finance roles none
        self.assertEqual(Event.with_user(self.users["auditor"]).search([]), events_a | events_b)
        self.assertEqual(Event.with_user(self.stock_manager).search([]), events_a | events_b)
        for role in ("shop_operator", "accountant", "manager"):
            with (
                self.subTest(role=role),
                mute_logger("odoo.addons.ecom_audit"),
                self.assertRaises(AccessError),
            ):
                Event.with_user(self.users[role]).search([])
