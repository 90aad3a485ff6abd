# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""One bank import for both reconciliations: a CAMT.053 imported here also becomes Odoo bank
statement lines in the bank journal of its account, once."""

from odoo.tests import HttpCase, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user

from .common import EcomShopCase
from .test_statement_import import SAMPLES, b64


@tagged("post_install", "-at_install")
class TestBankStatementFeed(EcomShopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        eur = cls.env.ref("base.EUR")
        eur.active = True
        cls.journal = cls.env["account.journal"].create(
            {
                "name": "ABN EUR",
                "code": "ABNE",
                "type": "bank",
                "company_id": cls.company.id,
                "currency_id": eur.id,
                "bank_acc_number": "NL77 ABNA 0574 9087 65",
            }
        )
        cls.sample = (SAMPLES / "test-camt053").read_bytes()

    def _import(self, user):
        Statement = self.env["ecom.statement"].with_user(user)
        return Statement.import_file(self.shop_own.id, "test-camt053.xml", b64(self.sample), False)

    def test_the_bank_lines_reach_odoos_bank_statements_once(self):
        result = self._import(self.users["accountant"])
        statement = self.env["ecom.statement"].browse(result["statement_id"])
        odoo_lines = self.env["account.bank.statement.line"].search([("journal_id", "=", self.journal.id)])
        self.assertEqual(len(odoo_lines), 4)
        self.assertEqual(odoo_lines.ecom_statement_line_id, statement.line_ids)
        self.assertAlmostEqual(sum(odoo_lines.mapped("amount")), -12.99, places=2)
        self.assertEqual(odoo_lines.statement_id.name, statement.name)
        self.assertFalse(any(odoo_lines.mapped("is_reconciled")))
        # the same file again: recognised, nothing added anywhere
        again = self._import(self.users["accountant"])
        self.assertEqual((again["statement_id"], again["lines_created"]), (statement.id, 0))
        self.assertEqual(
            self.env["account.bank.statement.line"].search_count([("journal_id", "=", self.journal.id)]), 4
        )

    def test_no_journal_for_the_account_leaves_odoo_alone(self):
        self.journal.bank_account_id.acc_number = "DE89370400440532013000"
        before = self.env["account.bank.statement.line"].search_count([])
        result = self._import(self.users["accountant"])
        self.assertEqual(result["lines_created"], 4)
        self.assertEqual(self.env["account.bank.statement.line"].search_count([]), before)


@tagged("post_install", "-at_install")
class TestBankStatementFeedUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.accountant = make_role_user(cls.env, "accountant", company, login="ecom_feed_accountant")
        eur = cls.env.ref("base.EUR")
        eur.active = True
        cls.env["account.journal"].create(
            {
                "name": "ABN EUR",
                "code": "ABNT",
                "type": "bank",
                "company_id": company.id,
                "currency_id": eur.id,
                "bank_acc_number": "NL77ABNA0574908765",
            }
        )
        shop = cls.env["ecom.shop"].create(
            {"name": "Feed Shop", "code": "FEED", "platform": "tmall", "payment_channel": "alipay"}
        )
        data = (SAMPLES / "test-camt053").read_bytes()
        result = (
            cls.env["ecom.statement"]
            .with_user(cls.accountant)
            .import_file(shop.id, "test-camt053.xml", b64(data), False)
        )
        cls.statement = cls.env["ecom.statement"].browse(result["statement_id"])

    def test_the_import_leads_to_odoos_bank_statement(self):
        self.start_tour(
            f"/odoo/action-ecom_finance.ecom_statement_action/{self.statement.id}",
            "ecom_bank_statement_tour",
            login=self.accountant.login,
        )
