# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomfin.cn_amount import DIGITS, rmb_upper


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("0.5", "伍角"),
        ("1", "壹元整"),
        ("1.05", "壹元零伍分"),
        ("1.50", "壹元伍角"),
        ("10", "壹拾元整"),
        ("100", "壹佰元整"),
        ("1010", "壹仟零壹拾元整"),
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("10005", "壹万零伍元整"),
        ("100000", "壹拾万元整"),
        ("105000.40", "壹拾万伍仟元肆角"),
        ("1000000", "壹佰万元整"),
        ("100010000", "壹亿零壹万元整"),
        ("100000000", "壹亿元整"),
        ("230081.07", "贰拾叁万零捌拾壹元零柒分"),
        ("-12.99", "负壹拾贰元玖角玖分"),
        ("0.005", "壹分"),  # half-up to the fen
    ],
)
def test_known_amounts(amount, words):
    assert rmb_upper(Decimal(amount)) == words


def test_too_large():
    with pytest.raises(ValueError):
        rmb_upper(10**20)


@given(st.integers(min_value=0, max_value=10**15 - 1))
def test_every_amount_reads_back(cents):
    """Reading the words back (a small parser of the same rules) gives the amount again."""
    words = rmb_upper(Decimal(cents) / 100)
    assert _read_back(words) == cents


def _read_back(words):
    yuan, _sep, rest = words.partition("元") if "元" in words else ("", "", words)
    cents = _read_integer(yuan) * 100
    digit = 0
    for char in rest:
        if char in DIGITS:
            digit = DIGITS.index(char)
        elif char == "角":
            cents += digit * 10
        elif char == "分":
            cents += digit
    return cents


def _read_integer(text):
    for unit, value in (("万亿", 10**12), ("亿", 10**8), ("万", 10**4)):
        if unit in text:
            high, _sep, low = text.partition(unit)
            return _read_integer(high) * value + _read_integer(low)
    total = digit = 0
    for char in text:
        if char in DIGITS:
            digit = DIGITS.index(char)
        elif char in "拾佰仟":
            total += digit * 10 ** ("拾佰仟".index(char) + 1)
            digit = 0
    return total + digit
