# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from odoo.addons.ecom_audit.const import notify_people
from odoo.addons.ecom_audit.roles import ACCOUNTANT, AUDITOR, MANAGER

from ecomfin.stock_check import compare

from ..report.ecom_stock_ledger_report import last_month, layers_sql


class EcomStockLedgerCheck(models.Model):
    """The stock ledger checked against the books at a date, for one company.

    Per valuation account (the account of the product categories valued in real time, for the
    company): the value of the stock (its valuation layers up to the date, on the days the
    stock ledger takes them) against the balance of the account (posted journal items up to the
    date). A difference over a cent is flagged (``ecomfin.stock_check``).

    A check is a record of what was found: made by *Check against the books* (the stock
    ledger's wizard) or by the monthly schedule, which runs it for last month and gives the
    Finance Managers an activity on it when it finds a difference; users only read it.
    """

    _name = "ecom.stock.ledger.check"
    _description = "Stock Ledger Check against the Books"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_to desc, id desc"
    _rec_name = "date_to"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_to = fields.Date(string="At", required=True, readonly=True)
    result = fields.Selection(
        [("ok", "Agrees with the Books"), ("difference", "Difference")], required=True, readonly=True
    )
    stock_value = fields.Monetary(readonly=True)
    book_value = fields.Monetary(string="Book Balance", readonly=True)
    difference = fields.Monetary(readonly=True, help="Stock value less the balance of the accounts.")
    scheduled = fields.Boolean(readonly=True, help="Made by the monthly schedule.")
    line_ids = fields.One2many("ecom.stock.ledger.check.line", "check_id", string="Accounts", readonly=True)

    @api.depends("date_to", "company_id")
    def _compute_display_name(self):
        for check in self:
            check.display_name = f"{check.company_id.name} {check.date_to}"

    # ------------------------------------------------------------------
    # Rights
    # ------------------------------------------------------------------

    def _check_rights(self):
        """Accountants (and Finance Managers, who are Accountants) and Auditors check."""
        if self.env.su or any(self.env.user.has_group(group) for group in (ACCOUNTANT, AUDITOR)):
            return
        raise AccessError(
            self.env._("Only Accountants, Finance Managers and Auditors check the stock against the books.")
        )

    # ------------------------------------------------------------------
    # Public
    # ------------------------------------------------------------------

    @api.model
    def run_check(self, date_to, company_id=None):
        """Check the stock of ``company_id`` (the current company when none) against its books at
        ``date_to`` (a date or ``YYYY-MM-DD``); returns the action showing the check."""
        self._check_rights()
        company = self.env["res.company"].browse(company_id) if company_id else self.env.company
        if company not in self.env.user.company_ids:
            raise AccessError(self.env._("You may not check the books of %s.", company.display_name))
        check = self._run(company, fields.Date.to_date(date_to))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Stock against the Books"),
            "res_model": self._name,
            "res_id": check.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # The check
    # ------------------------------------------------------------------

    def _stock_values(self, company, date_to):
        """Valuation account id -> value of the company's layers up to ``date_to`` (the products'
        categories valued in real time only: the others are not in the books)."""
        self.env["stock.valuation.layer"].flush_model()
        self.env["account.move"].flush_model(["date"])
        rows = self.env.execute_query(
            SQL(
                """WITH layers AS (%s)
                   SELECT t.categ_id, sum(l.value)
                     FROM layers l
                     JOIN product_product p ON p.id = l.product_id
                     JOIN product_template t ON t.id = p.product_tmpl_id
                    WHERE l.company_id = %s AND l.day <= %s
                    GROUP BY t.categ_id""",
                layers_sql(),
                company.id,
                date_to,
            )
        )
        categories = self.env["product.category"].browse([categ_id for categ_id, _value in rows])
        # the categories' accounting setup of the company, read only (an Auditor checks too)
        categories = categories.with_company(company).sudo()
        values = {}
        for categ_id, value in rows:
            category = categories.browse(categ_id)
            if category.property_valuation != "real_time":
                continue
            account = category.property_stock_valuation_account_id
            if account:
                values[account.id] = values.get(account.id, 0.0) + value
        # every valuation account of the company's real-time categories, even without stock
        for category in categories.search([("property_valuation", "=", "real_time")]):
            if category.property_stock_valuation_account_id:
                values.setdefault(category.property_stock_valuation_account_id.id, 0.0)
        return values

    def _book_values(self, company, date_to, account_ids):
        """Account id -> balance of its posted journal items of ``company`` up to ``date_to``."""
        if not account_ids:
            return {}
        self.env["account.move.line"].flush_model(
            ["balance", "account_id", "parent_state", "date", "company_id"]
        )
        rows = self.env.execute_query(
            SQL(
                """SELECT account_id, sum(balance) FROM account_move_line
                    WHERE company_id = %s AND parent_state = 'posted' AND date <= %s
                      AND account_id = ANY(%s)
                    GROUP BY account_id""",
                company.id,
                date_to,
                list(account_ids),
            )
        )
        return dict(rows)

    def _run(self, company, date_to, scheduled=False):
        """Compare and record the check (as the system: users may only read checks)."""
        stock = self._stock_values(company, date_to)
        result = compare(stock, self._book_values(company, date_to, stock))
        vals = {
            "company_id": company.id,
            "date_to": date_to,
            "scheduled": scheduled,
            "result": "ok" if result.ok else "difference",
            "stock_value": float(sum(row.stock for row in result.rows)),
            "book_value": float(sum(row.books for row in result.rows)),
            "difference": float(result.difference),
            "line_ids": [
                fields.Command.create(
                    {
                        "account_id": row.account,
                        "stock_value": float(row.stock),
                        "book_value": float(row.books),
                        "difference": float(row.difference),
                        "flagged": row.flagged,
                    }
                )
                for row in result.rows
            ],
        }
        # nobody has the right to create a check: what it says is this code's finding, never typed
        check = self.sudo().create(vals)
        return check.sudo(self.env.su)

    @api.model
    def _cron_check(self):
        """Last month's check of each company; an activity for its Finance Managers on a difference."""
        __, date_to = last_month(fields.Date.context_today(self))
        managers_group = self.env.ref(MANAGER)
        for company in self.env["res.company"].search([("active", "=", True)]):
            if self.search_count(
                [("company_id", "=", company.id), ("date_to", "=", date_to), ("scheduled", "=", True)]
            ):
                continue
            check = self._run(company, date_to, scheduled=True)
            if check.result == "ok":
                continue
            managers = self.env["res.users"].search(
                [
                    ("groups_id", "in", managers_group.ids),
                    ("company_ids", "in", company.ids),
                    ("share", "=", False),
                ]
            )
            summary = self.env._("Stock differs from the books at %(date)s", date=date_to)
            note = self.env._(
                "%(company)s: the stock is worth %(stock)s %(currency)s, the valuation accounts show "
                "%(books)s (difference %(difference)s). See Reporting > Stock Ledger Checks.",
                company=company.name,
                stock=check.stock_value,
                books=check.book_value,
                difference=check.difference,
                currency=company.currency_id.name,
            )
            for manager in managers:
                check.activity_schedule(
                    "mail.mail_activity_data_todo", user_id=manager.id, summary=summary, note=note
                )
            notify_people(self.env, managers.partner_id, summary, note)
