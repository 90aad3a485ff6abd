# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from odoo.addons.ecom_audit.const import notify_people

from ecomfin.budget import positions

ALERT_LEVELS = [("none", "None"), ("threshold", "Threshold Reached"), ("overrun", "Overrun")]


class EcomBudget(models.Model):
    """A monthly budget of a group of accounts (marketing, platform fees...), for one shop or all.

    Posted journal items consume it: for a shop, the items of its settlement entries; for the
    whole company, every posted item on the accounts. The hourly check alerts the responsible
    once when the threshold is reached and once more at the overrun.

    A whole-company budget also controls spending before it is booked: confirmed purchase orders
    commit it (what they ordered on its accounts in its month and is not billed yet), and what
    remains (budget - consumed - committed) is what a purchase order to confirm or a manual entry
    to post may still spend without a Finance Manager's approval (``ecomfin.budget``).
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
    committed = fields.Monetary(
        compute="_compute_consumed",
        help="Ordered on confirmed purchase orders for this month (the lines' expected arrival) on "
        "the accounts, and not billed yet (whole-company budgets only).",
    )
    remaining = fields.Monetary(
        compute="_compute_consumed",
        help="Budget - consumed - committed: what may still be spent without a Finance Manager's approval.",
    )
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
        committed = self._commitment()
        for budget in self:
            budget.consumed = consumed.get(budget.id, 0.0)
            budget.committed = committed.get(budget.id, 0.0)
            budget.remaining = budget.amount - budget.consumed - budget.committed
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

    def _commitment(self):
        """Budget id -> what confirmed purchase orders ordered on its accounts in its month and is
        not billed yet, in its company's currency.

        A line of an order to approve, confirmed or locked counts in the month of its expected
        arrival (``date_planned``, its UTC date), on its product's expense account (the product's,
        else its category's; the fiscal position is not applied), for its untaxed amount in the
        company's currency (at the order's rate) less what posted vendor bills booked for it, never
        below zero. Whole-company budgets only: an order belongs to no shop.
        """
        budgets = self.filtered(lambda budget: budget.id and not budget.shop_id)
        if not budgets:
            return {}
        self.env["purchase.order.line"].flush_model(
            ["order_id", "company_id", "product_id", "display_type", "date_planned", "price_subtotal"]
        )
        self.env["purchase.order"].flush_model(["state", "currency_rate"])
        self.env["account.move.line"].flush_model(["purchase_line_id", "parent_state", "balance"])
        budgets.flush_recordset(["shop_id", "date_from", "date_to", "company_id"])
        rows = self.env.execute_query(
            SQL(
                """WITH months AS (
                        SELECT DISTINCT company_id, date_from, date_to FROM ecom_budget WHERE id = ANY(%s)
                   )
                   SELECT m.company_id, m.date_from, pl.product_id,
                          sum(GREATEST(pl.price_subtotal / COALESCE(NULLIF(po.currency_rate, 0), 1)
                                       - COALESCE(billed.amount, 0), 0))
                     FROM months m
                     JOIN purchase_order_line pl ON pl.company_id = m.company_id
                                                AND pl.date_planned >= m.date_from
                                                AND pl.date_planned < m.date_to + 1
                     JOIN purchase_order po ON po.id = pl.order_id
                     LEFT JOIN LATERAL (
                        SELECT sum(aml.balance) AS amount FROM account_move_line aml
                         WHERE aml.purchase_line_id = pl.id AND aml.parent_state = 'posted'
                     ) billed ON TRUE
                    WHERE po.state IN ('to approve', 'purchase', 'done')
                      AND pl.display_type IS NULL AND pl.product_id IS NOT NULL
                    GROUP BY m.company_id, m.date_from, pl.product_id""",
                budgets.ids,
            )
        )
        accounts = self._expense_accounts(
            {(company_id, product_id) for company_id, _month, product_id, _a in rows}
        )
        items = [
            (company_id, month, accounts.get((company_id, product_id)), amount)
            for company_id, month, product_id, amount in rows
        ]
        return budgets._spread(items)

    @api.model
    def _expense_accounts(self, pairs):
        """(company id, product id) -> id of the account a vendor bill of the product books its
        expense on in that company (the product's, else its category's; no fiscal position)."""
        found = {}
        for company_id, product_id in pairs:
            # read as the system: only the account's id is used, to find the budgets it counts in,
            # whoever confirms the order (a purchaser may not read the accounting setup)
            product = self.env["product.product"].sudo().with_company(company_id).browse(product_id)
            found[(company_id, product_id)] = product._get_product_accounts()["expense"].id
        return found

    def _spread(self, items):
        """Budget id -> the sum of ``items`` ``(company id, date, account id, amount)`` that fall in
        each of these budgets (its company, its month, one of its accounts)."""
        totals = {}
        for budget in self:
            accounts = set(budget.account_ids.ids)
            inside = [
                amount
                for company_id, day, account_id, amount in items
                if company_id == budget.company_id.id
                and account_id in accounts
                and budget.date_from <= day <= budget.date_to
            ]
            if inside:
                totals[budget.id] = sum(inside)
        return totals

    @api.model
    def _touched_by(self, items):
        """The whole-company budgets ``items`` ``(company id, date, account id, amount)`` (a
        document's lines) fall in, and what they add to each: ``(budgets, {budget id: amount})``.

        Searched as the system: the control holds whoever confirms or posts (a purchaser reads no
        budget), and tells them only the budgets their own document touches."""
        items = [item for item in items if item[2]]
        if not items:
            return self.browse(), {}
        domain = [
            ("company_id", "in", list({item[0] for item in items})),
            ("shop_id", "=", False),
            ("account_ids", "in", list({item[2] for item in items})),
            ("date_from", "<=", max(item[1] for item in items)),
            ("date_to", ">=", min(item[1] for item in items)),
        ]
        budgets = self.sudo().search(domain)
        adds = budgets._spread(items)
        return budgets.filtered(lambda budget: budget.id in adds), adds

    def _positions(self, adds):
        """These budgets as a document adding ``adds`` ``{budget id: amount}`` would leave them
        (``ecomfin.budget.Position``), by budget id."""
        digits = self[:1].currency_id.decimal_places or 2
        # computed now, not read from the fields: their values may be cached from before the
        # orders confirmed and entries posted since in this transaction
        consumed, committed = self._consumption(), self._commitment()
        budgets = {
            budget.id: (budget.amount, consumed.get(budget.id, 0.0), committed.get(budget.id, 0.0))
            for budget in self
        }
        return positions(budgets, {budget_id: adds[budget_id] for budget_id in self.ids}, digits)

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
