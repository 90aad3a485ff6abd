# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import base64
from decimal import Decimal
from pathlib import Path

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user

import ecomfin
from ecomfin.parsers import parse

FIXTURES = Path(ecomfin.__file__).resolve().parents[1] / "tests" / "fixtures"


@tagged("post_install", "-at_install")
class TestPddDouyinBills(TransactionCase):
    """The bills of the Pinduoduo and Douyin shop channels import and post like the others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_ecom")
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        Shop = cls.env["ecom.shop"]
        cls.pdd = Shop.create(
            {
                "name": "PDD Tea Shop",
                "code": "P-BILL",
                "company_id": cls.company.id,
                "platform": "pdd",
                "payment_channel": "pdd_pay",
            }
        )
        cls.douyin = Shop.create(
            {
                "name": "Douyin Tea Shop",
                "code": "D-BILL",
                "company_id": cls.company.id,
                "platform": "douyin",
                "payment_channel": "douyin_pay",
            }
        )
        cls.operator = make_role_user(cls.env, "shop_operator", cls.company, login="ecom_pdd_operator")
        cls.accountant = make_role_user(cls.env, "accountant", cls.company, login="ecom_pdd_accountant")
        (cls.pdd | cls.douyin).user_ids = [(4, cls.operator.id)]

    def _import(self, shop, name, user):
        data = (FIXTURES / name).read_bytes()
        Statement = self.env["ecom.statement"].with_user(user)
        return data, Statement.import_file(shop.id, name, base64.b64encode(data).decode(), False)

    def _check(self, data, name, result, fmt):
        expected = parse(data, name)
        lines = expected.read_all()
        self.assertEqual(result["fmt"], fmt)
        self.assertEqual(result["lines_created"], len(lines))
        statement = self.env["ecom.statement"].browse(result["statement_id"])
        self.assertEqual(statement.state, "done")
        self.assertEqual(
            {t: Decimal(v) for t, v in result["totals"].items()},
            {t: s for t, (_n, s) in expected.totals.items()},
        )
        self.assertAlmostEqual(
            sum(statement.line_ids.mapped("net")), float(sum(line.net for line in lines)), places=2
        )
        return statement

    def test_the_shop_operator_imports_the_pdd_bill_of_its_channel_once(self):
        data, result = self._import(self.pdd, "pdd_fund_gbk.csv", self.operator)
        statement = self._check(data, "pdd_fund_gbk.csv", result, "pdd_fund")
        self.assertEqual(statement.account, "100123456")
        self.assertEqual(
            sorted(statement.line_ids.mapped("line_type")),
            ["commission", "fee", "payout", "refund", "sale", "sale"],
        )
        _data, again = self._import(self.pdd, "pdd_fund_gbk.csv", self.operator)
        self.assertTrue(again["already_imported"])
        self.assertEqual(again["statement_id"], result["statement_id"])

    def test_a_bill_of_another_channel_is_for_accounting(self):
        with self.assertRaisesRegex(AccessError, "not a bill of the payment channel"):
            self._import(self.pdd, "douyin_settlement.csv", self.operator)

    def test_the_douyin_settlement_posts_through_its_own_clearing_account(self):
        data, result = self._import(self.douyin, "douyin_settlement.csv", self.accountant)
        statement = self._check(data, "douyin_settlement.csv", result, "douyin_settlement")
        self.douyin.action_setup_accounting()
        self.assertTrue(self.douyin.clearing_account_id.code.endswith("13"))
        self.assertNotEqual(self.douyin.clearing_account_id, self.pdd.clearing_account_id)
        ids = self.env["ecom.statement"].with_user(self.accountant).post_entries(statement.ids)
        moves = self.env["account.move"].browse(ids)
        self.assertTrue(moves)
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        clearing = moves.line_ids.filtered(lambda line: line.account_id == self.douyin.clearing_account_id)
        self.assertAlmostEqual(sum(clearing.mapped("balance")), 176.69, places=2)  # 89.40 + 117.29 - 30.00
