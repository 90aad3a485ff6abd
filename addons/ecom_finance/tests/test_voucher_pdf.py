# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The printed 记账凭证 as a PDF (wkhtmltopdf, a CJK font), read back as text: one voucher per
page on voucher paper, Chinese headings, figures, capitals and names."""

import io
import unicodedata

from PyPDF2 import PdfReader

from odoo import Command
from odoo.tests import HttpCase, tagged

from .test_approvals import ApprovalSetup

MM = 72 / 25.4  # PDF points per millimetre
# radicals of the CJK Radicals Supplement block the font's ToUnicode map gives for ideographs, which
# NFKC leaves as they are (it maps the Kangxi radicals: ⽇ to 日)
RADICALS = str.maketrans({"⻆": "角"})


@tagged("post_install", "-at_install")
class TestVoucherPdf(ApprovalSetup, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup("ecom_voucher_pdf")
        cls.misc = cls.env["account.journal"].create(
            {"name": "Voucher PDF misc", "code": "VPDF", "type": "general", "company_id": cls.company.id}
        )

    def entry(self, amount, ref):
        move = (
            self.env["account.move"]
            .with_user(self.accountant)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": self.misc.id,
                    "date": "2031-03-15",
                    "ref": ref,
                    "line_ids": [
                        Command.create(
                            {
                                "account_id": self.rules["commission"].account_id.id,
                                "debit": amount,
                                "name": ref,
                            }
                        ),
                        Command.create(
                            {"account_id": self.tmall.clearing_account_id.id, "credit": amount, "name": ref}
                        ),
                    ],
                }
            )
        )
        move.action_post()
        return move

    def test_batch_of_vouchers_as_pdf_text(self):
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() != "ok":
            self.skipTest("wkhtmltopdf is not installed (make test installs it where apt-get can)")
        first, second = self.entry(1234.56, "Platform commission March"), self.entry(88.0, "Fee correction")
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("ecom_finance.action_report_voucher", (first | second).ids)
        )
        self.assertEqual(kind, "pdf")
        reader = PdfReader(io.BytesIO(pdf))
        self.assertEqual(len(reader.pages), 2, "one voucher per page")
        width, height = (float(value) for value in reader.pages[0].mediabox[2:])
        self.assertAlmostEqual(width / MM, 240, delta=1)
        self.assertAlmostEqual(height / MM, 140, delta=1)

        def text(page):
            # the font's ToUnicode map gives some ideographs as radicals (⽇ for 日, ⻆ for 角)
            return " ".join(unicodedata.normalize("NFKC", page.extract_text()).translate(RADICALS).split())

        first_page, second_page = text(reader.pages[0]), text(reader.pages[1])
        code = self.rules["commission"].account_id.code
        for expected in (
            "记账凭证",
            "日期:2031年03月15日",
            f"记字第 {first.ecom_voucher_number:04d} 号",
            "Platform commission March",
            code,
            "1,234.56",
            "合计:壹仟贰佰叁拾肆元伍角陆分",
            f"制单:{self.accountant.name}",
            f"记账:{self.accountant.name}",
        ):
            self.assertIn(expected, first_page)
        self.assertIn(f"记字第 {second.ecom_voucher_number:04d} 号", second_page)
        self.assertIn("合计:捌拾捌元整", second_page)
        self.assertNotIn("1,234.56", second_page)
