# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import io
import json

import openpyxl

from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestXlsxExportIsInert(HttpCase):
    """Text that looks like a formula stays text in the web client's XLSX export (it became a live
    formula: a platform's order reference ``=HYPERLINK(...)`` ran in the accountant's spreadsheet)."""

    def test_formula_like_text_is_exported_as_text(self):
        user = new_test_user(
            self.env, login="ecom_export_user", groups="base.group_user,base.group_allow_export"
        )
        partners = self.env["res.partner"].create(
            [{"name": '=HYPERLINK("http://x.example/","click")'}, {"name": "+1+1"}, {"name": "Plain"}]
        )
        self.authenticate(user.login, user.login)
        payload = {
            "model": "res.partner",
            "fields": [{"name": "name", "label": "Name", "type": "char"}],
            "ids": partners.ids,
            "domain": [],
            "groupby": [],
            "context": {},
            "import_compat": False,
        }
        response = self.url_open(
            "/web/export/xlsx",
            data={"data": json.dumps(payload), "csrf_token": http.Request.csrf_token(self)},
        )
        self.assertEqual(response.status_code, 200)
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        values = [sheet.cell(row=row, column=1) for row in range(2, 5)]
        self.assertFalse([cell.value for cell in values if cell.data_type == "f"], "no formula")
        self.assertEqual(
            sorted(cell.value for cell in values),
            sorted(['\'=HYPERLINK("http://x.example/","click")', "'+1+1", "Plain"]),
        )
