# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Budget control: what a document adds to its budgets, against what they have left.

Conventions (those of ``ecom.budget`` and of the documents it controls):

* amounts are in the budget's currency (its company's), as :class:`decimal.Decimal`
  rounded to ``digits`` places (floats given are read through ``str``, then rounded);
* a budget's ``remaining`` is ``amount - consumed - committed``, always: ``consumed`` is
  what posted journal items booked on its accounts in its month, ``committed`` what
  confirmed purchase orders ordered there and is not billed yet;
* a document *adds* to a budget what it would consume or commit there: positive when it
  spends (a purchase line, a debit on an expense account), negative when it gives back
  (a credit); the document itself is in neither ``consumed`` nor ``committed`` yet;
* a document *overruns* a budget when it adds more than zero and leaves less than zero
  remaining; its ``overrun`` is what lies beyond the budget: everything it adds when the
  budget was already spent, else what it adds beyond the remaining.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)


def _money(value, digits, what):
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError(f"{what}: an amount is expected, not {value!r}")
    try:
        amount = Decimal(str(value))
    except ArithmeticError as error:
        raise ValueError(f"{what}: {value!r} is not an amount") from error
    if not amount.is_finite():
        raise ValueError(f"{what}: {value!r} is not an amount")
    return amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Position:
    """A budget as a document would leave it."""

    budget_id: int
    amount: Decimal
    consumed: Decimal
    committed: Decimal
    adds: Decimal

    @property
    def remaining_before(self):
        return self.amount - self.consumed - self.committed

    @property
    def remaining_after(self):
        return self.remaining_before - self.adds

    @property
    def overrun(self):
        """What the document spends beyond the budget (zero when it stays within)."""
        if self.adds <= ZERO or self.remaining_after >= ZERO:
            return ZERO
        return min(self.adds, -self.remaining_after)


def positions(budgets, adds, digits=2):
    """The budgets a document touches, as it would leave them, by budget id.

    :param budgets: ``{budget id: (amount, consumed, committed)}``
    :param adds: ``{budget id: what the document adds}``; every id must be in ``budgets``
    :param digits: decimal places of the budgets' currency
    :raises ValueError: a budget the document adds to is not given, or an amount is none
        (a mistake of the caller, not of its user)
    """
    found = []
    for budget_id in sorted(adds):
        if budget_id not in budgets:
            raise ValueError(f"budget {budget_id}: the document adds to a budget that is not given")
        try:
            amount, consumed, committed = budgets[budget_id]
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"budget {budget_id}: (amount, consumed, committed) expected, not {budgets[budget_id]!r}"
            ) from error
        found.append(
            Position(
                budget_id=budget_id,
                amount=_money(amount, digits, f"budget {budget_id} amount"),
                consumed=_money(consumed, digits, f"budget {budget_id} consumed"),
                committed=_money(committed, digits, f"budget {budget_id} committed"),
                adds=_money(adds[budget_id], digits, f"budget {budget_id} added"),
            )
        )
    return found


def overruns(budgets, adds, digits=2):
    """The positions (:func:`positions`) of the budgets the document overruns, by budget id."""
    return [position for position in positions(budgets, adds, digits) if position.overrun > ZERO]
