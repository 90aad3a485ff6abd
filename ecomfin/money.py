# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Money as :class:`decimal.Decimal`: parsing the many ways files write amounts.

Floats never carry money in the core. Amounts read from files keep their exact
decimal value; rounding to a currency's precision happens once, explicitly.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import InputError

# ISO 4217 minor-unit digits for the currencies the platforms settle in; others default to 2.
CURRENCY_DIGITS = {
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "CLP": 0,
    "ISK": 0,
    "HUF": 2,
    "BHD": 3,
    "KWD": 3,
    "JOD": 3,
    "OMR": 3,
    "TND": 3,
}

_SYMBOLS = re.compile(r"[¥￥$€£元\s\u00a0\u3000`']")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
#: The shape almost every export writes (``-12.50``): read straight by :class:`Decimal`.
_SIMPLE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
#: Matcher of :data:`_SIMPLE` (bound once: this runs for every amount of every row).
is_simple_amount = _SIMPLE.fullmatch


def currency_digits(currency):
    """Number of decimal places of ``currency`` (ISO code)."""
    return CURRENCY_DIGITS.get((currency or "").upper(), 2)


def parse_amount(text, *, decimal_comma=False, column=None):
    """Read an amount written by a person or an export tool.

    Accepts currency symbols, spaces, thousands separators, a leading ``+``/``-``,
    a trailing minus and accounting parentheses. With ``decimal_comma`` the comma
    is the decimal separator (``1.234,56``). Empty text reads as zero.
    Raises :class:`InputError` naming the column and value otherwise.
    """
    if not decimal_comma and type(text) is str and is_simple_amount(text):
        # Fast path, same value as the general one: nothing to strip, no separators.
        return Decimal(text)
    return _parse_amount_general(text, decimal_comma=decimal_comma, column=column)


def _parse_amount_general(text, *, decimal_comma, column):
    """:func:`parse_amount` for any text (symbols, separators, signs, parentheses)."""
    raw = text
    if text is None:
        return Decimal(0)
    text = _SYMBOLS.sub("", str(text))
    if not text:
        return Decimal(0)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.endswith("-"):
        negative, text = not negative, text[:-1]
    if decimal_comma:
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    if not _PLAIN.match(text):
        raise InputError("bad_amount", {"value": raw}, column=column, value=raw)
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise InputError("bad_amount", {"value": raw}, column=column, value=raw) from exc
    return -value if negative else value


def from_minor_units(value, currency):
    """Convert an integer amount in minor units (Stripe API style) to a Decimal."""
    digits = currency_digits(currency)
    return (Decimal(int(value)) / (Decimal(10) ** digits)).quantize(Decimal(1).scaleb(-digits))


def round_money(value, currency):
    """Round half-up to the precision of ``currency``."""
    digits = currency_digits(currency)
    return Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def money_repr(value, currency):
    """Canonical text of an amount (fixed decimals, no exponent), as hashed and compared."""
    return f"{round_money(value, currency):f}"
