# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from decimal import Decimal as D

import pytest

from ecomfin.budget import overruns, positions

# budget 1: 1000, 600 committed (400 left); budget 2: 500, 100 consumed; budget 3: already spent
BUDGETS = {1: (1000.0, 0.0, 600.0), 2: (500, 100, 0), 3: ("100.00", "120.00", "0")}


def test_remaining_is_amount_minus_consumed_minus_committed():
    [first, second] = positions(BUDGETS, {1: 100.0, 2: 50})
    assert first.remaining_before == D("400.00")
    assert first.remaining_after == D("300.00")
    assert second.remaining_before == D("400.00")
    assert second.remaining_after == D("350.00")
    assert first.overrun == second.overrun == D(0)


def test_within_the_remaining_is_no_overrun():
    assert overruns(BUDGETS, {1: 400.0}) == []


def test_beyond_the_remaining_overruns_by_the_excess():
    [found] = overruns(BUDGETS, {1: 500.0, 2: 10.0})
    assert found.budget_id == 1
    assert (found.remaining_before, found.remaining_after, found.overrun) == (
        D("400.00"),
        D("-100.00"),
        D("100.00"),
    )


def test_a_spent_budget_is_overrun_by_all_the_document_adds():
    [found] = overruns(BUDGETS, {3: 30})
    assert (found.remaining_before, found.overrun) == (D("-20.00"), D("30.00"))


def test_giving_back_never_overruns_even_a_spent_budget():
    [position] = positions(BUDGETS, {3: -50.0})
    assert position.remaining_after == D("30.00")
    assert position.overrun == D(0)
    assert overruns(BUDGETS, {3: -50.0, 1: 0}) == []


def test_floats_are_rounded_to_the_currency_once():
    # 0.1 + 0.2 in floats is 0.30000000000000004: rounded, it is exactly what is left
    assert overruns({1: (0.3, 0.0, 0.0)}, {1: 0.1 + 0.2}) == []
    assert overruns({1: (1000, 0, 0)}, {1: 1000.004}) == []
    [found] = overruns({1: (1000, 0, 0)}, {1: 1000.005})
    assert found.overrun == D("0.01")
    [found] = overruns({1: (1000, 0, 0)}, {1: 1001}, digits=0)
    assert found.overrun == D(1)


def test_positions_are_sorted_by_budget():
    assert [p.budget_id for p in positions(BUDGETS, {3: 1, 1: 1, 2: 1})] == [1, 2, 3]


@pytest.mark.parametrize(
    ("budgets", "adds", "message"),
    [
        (BUDGETS, {9: 1.0}, "budget 9: the document adds to a budget that is not given"),
        ({1: (1000, 0)}, {1: 1.0}, "budget 1: (amount, consumed, committed) expected"),
        ({1: (1000, None, 0)}, {1: 1.0}, "budget 1 consumed: an amount is expected, not None"),
        ({1: (1000, 0, 0)}, {1: "abc"}, "budget 1 added: 'abc' is not an amount"),
        ({1: (1000, 0, 0)}, {1: float("nan")}, "budget 1 added: nan is not an amount"),
        ({1: (True, 0, 0)}, {1: 1}, "budget 1 amount: an amount is expected, not True"),
    ],
)
def test_bad_input_names_the_budget_and_the_value(budgets, adds, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        positions(budgets, adds)
