# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import random
from decimal import Decimal

import pytest

from ecomfin.posting import (
    EVENT_TYPES,
    PostingError,
    build_entry,
    event_sources,
    gross_event,
    line_events,
)

D = Decimal
ACCOUNTS = {event: f"acc_{event}" for event in EVENT_TYPES}


def by_role(lines, role, event=None):
    return [line for line in lines if line.role == role and (event is None or line.event == event)]


def test_line_events_split_gross_and_fee():
    assert line_events("sale", D("100.00"), D("0.60")) == [("sale", D("100.00")), ("payment_fee", D("-0.60"))]
    # WeChat gives its fee back on a refund: the fee event moves money back in
    assert line_events("refund", D("-50.00"), D("-0.30")) == [
        ("refund", D("-50.00")),
        ("payment_fee", D("0.30")),
    ]
    assert line_events("fee", D("-5.00"), D("0")) == [("service_fee", D("-5.00"))]
    assert line_events("sale", D("0"), D("0")) == []


def test_promotion_splits_by_who_funds_it():
    assert gross_event("promotion", D("3.00")) == "promotion_platform"
    assert gross_event("promotion", D("-3.00")) == "promotion_merchant"
    with pytest.raises(PostingError, match="unknown line type 'bogus'"):
        gross_event("bogus", D("1"))


def test_sales_and_fees_owed_by_the_channel():
    lines = build_entry(
        {"sale": (D("1000.00"), 10), "payment_fee": (D("-6.00"), 10), "refund": (D("-100.00"), 1)},
        ACCOUNTS,
        "clearing",
    )
    assert [(line.role, line.event, line.balance) for line in lines] == [
        ("event", "sale", D("-1000.00")),
        ("event", "refund", D("100.00")),
        ("event", "payment_fee", D("6.00")),
        ("clearing", None, D("894.00")),
    ]
    assert by_role(lines, "clearing")[0].count == 21


def test_payout_credits_clearing_on_its_own_line():
    lines = build_entry({"sale": (D("500"), 2), "payout": (D("-450"), 1)}, ACCOUNTS, "clearing")
    payout = by_role(lines, "event", "payout")[0]
    assert payout.account == "acc_payout" and payout.balance == D("450.00")
    assert by_role(lines, "payout_clearing")[0].balance == D("-450.00")
    assert by_role(lines, "clearing")[0].balance == D("500.00")


def test_only_a_payout():
    lines = build_entry({"payout": (D("-10"), 1)}, ACCOUNTS, "clearing")
    assert [(line.role, line.balance) for line in lines] == [
        ("event", D("10.00")),
        ("payout_clearing", D("-10.00")),
    ]


def test_zero_events_make_no_lines():
    lines = build_entry({"sale": (D("5"), 1), "refund": (D("-5"), 1)}, ACCOUNTS, "c")
    assert [line.role for line in lines] == ["event", "event"]
    assert build_entry({"adjustment": (D("0"), 3)}, {}, None) == []


def test_missing_accounts_are_all_named():
    with pytest.raises(PostingError, match="no account for the events: refund, payment_fee"):
        build_entry(
            {"sale": (D("1"), 1), "payment_fee": (D("-1"), 1), "refund": (D("-1"), 1)},
            {"sale": "s"},
            "c",
        )
    with pytest.raises(PostingError, match="no clearing account"):
        build_entry({"sale": (D("1"), 1)}, ACCOUNTS, None)
    with pytest.raises(PostingError, match="unknown event types: gift"):
        build_entry({"gift": (D("1"), 1)}, ACCOUNTS, "c")


def test_foreign_currency_rounding_lands_on_clearing():
    # 3 x 0.01 USD at 7.1234 CNY: each line rounds to 0.07, their sum to 0.21
    totals = {"sale": (D("0.01"), 1), "commission": (D("0.01"), 1), "shipping": (D("0.01"), 1)}
    lines = build_entry(totals, ACCOUNTS, "clearing", rate=D("7.1234"))
    assert [line.balance for line in lines if line.role == "event"] == [D("-0.07")] * 3
    clearing = by_role(lines, "clearing")[0]
    assert clearing.amount_currency == D("0.03") and clearing.balance == D("0.21")


def test_residue_without_a_net_line_gets_one():
    # sale and refund cancel in USD but round apart in CNY
    lines = build_entry({"sale": (D("0.015"), 1), "refund": (D("-0.01"), 1)}, ACCOUNTS, "c", rate=D("3"))
    assert sum(line.balance for line in lines) == 0


@pytest.mark.parametrize("seed", range(20))
def test_random_settlements_always_balance(seed):
    rnd = random.Random(seed)
    totals = {
        event: (D(rnd.randint(-(10**7), 10**7)) / 100, rnd.randint(1, 50))
        for event in rnd.sample(EVENT_TYPES, rnd.randint(1, len(EVENT_TYPES)))
    }
    rate = D(rnd.randint(1, 10**6)) / 10**5
    lines = build_entry(totals, ACCOUNTS, "clearing", rate=rate)
    assert sum(line.balance for line in lines) == 0
    assert sum(line.amount_currency for line in lines) == 0
    # the entry restates the settlement: clearing lines carry its net movement
    net = sum(amount for amount, _count in totals.values())
    assert sum(line.amount_currency for line in lines if line.role != "event") == net


def test_event_sources_invert_the_classification():
    assert event_sources("payment_fee") == ("fee", None, None)
    assert event_sources("service_fee") == ("gross", ("fee",), None)
    assert event_sources("promotion_platform") == ("gross", ("promotion",), 1)
    assert event_sources("promotion_merchant") == ("gross", ("promotion",), -1)
    for event in EVENT_TYPES:
        column, line_types, sign = event_sources(event)
        if column == "gross":
            assert {gross_event(t, sign or 1) for t in line_types} == {event}
    with pytest.raises(PostingError, match="unknown event type 'gift'"):
        event_sources("gift")
