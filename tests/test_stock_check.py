# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from decimal import Decimal as D

import pytest

from ecomfin.stock_check import TOLERANCE, compare


def test_equal_sums_pass():
    result = compare({1: D("150.00"), 2: D("0")}, {1: D("150.00"), 2: D("0.00")})
    assert result.ok
    assert [(row.account, row.difference, row.flagged) for row in result.rows] == [
        (1, D("0.00"), False),
        (2, D("0.00"), False),
    ]
    assert result.flagged == ()


def test_difference_is_stock_minus_books_and_flagged():
    result = compare({"1405": D("1000")}, {"1405": D("1123.45")})
    assert not result.ok
    (row,) = result.rows
    assert (row.stock, row.books, row.difference, row.flagged) == (
        D("1000.00"),
        D("1123.45"),
        D("-123.45"),
        True,
    )
    assert result.difference == D("-123.45")


def test_an_account_on_one_side_only_counts_zero_on_the_other():
    result = compare({1: D("10")}, {2: D("-4.5")})
    assert [(row.account, row.stock, row.books, row.difference) for row in result.rows] == [
        (1, D("10.00"), D("0.00"), D("10.00")),
        (2, D("0.00"), D("-4.50"), D("4.50")),
    ]
    assert len(result.flagged) == 2


def test_a_cent_of_rounding_is_within_the_tolerance():
    assert TOLERANCE == D("0.01")
    assert compare({1: D("100.01")}, {1: D("100.00")}).ok
    assert not compare({1: D("100.02")}, {1: D("100.00")}).ok
    # floats from the database are taken at their decimal value, then rounded to the cent
    assert compare({1: 0.1 + 0.2}, {1: 0.3}).ok
    assert compare({1: 100.004}, {1: 100.0}).rows[0].difference == D("0.00")


def test_a_wider_tolerance_and_the_empty_check():
    assert compare({1: D("5")}, {1: D("4")}, tolerance=D("1")).ok
    assert compare({}, {}).ok
    assert compare({}, {}).rows == ()


def test_bad_input_is_refused():
    with pytest.raises(TypeError):
        compare({1: None}, {})
    with pytest.raises(ValueError):
        compare({}, {}, tolerance=D("-0.01"))
