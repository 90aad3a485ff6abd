# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
from datetime import datetime, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_audit.const import MASK

from .common import PRODUCT_BARCODE, device_notifications, make_device_fixtures

PROTECTED = {
    "token_prefix": "abcdef12",
    "token_hash": "pbkdf2_sha256$1$00$00",
    "token_state": "active",
    "token_rotated_at": "2026-01-01 00:00:00",
    "token_last_used_at": "2026-01-01 00:00:00",
}


@tagged("post_install", "-at_install")
class TestDeviceTokens(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_device_fixtures(cls)

    def _audit_entries(self, model, res_id=None):
        """The audit entries of this transaction not chained yet (ecom.audit.log._append's buffer)."""
        buffer = self.env.cr.precommit.data.get("ecom_audit_buffer", [])
        # the changes wait as their canonical JSON text
        return [
            (*row[:-1], json.loads(row[-1]))
            for row in buffer
            if row[5] == model and (res_id is None or str(res_id) in row[6].split(","))
        ]

    def test_location_is_in_the_warehouse(self):
        self.assertEqual(self.device_a.location_id, self.warehouse_a.lot_stock_id)
        self.device_a.warehouse_id = self.warehouse_b
        self.assertEqual(self.device_a.location_id, self.warehouse_b.lot_stock_id)
        with self.assertRaisesRegex(ValidationError, "not in its warehouse"):
            self.device_b.location_id = self.warehouse_a.lot_stock_id

    def test_rotate_returns_the_token_once_and_stores_only_a_hash(self):
        device = self.device_a.with_user(self.stock_manager)
        token = device.action_rotate_token()["token"]
        self.assertEqual(device.token_state, "active")
        self.assertTrue(token.startswith(device.token_prefix + "."))
        # nowhere in the device's row, nor in the audit entries of the rotation
        self.env.flush_all()
        self.env.cr.execute("SELECT row_to_json(d)::text FROM ecom_device d WHERE id = %s", [device.id])
        row = self.env.cr.fetchone()[0]
        secret = token.split(".", 1)[1]
        self.assertNotIn(secret, row)
        self.assertIn("pbkdf2_sha256$", row)
        entries = self._audit_entries("ecom.device", device.id)
        self.assertTrue(entries)
        logged = json.dumps([entry[-1] for entry in entries])
        self.assertNotIn(secret, logged)
        self.assertNotIn("pbkdf2", logged)
        self.assertEqual(entries[-1][-1]["token_hash"], [False, MASK])
        self.assertEqual(entries[-1][-1]["token_state"], ["none", "active"])
        # the token cannot be read back, not even its hash, by the device's manager
        with self.assertRaises(AccessError):
            device.read(["token_hash"])
        self.assertEqual(self.env["ecom.device"]._authenticate_token(token), self.device_a)

    def test_rotation_and_revocation_refuse_the_old_token_at_once(self):
        device = self.device_a.with_user(self.stock_manager)
        first = device.action_rotate_token()["token"]
        second = device.action_rotate_token()["token"]
        Device = self.env["ecom.device"]
        self.assertFalse(Device._authenticate_token(first))
        self.assertEqual(Device._authenticate_token(second), self.device_a)
        # an archived device is refused too, until it is restored
        device.action_archive()
        self.assertFalse(Device._authenticate_token(second))
        device.action_unarchive()
        self.assertEqual(Device._authenticate_token(second), self.device_a)
        self.assertTrue(device.action_revoke_token())
        self.assertEqual(device.token_state, "revoked")
        # audited: the revocation, by its author, the hash masked
        entry = self._audit_entries("ecom.device", device.id)[-1]
        self.assertEqual(entry[1], self.stock_manager.id)
        self.assertEqual(entry[-1]["token_state"], ["active", "revoked"])
        self.assertEqual(entry[-1]["token_hash"], [MASK, False])
        self.assertFalse(device.token_prefix)
        self.assertFalse(Device._authenticate_token(second))
        for bad in (None, "", "garbage", second.split(".")[0] + ".x"):
            self.assertFalse(Device._authenticate_token(bad))

    def test_the_dialog_shows_the_token_without_keeping_it(self):
        action = self.device_a.with_user(self.stock_manager).action_rotate_token_dialog()
        token = action["context"]["default_token"]
        Wizard = self.env["ecom.device.token.wizard"].with_user(self.stock_manager)
        self.assertEqual(Wizard.with_context(**action["context"]).default_get(["token"])["token"], token)
        self.assertEqual(self.env["ecom.device"]._authenticate_token(token), self.device_a)
        self.assertFalse(Wizard.search([]))

    def test_only_inventory_administrators_manage_tokens(self):
        self.device_a.with_user(self.stock_manager).action_rotate_token()
        before = self.device_a.sudo().token_hash
        for role, user in self.users.items():
            for method in ("action_rotate_token", "action_rotate_token_dialog", "action_revoke_token"):
                with (
                    self.subTest(role=role, method=method),
                    mute_logger("odoo.addons.ecom_audit"),
                    self.assertRaises(AccessError),
                ):
                    getattr(self.device_a.with_user(user), method)()
        self.assertEqual(self.device_a.sudo().token_hash, before)
        self.assertEqual(self.device_a.token_state, "active")

    def test_token_fields_are_refused_in_create_write_and_copy(self):
        admin = self.env.ref("base.user_admin")
        for user in (self.stock_manager, admin):
            device = self.device_b.with_user(user)
            for name, value in PROTECTED.items():
                with self.subTest(user=user.login, field=name):
                    with self.assertRaises(AccessError):
                        device.write({name: value})
                    with self.assertRaises(AccessError):
                        device.copy({name: value, "serial": f"COPY-{name}"})
                    with self.assertRaises(AccessError):
                        self.env["ecom.device"].with_user(user).create(
                            {"name": "Forged", "serial": f"F-{name}", name: value}
                        )
        self.assertEqual(self.device_b.token_state, "none")
        # an active token is not switched off by writing its state either (Revoke Token does it)
        self.device_a.with_user(self.stock_manager).action_rotate_token()
        for user in (self.stock_manager, admin):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.device_a.with_user(user).write({"token_state": "none", "token_prefix": False})
        self.assertEqual(self.device_a.token_state, "active")
        # what the web client sends as defaults of a new device is fine
        device = (
            self.env["ecom.device"]
            .with_user(self.stock_manager)
            .create({"name": "New", "serial": "NEW-1", "token_state": "none", "token_prefix": False})
        )
        self.assertEqual(device.token_state, "none")
        copy = self.device_a.with_user(self.stock_manager).copy({"serial": "DT-A-02"})
        self.assertEqual(copy.token_state, "none")

    def test_last_use_is_not_audited(self):
        self.device_a.with_user(self.stock_manager).action_rotate_token()
        count = len(self._audit_entries("ecom.device", self.device_a.id))
        self.device_a._touch_token()
        self.assertTrue(self.device_a.token_last_used_at)
        self.assertEqual(len(self._audit_entries("ecom.device", self.device_a.id)), count)

    def test_a_thousand_events_are_one_insert_one_audit_entry_one_notification(self):
        Event = self.env["ecom.scan.event"]
        start = datetime(2026, 12, 7, 8, 0)
        events = [
            (
                f"e{i}",
                "barcode" if i % 2 else "epc",
                PRODUCT_BARCODE if i % 2 else f"3074257BF7194E40000{i:05d}",
                start + timedelta(milliseconds=i),
            )
            for i in range(1000)
        ]
        self.env.flush_all()
        queries = self.env.cr.sql_log_count
        new, duplicates = Event._receive(self.device_a, events)
        self.assertLess(self.env.cr.sql_log_count - queries, 15)
        self.assertEqual((len(new), duplicates), (1000, 0))
        entries = self._audit_entries("ecom.scan.event")
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries[0][-1]["count"], 1000)
        self.assertEqual(set(map(int, entries[0][6].split(","))), set(new.ids))
        barcodes = new.filtered(lambda e: e.kind == "barcode")
        self.assertEqual(barcodes.product_id, self.product)
        self.assertEqual(set(barcodes.mapped("gtin")), {"0" + PRODUCT_BARCODE})
        self.assertFalse(new.filtered(lambda e: e.kind == "epc").product_id)
        self.assertEqual(new.location_id, self.warehouse_a.lot_stock_id)
        self.assertEqual(new.company_id, self.company)
        # the same batch again: nothing new, no entry, no notification
        again, duplicates = Event._receive(self.device_a, events[:10])
        self.assertEqual((len(again), duplicates), (0, 10))
        self.assertEqual(len(self._audit_entries("ecom.scan.event")), 1)
        # one bus notification, on the device's channel
        self.env.cr.precommit.run()
        notifications = device_notifications(self.device_a)
        self.assertEqual(len(notifications), 1)
        message = json.loads(notifications.message)
        self.assertEqual(message["type"], "ecom_device/events")
        self.assertEqual(len(message["payload"]["events"]), 1000)

    def test_events_are_read_only_for_everyone(self):
        new, _duplicates = self.env["ecom.scan.event"]._receive(
            self.device_a, [("x1", "barcode", PRODUCT_BARCODE, datetime(2026, 12, 7))]
        )
        admin = self.env.ref("base.user_admin")
        for user in (*self.users.values(), self.stock_manager, admin):
            with self.subTest(user=user.login), mute_logger("odoo.addons.ecom_audit"):
                with self.assertRaises(AccessError):
                    new.with_user(user).write({"code": "forged"})
                with self.assertRaises(AccessError):
                    new.with_user(user).unlink()
                with self.assertRaises(AccessError):
                    self.env["ecom.scan.event"].with_user(user).create(
                        {"device_id": self.device_a.id, "event_uid": "f", "kind": "barcode", "code": "f"}
                    )
        self.assertEqual(new.code, PRODUCT_BARCODE)

    def test_bound_operator_listens_to_the_device(self):
        operator = self.users["warehouse_operator"]
        channels = self.env["ir.websocket"].with_user(operator)._ecom_device_channels()
        self.assertIn(self.device_a, channels)
        self.assertNotIn(self.device_b, channels)
        channels = self.env["ir.websocket"].with_user(self.operator_b)._ecom_device_channels()
        self.assertNotIn(self.device_a, channels)

    def test_a_device_with_scans_is_archived_not_deleted(self):
        self.env["ecom.scan.event"]._receive(
            self.device_a, [("d1", "barcode", PRODUCT_BARCODE, datetime(2026, 12, 7))]
        )
        with self.assertRaisesRegex(UserError, "archive it"):
            self.device_a.with_user(self.stock_manager).unlink()
        self.device_b.with_user(self.stock_manager).unlink()
        self.assertFalse(self.device_b.exists())
