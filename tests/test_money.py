# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from decimal import Decimal

import pytest

from ecomfin.errors import InputError
from ecomfin.money import from_minor_units, money_repr, parse_amount, round_money


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.30", "12.30"),
        ("￥1,234.56", "1234.56"),
        ("`0.01", "0.01"),
        ("-8.00", "-8.00"),
        ("8.00-", "-8.00"),
        ("(15.5)", "-15.5"),
        ("+3", "3"),
        ("", "0"),
        (" 1 000.5 ", "1000.5"),
        ("12.30\t", "12.30"),
    ],
)
def test_parse_amount(text, expected):
    assert parse_amount(text) == Decimal(expected)


def test_parse_amount_decimal_comma():
    assert parse_amount("1.234,56", decimal_comma=True) == Decimal("1234.56")
    assert parse_amount("-0,99", decimal_comma=True) == Decimal("-0.99")


def test_parse_amount_error_names_column_and_value():
    with pytest.raises(InputError) as info:
        parse_amount("12,3x", column="收入金额（+元）")
    assert info.value.column == "收入金额（+元）"
    assert info.value.value == "12,3x"
    located = info.value.located(filename="a.csv", line=7)
    assert str(located) == "a.csv, line 7, column 收入金额（+元）: cannot read amount '12,3x'"


def test_minor_units_and_rounding():
    assert from_minor_units(1999, "usd") == Decimal("19.99")
    assert from_minor_units(-500, "JPY") == Decimal("-500")
    assert round_money(Decimal("2.345"), "CNY") == Decimal("2.35")
    assert money_repr(Decimal("5"), "KWD") == "5.000"
