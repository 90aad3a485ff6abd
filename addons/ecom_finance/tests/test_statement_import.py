# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import base64
from decimal import Decimal
from pathlib import Path

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

import ecomfin
from ecomfin.parsers import parse

from .common import EcomShopCase

FIXTURES = Path(ecomfin.__file__).resolve().parents[1] / "tests" / "fixtures"
# OCA's CAMT.053 samples, kept with their attribution in tests/fixtures/camt053/README.md
SAMPLES = FIXTURES / "camt053"

ALIPAY_HEAD = (
    "#支付宝账务明细查询\r\n"
    "#账号：[20881234567890120156]\r\n"
    "#起始日期：[2024年03月01日 00:00:00]   终止日期：[2024年03月02日 00:00:00]\r\n"
    "#-----------------------------------------账务明细列表----------------------------------------\r\n"
    "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,"
    "账户余额（元）,交易渠道,业务类型,备注\r\n"
)
ALIPAY_END = (
    "#-----------------------------------------账务明细列表结束------------------------------------\r\n"
)


def alipay_file(rows, income=None, expense=None):
    """An Alipay ledger in its real layout (GBK) with a footer that matches ``rows``.

    ``rows`` are (ledger id, order ref, time, income, expense, type) tuples.
    """
    body = []
    balance = Decimal("1000.00")
    total_in = total_out = Decimal(0)
    n_in = n_out = 0
    for ledger_id, order_ref, moment, inc, exp, kind in rows:
        inc, exp = Decimal(inc), Decimal(exp)
        balance += inc - exp
        total_in += inc
        total_out += exp
        n_in += bool(inc)
        n_out += bool(exp)
        body.append(
            f"{ledger_id}\t,2024030122001100{ledger_id[-6:]}\t,{order_ref}\t,商品\t,{moment},买家\t,"
            f"{inc:.2f},{exp:.2f},{balance:.2f},支付宝,{kind},\r\n"
        )
    income = total_in if income is None else Decimal(income)
    expense = total_out if expense is None else Decimal(expense)
    text = (
        ALIPAY_HEAD
        + "".join(body)
        + ALIPAY_END
        + f"#支出合计：{n_out}笔，共{expense:.2f}元\r\n#收入合计：{n_in}笔，共{income:.2f}元\r\n"
        + "#导出时间：[2024年03月02日 09:00:00]\r\n"
    )
    return text.encode("gbk")


def row(n, kind="在线支付", amount="100.00", moment="2024-03-01 10:15:22"):
    ledger_id = f"2024030120004001{n:016d}"
    if kind == "在线支付":
        return (ledger_id, f"T{n}", moment, amount, "0.00", kind)
    return (ledger_id, f"T{n}", moment, "0.00", amount, kind)


def b64(data):
    return base64.b64encode(data).decode()


@tagged("post_install", "-at_install")
class TestStatementImport(EcomShopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.users["accountant"]
        cls.Statement = cls.env["ecom.statement"].with_user(cls.accountant)
        cls.env.ref("base.EUR").active = True
        cls.env.ref("base.CNY").active = True
        cls.products = cls.env["product.product"].create(
            [
                {"name": f"Product {sku}", "default_code": sku, "type": "consu", "is_storable": True}
                for sku in ("SKU-A", "SKU-B", "SKU-C")
            ]
        )

    def _import(self, data, filename="alipay.csv", fmt=False, shop=None, user=None):
        shop = shop or self.shop_own
        Statement = self.env["ecom.statement"].with_user(user or self.accountant)
        return Statement.import_file(shop.id, filename, b64(data), fmt)

    def _counts(self):
        return (
            self.env["ecom.statement"].search_count([]),
            self.env["ecom.statement.line"].search_count([]),
            self.env["ecom.order"].search_count([]),
        )

    def _db_totals(self, statement_id):
        groups = self.env["ecom.statement.line"]._read_group(
            [("statement_id", "=", statement_id)], ["line_type"], ["gross:sum", "__count"]
        )
        return {
            line_type: (count, Decimal(str(gross)).quantize(Decimal("0.01")))
            for line_type, gross, count in groups
        }

    # ------------------------------------------------------------------
    # Every format, real layout
    # ------------------------------------------------------------------

    def test_each_format_imports_its_fixture_with_the_right_totals(self):
        cases = [
            ("alipay_ledger.csv", False),
            ("wechat_trade_all.csv", False),
            ("wechat_trade_old.csv", False),
            ("wechat_fund.csv", False),
            ("amazon_settlement_us.txt", False),
            ("amazon_settlement_de.txt", False),
            ("shopify_balance_transactions.csv", False),
            ("shopify_payouts.csv", False),
            ("stripe_balance_change.csv", False),
            ("camt053_balanced.xml", False),
        ]
        for index, (name, fmt) in enumerate(cases):
            with self.subTest(fixture=name):
                data = (FIXTURES / name).read_bytes()
                shop = self.shop_own if index % 2 else self.shop_colleague
                expected = parse(data, name, fmt or None)
                lines = expected.read_all()
                result = self._import(data, name, fmt, shop=shop)
                self.assertEqual(result["fmt"], expected.fmt)
                self.assertEqual(result["lines_created"], len(lines))
                self.assertEqual(result["lines_skipped"], 0)
                self.assertFalse(result["already_imported"])
                statement = self.env["ecom.statement"].browse(result["statement_id"])
                self.assertEqual(statement.state, "done")
                want = {t: (n, s.quantize(Decimal("0.01"))) for t, (n, s) in expected.totals.items()}
                self.assertEqual(self._db_totals(statement.id), want)
                self.assertEqual(
                    {t: Decimal(v) for t, v in result["totals"].items()},
                    {t: s for t, (_n, s) in expected.totals.items()},
                )
                net = sum(statement.line_ids.mapped("net"))
                self.assertAlmostEqual(net, float(sum(line.net for line in lines)), places=2)

    def test_alipay_zip_imports_the_ledger(self):
        data = (FIXTURES / "alipay_ledger.zip").read_bytes()
        result = self._import(data, "20881234567890120156_20240301.csv.zip")
        self.assertEqual(result["fmt"], "alipay")
        statement = self.env["ecom.statement"].browse(result["statement_id"])
        self.assertEqual(statement.account, "20881234567890120156")
        self.assertEqual(statement.currency_id.name, "CNY")
        self.assertEqual(len(statement.line_ids), result["lines_created"])
        self.assertGreater(result["lines_created"], 0)

    def test_camt053_sample_of_another_project(self):
        result = self._import((SAMPLES / "test-camt053").read_bytes(), "test-camt053.xml")
        statement = self.env["ecom.statement"].browse(result["statement_id"])
        self.assertEqual(result["fmt"], "camt053")
        self.assertEqual(result["lines_created"], 4)
        self.assertAlmostEqual(sum(statement.line_ids.mapped("gross")), -12.99, places=2)
        # its transactions do not add up to its balances: reported, not swallowed
        self.assertIn("15121.12", statement.warnings)

    def test_bank_csv_through_a_saved_profile(self):
        profile = self.env["ecom.bank.csv.profile"].create(
            {
                "name": "ICBC",
                "date_column": "交易日期",
                "date_format": "%Y-%m-%d",
                "debit_column": "借方发生额",
                "credit_column": "贷方发生额",
                "balance_column": "余额",
                "reference_column": "交易流水号",
                "counterparty_column": "对方户名",
                "memo_column": "摘要",
                "currency_id": self.env.ref("base.CNY").id,
                "footer_prefixes": "合计",
            }
        )
        self.shop_own.bank_csv_profile_id = profile
        data = (FIXTURES / "bank_icbc_gbk.csv").read_bytes()
        result = self._import(data, "icbc.csv", "bank_csv")
        expected = parse(data, "icbc.csv", "bank_csv", profile=profile._to_profile()).read_all()
        self.assertEqual(result["lines_created"], len(expected))
        statement = self.env["ecom.statement"].browse(result["statement_id"])
        self.assertEqual(statement.bank_csv_profile_id, profile)
        eu_file = (FIXTURES / "bank_eu.csv").read_bytes()
        with self.assertRaisesRegex(UserError, "column mapping"):
            self._import(eu_file, "eu.csv", "bank_csv", shop=self.shop_colleague)

    # ------------------------------------------------------------------
    # Idempotence
    # ------------------------------------------------------------------

    def test_same_file_again_is_already_imported(self):
        data = alipay_file([row(1), row(2), row(3, "交易退款", "30.00")])
        first = self._import(data)
        self.assertEqual(first["lines_created"], 3)
        before = self._counts()
        again = self._import(data, "renamed.csv")
        self.assertTrue(again["already_imported"])
        self.assertEqual(again["statement_id"], first["statement_id"])
        self.assertEqual(again["lines_created"], 0)
        self.assertIn("already imported", again["message"])
        self.assertEqual(self._counts(), before)

    def test_overlapping_file_adds_only_new_lines(self):
        self._import(alipay_file([row(1), row(2), row(3)]), "week1.csv")
        result = self._import(alipay_file([row(2), row(3), row(4), row(5)]), "week2.csv")
        self.assertEqual((result["lines_created"], result["lines_skipped"]), (2, 2))
        refs = (
            self.env["ecom.statement.line"]
            .search([("shop_id", "=", self.shop_own.id)])
            .mapped("merchant_order_ref")
        )
        self.assertEqual(sorted(refs), ["T1", "T2", "T3", "T4", "T5"])

    def test_identical_transactions_with_different_ids_are_kept(self):
        result = self._import(alipay_file([row(1), row(2)]))  # same amount, time and order, two ids
        self.assertEqual(result["lines_created"], 2)
        lines = self.env["ecom.statement.line"].browse()
        lines = lines.search([("statement_id", "=", result["statement_id"])])
        self.assertFalse(any(lines.mapped("fingerprint_collision")))

    def test_rows_without_id_are_fingerprinted_and_flagged_never_dropped(self):
        text = (FIXTURES / "amazon_settlement_us.txt").read_text()
        lines = text.splitlines(keepends=True)
        # repeat the last amount row and adjust the settlement total so the file stays consistent
        last = lines[-1].rstrip("\r\n").split("\t")
        header, summary = lines[0], lines[1].split("\t")
        total = Decimal(summary[4]) + Decimal(last[14])
        summary[4] = f"{total:.2f}"
        doubled = header + "\t".join(summary) + "".join(lines[2:]) + lines[-1]
        if not doubled.endswith("\n"):
            doubled += "\n"
        result = self._import(doubled.encode(), "amazon.txt")
        expected = len(parse(doubled.encode(), "amazon.txt").read_all())
        self.assertEqual(result["lines_created"], expected)
        statement = self.env["ecom.statement"].browse(result["statement_id"])
        flagged = statement.line_ids.filtered("fingerprint_collision")
        self.assertEqual(len(flagged), 2)
        self.assertEqual(statement.collision_count, 2)
        self.assertEqual(len(set(flagged.mapped("dedup_key"))), 2)

    # ------------------------------------------------------------------
    # All-or-nothing, with errors that say where
    # ------------------------------------------------------------------

    def test_bad_input_names_file_line_column_and_writes_nothing(self):
        good = alipay_file([row(1), row(2), row(3, "交易退款", "30.00")])
        text = good.decode("gbk")
        wechat = (FIXTURES / "wechat_trade_all.csv").read_bytes()
        cases = {
            "wrong encoding": (text.encode("utf-16"), "alipay.csv", "alipay", "alipay.csv"),
            "wechat offered as alipay": (wechat, "bill.csv", "alipay", "bill.csv"),
            "missing column": (
                text.replace(",备注\r\n", "\r\n").encode("gbk"),
                "alipay.csv",
                "alipay",
                "备注",
            ),
            "extra column": (
                text.replace(",备注\r\n", ",备注,多余\r\n").encode("gbk"),
                "alipay.csv",
                "alipay",
                "多余",
            ),
            "bad amount": (
                text.replace(",100.00,0.00,", ",10O.00,0.00,", 1).encode("gbk"),
                "alipay.csv",
                "alipay",
                "10O.00",
            ),
            "bad date": (
                text.replace("2024-03-01 10:15:22", "2024-13-01 10:15:22", 1).encode("gbk"),
                "alipay.csv",
                "alipay",
                "2024-13-01",
            ),
            "footer disagrees": (
                alipay_file([row(1), row(2)], income="300.00"),
                "alipay.csv",
                "alipay",
                "300.00",
            ),
            "truncated": (text.split(ALIPAY_END)[0].encode("gbk"), "alipay.csv", "alipay", "alipay.csv"),
            "empty": (b"", "alipay.csv", False, "empty"),
        }
        before = self._counts()
        for case, (data, filename, fmt, needle) in cases.items():
            with self.subTest(case=case):
                with self.assertRaises(UserError) as info:
                    self._import(data, filename, fmt)
                message = str(info.exception)
                self.assertIn(filename, message)
                self.assertIn(needle, message)
                if case in ("bad amount", "bad date", "missing column", "extra column"):
                    self.assertRegex(message, r"line \d+")
                self.assertEqual(self._counts(), before, "nothing of a bad file is written")

    def test_a_bad_row_after_many_good_ones_writes_nothing(self):
        rows = [row(n) for n in range(1, 200)] + [row(200, amount="1x.00")]
        data = alipay_file(rows[:-1]).decode("gbk")
        bad_line = data.splitlines()[-5]  # the last data row
        data = data.replace(bad_line, bad_line.replace(",100.00,", ",1x.00,")).encode("gbk")
        before = self._counts()
        with self.assertRaisesRegex(UserError, r"line 204"):
            self._import(data)
        self.assertEqual(self._counts(), before)

    # ------------------------------------------------------------------
    # Platform orders
    # ------------------------------------------------------------------

    def test_canonical_orders_land_with_products(self):
        data = (FIXTURES / "orders_canonical.csv").read_bytes()
        result = self._import(data, "orders.csv", "orders_csv")
        statement = self.env["ecom.statement"].browse(result["statement_id"])
        parsed = parse(data, "orders.csv", "orders_csv", profile="canonical").read_all()
        self.assertEqual(statement.orders_created, len(parsed))
        self.assertEqual(result["lines_created"], sum(len(o.lines) for o in parsed))
        order = statement.order_ids.filtered(lambda o: o.name == "T1001")
        self.assertEqual(order.line_ids.mapped("product_id.default_code"), ["SKU-A", "SKU-B"])
        self.assertAlmostEqual(order.amount_paid, 130.0)
        self.assertEqual(order.buyer_name, "张三")

    def test_unknown_skus_stop_the_import_with_their_list(self):
        data = (FIXTURES / "orders_canonical.csv").read_bytes().replace(b"SKU-C", b"SKU-NEW")
        before = self._counts()
        with self.assertRaisesRegex(UserError, "SKU-NEW"):
            self._import(data, "orders.csv", "orders_csv")
        self.assertEqual(self._counts(), before)

        self.shop_own.create_placeholder_products = True
        result = self._import(data, "orders.csv", "orders_csv")
        placeholder = self.env["product.product"].search([("default_code", "=", "SKU-NEW")])
        self.assertTrue(placeholder.ecom_placeholder)
        self.assertEqual(placeholder.company_id, self.shop_own.company_id)
        lines = self.env["ecom.order.line"].search([("order_id.statement_id", "=", result["statement_id"])])
        self.assertIn(placeholder, lines.product_id)

    def test_reimported_orders_update_their_status(self):
        data = (FIXTURES / "orders_canonical.csv").read_text(encoding="utf-8-sig")
        first = self._import(data.encode(), "orders-1.csv", "orders_csv")
        changed = data.replace(
            "T1001,2024-03-01 10:00:00,2024-03-01 10:01:00,paid",
            "T1001,2024-03-01 10:00:00,2024-03-01 10:01:00,completed",
        )
        self.assertNotEqual(changed, data)
        second = self._import(changed.encode(), "orders-2.csv", "orders_csv")
        statement = self.env["ecom.statement"].browse(second["statement_id"])
        self.assertEqual((statement.orders_created, statement.orders_updated), (0, 1))
        self.assertEqual(second["lines_created"], 0)
        order = self.env["ecom.order"].search([("name", "=", "T1001"), ("shop_id", "=", self.shop_own.id)])
        self.assertEqual(order.status, "completed")
        self.assertEqual(order.statement_id.id, first["statement_id"])

    # ------------------------------------------------------------------
    # Who may import
    # ------------------------------------------------------------------

    def test_shop_operator_imports_for_own_shops_only(self):
        operator = self.users["shop_operator"]
        data = alipay_file([row(1)])
        result = self._import(data, user=operator)
        self.assertEqual(result["lines_created"], 1)
        lines = self.env["ecom.statement.line"].with_user(operator).search([])
        self.assertEqual(lines.shop_id, self.shop_own)
        with self.assertRaises(AccessError):
            self._import(alipay_file([row(2)]), shop=self.shop_colleague, user=operator)

    def test_roles_without_import_right_are_refused(self):
        for role in ("warehouse_operator", "auditor"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self._import(alipay_file([row(1)]), user=self.users[role])
        with self.assertRaises(AccessError):
            self._import(alipay_file([row(1)]), shop=self.shop_other_company)

    def test_lines_are_append_only(self):
        result = self._import(alipay_file([row(1)]))
        line = self.env["ecom.statement.line"].search([("statement_id", "=", result["statement_id"])])
        for role in ("accountant", "manager", "auditor"):
            with self.subTest(role=role):
                with self.assertRaises(AccessError):
                    line.with_user(self.users[role]).write({"gross": 1})
                with self.assertRaises(AccessError):
                    line.with_user(self.users[role]).unlink()
        self.assertEqual(line.with_user(self.users["auditor"]).gross, 100.0)
