# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import os
import shutil
import subprocess
import uuid
from unittest.mock import patch

from cryptography.exceptions import InvalidTag

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.sql_db import connection_info_for
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL, config

from odoo.addons.ecom_audit.keys import KEYS_ENV, KEYS_OPTION

from ecomfin.crypto import DecryptionError, Keyring

from .common import EcomShopCase
from .test_statement_import import alipay_file, b64, row

K1, K2, OTHER, INDEX = (Keyring.generate_key() for _ in range(4))
KEYS_K1 = f"k1:{K1};current=k1;index={INDEX}"
KEYS_K1_K2 = f"k1:{K1},k2:{K2};current=k2;index={INDEX}"
KEYS_K2 = f"k2:{K2};current=k2;index={INDEX}"

BUYER, PHONE, ADDRESS = "金丝雀买家", "13800138000", "金丝雀路 1 号"
ACCOUNT = "6222021234567890123"
CANARIES = (BUYER, PHONE, ADDRESS, "金丝雀", ACCOUNT)
HEADER = (
    "order_ref,order_time,paid_time,status,currency,amount_paid,refund_amount,sku,quantity,unit_price,"
    "buyer_name,buyer_phone,address\n"
)
C1_HEAD = "2024-03-01 10:00:00,2024-03-01 10:01:00,paid,CNY,130.00,0.00"


def orders_csv(*rows):
    return (HEADER + "".join(f"{r}\n" for r in rows)).encode()


CANARY_ORDERS = orders_csv(
    f"C1,{C1_HEAD},SKU-A,2,50.00,{BUYER},{PHONE},{ADDRESS}",
    f"C1,{C1_HEAD},SKU-B,1,30.00,{BUYER},{PHONE},{ADDRESS}",
    "C2,2024-03-01 11:00:00,2024-03-01 11:00:30,paid,CNY,50.00,0.00,SKU-A,1,50.00,,,",
    "C3,2024-03-01 12:00:00,2024-03-01 12:00:30,paid,CNY,50.00,0.00,SKU-A,1,50.00,王五,+86 139-0000-0001,"
    '"浙江省杭州市西湖区, 2号"',
)


def canary_alipay():
    """An Alipay ledger whose account (header ``#账号``) is the canary account."""
    return alipay_file([row(1), row(2)]).decode("gbk").replace("20881234567890120156", ACCOUNT).encode("gbk")


def no_env_keys():
    """A patcher emptying the field keys of the environment: the tests set the configuration's."""
    return patch.dict(os.environ, {KEYS_ENV: ""})


def keys(spec):
    """Use the field keys ``spec`` (None: no keys) for the duration of a ``with`` block."""
    return patch.dict(config.options, {KEYS_OPTION: spec})


@tagged("post_install", "-at_install")
class TestBuyerAndAccountEncryption(EcomShopCase):
    """Buyer name, phone and address of platform orders and statement accounts, encrypted at rest."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(no_env_keys())
        cls.startClassPatcher(keys(KEYS_K1))
        cls.env.ref("base.CNY").active = True
        cls.env["product.product"].create(
            [
                {"name": f"Product {sku}", "default_code": sku, "type": "consu", "is_storable": True}
                for sku in ("SKU-A", "SKU-B")
            ]
        )
        cls.accountant = cls.users["accountant"]
        Statement = cls.env["ecom.statement"].with_user(cls.accountant)
        result = Statement.import_file(cls.shop_own.id, "orders.csv", b64(CANARY_ORDERS), "orders_csv")
        cls.orders_statement = cls.env["ecom.statement"].browse(result["statement_id"])
        orders = cls.orders_statement.order_ids
        cls.c1, cls.c2, cls.c3 = (
            orders.filtered(lambda o, ref=ref: o.name == ref) for ref in ("C1", "C2", "C3")
        )
        result = Statement.import_file(cls.shop_own.id, "alipay.csv", b64(canary_alipay()))
        cls.bank_statement = cls.env["ecom.statement"].browse(result["statement_id"])

    def setUp(self):
        super().setUp()
        self.env.invalidate_all()

    def _raw(self, record, *columns):
        self.env.flush_all()
        return self.env.execute_query(
            SQL(
                "SELECT %s FROM %s WHERE id = %s",
                SQL(", ").join(SQL.identifier(c) for c in columns),
                SQL.identifier(record._table),
                record.id,
            )
        )[0]

    def _read(self, record, user, *names):
        record.invalidate_recordset()
        values = record.with_user(user).read(list(names))[0]
        return tuple(values[name] for name in names)

    def test_the_import_stores_tokens_only(self):
        self.assertEqual((self.orders_statement.orders_created, len(self.c1.line_ids)), (3, 2))
        name, phone, address, index = self._raw(
            self.c1, "buyer_name_token", "buyer_phone_token", "address_token", "buyer_phone_index"
        )
        for token in (name, phone, address):
            self.assertTrue(token.startswith("ef1:k1:"), token)
            self.assertFalse(any(canary in token for canary in CANARIES))
        self.assertRegex(index, r"^[0-9a-f]{64}$")
        self.assertEqual(
            set(self._raw(self.c2, "buyer_name_token", "buyer_phone_index", "address_token")), {None}
        )
        (account,) = self._raw(self.bank_statement, "account_token")
        self.assertTrue(account.startswith("ef1:k1:"))

    def test_readers_see_the_buyer_warehouse_operators_never(self):
        expected = (BUYER, PHONE, ADDRESS)
        for role in ("accountant", "manager", "auditor", "shop_operator"):
            with self.subTest(role=role):
                user = self.users[role]
                self.assertEqual(self._read(self.c1, user, "buyer_name", "buyer_phone", "address"), expected)
        self.assertEqual(self.c3.with_user(self.accountant).buyer_phone, "+86 139-0000-0001")
        self.assertEqual(self._read(self.bank_statement, self.accountant, "account"), (ACCOUNT,))
        for role, record, names in (
            ("warehouse_operator", self.c1, ["buyer_name"]),
            ("warehouse_operator", self.c1, ["address"]),
            ("accountant", self.c1, ["buyer_phone_token"]),
            ("manager", self.bank_statement, ["account_token"]),
            ("shop_operator", self.bank_statement, ["account"]),
        ):
            with self.subTest(role=role, names=names), self.assertRaises(AccessError):
                self._read(record, self.users[role], *names)
        # not only read(): server code running as a user without the groups does not decrypt either
        with self.assertRaises(AccessError):
            self.c1.with_user(self.users["warehouse_operator"]).buyer_phone  # noqa: B018
        with self.assertRaises(AccessError):
            self.bank_statement.with_user(self.users["shop_operator"]).account  # noqa: B018

    def test_shop_operators_read_the_buyers_of_their_own_shops_only(self):
        other = self.env["ecom.order"].create(
            {
                "name": "OTHER-SHOP",
                "shop_id": self.shop_colleague.id,
                "company_id": self.company.id,
                "status": "paid",
                "currency_id": self.env.ref("base.CNY").id,
                "order_time": "2024-03-01 10:00:00",
                "buyer_name": "赵六",
            }
        )
        self.assertEqual(other.with_user(self.accountant).buyer_name, "赵六")
        with self.assertRaises(AccessError):
            self._read(other, self.users["shop_operator"], "buyer_name")

    def test_exact_search_by_phone_and_account_in_any_spelling(self):
        Order = self.env["ecom.order"].with_user(self.accountant)
        for spelling in ("138 0013 8000", "+86 138-0013-8000", "0086 13800138000", "１３８００１３８０００"):
            with self.subTest(spelling=spelling):
                self.assertEqual(Order.search([("buyer_phone", "=", spelling)]), self.c1)
        self.assertEqual(
            Order.search([("buyer_phone", "in", ["13900000001", "13800138000"])]), self.c1 | self.c3
        )
        self.assertNotIn(self.c1, Order.search([("buyer_phone", "!=", PHONE)]))
        self.assertEqual(
            Order.search([("buyer_phone", "=", False), ("id", "in", (self.c1 | self.c2).ids)]), self.c2
        )
        self.assertFalse(Order.search([("buyer_phone", "=", "13800138001")]))
        operator = self.env["ecom.order"].with_user(self.users["shop_operator"])
        self.assertEqual(operator.search([("buyer_phone", "=", "138-0013-8000")]), self.c1)
        with self.assertRaisesRegex(UserError, "exact value"):
            Order.search([("buyer_phone", "ilike", "138")])
        Statement = self.env["ecom.statement"].with_user(self.accountant)
        self.assertEqual(Statement.search([("account", "=", "6222 0212 3456 7890 123")]), self.bank_statement)
        self.assertEqual(Statement.search([("account", "=", "6222-0212-3456-7890-123")]), self.bank_statement)

    def test_orm_writes_encrypt_and_index_too(self):
        order = self.env["ecom.order"].create(
            {
                "name": "ORM-1",
                "shop_id": self.shop_own.id,
                "company_id": self.company.id,
                "status": "paid",
                "currency_id": self.env.ref("base.CNY").id,
                "order_time": "2024-03-01 10:00:00",
                "buyer_name": BUYER,
                "buyer_phone": "13700000007",
            }
        )
        name, phone, address = self._raw(order, "buyer_name_token", "buyer_phone_token", "address_token")
        self.assertTrue(name.startswith("ef1:k1:") and phone.startswith("ef1:k1:"))
        self.assertIsNone(address)
        Order = self.env["ecom.order"].with_user(self.accountant)
        self.assertEqual(Order.search([("buyer_phone", "=", "137 0000 0007")]), order)
        self.assertEqual(self._read(order, self.accountant, "buyer_name"), (BUYER,))
        # writing one field leaves the others as they are
        order.invalidate_recordset()
        order.address = ADDRESS
        self.assertEqual(
            self._read(order, self.accountant, "buyer_name", "buyer_phone", "address"),
            (BUYER, "13700000007", ADDRESS),
        )
        self.assertEqual(self._raw(order, "buyer_name_token")[0], name, "the name's token is not rewritten")

    def test_a_token_moved_to_another_order_or_field_does_not_decrypt(self):
        (token,) = self._raw(self.c1, "buyer_name_token")
        for target, column in ((self.c3, "buyer_name_token"), (self.c1, "address_token")):
            with self.subTest(column=column), self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "UPDATE ecom_order SET %s = %s WHERE id = %s",
                        SQL.identifier(column),
                        token,
                        target.id,
                    )
                )
                with self.assertRaisesRegex(UserError, "Cannot decrypt") as info:
                    self._read(target, self.accountant, "buyer_name", "address")
                cause = info.exception.__cause__
                self.assertIsInstance(cause, DecryptionError)
                self.assertIsInstance(cause.__cause__, InvalidTag)
                self.assertNotIn(BUYER, str(info.exception))

    def test_rotation_then_removal_of_the_old_key(self):
        with keys(KEYS_K1_K2):
            rotated = self.env["ecom.encrypted.mixin"]._ecom_rotate_all()
        self.assertGreaterEqual(rotated["ecom.order"], 6)  # C1 and C3: name, phone, address
        self.assertGreaterEqual(rotated["ecom.statement"], 1)
        self.assertTrue(self._raw(self.c1, "address_token")[0].startswith("ef1:k2:"))
        with keys(KEYS_K2):
            self.assertEqual(
                self._read(self.c1, self.accountant, "buyer_name", "buyer_phone", "address"),
                (BUYER, PHONE, ADDRESS),
            )
            self.assertEqual(self._read(self.bank_statement, self.accountant, "account"), (ACCOUNT,))
            Order = self.env["ecom.order"].with_user(self.accountant)
            self.assertEqual(Order.search([("buyer_phone", "=", PHONE)]), self.c1, "the index key stays")
            self.assertEqual(self.env["ecom.encrypted.mixin"]._ecom_rotate_all()["ecom.order"], 0)

    def test_missing_or_wrong_keys_are_errors_never_plaintext(self):
        Statement = self.env["ecom.statement"].with_user(self.accountant)
        other_orders = CANARY_ORDERS.replace(b"C1,", b"D1,").replace(b"C3,", b"D3,")
        with keys(None):
            with self.assertRaisesRegex(UserError, "No field encryption keys"):
                self._read(self.c1, self.accountant, "buyer_name")
            with self.assertRaisesRegex(UserError, "No field encryption keys"):
                self.env["ecom.order"].with_user(self.accountant).search([("buyer_phone", "=", PHONE)])
            orders_before = self.env["ecom.order"].search_count([])
            with self.assertRaisesRegex(UserError, "No field encryption keys"):
                Statement.import_file(self.shop_own.id, "d.csv", b64(other_orders), "orders_csv")
            self.assertEqual(self.env["ecom.order"].search_count([]), orders_before, "nothing is written")
            # a file without buyer data needs no key
            plain = orders_csv(
                "E1,2024-03-02 10:00:00,2024-03-02 10:01:00,paid,CNY,50.00,0.00,SKU-A,1,50.00,,,"
            )
            self.assertEqual(
                Statement.import_file(self.shop_own.id, "e.csv", b64(plain), "orders_csv")["fmt"],
                "orders_csv",
            )
        with keys(f"k1:{K1};current=k1"), self.assertRaisesRegex(UserError, "index key"):
            Statement.import_file(self.shop_own.id, "d.csv", b64(other_orders), "orders_csv")
        with (
            keys(f"k1:{OTHER};current=k1;index={INDEX}"),
            self.assertRaisesRegex(UserError, "Cannot decrypt"),
        ):
            self._read(self.c1, self.accountant, "address")
        with (
            keys(f"k9:{K1};current=k9;index={INDEX}"),
            self.assertRaisesRegex(UserError, "key k1 is not configured"),
        ):
            self._read(self.bank_statement, self.accountant, "account")

    def test_canaries_are_nowhere_in_the_tables(self):
        # reads and ORM writes leave audit entries: they must not carry the values either
        self._read(self.c1, self.accountant, "buyer_name", "buyer_phone", "address")
        self._read(self.bank_statement, self.accountant, "account")
        order = self.env["ecom.order"].create(  # an ORM write of buyer data, audited
            {
                "name": "ORM-AUDITED",
                "shop_id": self.shop_own.id,
                "company_id": self.company.id,
                "status": "paid",
                "currency_id": self.env.ref("base.CNY").id,
                "order_time": "2024-03-01 10:00:00",
                "buyer_name": BUYER,
                "buyer_phone": PHONE,
                "address": ADDRESS,
            }
        )
        Log = self.env["ecom.audit.log"]
        Log._flush_pending()
        changes = {}
        for entry in Log.search([("model", "=", "ecom.order"), ("res_ids", "=", str(order.id))]):
            changes.update(entry.changes)
        for column in ("buyer_name_token", "buyer_phone_token", "address_token", "buyer_phone_index"):
            self.assertEqual(changes[column], [False, "***"], column)
        reads = Log.search([("operation", "=", "read_sensitive"), ("model", "=", "ecom.order")])
        self.assertTrue(reads)
        tables = [
            "ecom_order",
            "ecom_order_line",
            "ecom_statement",
            "ecom_statement_line",
            "ecom_audit_log",
            "ecom_audit_pending",
            "mail_message",
            "mail_tracking_value",
        ]
        patterns = [f"%{canary}%" for canary in CANARIES]
        for table in tables:
            with self.subTest(table=table):
                ((hits,),) = self.env.execute_query(
                    SQL(
                        "SELECT count(*) FROM %s t WHERE row_to_json(t.*)::text LIKE ANY(%s)",
                        SQL.identifier(table),
                        patterns,
                    )
                )
                self.assertEqual(hits, 0, f"a canary value is in {table}")


@tagged("post_install", "-at_install")
class TestCanaryNotInDump(TransactionCase):
    """An import committed to the database, then ``pg_dump --data-only``: no canary in the dump.

    The import runs in its own, committed transaction (a test transaction is invisible to
    pg_dump); everything it wrote is deleted afterwards (its audit entries, which hold no
    value, stay: the trail is append-only).
    """

    def test_pg_dump_holds_no_canary(self):
        if not shutil.which("pg_dump"):
            self.skipTest("pg_dump is not installed")
        code = f"DUMP-{uuid.uuid4().hex[:8]}"
        ids = {}
        with no_env_keys(), keys(KEYS_K1):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    shop = env["ecom.shop"].create({"name": code, "code": code})
                    product = env["product.product"].create(
                        {"name": code, "default_code": f"{code}-SKU", "type": "consu"}
                    )
                    ids.update(shop=shop.id, template=product.product_tmpl_id.id)
                    data = CANARY_ORDERS.replace(b"SKU-A", f"{code}-SKU".encode()).replace(
                        b"SKU-B", f"{code}-SKU".encode()
                    )
                    env["ecom.statement"].import_file(shop.id, "orders.csv", b64(data), "orders_csv")
                    env["ecom.statement"].import_file(shop.id, "alipay.csv", b64(canary_alipay()))
                    self.assertEqual(
                        env["ecom.order"]
                        .search([("shop_id", "=", shop.id)])
                        .mapped("buyer_name")
                        .count(BUYER),
                        1,
                    )
                dump = self._dump()
                self.assertIn(code.encode(), dump, "the committed import is in the dump")
                for canary in CANARIES:
                    at = dump.find(canary.encode())
                    self.assertEqual(
                        at, -1, f"{canary} is in the dump: {dump[max(at - 300, 0) : at + 100]!r}"
                    )
            finally:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    if "shop" in ids:
                        cr.execute(SQL("DELETE FROM ecom_order WHERE shop_id = %s", ids["shop"]))
                        cr.execute(SQL("DELETE FROM ecom_statement WHERE shop_id = %s", ids["shop"]))
                        cr.execute(SQL("DELETE FROM ecom_shop WHERE id = %s", ids["shop"]))
                    if "template" in ids:
                        env["product.template"].browse(ids["template"]).unlink()

    def _dump(self):
        db_name, info = connection_info_for(self.env.cr.dbname)
        env = dict(os.environ)
        for key, variable in (
            ("host", "PGHOST"),
            ("port", "PGPORT"),
            ("user", "PGUSER"),
            ("password", "PGPASSWORD"),
            ("sslmode", "PGSSLMODE"),
        ):
            if info.get(key):
                env[variable] = str(info[key])
        result = subprocess.run(
            ["pg_dump", "--data-only", f"--dbname={info.get('dsn') or db_name}"],
            env=env,
            capture_output=True,
            check=True,
            timeout=600,
        )
        return result.stdout
