# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo.tests import tagged
from odoo.tools import SQL, config

from ecomfin.crypto import Keyring

from .common import EcomRolesCase
from .test_audit_export import SKIP_FLAGS

K1, K2 = Keyring.generate_key(), Keyring.generate_key()
CANARY = "sk_live_AUDIT_CANARY_7c2e"


@tagged("post_install", "-at_install")
class TestAuditSensitiveReads(EcomRolesCase):
    """Decrypted reads of encrypted fields, on the shops of ecom_finance (the mixin's first user)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.saved_keys = config.get("ecom_field_keys")
        config["ecom_field_keys"] = f"k1:{K1};current=k1"
        cls.Log = cls.env["ecom.audit.log"]
        cls.manager = cls.users["manager"]
        cls.shop = None
        if "ecom.shop" in cls.env:
            cls.shop = cls.env["ecom.shop"].create({"name": "Audited Secret Shop", "code": "AUD-SEC"})
            cls.shop.with_user(cls.manager).api_secret = CANARY
            cls.no_secret = cls.env["ecom.shop"].create({"name": "No Secret Shop", "code": "AUD-NOSEC"})

    @classmethod
    def tearDownClass(cls):
        config["ecom_field_keys"] = cls.saved_keys
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        if self.shop is None:
            self.skipTest("needs ecom_finance (ecom.shop uses the encryption mixin)")
        self.env.invalidate_all()

    def _reads(self):
        self.Log._flush_pending()  # what the commit does
        return self.Log.search(
            [("operation", "=", "read_sensitive"), ("model", "=", "ecom.shop")], order="seq"
        )

    def test_decrypted_read_is_logged_without_the_value(self):
        before = self._reads()
        self.assertEqual(self.shop.with_user(self.manager).api_secret, CANARY)
        entry = self._reads() - before
        self.assertEqual(len(entry), 1)
        self.assertEqual((entry.user_uid, entry.res_ids), (self.manager.id, str(self.shop.id)))
        self.assertEqual(entry.changes, {"fields": ["api_secret"], "count": 1})
        ((row,),) = self.env.execute_query(
            SQL("SELECT row_to_json(l.*)::text FROM ecom_audit_log l WHERE l.id = %s", entry.id)
        )
        self.assertNotIn(CANARY, row, "the value is nowhere in the entry")

    def test_context_flags_do_not_skip_the_read_entry(self):
        before = self._reads()
        values = self.shop.with_user(self.manager).with_context(**SKIP_FLAGS).read(["api_secret"])
        self.assertEqual(values[0]["api_secret"], CANARY)
        self.assertEqual(len(self._reads() - before), 1)

    def test_no_entry_without_decryption(self):
        before = self._reads()
        self.assertFalse(self.no_secret.with_user(self.manager).api_secret)  # nothing to decrypt
        self.shop.with_user(self.manager).read(["name", "code"])  # the secret is not read
        self.assertEqual(self._reads(), before)

    def test_rotation_reads_no_secret(self):
        before = self._reads()
        config["ecom_field_keys"] = f"k1:{K1},k2:{K2};current=k2"
        try:
            rotated = self.env["ecom.encrypted.mixin"]._ecom_rotate_all()
            self.assertGreaterEqual(rotated["ecom.shop"], 1)
            self.assertEqual(self._reads(), before, "rotation re-encrypts tokens, it reads no secret")
            self.assertEqual(self.shop.with_user(self.manager).api_secret, CANARY)
            self.assertEqual(len(self._reads() - before), 1)
        finally:
            config["ecom_field_keys"] = f"k1:{K1};current=k1"

    def test_exported_secret_logs_the_export_and_the_read(self):
        self.manager.groups_id = [(4, self.env.ref("base.group_allow_export").id)]
        before = self._reads()
        self.shop.with_user(self.manager).export_data(["name", "api_secret"])
        self.assertEqual(len(self._reads() - before), 1)
        export = self.Log.search([("operation", "=", "export"), ("model", "=", "ecom.shop")], limit=1)
        self.assertEqual(export.changes["fields"], ["name", "api_secret"])
        self.assertNotIn(CANARY, json.dumps(export.changes))
