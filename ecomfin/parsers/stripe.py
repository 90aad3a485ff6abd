# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Stripe balance transactions, format code ``stripe_balance``.

Reads the three shapes Stripe hands out:

* the itemized balance-change / payout-reconciliation report CSV (major units)::

    balance_transaction_id,created_utc,available_on_utc,currency,gross,fee,net,reporting_category,source_id,description,automatic_payout_id
    txn_1Oa,2024-03-01 10:15:22,2024-03-03 00:00:00,usd,100.00,3.20,96.80,charge,ch_1Oa,Order 1001,po_1Ob

* the Dashboard "Balance transactions" CSV export (major units)::

    id,Type,Reporting Category,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description,Transfer

* the API's balance-transaction objects, as CSV with the API's field names
  (``id,amount,fee,net,currency,type,reporting_category,source,created,...``,
  ``created`` a Unix time) or as the API's JSON (``{"object": "list", "data": [...]}``).
  These carry integer *minor* units: pass ``minor_units=True`` (the default
  ``None`` turns it on for JSON and for a CSV whose ``created`` is a Unix time).

Column names are matched case-insensitively; report columns Stripe lets users
add (customer, metadata, card, ...) are kept in ``raw``. Every row must satisfy
``net = amount - fee``.
"""

import json
import re
from datetime import datetime, timezone

from ..errors import InputError
from ..money import from_minor_units
from ..statement import ParsedStatement
from ._common import amount, none_if_empty, open_csv, parse_datetime, row_dict, statement_line

FMT = "stripe_balance"

#: canonical name -> accepted (normalized) header names, in order of preference.
ALIASES = {
    "id": ("balance_transaction_id", "id"),
    "created": ("created_utc", "created"),
    "amount": ("gross", "amount"),
    "fee": ("fee",),
    "net": ("net",),
    "currency": ("currency",),
    "category": ("reporting_category", "type"),
    "source": ("source_id", "source"),
    "description": ("description",),
    "payout": ("automatic_payout_id", "payout_id", "transfer", "payout"),
}
REQUIRED = ("id", "created", "amount", "fee", "net", "currency", "category")

CATEGORY_MAP = {
    "charge": "sale",
    "payment": "sale",
    "refund": "refund",
    "payment_refund": "refund",
    "refund_failure": "refund",
    "partial_capture_reversal": "refund",
    "fee": "fee",
    "stripe_fee": "fee",
    "network_cost": "fee",
    "application_fee": "fee",
    "tax": "tax",
    "payout": "payout",
    "payout_reversal": "payout",
    "payout_failure": "payout",
    "payout_cancel": "payout",
    "transfer": "payout",
    "risk_reserved_funds": "reserve",
    "reserve_transaction": "reserve",
    "reserved_funds": "reserve",
    "connect_reserved_funds": "reserve",
    "dispute": "adjustment",
    "dispute_reversal": "adjustment",
    "adjustment": "adjustment",
    "other_adjustment": "adjustment",
    "topup": "adjustment",
}

_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S%z",
)
_UNIX = re.compile(r"^\d{9,11}$")
_INTEGER = re.compile(r"^[-+]?\d+$")


def normalize_column(name):
    """'Created (UTC)' -> 'created_utc', 'Reporting Category' -> 'reporting_category'."""
    name = name.strip().lstrip("\ufeff").lower().replace("(", "").replace(")", "")
    return re.sub(r"[\s\-]+", "_", name)


def sniff(head_text):
    text = head_text.lstrip("\ufeff").lstrip()
    if text.startswith(("{", "[")):
        return '"balance_transaction"' in text[:4096] or '"reporting_category"' in text[:4096]
    first = text.split("\n", 1)[0]
    names = {normalize_column(cell.strip('"')) for cell in first.split(",")}
    has_id = bool(names & {"balance_transaction_id", "id"})
    has_money = {"fee", "net", "currency"} <= names and bool(names & {"gross", "amount"})
    return has_id and has_money and bool(names & {"reporting_category", "type"})


def _resolve(header, filename, line):
    normalized = [normalize_column(name) for name in header]
    mapping = {}
    for canonical, names in ALIASES.items():
        for name in names:
            if name in normalized:
                mapping[canonical] = header[normalized.index(name)]
                break
    missing = [c for c in REQUIRED if c not in mapping]
    if missing:
        expected = " / ".join(ALIASES[missing[0]])
        raise InputError(
            "stripe_missing_column",
            {"column": expected},
            filename=filename,
            line=line,
            column=ALIASES[missing[0]][0],
            value=",".join(header)[:120],
        )
    return mapping


def parse(binary, filename, *, encoding=None, head=None, minor_units=None):
    """Read Stripe balance transactions (CSV or API JSON); return a :class:`ParsedStatement`."""
    if head is None:
        head = binary.read(64 * 1024)
    if head.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] in (b"{", b"["):
        return _parse_json(
            head + binary.read(), filename, minor_units=True if minor_units is None else minor_units
        )
    reader, rows, header_no, header = open_csv(binary, filename, encoding=encoding, head=head)
    if not sniff(",".join(header)):
        raise reader.wrong_format(
            "not_stripe",
            line=header_no,
            value=",".join(header)[:120],
        )
    mapping = _resolve(header, filename, header_no)
    statement = ParsedStatement(FMT, filename)

    def records():
        for line_no, fields in rows:
            raw, values = row_dict(header, fields, filename=filename, line=line_no)
            yield line_no, raw, values

    api_shaped = {"type", "amount"} <= {normalize_column(name) for name in header}
    return statement.attach(
        _lines(records(), mapping, filename, minor_units, statement, api_shaped=api_shaped)
    )


def _parse_json(data, filename, *, minor_units):
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError("stripe_bad_json", {"detail": str(exc)}, filename=filename, line=line) from exc
    items = document.get("data") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise InputError("stripe_json_shape", filename=filename)
    mapping = {canonical: canonical for canonical in ALIASES} | {"category": "reporting_category"}
    statement = ParsedStatement(FMT, filename)

    def records():
        for index, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise InputError("stripe_not_object", filename=filename, line=index)
            values = {
                key: "" if value is None else str(value)
                for key, value in item.items()
                if not isinstance(value, dict | list)
            }
            if not values.get("reporting_category"):
                values["reporting_category"] = values.get("type", "")
            yield index, dict(values), values

    return statement.attach(_lines(records(), mapping, filename, minor_units, statement))


def _lines(records, mapping, filename, minor_units, statement, *, api_shaped=True):
    currencies = set()
    for line_no, raw, values in records:
        created_text = values[mapping["created"]]
        if minor_units is None:
            minor_units = api_shaped and bool(_UNIX.match(created_text.strip()))
            statement.meta["minor_units"] = minor_units
        currency = values[mapping["currency"]].upper()
        currencies.add(currency)
        gross, fee, net = (
            _money(values, mapping[name], currency, minor_units, filename, line_no)
            for name in ("amount", "fee", "net")
        )
        if gross - fee != net:
            raise InputError(
                "stripe_net",
                {"net": net, "gross": gross, "fee": fee},
                filename=filename,
                line=line_no,
                column=mapping["net"],
                value=values[mapping["net"]],
            )
        if _UNIX.match(created_text.strip()):
            occurred = datetime.fromtimestamp(int(created_text), tz=timezone.utc)
        else:
            occurred = parse_datetime(
                created_text,
                _DATETIME_FORMATS,
                tz=timezone.utc,
                column=mapping["created"],
                filename=filename,
                line=line_no,
            )
        category = values[mapping["category"]].strip().lower()
        payout_column = mapping.get("payout")
        yield statement_line(
            filename,
            line_no,
            provider_txn_id=none_if_empty(values[mapping["id"]]),
            order_ref=none_if_empty(values.get(mapping.get("source"), "")),
            merchant_order_ref=None,
            counterparty=None,
            line_type=CATEGORY_MAP.get(category, "adjustment"),
            gross=gross,
            fee=fee,
            net=net,
            currency=currency,
            occurred_at=occurred,
            payout_ref=none_if_empty(values.get(payout_column, "")) if payout_column else None,
            memo=values.get(mapping.get("description"), "") or category,
            raw=raw,
        )
    if len(currencies) == 1:
        statement.currency = currencies.pop()


def _money(values, column, currency, minor_units, filename, line_no):
    text = values.get(column, "").strip()
    if minor_units:
        if not _INTEGER.match(text):
            raise InputError(
                "stripe_minor_units",
                filename=filename,
                line=line_no,
                column=column,
                value=text,
            )
        return from_minor_units(int(text), currency)
    return amount(values, column, filename=filename, line=line_no)
