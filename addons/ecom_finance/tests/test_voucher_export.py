# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""A period's posted vouchers exported in the import layouts of 用友 U8 and 金蝶 K/3, read back
from the downloaded file; who may export them."""

import base64
import datetime
import io

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_audit.tests.common import make_role_user

from ecomfin import voucher_export

from .test_approvals import ApprovalSetup


@tagged("post_install", "-at_install")
class TestVoucherExport(ApprovalSetup, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup("ecom_vx")
        cls.auditor = make_role_user(cls.env, "auditor", cls.company, login="ecom_vx_auditor")
        cls.warehouse = make_role_user(cls.env, "warehouse_operator", cls.company, login="ecom_vx_warehouse")
        Journal = cls.env["account.journal"]
        cls.misc = Journal.create(
            {"name": "Export misc", "code": "VXMIS", "type": "general", "company_id": cls.company.id}
        )
        cls.receipts = Journal.create(
            {
                "name": "Export receipts",
                "code": "VXREC",
                "type": "general",
                "company_id": cls.company.id,
                "ecom_voucher_word": "收",
            }
        )
        cls.debit_account = cls.rules["commission"].account_id
        cls.credit_account = cls.tmall.clearing_account_id
        cls.first = cls._posted("2031-08-05", 120.5, cls.misc, "Commission August")
        cls.second = cls._posted("2031-08-20", 80.0, cls.receipts, "Refund received")
        # a document behind the first voucher: 附单据数 1
        cls.env["ir.attachment"].create(
            {"name": "invoice.pdf", "raw": b"%PDF-1.4", "res_model": "account.move", "res_id": cls.first.id}
        )
        # outside the period
        cls._posted("2031-09-01", 10.0, cls.misc, "September")

    @classmethod
    def _posted(cls, date, amount, journal, ref):
        move = (
            cls.env["account.move"]
            .with_user(cls.accountant)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": date,
                    "ref": ref,
                    "line_ids": [
                        Command.create({"account_id": cls.debit_account.id, "debit": amount, "name": ref}),
                        Command.create({"account_id": cls.credit_account.id, "credit": amount}),
                    ],
                }
            )
        )
        move.action_post()
        return move

    def _export(self, user, layout, **vals):
        wizard = (
            self.env["ecom.voucher.export.wizard"]
            .with_user(user)
            .create(
                {
                    "company_id": self.company.id,
                    "date_from": "2031-08-01",
                    "date_to": "2031-08-31",
                    "journal_ids": [Command.set((self.misc | self.receipts).ids)],
                    "layout": layout,
                    **vals,
                }
            )
        )
        action = wizard.action_export()
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        self.assertEqual((attachment.res_model, attachment.res_id), (wizard._name, wizard.id))
        self.assertTrue(attachment.name.endswith("_2031-08-01_2031-08-31.xlsx"))
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.with_user(user).datas)))
        return book

    def _rows(self, sheet, headers):
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        self.assertEqual(tuple(rows[0]), headers)
        return [dict(zip(headers, row, strict=True)) for row in rows[1:]]

    def test_yonyou(self):
        self.assertEqual(self.first.voucher_number, "记-2031-08-0001")
        self.assertEqual(self.second.voucher_number, "收-2031-08-0001")
        rows = self._rows(
            self._export(self.accountant, voucher_export.YONYOU)["Sheet1"], voucher_export.YONYOU_COLUMNS
        )
        got = [
            (
                row["凭证类别字"],
                row["凭证编号"],
                row["行号"],
                row["会计期间"],
                row["制单日期"],
                row["附单据数"],
                row["摘要"],
                row["科目编码"],
                row["借方金额"],
                row["贷方金额"],
                row["制单人"],
                row["记账人"],
            )
            for row in rows
        ]
        debit, credit = self.debit_account.code, self.credit_account.code
        aug5, aug20, name = (
            datetime.datetime(2031, 8, 5),
            datetime.datetime(2031, 8, 20),
            self.accountant.name,
        )
        self.assertEqual(
            got,
            [
                ("收", 1, 1, 8, aug20, 0, "Refund received", debit, 80.0, 0.0, name, name),
                ("收", 1, 2, 8, aug20, 0, "Refund received", credit, 0.0, 80.0, name, name),
                ("记", 1, 1, 8, aug5, 1, "Commission August", debit, 120.5, 0.0, name, name),
                ("记", 1, 2, 8, aug5, 1, "Commission August", credit, 0.0, 120.5, name, name),
            ],
        )

    def test_kingdee(self):
        book = self._export(self.accountant, voucher_export.KINGDEE)
        self.assertEqual(book.sheetnames, ["Page1", "t_Schema"])
        rows = self._rows(book["Page1"], voucher_export.KINGDEE_COLUMNS)
        got = [
            (row["凭证字"], row["凭证号"], row["分录序号"], row["会计年度"], row["会计期间"])
            + (row["科目代码"], row["科目名称"], row["借方"], row["贷方"], row["币别代码"], row["附件数"])
            for row in rows
        ]
        debit = self.debit_account.with_company(self.company)
        credit = self.credit_account.with_company(self.company)
        self.assertEqual(
            got,
            [
                ("收", 1, 0, 2031, 8, debit.code, debit.name, 80.0, 0.0, "RMB", 0),
                ("收", 1, 1, 2031, 8, credit.code, credit.name, 0.0, 80.0, "RMB", 0),
                ("记", 1, 0, 2031, 8, debit.code, debit.name, 120.5, 0.0, "RMB", 1),
                ("记", 1, 1, 2031, 8, credit.code, credit.name, 0.0, 120.5, "RMB", 1),
            ],
        )

    def test_journal_filter_and_auditor(self):
        book = self._export(self.auditor, voucher_export.KINGDEE, journal_ids=[Command.set(self.misc.ids)])
        rows = self._rows(book["Page1"], voucher_export.KINGDEE_COLUMNS)
        self.assertEqual({(row["凭证字"], row["凭证号"]) for row in rows}, {("记", 1)})

    def test_empty_period(self):
        with self.assertRaisesRegex(UserError, "no posted voucher"):
            self._export(self.accountant, voucher_export.YONYOU, date_from="2031-07-01", date_to="2031-07-31")

    def test_warehouse_refused(self):
        Wizard = self.env["ecom.voucher.export.wizard"]
        with mute_logger("odoo.models", "odoo.addons.ecom_audit"), self.assertRaises(AccessError):
            Wizard.with_user(self.warehouse).create({"company_id": self.company.id})
        # a wizard made for them: the method itself refuses
        wizard = Wizard.create(
            {"company_id": self.company.id, "date_from": "2031-08-01", "date_to": "2031-08-31"}
        )
        attachments = self.env["ir.attachment"].search_count([])
        with self.assertRaisesRegex(AccessError, "Only Accountants, Finance Managers and Auditors"):
            wizard.with_user(self.warehouse).action_export()
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
