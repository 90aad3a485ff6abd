# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from pathlib import Path

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_audit.tests.common import make_role_user

import ecomfin

from .test_statement_import import alipay_file, row
from .test_xlsx_import import order_workbook

FIXTURES = Path(ecomfin.__file__).resolve().parents[1] / "tests" / "fixtures"


@tagged("post_install", "-at_install")
class TestImportUi(HttpCase):
    """Imports in the web client of a zh_CN accountant: a bad file's error, an XLSX export."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env.ref("base.CNY").active = True
        company = cls.env.company
        cls.accountant = make_role_user(cls.env, "accountant", company, login="ecom_tour_import_zh")
        cls.accountant.lang = "zh_CN"
        cls.shop = cls.env["ecom.shop"].create(
            {
                "name": "Tour Import Shop",
                "code": "TOUR-IMP",
                "company_id": company.id,
                "platform": "tmall",
                "payment_channel": "alipay",
            }
        )
        cls.env["product.product"].create(
            [
                {"name": f"Tour {sku}", "default_code": sku, "type": "consu", "is_storable": True}
                for sku in ("SKU-A", "SKU-B", "SKU-C", "SKU-D")
            ]
        )

    def _give(self, name, data):
        """The file the tour drops on the wizard (the tour reads it as its user)."""
        self.env["ir.attachment"].with_user(self.accountant).create({"name": name, "raw": data})

    def test_a_bad_file_is_explained_in_chinese(self):
        text = alipay_file([row(1), row(2)]).decode("gbk")
        self._give("tour-bad.csv", text.replace(",100.00,0.00,", ",10O.00,0.00,", 1).encode("gbk"))
        with mute_logger("odoo.http"):  # the UserError the tour expects
            self.start_tour(
                "/odoo/action-ecom_finance.ecom_statement_action",
                "ecom_finance_import_error_zh_tour",
                login=self.accountant.login,
            )
        self.assertFalse(self.env["ecom.statement"].search([("filename", "=", "tour-bad.csv")]))

    def test_an_xlsx_order_export_is_imported(self):
        csv_text = (FIXTURES / "orders_tmall.csv").read_bytes().decode("gb18030")
        self._give("tour-orders.xlsx", order_workbook(csv_text))
        self.start_tour(
            "/odoo/action-ecom_finance.ecom_statement_action",
            "ecom_finance_import_xlsx_tour",
            login=self.accountant.login,
        )
        statement = self.env["ecom.statement"].search([("filename", "=", "tour-orders.xlsx")])
        self.assertEqual(
            (statement.state, statement.fmt, statement.orders_created), ("done", "orders_csv", 3)
        )
