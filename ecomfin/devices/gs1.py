# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""GS1 element strings (GS1-128, GS1 DataMatrix, GS1 QR): application identifiers, FNC1, check digits.

The AI table below is derived from Odoo 18.0 Community's ``barcodes_gs1_nomenclature``
(``data/barcodes_gs1_rules.xml``: one ``barcode.rule`` per AI, its ``pattern``, ``type``,
``gs1_content_type`` and ``gs1_decimal_usage``), so that what the core decodes on the IoT box is what the
default GS1 nomenclature decodes inside Odoo. Differences, on purpose:

- fixed or variable length is taken from the GS1 General Specifications (section 7.8.5, the table of
  predefined lengths by the first two digits of the AI), not from the regex: a variable-length element
  ends at FNC1 (0x1D) or at the end of the data, a fixed-length one needs no separator (a separator after
  it is tolerated);
- Odoo's rules repeat ``322n`` for yards where the GS1 AI is ``323n``; the table uses ``323n``;
- ``11`` (production date), ``240`` (additional product id) and ``400`` (order number) are added, since
  labels from suppliers carry them and an unknown AI stops the parse.

Check digits (GS1 mod 10) are verified for GTIN (01, 02), SSCC (00) and GLN (410, 413, 414), as Odoo's
``identifier`` content type does. Dates are ``YYMMDD``; ``DD = 00`` means the last day of the month and
the century follows section 7.12 (the year closest to today within -49/+50).
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from ecomfin.errors import InputError

FNC1 = "\x1d"
# Symbology identifiers that announce GS1 element strings (ISO/IEC 15424): GS1-128, GS1 DataBar,
# GS1 DataMatrix, GS1 QR, GS1 Composite / DotCode (the list Odoo strips in gs1_decompose_extanded).
GS1_SYMBOLOGIES = frozenset({"]C1", "]e0", "]d2", "]Q3", "]J1"})


@dataclass(frozen=True)
class AI:
    """One application identifier: ``kind`` is Odoo's ``gs1_content_type``, ``role`` its rule ``type``."""

    code: str
    name: str
    kind: str  # identifier | alpha | date | measure
    role: str
    length: int  # fixed length, or the maximum length when ``variable``
    variable: bool = False
    decimals: bool = False  # the last digit of the AI is the position of the decimal point
    numeric: bool = True


def _table():
    rows = [
        # code, name, kind, role, length, variable, numeric
        ("00", "Serial Shipping Container Code", "identifier", "package", 18, False, True),
        ("01", "Global Trade Item Number (GTIN)", "identifier", "product", 14, False, True),
        ("02", "GTIN of contained trade items", "identifier", "product", 14, False, True),
        ("10", "Batch or lot number", "alpha", "lot", 20, True, False),
        ("11", "Production date (YYMMDD)", "date", "production_date", 6, False, True),
        ("13", "Pack date (YYMMDD)", "date", "pack_date", 6, False, True),
        ("15", "Best before date (YYMMDD)", "date", "use_date", 6, False, True),
        ("17", "Expiration date (YYMMDD)", "date", "expiration_date", 6, False, True),
        ("21", "Serial number", "alpha", "lot", 20, True, False),
        ("30", "Variable count of items", "measure", "quantity", 8, True, True),
        ("37", "Count of trade items contained in a logistic unit", "measure", "quantity", 8, True, True),
        ("91", "Package type", "alpha", "package_type", 90, True, False),
        ("240", "Additional product identification", "alpha", "product_extra", 30, True, False),
        ("400", "Customer's purchase order number", "alpha", "order", 30, True, False),
        ("410", "Ship to / Deliver to GLN", "identifier", "location_dest", 13, False, True),
        ("413", "Ship for / Deliver for GLN", "identifier", "location_dest", 13, False, True),
        ("414", "Identification of a physical location (GLN)", "identifier", "location", 13, False, True),
    ]
    table = {
        code: AI(code, name, kind, role, length, variable, False, numeric)
        for code, name, kind, role, length, variable, numeric in rows
    }
    measures = {
        "310": "Net weight, kilograms",
        "311": "Length or first dimension, metres",
        "314": "Area, square metres",
        "315": "Net volume, litres",
        "316": "Net volume, cubic metres",
        "320": "Net weight, pounds",
        "321": "Length or first dimension, inches",
        "322": "Length or first dimension, feet",
        "323": "Length or first dimension, yards",
        "351": "Area, square feet",
        "357": "Net weight (or volume), ounces",
        "360": "Net volume, quarts",
        "361": "Net volume, gallons U.S.",
        "364": "Net volume, cubic inches",
        "365": "Net volume, cubic feet",
    }
    for prefix, name in measures.items():
        for digit in "012345":
            table[prefix + digit] = AI(prefix + digit, name, "measure", "quantity", 6, False, True, True)
    return table


AIS = _table()
_AI_LENGTHS = sorted({len(code) for code in AIS})
# GS1 General Specifications 7.8.5: AIs starting with these two digits have a predefined (fixed) length.
PREDEFINED_LENGTH = frozenset(
    ["00", "01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20"]
    + [str(n) for n in range(31, 37)]
    + ["41"]
)
_ALPHA = re.compile(r"^[!\"%-/0-9:-?A-Z_a-z]*$")  # GS1 AI encodable character set 82, as in Odoo's rules


@dataclass(frozen=True)
class Element:
    """One decoded element: the AI, its raw text and its typed value (str, int, float or date)."""

    ai: str
    raw: str
    value: object


def check_digit(digits):
    """GS1 mod-10 check digit of ``digits`` (the number without its check digit): weights 3 and 1
    alternate from the right."""
    raw = digits.encode("ascii")
    threes, ones = raw[-1::-2], raw[-2::-2]
    total = 3 * (sum(threes) - 48 * len(threes)) + sum(ones) - 48 * len(ones)
    return str(-total % 10)


def valid_check_digit(number):
    """Whether the last digit of ``number`` (GTIN-8/12/13/14, GLN, SSCC) is its GS1 check digit."""
    return len(number) >= 2 and number.isdigit() and check_digit(number[:-1]) == number[-1]


def to_gtin14(number):
    """GTIN-8, -12, -13 or -14 with a valid check digit as a GTIN-14; None otherwise."""
    if len(number) in (8, 12, 13, 14) and valid_check_digit(number):
        return number.zfill(14)
    return None


def gtin_writings(gtin):
    """The barcodes a product may carry for ``gtin`` (any of GTIN-8/12/13/14, check digit valid): its
    GTIN-14 and each shorter writing the leading zeros allow: GTIN-13 (EAN-13), GTIN-12 (UPC-A) and
    GTIN-8 (EAN-8), e.g. ``00614141123452`` -> ``00614141123452``, ``0614141123452``, ``614141123452``.
    Empty when ``gtin`` is not a GTIN."""
    gtin14 = to_gtin14(gtin)
    if not gtin14:
        return ()
    return tuple(
        gtin14[14 - length :] for length in (14, 13, 12, 8) if gtin14[: 14 - length].strip("0") == ""
    )


def gs1_date(text, today=None):
    """``YYMMDD`` as a date: century per GS1 7.12, ``DD = 00`` is the last day of the month."""
    if len(text) != 6 or not text.isdigit():
        raise InputError("gs1_date_format", value=text)
    today = today or date.today()
    yy, month, day = int(text[:2]), int(text[2:4]), int(text[4:])
    difference = yy - today.year % 100
    century = today.year // 100
    if 51 <= difference <= 99:
        century -= 1
    elif -99 <= difference <= -50:
        century += 1
    year = century * 100 + yy
    if not 1 <= month <= 12:
        raise InputError("gs1_month", value=text)
    if day == 0:
        day = calendar.monthrange(year, month)[1]
    try:
        return date(year, month, day)
    except ValueError:
        raise InputError("gs1_day", value=text) from None


def _typed(ai, raw, today):
    if ai.numeric and not raw.isdigit():
        raise InputError("gs1_digits", {"ai": ai.code}, value=raw)
    if not ai.numeric and not _ALPHA.match(raw):
        raise InputError("gs1_charset", {"ai": ai.code}, value=raw)
    if ai.kind == "identifier":
        if not valid_check_digit(raw):
            raise InputError("gs1_check_digit", {"ai": ai.code}, value=raw)
        return raw
    if ai.kind == "date":
        return gs1_date(raw, today)
    if ai.kind == "measure":
        if ai.decimals and int(ai.code[-1]):
            places = int(ai.code[-1])
            return float(raw[:-places] + "." + raw[-places:])
        return int(raw)
    return raw


def _ai_at(data, pos):
    for size in _AI_LENGTHS:
        ai = AIS.get(data[pos : pos + size])
        if ai:
            return ai
    raise InputError("gs1_unknown_ai", {"position": pos}, value=data[pos : pos + 4])


def parse(data, today=None):
    """Split a GS1 element string into elements; FNC1 (0x1D) separates variable-length ones.

    ``data`` is the barcode content after its symbology identifier (a leading FNC1 is skipped).
    Raises InputError naming the position on an unknown AI, a wrong length, a bad check digit or date.
    """
    pos = 1 if data.startswith(FNC1) else 0
    elements = []
    while pos < len(data):
        ai = _ai_at(data, pos)
        start = pos + len(ai.code)
        if ai.variable:
            end = data.find(FNC1, start)
            end = len(data) if end < 0 else end
            raw = data[start:end]
            if not raw or len(raw) > ai.length:
                raise InputError(
                    "gs1_length_range",
                    {"ai": ai.code, "position": pos, "length": len(raw), "max": ai.length},
                    value=raw,
                )
            pos = end + 1
        else:
            raw = data[start : start + ai.length]
            if len(raw) != ai.length:
                raise InputError(
                    "gs1_length_fixed", {"ai": ai.code, "position": pos, "length": ai.length}, value=raw
                )
            pos = start + ai.length
            if data[pos : pos + 1] == FNC1:
                pos += 1
        elements.append(Element(ai.code, raw, _typed(ai, raw, today)))
    if not elements:
        raise InputError("gs1_empty")
    return elements


def encode(elements):
    """GS1 element string from ``[(ai, raw), ...]``: FNC1 after each variable-length element but the last."""
    parts = []
    items = list(elements)
    for index, (code, raw) in enumerate(items):
        ai = AIS[code]
        parts.append(code + raw)
        if ai.variable and index < len(items) - 1:
            parts.append(FNC1)
    return "".join(parts)
