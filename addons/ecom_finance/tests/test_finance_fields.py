# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""A shop's accounting setup and the bank side of statement lines are for finance roles only;
the views of the roles that cannot read them still load."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user

SHOP_ACCOUNTING = (
    "journal_id",
    "clearing_account_id",
    "partner_id",
    "posting_grouping",
    "refund_approval_amount",
    "posting_rule_ids",
    "bank_csv_profile_id",
    "finance_user_id",
)
LINE_BANK_SIDE = ("counterparty", "raw")


@tagged("post_install", "-at_install")
class TestFinanceFields(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_ecom")
        cls.tmall = cls.env.ref("ecom_finance.demo_shop_tmall")
        cls.operator = make_role_user(cls.env, "shop_operator", cls.company, login="ecom_fields_shop")
        cls.accountant = make_role_user(cls.env, "accountant", cls.company, login="ecom_fields_accountant")
        cls.auditor = make_role_user(cls.env, "auditor", cls.company, login="ecom_fields_auditor")
        cls.partner = new_test_user(
            cls.env,
            login="ecom_fields_partner",
            groups="base.group_portal,ecom_audit.group_ecom_partner_api",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.tmall.write(
            {"user_ids": [Command.set(cls.operator.ids)], "api_user_ids": [Command.set(cls.partner.ids)]}
        )
        cls.bank_line = cls.env["ecom.statement.line"].search(
            [
                ("shop_id", "=", cls.tmall.id),
                ("statement_id.fmt", "=", "bank_csv"),
                ("counterparty", "!=", False),
            ],
            limit=1,
        )

    def test_shop_accounting_setup_is_refused_to_operators_and_partners(self):
        self.assertTrue(self.tmall.journal_id and self.tmall.clearing_account_id)
        for user in (self.operator, self.partner):
            shop = self.tmall.with_user(user)
            self.assertEqual(shop.read(["name"])[0]["name"], self.tmall.name)
            for name in SHOP_ACCOUNTING:
                with self.subTest(user=user.login, field=name):
                    with self.assertRaises(AccessError):
                        shop.read([name])
                    with self.assertRaises(AccessError):
                        self.env["ecom.shop"].with_user(user).search([(name, "!=", False)])
            self.assertFalse(set(SHOP_ACCOUNTING) & set(self.env["ecom.shop"].with_user(user).fields_get()))
        for user in (self.accountant, self.auditor):
            with self.subTest(user=user.login):
                values = self.tmall.with_user(user).read(list(SHOP_ACCOUNTING))[0]
                self.assertEqual(values["journal_id"][0], self.tmall.journal_id.id)

    def test_bank_side_of_lines_is_refused_to_operators(self):
        self.assertTrue(self.bank_line, "the demo Tmall shop has bank lines with a counterparty")
        line = self.bank_line.with_user(self.operator)
        self.assertEqual(line.read(["gross"])[0]["gross"], self.bank_line.gross)
        for name in LINE_BANK_SIDE:
            with self.subTest(field=name), self.assertRaises(AccessError):
                line.read([name])
        with self.assertRaises(AccessError):
            self.env["ecom.statement.line"].with_user(self.operator).search(
                [("counterparty", "=", self.bank_line.counterparty)]
            )
        for user in (self.accountant, self.auditor):
            with self.subTest(user=user.login):
                self.assertEqual(
                    self.bank_line.with_user(user).read(["counterparty"])[0]["counterparty"],
                    self.bank_line.counterparty,
                )

    def test_views_load_for_every_role(self):
        for user in (self.operator, self.partner, self.accountant, self.auditor):
            finance = user in (self.accountant, self.auditor)
            for model, hidden in (("ecom.shop", SHOP_ACCOUNTING), ("ecom.statement.line", LINE_BANK_SIDE)):
                if user == self.partner and model == "ecom.statement.line":
                    continue  # no access to lines at all
                with self.subTest(user=user.login, model=model):
                    Model = self.env[model].with_user(user)
                    views = Model.get_views([(False, "list"), (False, "form"), (False, "search")])
                    for view_type, view in views["views"].items():
                        for name in hidden:
                            if finance and view_type == "form":
                                self.assertIn(f'name="{name}"', view["arch"], f"{model} {view_type}")
                            elif not finance:
                                self.assertNotIn(f'name="{name}"', view["arch"], f"{model} {view_type}")
        # the import form embeds its lines
        views = self.env["ecom.statement"].with_user(self.operator).get_views([(False, "form")])
        self.assertNotIn('name="counterparty"', views["views"]["form"]["arch"])
