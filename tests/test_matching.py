# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date
from decimal import Decimal as D

from ecomfin.matching import BankCredit, SettlementGroup, Tolerance, match_payouts

TOL = Tolerance(absolute=D("0.01"), window_days=3)


def group(key, day, net, ref=None):
    return SettlementGroup(key=key, day=date(2024, 3, day), net=D(net), payout_ref=ref)


def credit(line_id, day, amount, memo=""):
    return BankCredit(line_id=line_id, day=date(2024, 3, day), amount=D(amount), memo=memo)


def test_one_to_one_by_amount_in_window_and_by_reference():
    result = match_payouts(
        [group("d1", 1, "100.00"), group("p9", 2, "50.00", ref="PAYOUT-9")],
        [credit(1, 2, "100.00"), credit(2, 9, "50.00", memo="SHOPIFY PAYOUT-9")],
        TOL,
    )
    assert sorted((m[0], m[1], m[2]) for m in result.matches) == [("1:1", ["d1"], [1]), ("1:1", ["p9"], [2])]
    assert result.differences == []


def test_many_days_paid_by_one_credit():
    result = match_payouts(
        [group("fri", 1, "10.00"), group("sat", 2, "20.00"), group("sun", 3, "30.00")],
        [credit(7, 4, "60.00")],
        TOL,
    )
    assert result.matches == [("N:1", ["fri", "sat", "sun"], [7], D("0.00"))]


def test_one_payout_split_in_two_credits():
    result = match_payouts([group("p1", 1, "300.00")], [credit(1, 2, "100.00"), credit(2, 3, "200.00")], TOL)
    assert result.matches == [("1:N", ["p1"], [1, 2], D("0.00"))]


def test_tolerance_absolute_and_percent():
    assert match_payouts([group("d", 1, "100.00")], [credit(1, 2, "100.01")], TOL).matches
    assert not match_payouts([group("d", 1, "100.00")], [credit(1, 2, "100.02")], TOL).matches
    pct = Tolerance(percent=D("1"), window_days=3)
    assert match_payouts([group("d", 1, "100.00")], [credit(1, 2, "100.90")], pct).matches


def test_leftovers_are_classified():
    result = match_payouts(
        [group("late", 1, "70.00"), group("short", 10, "80.00"), group("none", 20, "90.00")],
        [credit(1, 8, "70.00"), credit(2, 11, "79.00")],
        TOL,
    )
    kinds = sorted((d[0], d[1][0], d[2]) for d in result.differences)
    assert kinds == [
        ("missing_payout", "none", []),
        ("payout_mismatch", "short", [2]),
        ("timing", "late", [1]),
    ]


def test_same_inputs_same_result_whatever_their_order():
    groups = [group(f"d{i}", i, f"{i}0.00") for i in range(1, 8)]
    credits = [credit(i, i + 1, f"{i}0.00") for i in range(1, 8)]
    forward = match_payouts(groups, credits, TOL)
    backward = match_payouts(list(reversed(groups)), list(reversed(credits)), TOL)
    assert forward == backward


def test_a_short_credit_pairs_with_the_closest_group():
    result = match_payouts(
        [group("d5", 5, "70.00"), group("d6", 6, "90.00")],
        [credit(1, 7, "85.00")],
        TOL,
    )
    kinds = sorted((d[0], d[1][0], d[2]) for d in result.differences)
    assert kinds == [("missing_payout", "d5", []), ("payout_mismatch", "d6", [1])]
