# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Canonical JSON: one text for one value, to hash it (sorted keys, compact, UTF-8).

Two encodings of numbers, each fixed by the hashes already stored with it:

- :func:`canonical_fixed` (approval substances, ``ecom_audit.approval``): every float and
  ``Decimal`` (money, quantities) as text with six decimals (``10.0`` -> ``"10.000000"``),
  integers as they are, keys as text, any other value as its ``str()``;
- ``ecomfin.hashchain.canonical`` (the audit trail): numbers as ``jsonb`` gives them back.

Both write through :func:`dumps`, the one set of JSON options.
"""

import hashlib
import json
from decimal import Decimal

VERSION = "v1"


def dumps(value, **options):
    """``value`` as canonical JSON text: sorted keys, no spaces, UTF-8 (not ``\\u`` escapes)."""
    return encoder(**options).encode(value)


def encoder(**options):
    """The ``json.JSONEncoder`` of :func:`dumps` for ``options``, made once: the audit trail
    writes every entry's text through one, and making an encoder costs more than encoding a
    small entry (what ``json.dumps`` does at each call)."""
    key = tuple(sorted(options.items()))
    found = _ENCODERS.get(key)
    if found is None:
        found = _ENCODERS[key] = json.JSONEncoder(
            sort_keys=True, separators=(",", ":"), ensure_ascii=False, **options
        )
    return found


_ENCODERS = {}


def fixed_decimals(value):
    """``value`` with every float and ``Decimal`` as text with six decimals, every key as text,
    tuples as lists (in dicts and lists alike)."""
    if isinstance(value, float | Decimal):
        return f"{Decimal(str(value)):.6f}"
    if isinstance(value, dict):
        return {str(key): fixed_decimals(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [fixed_decimals(item) for item in value]
    return value


def canonical_fixed(value):
    """The canonical JSON text of ``value`` with fixed decimals (other values: their ``str()``)."""
    return dumps(fixed_decimals(value), default=str)


def fixed_hash(value):
    """``"v1$"`` and the SHA-256 of :func:`canonical_fixed` (the hash of an approval substance)."""
    return f"{VERSION}${hashlib.sha256(canonical_fixed(value).encode()).hexdigest()}"
