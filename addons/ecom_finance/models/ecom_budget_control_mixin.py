# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from markupsafe import Markup

from odoo import models
from odoo.exceptions import UserError
from odoo.tools.misc import format_amount

# the operation of ecom.approval.request that lets a document exceed its budgets
BUDGET_OPERATION = "budget_overrun"


class EcomBudgetControlMixin(models.AbstractModel):
    """A document that spends from budgets (a purchase order, a manual entry): what it adds to
    each budget it touches, shown on its form, and refused beyond what remains unless a Finance
    Manager other than its requester approved it (``budget_overrun`` requests of
    ``ecom.approval.gate.mixin``; the document's approval substance is what is approved).

    A model says what its lines add in ``_ecom_budget_items`` and which of its records are still
    to be checked (not committed or consumed yet) in ``_ecom_budget_pending``.
    """

    _name = "ecom.budget.control.mixin"
    _inherit = ["ecom.approval.gate.mixin"]
    _description = "Document under Budget Control"
    # the first level of a budget overrun: a Finance Manager (who is never the requester)
    _ecom_approval_level_one_groups = {BUDGET_OPERATION: "ecom_audit.group_ecom_manager"}

    def _ecom_budget_items(self):
        """``[(company id, date, account id, amount in the company's currency)]`` of the record."""
        raise NotImplementedError

    def _ecom_budget_pending(self):
        """Whether the record is still to be checked: neither committed nor consumed yet."""
        raise NotImplementedError

    def _ecom_budget_positions(self):
        """(budgets, positions): the budgets the record touches and how it leaves them
        (``ecomfin.budget.Position``; a record already counted adds nothing more)."""
        self.ensure_one()
        budgets, adds = self.env["ecom.budget"]._touched_by(self._ecom_budget_items())
        if not self._ecom_budget_pending():
            adds = dict.fromkeys(adds, 0.0)
        return budgets, budgets._positions(adds)

    def _ecom_budget_overruns(self):
        """(budgets, overrun positions) of a record still to be checked."""
        self.ensure_one()
        if not self._ecom_budget_pending():
            return self.env["ecom.budget"], []
        budgets, found = self._ecom_budget_positions()
        return budgets, [position for position in found if position.overrun]

    def _ecom_compute_budget(self, html_field, overrun_field):
        for record in self:
            if not record.id or not record.company_id:
                record[html_field], record[overrun_field] = False, False
                continue
            budgets, found = record._ecom_budget_positions()
            record[html_field] = record._ecom_budget_table(budgets, found) if found else False
            record[overrun_field] = record._ecom_budget_pending() and any(p.overrun for p in found)

    def _ecom_budget_table(self, budgets, found):
        """The budgets the record touches as an HTML table: their remaining, and for a record still
        to be checked what it adds and what would remain."""
        pending = self._ecom_budget_pending()
        env = self.env
        by_id = {budget.id: budget for budget in budgets}
        head = [env._("Budget"), env._("Month"), env._("Remaining")]
        if pending:
            head += [env._("This Document"), env._("Remaining After")]
        rows = []
        for position in found:
            budget = by_id[position.budget_id]

            def amount(value, currency=budget.currency_id):
                return format_amount(env, float(value), currency)

            cells = [budget.name, budget.date_from.strftime("%Y-%m"), amount(position.remaining_before)]
            if pending:
                cells += [amount(position.adds), amount(position.remaining_after)]
            row_class = Markup(' class="table-danger"') if pending and position.overrun else ""
            rows.append(
                Markup("<tr{}>{}</tr>").format(
                    row_class, Markup("").join(Markup("<td>{}</td>").format(cell) for cell in cells)
                )
            )
        return Markup(
            '<table class="table table-sm mb-0"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>'
        ).format(
            Markup("").join(Markup("<th>{}</th>").format(title) for title in head), Markup("").join(rows)
        )

    def _ecom_budget_overrun_text(self, budgets, overruns):
        """The overruns in words: each budget, its month, its remaining, what the record adds and
        by how much it goes beyond."""
        by_id = {budget.id: budget for budget in budgets}
        parts = []
        for position in overruns:
            budget = by_id[position.budget_id]
            currency = budget.currency_id
            parts.append(
                self.env._(
                    "%(budget)s of %(month)s: %(remaining)s remaining, this adds %(adds)s, "
                    "%(overrun)s over the budget",
                    budget=budget.name,
                    month=budget.date_from.strftime("%Y-%m"),
                    remaining=format_amount(self.env, float(position.remaining_before), currency),
                    adds=format_amount(self.env, float(position.adds), currency),
                    overrun=format_amount(self.env, float(position.overrun), currency),
                )
            )
        return "; ".join(parts)

    def _ecom_check_budgets(self, as_system=False):
        """Refuse a record that would exceed a budget, unless an approval of a budget overrun for
        the record as it is now is there (it is consumed)."""
        for record in self:
            budgets, overruns = record._ecom_budget_overruns()
            if not overruns:
                continue
            text = record._ecom_budget_overrun_text(budgets, overruns)
            record._ecom_require_approval(
                lambda rec, text=text: self.env._(
                    "%(document)s would exceed its budget: %(overruns)s. Press Ask Budget Approval: a "
                    "Finance Manager other than you approves it, then try again.",
                    document=rec.display_name,
                    overruns=text,
                ),
                as_system=as_system,
                operation=BUDGET_OPERATION,
            )

    def _ecom_ask_budget_approval(self, as_system=False):
        """Ask a Finance Manager for each record's budget overrun (the record as it is now)."""
        requests = self.env["ecom.approval.request"]
        for record in self:
            if not record._ecom_budget_pending():
                raise UserError(self.env._("%s is already confirmed or posted.", record.display_name))
            budgets, overruns = record._ecom_budget_overruns()
            if not overruns:
                raise UserError(
                    self.env._("%s stays within its budgets: no approval is needed.", record.display_name)
                )
            text = record._ecom_budget_overrun_text(budgets, overruns)
            requests |= record._ecom_ask_approval(
                self.env._("Exceed the budget for %(document)s", document=record.display_name),
                substance=record._ecom_approval_substance(None),
                as_system=as_system,
                operation=BUDGET_OPERATION,
                amount=float(sum(position.overrun for position in overruns)),
                reason=text,
            )
        return requests
