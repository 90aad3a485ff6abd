# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Differences: what the sources of a reconciliation disagree on, and how an order is classified.

The kinds and their labels are the vocabulary of the reconciliation (``ecom_reconcile``
shows them, counts them, and its set-wise SQL classifies orders into them). The order
stage pairs an order with the channel's payment lines of its reference (either side may
be missing) and gives each pair zero or more kinds, by the rule of :func:`order_kinds`;
the payout stage gives its kinds in :mod:`ecomfin.matching`.

Conventions (those of the SQL that classifies the pairs of a run):

* a pair has an order, a payment, or both; a payment is what the channel's lines of
  the reference add up to: ``paid`` (sales), ``refunded`` (refunds, positive),
  ``fees``, ``n_sale`` (number of sale lines, 0 when only refunds were seen) and
  ``paid_at`` (the first sale, ``None`` without one);
* only a ``cancelled`` order status means anything here; the currencies are not
  compared (a difference takes the order's currency, else the payment's);
* amounts are compared within the rule's tolerance: ``|actual - expected|`` at most
  the larger of ``absolute`` and ``percent`` % of ``|expected|`` (as
  :class:`ecomfin.matching.Tolerance`);
* a difference states an ``expected`` amount (the order's) and an ``actual`` one (the
  channel's), see :func:`difference_amounts`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

MISSING_PAYMENT = "missing_payment"
MISSING_ORDER = "missing_order"
AMOUNT_MISMATCH = "amount_mismatch"
DUPLICATE_PAYMENT = "duplicate_payment"
REFUND_MISMATCH = "refund_mismatch"
STATUS_MISMATCH = "status_mismatch"
MISSING_PAYOUT = "missing_payout"
PAYOUT_MISMATCH = "payout_mismatch"
TIMING = "timing"

#: Every kind with its label, in the order the differences' lists show them.
DIFFERENCE_KINDS = [
    (MISSING_PAYMENT, "Missing payment"),
    (MISSING_ORDER, "Missing order"),
    (AMOUNT_MISMATCH, "Amount mismatch"),
    (DUPLICATE_PAYMENT, "Duplicate payment"),
    (REFUND_MISMATCH, "Refund mismatch"),
    (STATUS_MISMATCH, "Status mismatch"),
    (MISSING_PAYOUT, "Missing payout"),
    (PAYOUT_MISMATCH, "Payout mismatch"),
    (TIMING, "Timing"),
]

#: The kinds of the order <-> payment stage, in the order a pair is classified.
ORDER_KINDS = (
    MISSING_PAYMENT,
    MISSING_ORDER,
    STATUS_MISMATCH,
    DUPLICATE_PAYMENT,
    AMOUNT_MISMATCH,
    REFUND_MISMATCH,
    TIMING,
)
#: The kinds of the payout <-> bank stage (see :mod:`ecomfin.matching`).
PAYOUT_KINDS = (MISSING_PAYOUT, PAYOUT_MISMATCH, TIMING)

CANCELLED = "cancelled"


@dataclass(frozen=True)
class Order:
    """The order side of a pair: its status, amounts and when it was paid (or placed)."""

    status: str
    amount_paid: Decimal
    refund_amount: Decimal
    paid_time: datetime


@dataclass(frozen=True)
class Payment:
    """The channel side of a pair: its lines of one reference, added up."""

    paid: Decimal
    refunded: Decimal
    fees: Decimal = Decimal(0)
    n_sale: int = 1
    paid_at: datetime | None = None


@dataclass(frozen=True)
class OrderRule:
    """What a reconciliation rule says about pairs: tolerances, window, gross or net."""

    absolute: Decimal = Decimal("0.00")
    percent: Decimal = Decimal(0)
    window_hours: int = 48
    compare: str = "gross"

    def differs(self, expected, actual):
        """Whether ``actual`` is off ``expected`` by more than the tolerance."""
        return abs(actual - expected) > max(self.absolute, abs(expected) * self.percent / 100)


def compared(payment, rule):
    """What the channel paid as the rule compares it with the order (net of fees, or gross)."""
    if payment is None:
        return None
    return payment.paid - payment.fees if rule.compare == "net" else payment.paid


def order_kinds(order, payment, rule, end):
    """The kinds of the pair (``ORDER_KINDS`` order); ``end``: the end of the run's period.

    A pair of a cancelled order says something only when the channel kept money for it;
    every other kind is about a live order.
    """
    kinds = []
    live = order is not None and order.status != CANCELLED
    if payment is None and live:
        kinds.append(MISSING_PAYMENT)
    if order is None:
        kinds.append(MISSING_ORDER)
    if (
        order is not None
        and payment is not None
        and order.status == CANCELLED
        and payment.paid - payment.refunded > rule.absolute
    ):
        kinds.append(STATUS_MISMATCH)
    if live and payment is not None and payment.n_sale > 1:
        kinds.append(DUPLICATE_PAYMENT)
    if live and payment is not None:
        if payment.n_sale <= 1 and rule.differs(order.amount_paid, compared(payment, rule)):
            kinds.append(AMOUNT_MISMATCH)
        if rule.differs(order.refund_amount, payment.refunded):
            kinds.append(REFUND_MISMATCH)
        if payment.paid_at is not None and (
            payment.paid_at > order.paid_time + timedelta(hours=rule.window_hours) or payment.paid_at >= end
        ):
            kinds.append(TIMING)
    return tuple(kinds)


def difference_amounts(kind, order, payment, rule):
    """(expected, actual) of a difference of ``kind`` of the pair; a missing side counts 0.

    A refund mismatch compares refunds; a status mismatch states what the channel kept
    (paid less refunded); every other kind the order's amount and what the channel paid.
    """
    zero = Decimal(0)
    if kind == REFUND_MISMATCH:
        return (order.refund_amount if order else zero, payment.refunded if payment else zero)
    expected = order.amount_paid if order else zero
    if kind == STATUS_MISMATCH:
        return expected, (payment.paid - payment.refunded if payment else zero)
    return expected, (compared(payment, rule) if payment else zero)
