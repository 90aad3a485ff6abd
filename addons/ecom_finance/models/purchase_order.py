# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import contextvars

from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.ecom_audit.roles import ACCOUNTANT, MANAGER

# A change of these voids a budget approval of the order (its lines' changes too: see
# purchase_order_line.py; the substance is recomputed at confirmation anyway).
BUDGET_SUBSTANCE_FIELDS = {"order_line", "partner_id", "currency_id", "company_id", "date_planned"}
# the states of an order whose lines commit their budgets (ecom.budget._commitment)
COMMITTED_STATES = ("to approve", "purchase", "done")
# Ids of the orders whose budgets button_confirm just checked (and whose approval it consumed):
# the only writes of a committed state let through unchecked (set by Python code: no caller
# reaches it, unlike a context key).
_CONFIRMING = contextvars.ContextVar("ecom_budget_confirming", default=frozenset())


class PurchaseOrder(models.Model):
    _inherit = ["purchase.order", "ecom.budget.control.mixin"]
    _name = "purchase.order"
    # audited (ecom_audit): who supplies, at which terms, delivered where, and the order's state
    _ecom_audited_fields = {
        "state",
        "partner_id",
        "partner_ref",
        "currency_id",
        "payment_term_id",
        "picking_type_id",
        "date_order",
        "date_planned",
        "user_id",
    }
    # confirming an order beyond its budgets: approved by a Finance Manager, then confirmed
    _ecom_approval_operation = "budget_overrun"
    _ecom_approval_level_one_group = MANAGER
    # the lines of a budget approval's substance, for the approver's view (approval_substance.py)
    _ecom_approval_substance_columns = {
        "lines": (
            "purchase.order.line",
            (
                "product_id",
                None,
                "name",
                "product_qty",
                "price_unit",
                "discount",
                "price_subtotal",
                "date_planned",
            ),
        )
    }

    ecom_budget_html = fields.Html(
        string="Budgets",
        compute="_compute_ecom_budget",
        sanitize=True,
        help="The budgets the order's lines count in: what remains of each, what the order adds and "
        "what would remain after it.",
    )
    ecom_budget_overrun = fields.Boolean(
        string="Over Budget",
        compute="_compute_ecom_budget",
        help="Confirming the order would exceed a budget: a Finance Manager approves it first.",
    )

    @api.depends(
        "state",
        "company_id",
        "currency_rate",
        "order_line.product_id",
        "order_line.price_subtotal",
        "order_line.date_planned",
        "order_line.display_type",
    )
    def _compute_ecom_budget(self):
        self._ecom_compute_budget("ecom_budget_html", "ecom_budget_overrun")

    def _ecom_budget_pending(self):
        self.ensure_one()
        return self.state in ("draft", "sent")

    def _ecom_budget_items(self):
        """Each product line: the month of its expected arrival (UTC), its product's expense account
        (no fiscal position, as ``ecom.budget._commitment``), its untaxed amount at the order's rate."""
        self.ensure_one()
        company = self.company_id
        lines = self.order_line.filtered(lambda line: not line.display_type and line.product_id)
        accounts = self.env["ecom.budget"]._expense_accounts(
            {(company.id, pid) for pid in lines.product_id.ids}
        )
        rate = self.currency_rate or 1.0
        return [
            (
                company.id,
                (line.date_planned or self.date_planned or fields.Datetime.now()).date(),
                accounts[(company.id, line.product_id.id)],
                line.price_subtotal / rate,
            )
            for line in lines
        ]

    def _ecom_approval_substance(self, request):
        """What a budget approval approves: the vendor, the currency and each line's product,
        expense account, description, quantity, price, discount, amount and expected arrival."""
        self.ensure_one()
        lines = self.order_line.filtered(lambda line: not line.display_type)
        accounts = self.env["ecom.budget"]._expense_accounts(
            {(self.company_id.id, pid) for pid in lines.product_id.ids}
        )
        return {
            "partner": self.partner_id.id,
            "currency": self.currency_id.name,
            "amount_untaxed": self.amount_untaxed,
            "lines": sorted(
                [
                    line.product_id.id or 0,
                    accounts.get((self.company_id.id, line.product_id.id)) or 0,
                    line.name or "",
                    line.product_qty,
                    line.price_unit,
                    line.discount,
                    line.price_subtotal,
                    fields.Datetime.to_string(line.date_planned) or "",
                ]
                for line in lines
            ),
        }

    def button_confirm(self):
        """Confirm, unless an order would exceed a budget without a Finance Manager's approval of
        the order as it is (the approval is consumed)."""
        self.check_access("write")  # the right first: whoever may not confirm is refused, not told
        # as the system: the requests are finance data a purchaser does not read, and they are
        # checked here, not shown
        pending = self.filtered(lambda order: order._ecom_budget_pending())
        pending._ecom_check_budgets(as_system=True)
        token = _CONFIRMING.set(_CONFIRMING.get() | frozenset(pending.ids))
        try:
            return super().button_confirm()
        finally:
            _CONFIRMING.reset(token)

    def action_ecom_request_budget_approval(self):
        """Ask Budget Approval: a Finance Manager other than the requester approves that the
        order, as it is now, exceeds its budgets; then Confirm Order consumes the approval.
        Purchase users ask, and Accountants (who may bill the order)."""
        user = self.env.user
        if not self.env.su and not any(
            user.has_group(group) for group in ("purchase.group_purchase_user", ACCOUNTANT)
        ):
            raise AccessError(
                self.env._("Purchase users and Accountants ask for the budget approval of orders.")
            )
        self.check_access("write")
        self._ecom_ask_budget_approval(as_system=True)
        return True

    @api.model_create_multi
    def create(self, vals_list):
        """An order created in a committed state (only RPC does that) is created as a draft, then
        given its state by a write, which checks its budgets as Confirm Order does."""
        states = [vals.get("state") for vals in vals_list]
        orders = super().create(
            [
                {key: value for key, value in vals.items() if key != "state" or value not in COMMITTED_STATES}
                for vals in vals_list
            ]
        )
        for order, state in zip(orders, states, strict=True):
            if state in COMMITTED_STATES:
                order.write({"state": state})
        return orders

    def write(self, vals):
        if vals.get("state") in COMMITTED_STATES:
            # a write of the state commits the budgets too (button_approve called on a draft, RPC):
            # it is checked as Confirm Order checks it, unless Confirm Order is the writer
            checked = _CONFIRMING.get()
            self.filtered(
                lambda order: order.id not in checked and order._ecom_budget_pending()
            )._ecom_check_budgets(as_system=True)
        result = super().write(vals)
        if BUDGET_SUBSTANCE_FIELDS & vals.keys():
            # a budget approval asked for or given before this change is void
            self._ecom_void_stale_approvals()
        return result
