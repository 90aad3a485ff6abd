# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""记账凭证: a voucher word and number per company and month, given at posting, gap-free, never
given twice; who made, reviewed and posted it; the printed voucher with its total in capitals."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from .test_approvals import ApprovalSetup


@tagged("post_install", "-at_install")
class TestVouchers(ApprovalSetup, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup("ecom_voucher")
        Journal = cls.env["account.journal"]
        cls.misc = Journal.create(
            {"name": "Voucher misc", "code": "VMISC", "type": "general", "company_id": cls.company.id}
        )
        cls.receipts = Journal.create(
            {
                "name": "Voucher receipts",
                "code": "VREC",
                "type": "general",
                "company_id": cls.company.id,
                "ecom_voucher_word": "收",
            }
        )

    def entry(self, date, amount=100.0, journal=None, user=None):
        return (
            self.env["account.move"]
            .with_user(user or self.accountant)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": (journal or self.misc).id,
                    "date": date,
                    "ref": "Voucher test",
                    "line_ids": [
                        Command.create(
                            {"account_id": self.rules["commission"].account_id.id, "debit": amount}
                        ),
                        Command.create({"account_id": self.tmall.clearing_account_id.id, "credit": amount}),
                    ],
                }
            )
        )

    def post(self, move):
        move.with_user(self.accountant).action_post()
        return move.voucher_number

    def test_numbers_per_word_and_month_in_posting_order(self):
        first, second, november = self.entry("2031-12-05"), self.entry("2031-12-01"), self.entry("2031-11-30")
        self.assertFalse(first.voucher_number)
        self.assertEqual(self.post(first), "记-203112-0001")
        self.assertEqual(self.post(second), "记-203112-0002")
        self.assertEqual(self.post(november), "记-203111-0001")
        self.assertEqual(self.post(self.entry("2031-12-20", journal=self.receipts)), "收-203112-0001")
        self.assertEqual(first.ecom_posted_uid, self.accountant)
        # the contract partners search by (issue 17)
        self.assertEqual(self.env["account.move"].search([("voucher_number", "=", "记-203112-0002")]), second)

    def test_gap_free_and_never_given_twice(self):
        move = self.entry("2031-10-10")
        # a posting that rolls back gives its number back
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            move.with_user(self.accountant).action_post()
            raise RuntimeError("the transaction of this posting fails")
        self.assertEqual(self.post(self.entry("2031-10-11")), "记-203110-0001")
        self.assertEqual(self.post(move), "记-203110-0002")
        # reset to draft and posted again: the same number
        move.with_user(self.accountant).button_draft()
        self.assertEqual(self.post(move), "记-203110-0002")
        # its reversal is a voucher of its own
        reversal = move._reverse_moves([{"date": move.date}], cancel=True)
        self.assertEqual(reversal.voucher_number, "记-203110-0003")
        # a copy is a new entry: no number until posted
        self.assertFalse(move.copy().ecom_voucher_number)

    def test_numbers_are_never_written_by_hand(self):
        move = self.entry("2031-09-01")
        self.post(move)
        for vals in (
            {"voucher_number": "记-203109-0099"},
            {"ecom_voucher_number": 7},
            {"ecom_voucher_word": "转"},
            {"ecom_posted_uid": self.manager.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                move.with_user(self.accountant).write(vals)
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(self.accountant).create(
                {"move_type": "entry", "journal_id": self.misc.id, "ecom_voucher_number": 5}
            )
        with self.assertRaises(AccessError):
            move.with_user(self.accountant).copy({"ecom_voucher_number": 9})
        result = (
            self.env["account.move"]
            .with_user(self.accountant)
            .load([".id", "ecom_voucher_number"], [[str(move.id), "9"]])
        )
        self.assertTrue(result["messages"])
        self.assertEqual(move.ecom_voucher_number, 1)

    def test_reviewer_of_a_manual_entry_and_the_printed_voucher(self):
        move = self._manual_entry(self.accountant, amount=1234.56)
        move.with_user(self.accountant).action_ecom_request_post()
        request = self.env["ecom.approval.request"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", move.id)]
        )
        request.with_user(self.manager).action_approve()
        move.with_user(self.accountant).action_post()
        self.assertEqual(move.ecom_reviewer_names, self.manager.name)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            ._render_qweb_html("ecom_finance.report_voucher", move.ids)[0]
            .decode()
        )
        for text in (
            "记账凭证",
            f"记字第 {move.ecom_voucher_number:04d} 号",
            "壹仟贰佰叁拾肆元伍角陆分",
            "1,234.56",
            self.rules["commission"].account_id.code,
            f"制单：{self.accountant.name}",
            f"审核：{self.manager.name}",
            f"记账：{self.accountant.name}",
        ):
            self.assertIn(text, html)
