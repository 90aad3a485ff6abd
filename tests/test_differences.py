# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest

from ecomfin.differences import (
    DIFFERENCE_KINDS,
    ORDER_KINDS,
    PAYOUT_KINDS,
    Order,
    OrderRule,
    Payment,
    compared,
    difference_amounts,
    order_kinds,
)
from ecomfin.matching import local_day

PAID = datetime(2024, 3, 1, 2, 0)
END = datetime(2024, 3, 8)
RULE = OrderRule(absolute=D("0.01"), window_hours=48)


def order(amount="100.00", status="paid", refund="0.00", when=PAID):
    return Order(status=status, amount_paid=D(amount), refund_amount=D(refund), paid_time=when)


def payment(paid="100.00", refunded="0.00", fees="0.60", n_sale=1, at=PAID + timedelta(hours=1)):
    return Payment(paid=D(paid), refunded=D(refunded), fees=D(fees), n_sale=n_sale, paid_at=at)


def test_kinds_and_labels_are_one_vocabulary():
    kinds = [kind for kind, _label in DIFFERENCE_KINDS]
    assert len(kinds) == len(set(kinds))
    assert set(ORDER_KINDS) | set(PAYOUT_KINDS) == set(kinds)
    assert set(ORDER_KINDS) & set(PAYOUT_KINDS) == {"timing"}


@pytest.mark.parametrize(
    ("order_side", "payment_side", "kinds"),
    [
        (order(), payment(), ()),
        (order(), None, ("missing_payment",)),
        (order(status="cancelled"), None, ()),
        (None, payment(), ("missing_order",)),
        (order("80.00"), payment("79.00"), ("amount_mismatch",)),
        (order("100.00"), payment("100.01"), ()),  # within the tolerance
        (order("60.00"), payment("120.00", n_sale=2), ("duplicate_payment",)),
        (order(refund="20.00"), payment(refunded="10.00"), ("refund_mismatch",)),
        (order(status="cancelled"), payment(), ("status_mismatch",)),
        (order(status="cancelled"), payment(refunded="100.00"), ()),  # paid back: nothing kept
        (order(), payment(at=PAID + timedelta(hours=49)), ("timing",)),
        (order(), payment(at=PAID + timedelta(hours=48)), ()),  # the window's last moment
        (order(when=END - timedelta(hours=1)), payment(at=END), ("timing",)),  # after the period
        (order(), payment("0.00", refunded="0.00", n_sale=0, at=None), ("amount_mismatch",)),
        (
            order("50.00"),
            payment("60.00", n_sale=3, refunded="5.00"),
            ("duplicate_payment", "refund_mismatch"),
        ),
    ],
)
def test_order_kinds(order_side, payment_side, kinds):
    assert order_kinds(order_side, payment_side, RULE, END) == kinds


def test_percent_tolerance_and_net_comparison():
    rule = OrderRule(absolute=D("0.01"), percent=D("1"), compare="gross")
    assert order_kinds(order("100.00"), payment("101.00"), rule, END) == ()
    assert order_kinds(order("100.00"), payment("101.01"), rule, END) == ("amount_mismatch",)
    net = OrderRule(absolute=D("0.01"), compare="net")
    assert compared(payment("100.00", fees="0.60"), net) == D("99.40")
    assert order_kinds(order("99.40"), payment("100.00", fees="0.60"), net, END) == ()
    assert order_kinds(order("100.00"), payment("100.00", fees="0.60"), net, END) == ("amount_mismatch",)


def test_difference_amounts():
    assert difference_amounts("missing_payment", order("50.00"), None, RULE) == (D("50.00"), D(0))
    assert difference_amounts("missing_order", None, payment("30.00"), RULE) == (D(0), D("30.00"))
    assert difference_amounts("amount_mismatch", order("80.00"), payment("79.00"), RULE) == (
        D("80.00"),
        D("79.00"),
    )
    assert difference_amounts("refund_mismatch", order(refund="20.00"), payment(refunded="10.00"), RULE) == (
        D("20.00"),
        D("10.00"),
    )
    assert difference_amounts(
        "status_mismatch", order("40.00", status="cancelled"), payment("40.00", refunded="5.00"), RULE
    ) == (D("40.00"), D("35.00"))
    net = OrderRule(compare="net")
    assert difference_amounts("timing", order(), payment(fees="0.60"), net) == (D("100.00"), D("99.40"))


def test_local_day():
    assert local_day(datetime(2024, 2, 29, 16, 0), "Asia/Shanghai") == date(2024, 3, 1)
    assert local_day(datetime(2024, 2, 29, 15, 59), "Asia/Shanghai") == date(2024, 2, 29)
