# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The monthly check of the stock ledger (进销存) against the books.

Two sums per valuation account at one date: what the stock is worth (its valuation layers) and
what the account says (the balance of its posted journal items). They must agree; the check
gives one row per account found on either side, with the difference, and a verdict.

Conventions:

* amounts are :class:`decimal.Decimal` (floats and ints are taken through ``str``, so ``0.1``
  stays ``0.1``), rounded to the cent before they are compared;
* ``difference = stock - books``: positive when the books show less than the stock is worth;
* a row is *flagged* when ``|difference|`` exceeds the tolerance (0.01 unless told): a cent of
  rounding between the layers and the entries is not a difference;
* an account on one side only counts 0 on the other; the rows come sorted by account.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TOLERANCE = Decimal("0.01")
CENT = Decimal("0.01")


def _amount(value):
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"amount {value!r}: a number is needed")
    else:
        amount = Decimal(str(value))
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CheckRow:
    """One valuation account: the stock's value, the books' balance, their difference."""

    account: object
    stock: Decimal
    books: Decimal
    difference: Decimal
    flagged: bool


@dataclass(frozen=True)
class CheckResult:
    """The rows of a check and its verdict: ``ok`` when no row is flagged."""

    rows: tuple
    ok: bool

    @property
    def flagged(self):
        return tuple(row for row in self.rows if row.flagged)

    @property
    def difference(self):
        """Sum of the differences of every account."""
        return sum((row.difference for row in self.rows), Decimal("0.00"))


def compare(stock, books, tolerance=TOLERANCE):
    """Compare ``stock`` (account -> value of the layers) with ``books`` (account -> balance).

    Returns a :class:`CheckResult`. Accounts are any sortable keys (ids or codes).
    """
    tolerance = _amount(tolerance)
    if tolerance < 0:
        raise ValueError(f"tolerance {tolerance}: it cannot be negative")
    rows = []
    for account in sorted(set(stock) | set(books)):
        stock_value = _amount(stock.get(account, 0))
        book_value = _amount(books.get(account, 0))
        difference = stock_value - book_value
        rows.append(CheckRow(account, stock_value, book_value, difference, abs(difference) > tolerance))
    return CheckResult(tuple(rows), not any(row.flagged for row in rows))
