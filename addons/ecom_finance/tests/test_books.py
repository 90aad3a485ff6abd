# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The books a Chinese finance team works from, on maintained OCA engines: the general ledger and
trial balance of account_financial_report with the drill-down to a settlement's statement lines,
and the small-enterprise balance sheet and profit and loss (mis_builder) on an l10n_cn company
and on the demo company."""

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, TransactionCase, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user

BALANCE_SHEET = "ecom_finance.mis_report_ecom_small_balance_sheet"
PROFIT_LOSS = "ecom_finance.mis_report_ecom_small_profit_loss"


def evaluate(env, xmlid, company, date_from, date_to):
    """The report's KPI values for the company over the period, as ``env``'s user computes them."""
    report = env.ref(xmlid).with_env(env)
    aep = report._prepare_aep(company)
    return {
        name: (value or 0.0) if not isinstance(value, str) else value
        for name, value in report.evaluate(aep, date_from=date_from, date_to=date_to).items()
    }


@tagged("post_install", "-at_install")
class TestSmallEnterpriseStatements(TransactionCase):
    """A company on Odoo's Chinese chart (l10n_cn) books a month; the statements read it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create(
            {
                "name": "Books CN Co",
                "country_id": cls.env.ref("base.cn").id,
                "currency_id": cls.env.ref("base.CNY").id,
            }
        )
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.env["account.chart.template"].try_loading("cn", company=cls.company, install_demo=False)
        cls.accountant = make_role_user(cls.env, "accountant", cls.company, login="books_cn_accountant")
        cls.warehouse = make_role_user(cls.env, "warehouse_operator", cls.company, login="books_cn_wh")
        cls.journal = cls.env["account.journal"].search(
            [("company_id", "=", cls.company.id), ("type", "=", "general")], limit=1
        )
        Account = cls.env["account.account"].with_company(cls.company)

        def account(code):
            # by the standard's four digits: the chart's bank account is 100201, not 100200
            found = Account.search(
                [("code", "=like", f"{code[:4]}%"), ("company_ids", "in", cls.company.id)],
                order="code",
                limit=1,
            )
            assert found, code
            return found

        entries = [
            ("Capital paid in", "100200", "400100", 100000.0),
            ("Goods bought on credit", "140500", "220200", 30000.0),
            ("Goods sold on credit", "112200", "600100", 50000.0),
            ("Cost of the goods sold", "640100", "140500", 20000.0),
            ("Platform commission", "660100", "100200", 3000.0),
            ("Income tax of the month", "680100", "222100", 1000.0),
        ]
        moves = cls.env["account.move"].create(
            [
                {
                    "move_type": "entry",
                    "journal_id": cls.journal.id,
                    "date": "2031-03-20",
                    "ref": ref,
                    "line_ids": [
                        Command.create({"account_id": account(debit).id, "debit": amount, "name": ref}),
                        Command.create({"account_id": account(credit).id, "credit": amount, "name": ref}),
                    ],
                }
                for ref, debit, credit, amount in entries
            ]
        )
        moves.action_post()
        # the next month: in the year to date, not in March
        next_month = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": cls.journal.id,
                "date": "2031-04-02",
                "line_ids": [
                    Command.create({"account_id": account("112200").id, "debit": 700.0}),
                    Command.create({"account_id": account("600100").id, "credit": 700.0}),
                ],
            }
        )
        next_month.action_post()

    def test_balance_sheet_lines_and_balance(self):
        values = evaluate(
            self.env(user=self.accountant), BALANCE_SHEET, self.company, "2031-03-01", "2031-03-31"
        )
        expected = {
            "cash": 97000.0,
            "receivable": 50000.0,
            "inventories": 10000.0,
            "other_current_assets": 0.0,
            "current_assets": 157000.0,
            "non_current_assets": 0.0,
            "total_assets": 157000.0,
            "payable": 30000.0,
            "taxes_payable": 1000.0,
            "current_liabilities": 31000.0,
            "total_liabilities": 31000.0,
            "paid_in_capital": 100000.0,
            "retained_earnings": 26000.0,
            "equity": 126000.0,
            "total_liabilities_equity": 157000.0,
        }
        for name, amount in expected.items():
            self.assertAlmostEqual(values[name], amount, places=2, msg=name)

    def test_profit_and_loss_of_the_month_and_the_year(self):
        env = self.env(user=self.accountant)
        march = evaluate(env, PROFIT_LOSS, self.company, "2031-03-01", "2031-03-31")
        expected = {
            "revenue": 50000.0,
            "cost": 20000.0,
            "selling_expenses": 3000.0,
            "other_operating": 0.0,
            "operating_profit": 27000.0,
            "total_profit": 27000.0,
            "income_tax": 1000.0,
            "net_profit": 26000.0,
        }
        for name, amount in expected.items():
            self.assertAlmostEqual(march[name], amount, places=2, msg=name)
        year = evaluate(env, PROFIT_LOSS, self.company, "2031-01-01", "2031-04-30")
        self.assertAlmostEqual(year["revenue"], 50700.0, places=2)
        self.assertAlmostEqual(year["net_profit"], 26700.0, places=2)

    def test_ready_made_reports_open_and_compute(self):
        for action, instance in (
            ("action_ecom_small_balance_sheet", "mis_instance_ecom_small_balance_sheet"),
            ("action_ecom_small_profit_loss", "mis_instance_ecom_small_profit_loss"),
        ):
            result = (
                self.env["ir.actions.act_window"]
                .with_user(self.accountant)
                ._for_xml_id(f"ecom_finance.{action}")
            )
            self.assertEqual(result["res_model"], "mis.report.instance")
            self.assertEqual(result["res_id"], self.env.ref(f"ecom_finance.{instance}").id)
            matrix = (
                self.env["mis.report.instance"]
                .with_user(self.accountant)
                .with_context(allowed_company_ids=[self.company.id])
                .browse(result["res_id"])
                ._compute_matrix()
            )
            self.assertTrue(list(matrix.iter_rows()))

    def test_books_menu_for_finance_roles_only(self):
        books = self.env.ref("ecom_finance.menu_ecom_books")
        Menu = self.env["ir.ui.menu"]
        self.assertIn(books.id, Menu.with_user(self.accountant)._visible_menu_ids())
        self.assertNotIn(books.id, Menu.with_user(self.warehouse)._visible_menu_ids())


@tagged("post_install", "-at_install")
class TestBooksOnTheDemoCompany(TransactionCase):
    """OCA ledgers on the demo company: a settlement entry in the general ledger and the trial
    balance, down to its statement lines; the balance sheet balances on Odoo's generic chart."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_ecom")
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.accountant = make_role_user(cls.env, "accountant", cls.company, login="books_demo_accountant")
        cls.warehouse = make_role_user(cls.env, "warehouse_operator", cls.company, login="books_demo_wh")
        cls.settlement = cls.env["account.move"].search(
            [
                ("company_id", "=", cls.company.id),
                ("state", "=", "posted"),
                ("ecom_statement_id", "!=", False),
            ],
            order="date desc, id desc",
            limit=1,
        )

    def _wizard(self, model, user, **values):
        return (
            self.env[model]
            .with_user(user)
            .create({"company_id": self.company.id, "target_move": "posted", **values})
        )

    def test_settlement_in_the_general_ledger_down_to_its_statement_lines(self):
        self.assertTrue(self.settlement, "the demo data posts settlements")
        day = self.settlement.date
        wizard = self._wizard(
            "general.ledger.report.wizard",
            self.accountant,
            date_from=day.replace(day=1),
            date_to=day,
            account_ids=[Command.set(self.settlement.line_ids.account_id.ids)],
            centralize=False,
        )
        values = (
            self.env["report.account_financial_report.general_ledger"]
            .with_user(self.accountant)
            ._get_report_values(wizard, wizard._prepare_report_data())
        )
        reported = {
            line["id"]
            for account in values["general_ledger"]
            for line in account.get("move_lines", [])
            + [ml for partner in account.get("list_grouped", []) for ml in partner.get("move_lines", [])]
        }
        self.assertLessEqual(set(self.settlement.line_ids.ids), reported)
        # the General Ledger opens a journal item; its button opens the statement lines it sums
        item = self.settlement.line_ids.filtered("ecom_event_type")[:1].with_user(self.accountant)
        self.assertEqual(item.ecom_statement_id, self.settlement.ecom_statement_id)
        action = item.action_ecom_open_source_lines()
        lines = self.env["ecom.statement.line"].with_user(self.accountant).search(action["domain"])
        self.assertTrue(lines)
        self.assertEqual(lines.statement_id, self.settlement.ecom_statement_id)

    def test_trial_balance_balances(self):
        wizard = self._wizard(
            "trial.balance.report.wizard",
            self.accountant,
            date_from=fields.Date.to_date("2020-01-01"),
            date_to=fields.Date.context_today(self.env.user),
            hide_account_at_0=True,
        )
        values = (
            self.env["report.account_financial_report.trial_balance"]
            .with_user(self.accountant)
            ._get_report_values(wizard, wizard._prepare_report_data())
        )
        rows = [row for row in values["trial_balance"] if row["type"] == "account_type"]
        self.assertTrue(rows)
        self.assertAlmostEqual(
            sum(row["debit"] for row in rows), sum(row["credit"] for row in rows), places=2
        )
        self.assertAlmostEqual(sum(row["ending_balance"] for row in rows), 0.0, places=2)

    def test_balance_sheet_balances_on_the_generic_chart(self):
        today = fields.Date.context_today(self.env.user)
        values = evaluate(
            self.env(user=self.accountant), BALANCE_SHEET, self.company, today.replace(day=1), today
        )
        self.assertTrue(values["total_assets"])
        self.assertAlmostEqual(values["total_assets"], values["total_liabilities_equity"], places=2)

    def test_operators_cannot_run_the_ledgers(self):
        wizard = self._wizard(
            "general.ledger.report.wizard",
            self.warehouse,
            date_from=fields.Date.to_date("2020-01-01"),
            date_to=fields.Date.context_today(self.env.user),
        )
        with self.assertRaises(AccessError):
            self.env["report.account_financial_report.general_ledger"].with_user(
                self.warehouse
            )._get_report_values(wizard, wizard._prepare_report_data())


@tagged("post_install", "-at_install")
class TestBooksInTheWebClient(HttpCase):
    """The books as an Accountant of the demo company sees them in the web client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_ecom")
        cls.accountant = make_role_user(cls.env, "accountant", cls.company, login="books_ui_accountant")

    def test_balance_sheet(self):
        self.start_tour(
            "/odoo/action-ecom_finance.action_ecom_small_balance_sheet",
            "ecom_books_balance_sheet_tour",
            login=self.accountant.login,
        )

    def test_from_a_journal_item_to_its_statement_lines(self):
        item = self.env["account.move.line"].search(
            [
                ("company_id", "=", self.company.id),
                ("parent_state", "=", "posted"),
                ("move_id.ecom_statement_id", "!=", False),
                ("ecom_event_type", "!=", False),
            ],
            limit=1,
        )
        self.assertTrue(item, "the demo data posts settlements")
        self.start_tour(
            f"/odoo/account.move.line/{item.id}", "ecom_books_drilldown_tour", login=self.accountant.login
        )
