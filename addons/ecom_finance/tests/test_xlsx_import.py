# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import csv
import io
from datetime import datetime
from pathlib import Path

import openpyxl

from odoo.exceptions import UserError
from odoo.tests import tagged

import ecomfin
from ecomfin.parsers import parse

from .common import EcomShopCase
from .test_statement_import import b64

FIXTURES = Path(ecomfin.__file__).resolve().parents[1] / "tests" / "fixtures"


def order_workbook(csv_text, title="订单报表"):
    """A Tmall order export as the seller centre gives it in XLSX: a sheet of typed cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in csv.reader(io.StringIO(csv_text)):
        cells = []
        for text in row:
            if text.startswith('="'):
                cells.append(text[2:-1])
            elif text.replace(".", "", 1).isdigit() and len(text) < 12:
                cells.append(float(text) if "." in text else int(text))
            elif len(text) == 19 and text[4] == "-" and text[13] == ":":
                cells.append(datetime.strptime(text, "%Y-%m-%d %H:%M:%S"))
            else:
                cells.append(text)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@tagged("post_install", "-at_install")
class TestXlsxImport(EcomShopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env.ref("base.CNY").active = True
        cls.env["product.product"].create(
            [
                {"name": f"Product {sku}", "default_code": sku, "type": "consu", "is_storable": True}
                for sku in ("SKU-A", "SKU-B", "SKU-C", "SKU-D")
            ]
        )
        cls.csv_text = (FIXTURES / "orders_tmall.csv").read_bytes().decode("gb18030")
        cls.Statement = cls.env["ecom.statement"].with_user(cls.users["accountant"])

    def _import(self, data, filename="订单.xlsx", lang="en_US"):
        Statement = self.Statement.with_context(lang=lang)
        return Statement.import_file(self.shop_own.id, filename, b64(data), "orders_csv")

    def test_an_xlsx_order_export_imports_like_its_csv(self):
        self.assertEqual(self.shop_own.order_profile, "tmall")
        data = order_workbook(self.csv_text)
        result = self._import(data)
        statement = self.env["ecom.statement"].browse(result["statement_id"])
        expected = parse(self.csv_text.encode("gb18030"), "t.csv", "orders_csv", profile="tmall").read_all()
        self.assertEqual(statement.fmt, "orders_csv")
        self.assertEqual(statement.orders_created, len(expected))
        self.assertEqual(result["lines_created"], sum(len(order.lines) for order in expected))
        self.assertEqual(
            sorted(statement.order_ids.mapped("name")), sorted(order.order_ref for order in expected)
        )

        # the same file again is already imported; the same rows in a workbook saved again add nothing
        again = self._import(data)
        self.assertEqual(again["statement_id"], result["statement_id"])
        resaved = order_workbook(self.csv_text, title="Sheet1")
        self.assertNotEqual(resaved, data)
        third = self._import(resaved, "订单-再次导出.xlsx")
        self.assertEqual(third["lines_created"], 0)

    def test_a_bad_row_names_the_sheets_row_in_chinese_and_writes_nothing(self):
        lines = self.csv_text.splitlines()
        lines[2] = lines[2].replace(",SKU-B,2,", ",SKU-B,2x,")  # row 3 of the sheet
        data = order_workbook("\n".join(lines))
        before = self.env["ecom.statement"].search_count([]), self.env["ecom.order"].search_count([])
        with self.assertRaises(UserError) as info:
            self._import(data, lang="zh_CN")
        self.assertRegex(str(info.exception), r"^文件 订单\.xlsx，第 3 行")
        after = self.env["ecom.statement"].search_count([]), self.env["ecom.order"].search_count([])
        self.assertEqual(after, before)

    def test_columns_not_understood_are_a_warning_on_the_import(self):
        self.shop_own.write({"order_profile": "jd", "create_placeholder_products": True})
        real = (FIXTURES / "orders_jd.csv").read_bytes()
        result = self._import(real, "jd.csv")
        statement = self.env["ecom.statement"].browse(result["statement_id"])
        self.assertEqual(statement.orders_created, 3)
        # the real layout: every column read or known, only the unpaid order is reported
        self.assertEqual(statement.warnings, "1 rows skipped by the profile (e.g. unpaid orders).")

        header, rest = real.decode("gbk").split("\r\n", 1)
        renamed = header.replace("商品名称", "商品标题") + "\r\n" + rest
        result = self._import(renamed.encode("gbk"), "jd-2.csv", lang="zh_CN")
        statement = self.env["ecom.statement"].browse(result["statement_id"])
        self.assertEqual(statement.lines_created, 0)  # the same orders
        self.assertIn("无法识别的列（已忽略）：商品标题", statement.warnings)
