# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Reading an imported file: its size, what it is (detected once) and its parser's options."""

import base64
import binascii
import io

from odoo.exceptions import UserError

from ecomfin import ingest, parsers
from ecomfin.errors import InputError

from ..import_errors import import_error_text

# The largest file an import reads, and what a zip may unpack to (each member and in all).
MAX_BYTES_PARAM = "ecom_finance.import_max_bytes"
MAX_BYTES_DEFAULT = 200_000_000


def max_bytes(env):
    """The largest file an import reads (system parameter ``MAX_BYTES_PARAM``)."""
    # a setting of the import, read for whoever imports (system parameters are for admins)
    value = env["ir.config_parameter"].sudo().get_param(MAX_BYTES_PARAM)
    return int(value) if value else MAX_BYTES_DEFAULT


def check_size(env, filename, size):
    """Refuse a file above ``ecom_finance.import_max_bytes`` (default 200 MB)."""
    limit = max_bytes(env)
    if size > limit:
        raise UserError(
            env._(
                "%(file)s is %(size)s bytes, above the import limit of %(limit)s bytes "
                "(system parameter %(param)s).",
                file=filename,
                size=size,
                limit=limit,
                param=MAX_BYTES_PARAM,
            )
        )


def decode_base64(env, filename, data_b64):
    """The content of a file sent base64-encoded, its size checked before it is decoded."""
    encoded = data_b64 or ""
    # the size the content decodes to (its padding left out), checked before it is decoded
    padding = encoded[-2:].count("=" if isinstance(encoded, str) else b"=")
    check_size(env, filename, len(encoded) // 4 * 3 - padding)
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UserError(env._("%s: the content is not valid base64.", filename)) from exc
    return data


def parse_file(env, filename, data, options):
    """The parsed file, streaming (``ecomfin.parsers.parse``); a zip within the size cap.

    ``options`` (:func:`parse_options`) hold what the file is, detected once: the parser does
    not detect it again.
    """
    detected = options["detected"]
    return parsers.parse(
        io.BytesIO(data),
        filename,
        fmt=detected.fmt,
        sniffed=detected.sniffed,
        max_unzipped_bytes=max_bytes(env),
        **options["parse"],
    )


def file_format(env, shop, filename, data, fmt=None, order_profile=None, bank_profile=None):
    """The format of a file as its content says (a zip's: its statement's), before it is imported.

    Parsers stream: this reads the head of the file (of a zip's members) only.
    """
    options = parse_options(env, shop, fmt, filename, data, order_profile, bank_profile)
    try:
        return parse_file(env, filename, data, options).fmt
    except InputError as exc:
        raise UserError(import_error_text(env, exc)) from exc


def parse_options(env, shop, fmt, filename, data, order_profile, bank_profile):
    """What the file is (``ecomfin.ingest.detect``, once) and the options of its parser: the
    profile of a bank CSV (the one chosen, else the shop's) or of an order export (the one
    chosen, else the canonical layout if the file has it, else the shop's)."""
    try:
        detected = ingest.detect(
            filename, data, fmt, bank_profile=bool(bank_profile), max_unzipped_bytes=max_bytes(env)
        )
    except InputError as exc:  # an XLSX's sheet is read to know what it is
        raise UserError(import_error_text(env, exc)) from exc
    parse = {}
    profile_name = False
    if detected.profile == "bank":
        bank_profile = bank_profile or shop.bank_csv_profile_id
        if not bank_profile:
            raise UserError(
                env._("%s: a bank CSV needs a column mapping; choose a bank CSV profile.", filename)
            )
        parse["profile"] = bank_profile._to_profile()
    elif detected.profile == "orders":
        profile_name = (
            order_profile or ("canonical" if detected.canonical else shop.order_profile) or "canonical"
        )
        parse["profile"] = profile_name
    return {
        "detected": detected,
        "parse": parse,
        "order_profile": profile_name,
        "bank_profile": bank_profile,
    }
