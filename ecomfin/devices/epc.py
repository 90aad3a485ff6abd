# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""EPC binary encodings: SGTIN-96 to GTIN-14 + serial and back (GS1 EPC Tag Data Standard 14.5.1).

SGTIN-96 is ``header(8) = 0x30, filter(3), partition(3), company prefix, item reference, serial(38)``;
the partition value splits the 44 bits (and 13 digits) between the company prefix and the item
reference. The item reference field carries the GTIN's indicator digit first: the GTIN-14 is that
digit, the company prefix, the rest of the item reference and a recomputed check digit. Example of
the standard: ``3074257BF7194E4000001A85`` is filter 3, company prefix 0614141, item reference
812345, serial 6789, GTIN 80614141123458.
"""

from dataclasses import dataclass
from functools import lru_cache

from ecomfin.errors import InputError

from .gs1 import check_digit, valid_check_digit

SGTIN96_HEADER = 0x30
# partition -> (company prefix bits, digits, item reference bits, digits) (TDS table 14-2)
PARTITIONS = {
    0: (40, 12, 4, 1),
    1: (37, 11, 7, 2),
    2: (34, 10, 10, 3),
    3: (30, 9, 14, 4),
    4: (27, 8, 17, 5),
    5: (24, 7, 20, 6),
    6: (20, 6, 24, 7),
}
_BY_PREFIX_DIGITS = {digits: partition for partition, (_b, digits, _ib, _id) in PARTITIONS.items()}


@dataclass(frozen=True)
class EPC:
    """A decoded EPC: ``hex`` always; the SGTIN parts when the header is SGTIN-96, else None."""

    hex: str
    gtin: str | None = None
    serial: str | None = None
    company_prefix: str | None = None
    item_reference: str | None = None
    filter: int | None = None


def decode(epc):
    """Decode ``epc`` (bytes or hex); a non-SGTIN-96 EPC (or an invalid one) comes back as raw hex only."""
    return _decode(bytes.fromhex(epc) if isinstance(epc, str) else bytes(epc))


@lru_cache(maxsize=4096)  # a reader sees the same tags again and again
def _decode(raw):
    code = raw.hex().upper()
    if len(raw) != 12 or raw[0] != SGTIN96_HEADER:
        return EPC(code)
    value = int.from_bytes(raw, "big")
    filter_value = (value >> 85) & 0x7
    partition = (value >> 82) & 0x7
    if partition not in PARTITIONS:
        return EPC(code)
    prefix_bits, prefix_digits, item_bits, item_digits = PARTITIONS[partition]
    company = (value >> (38 + item_bits)) & ((1 << prefix_bits) - 1)
    item = (value >> 38) & ((1 << item_bits) - 1)
    serial = value & ((1 << 38) - 1)
    if company >= 10**prefix_digits or item >= 10**item_digits:
        return EPC(code)  # not a valid SGTIN-96: a field overflows its digits
    company_text = str(company).zfill(prefix_digits)
    item_text = str(item).zfill(item_digits)
    body = item_text[0] + company_text + item_text[1:]
    return EPC(
        code,
        gtin=body + check_digit(body),
        serial=str(serial),
        company_prefix=company_text,
        item_reference=item_text,
        filter=filter_value,
    )


def encode_sgtin96(gtin, serial, company_prefix_length, filter_value=1):
    """SGTIN-96 hex of a GTIN-14 (or -8/-12/-13), a numeric serial below 2**38 and the length of the
    company prefix (6..12 digits, which the GTIN alone does not tell)."""
    gtin = str(gtin).zfill(14)
    if len(gtin) != 14 or not valid_check_digit(gtin):
        raise InputError("gtin_check_digit", value=gtin)
    if company_prefix_length not in _BY_PREFIX_DIGITS:
        raise InputError("epc_prefix_length", value=company_prefix_length)
    serial = int(serial)
    if not 0 <= serial < 1 << 38 or not 0 <= filter_value < 8:
        raise InputError("epc_serial_range", value=serial)
    partition = _BY_PREFIX_DIGITS[company_prefix_length]
    prefix_bits, _digits, item_bits, _item_digits = PARTITIONS[partition]
    company = int(gtin[1 : 1 + company_prefix_length])
    item = int(gtin[0] + gtin[1 + company_prefix_length : 13])
    value = SGTIN96_HEADER
    value = (value << 3) | filter_value
    value = (value << 3) | partition
    value = (value << prefix_bits) | company
    value = (value << item_bits) | item
    value = (value << 38) | serial
    return value.to_bytes(12, "big").hex().upper()
