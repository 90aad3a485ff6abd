# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Amounts in Chinese capital numerals (大写金额), as vouchers and cheques write them.

``rmb_upper(Decimal("1234.56"))`` -> ``壹仟贰佰叁拾肆元伍角陆分``. The rules of 《支付结算办法》:
``整`` after ``元`` when there are no jiao and fen (``壹佰元整``), none after ``角`` or ``分``; one
``零`` for a run of zeros between digits (``壹万零伍元整``, ``壹仟零壹拾元整``), and ``零`` between
yuan and fen when the jiao is 0 (``壹元零伍分``); units up to 万亿; a negative amount starts with
``负``. Amounts are rounded half-up to the fen.
"""

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("", "拾", "佰", "仟")
SECTIONS = ("", "万", "亿", "万亿")
CENT = Decimal("0.01")


def _section(number):
    """0 < number < 10,000 in capitals, zeros inside collapsed to one 零, none at the end."""
    text, zero = "", False
    for power in range(3, -1, -1):
        digit = number // 10**power % 10
        if not digit:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + UNITS[power]
    return text


def _integer(number):
    sections = []
    while number:
        sections.append(number % 10_000)
        number //= 10_000
    if len(sections) > len(SECTIONS):
        raise ValueError("amount too large for Chinese capital numerals")
    text, gap = "", False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if not section:
            gap = bool(text)
            continue
        if text and (gap or section < 1000):
            text += "零"
        text += _section(section) + SECTIONS[index]
        gap = False
    return text


def rmb_upper(amount):
    """``amount`` (a number or a string) in Chinese capital numerals with 元/角/分."""
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "负" if value < 0 else ""
    value = abs(value)
    cents = int(value * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if not cents:
        return "零元整"
    text = _integer(yuan) + "元" if yuan else ""
    if not jiao and not fen:
        return sign + text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    return sign + text
