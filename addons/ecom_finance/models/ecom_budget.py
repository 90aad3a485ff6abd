# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from odoo.addons.ecom_audit.const import notify_people

ALERT_LEVELS = [("none", "None"), ("threshold", "Threshold Reached"), ("overrun", "Overrun")]


class EcomBudget(models.Model):
    """A monthly budget of a group of accounts (marketing, platform fees...), for one shop or all.

    Posted journal items consume it: for a shop, the items of its settlement entries; for the
    whole company, every posted item on the accounts. The hourly check alerts the responsible
    once when the threshold is reached and once more at the overrun.
    """

    _name = "ecom.budget"
    _description = "E-commerce Budget"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_from desc, shop_id, name"
    _check_company_auto = True

    name = fields.Char(
        string="Account Group", required=True, tracking=True, help="e.g. Marketing, Platform fees"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    shop_id = fields.Many2one(
        "ecom.shop", index=True, check_company=True, tracking=True, help="Empty: the whole company."
    )
    account_ids = fields.Many2many(
        "account.account",
        "ecom_budget_account_rel",
        "budget_id",
        "account_id",
        string="Accounts",
        required=True,
        check_company=True,
    )
    date_from = fields.Date(
        string="Month",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        tracking=True,
    )
    date_to = fields.Date(compute="_compute_date_to", store=True)
    amount = fields.Monetary(string="Budget", required=True, tracking=True)
    threshold = fields.Float(
        string="Alert at (%)",
        default=80.0,
        required=True,
        tracking=True,
        help="Share of the budget that raises an alert.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        required=True,
        default=lambda self: self.env.user,
        tracking=True,
        help="Receives the threshold and overrun alerts.",
    )
    consumed = fields.Monetary(compute="_compute_consumed")
    consumed_pct = fields.Float(string="Consumed (%)", compute="_compute_consumed")
    budget_state = fields.Selection(
        [("ok", "Within Budget"), ("threshold", "Threshold Reached"), ("overrun", "Overrun")],
        compute="_compute_consumed",
        string="Status",
    )
    alert_level = fields.Selection(
        ALERT_LEVELS, default="none", required=True, readonly=True, copy=False, help="The last alert sent."
    )

    _sql_constraints = [
        ("amount_positive", "CHECK(amount > 0)", "A budget must be a positive amount."),
    ]

    @api.depends("date_from")
    def _compute_date_to(self):
        for budget in self:
            budget.date_to = budget.date_from and budget.date_from + relativedelta(day=31)

    @api.constrains("date_from")
    def _check_month(self):
        for budget in self:
            if budget.date_from.day != 1:
                raise ValidationError(self.env._("A budget covers a calendar month: start it on the 1st."))

    def _compute_consumed(self):
        consumed = self._consumption()
        for budget in self:
            budget.consumed = consumed.get(budget.id, 0.0)
            budget.consumed_pct = 100.0 * budget.consumed / budget.amount if budget.amount else 0.0
            budget.budget_state = budget._level(budget.consumed_pct)

    def _level(self, pct):
        if pct >= 100.0:
            return "overrun"
        return "threshold" if pct >= self.threshold else "ok"

    def _consumption(self):
        """Budget id -> posted balance of its accounts in its month (and shop), in one query."""
        ids = [budget_id for budget_id in self.ids if budget_id]
        if not ids:
            return {}
        self.env["account.move.line"].flush_model(
            ["balance", "account_id", "parent_state", "date", "move_id"]
        )
        self.env["account.move"].flush_model(["ecom_statement_id"])
        self.flush_recordset(["shop_id", "date_from", "date_to", "company_id", "account_ids"])
        rows = self.env.execute_query(
            SQL(
                """SELECT b.id, sum(l.balance)
                     FROM ecom_budget b
                     JOIN ecom_budget_account_rel r ON r.budget_id = b.id
                     JOIN account_move_line l ON l.account_id = r.account_id AND l.company_id = b.company_id
                                             AND l.parent_state = 'posted'
                                             AND l.date >= b.date_from AND l.date <= b.date_to
                     JOIN account_move m ON m.id = l.move_id
                     LEFT JOIN ecom_statement s ON s.id = m.ecom_statement_id
                    WHERE b.id = ANY(%s) AND (b.shop_id IS NULL OR s.shop_id = b.shop_id)
                    GROUP BY b.id""",
                ids,
            )
        )
        return dict(rows)

    @api.model
    def _cron_check(self):
        """Alert each responsible once at the threshold and once at the overrun of a budget."""
        budgets = self.search([("alert_level", "!=", "overrun")])
        order = [level for level, _label in ALERT_LEVELS]
        for budget in budgets:
            level = budget.budget_state if budget.budget_state != "ok" else "none"
            if order.index(level) <= order.index(budget.alert_level):
                continue
            budget.alert_level = level
            summary = self.env._(
                "%(group)s budget of %(month)s: %(pct)s%% consumed",
                group=budget.name,
                month=budget.date_from.strftime("%Y-%m"),
                pct=round(budget.consumed_pct),
            )
            note = self.env._(
                "%(consumed)s of %(amount)s %(currency)s spent (%(scope)s).",
                consumed=round(budget.consumed, 2),
                amount=budget.amount,
                currency=budget.currency_id.name,
                scope=budget.shop_id.display_name or budget.company_id.display_name,
            )
            budget.activity_schedule(
                "mail.mail_activity_data_todo", user_id=budget.user_id.id, summary=summary, note=note
            )
            # and at once in the responsible's web client (the activity stays as the lasting trace)
            notify_people(self.env, budget.user_id.partner_id, summary, note)
