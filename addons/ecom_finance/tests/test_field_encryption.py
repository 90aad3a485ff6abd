# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import os
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import SQL, config

from ecomfin.crypto import Keyring

from .common import EcomShopCase

K1, K2, OTHER = Keyring.generate_key(), Keyring.generate_key(), Keyring.generate_key()
CANARY = "sk_live_CANARY_4f1d"


@tagged("post_install", "-at_install")
class TestFieldEncryption(EcomShopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the keys of the configuration only: the environment's would stand in for missing ones
        cls.startClassPatcher(patch.dict(os.environ, {"ECOM_FIELD_KEYS": ""}))
        cls.saved_keys = config.get("ecom_field_keys")
        config["ecom_field_keys"] = f"k1:{K1};current=k1"
        cls.manager = cls.users["manager"]
        cls.shop_own.with_user(cls.manager).api_secret = CANARY

    @classmethod
    def tearDownClass(cls):
        config["ecom_field_keys"] = cls.saved_keys
        super().tearDownClass()

    def _token(self, shop):
        self.env.flush_all()
        return self.env.execute_query(SQL("SELECT api_secret_token FROM ecom_shop WHERE id = %s", shop.id))[
            0
        ][0]

    def _read_secret(self, shop):
        shop.invalidate_recordset(["api_secret"])
        return shop.with_user(self.manager).api_secret

    def test_secret_is_ciphertext_at_rest_and_plain_for_managers(self):
        token = self._token(self.shop_own)
        self.assertTrue(token.startswith("ef1:k1:"))
        self.assertNotIn("CANARY", token)
        ((hits,),) = self.env.execute_query(
            SQL("SELECT count(*) FROM ecom_shop WHERE row_to_json(ecom_shop.*)::text LIKE %s", f"%{CANARY}%")
        )
        self.assertEqual(hits, 0, "the plaintext is nowhere in the table")
        self.assertEqual(self._read_secret(self.shop_own), CANARY)
        for role in ("accountant", "auditor", "shop_operator"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.shop_own.with_user(self.users[role]).read(["api_secret"])

    def test_token_copied_to_another_record_does_not_decrypt(self):
        token = self._token(self.shop_own)
        self.env.cr.execute(
            SQL("UPDATE ecom_shop SET api_secret_token = %s WHERE id = %s", token, self.shop_colleague.id)
        )
        self.shop_colleague.invalidate_recordset()
        with self.assertRaisesRegex(UserError, "Cannot decrypt"):
            self._read_secret(self.shop_colleague)

    def test_missing_or_wrong_key_is_an_error_never_plaintext(self):
        config["ecom_field_keys"] = None
        try:
            with self.assertRaisesRegex(UserError, "No field encryption keys"):
                self._read_secret(self.shop_own)
            config["ecom_field_keys"] = f"k1:{OTHER};current=k1"
            with self.assertRaisesRegex(UserError, "Cannot decrypt"):
                self._read_secret(self.shop_own)
            config["ecom_field_keys"] = f"k9:{K1};current=k9"
            with self.assertRaisesRegex(UserError, "k1"):
                self._read_secret(self.shop_own)
        finally:
            config["ecom_field_keys"] = f"k1:{K1};current=k1"

    def test_shops_without_secret_need_no_key(self):
        config["ecom_field_keys"] = None
        try:
            shop = (
                self.env["ecom.shop"]
                .with_user(self.manager)
                .create({"name": "No secret", "code": "NOSEC", "api_secret": False})
            )
            self.assertFalse(shop.api_secret)
            shop.api_secret = False
            self.assertFalse(self._token(shop))
        finally:
            config["ecom_field_keys"] = f"k1:{K1};current=k1"

    def test_rotation_then_removal_of_the_old_key(self):
        config["ecom_field_keys"] = f"k1:{K1},k2:{K2};current=k2"
        try:
            rotated = self.env["ecom.encrypted.mixin"]._ecom_rotate_all()
            self.assertGreaterEqual(rotated["ecom.shop"], 1)
            self.assertTrue(self._token(self.shop_own).startswith("ef1:k2:"))
            config["ecom_field_keys"] = f"k2:{K2};current=k2"
            self.assertEqual(self._read_secret(self.shop_own), CANARY)
            self.assertEqual(self.env["ecom.encrypted.mixin"]._ecom_rotate_all()["ecom.shop"], 0)
        finally:
            config["ecom_field_keys"] = f"k1:{K1};current=k1"
