# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Shopify Payments CSV exports: payouts (``shopify_payouts``) and balance
transactions (``shopify_balance``).

Balance transactions (one row per movement of the Shopify Payments balance)::

    Transaction Date,Type,Order,Card Brand,Card Source,Payout Status,Payout Date,Payout ID,Available On,Amount,Fee,Net,Currency
    2024-03-01 10:15:22 -0500,charge,#1001,visa,online,paid,2024-03-04,81234567,2024-03-04,100.00,3.20,96.80,USD

``Net`` must equal ``Amount - Fee`` on every row.

Payouts (one row per payout to the bank)::

    Payout Date,Status,Charges,Refunds,Adjustments,Reserved Funds,Fees,Retried Amount,Total,Currency
    2024-03-04,paid,150.00,-20.00,0.00,0.00,-4.85,0.00,125.15,USD

``Total`` must equal Charges + Adjustments + Reserved Funds + Retried Amount minus
Refunds and Fees (whatever sign the export writes those two with). Each payout
becomes a ``payout`` line of minus Total (money leaving the Shopify balance).
Dates without an offset are read in the ``timezone`` option (the store's time
zone, UTC by default).
"""

from decimal import Decimal

from ..errors import InputError
from ..statement import ParsedStatement
from ._common import (
    amount,
    check_columns,
    none_if_empty,
    open_csv,
    parse_datetime,
    row_dict,
    statement_line,
    timezone_of,
)

BALANCE = "shopify_balance"
PAYOUTS = "shopify_payouts"

BALANCE_COLUMNS = (
    "Transaction Date", "Type", "Order", "Card Brand", "Card Source", "Payout Status", "Payout Date",
    "Payout ID", "Available On", "Amount", "Fee", "Net", "Currency",
)  # fmt: skip
#: Columns newer exports add.
BALANCE_OPTIONAL = (
    "Checkout",
    "Presentment Amount",
    "Presentment Currency",
    "VAT",
    "GST",
    "HST",
    "PST",
    "QST",
)
PAYOUT_COLUMNS = (
    "Payout Date",
    "Status",
    "Charges",
    "Refunds",
    "Adjustments",
    "Reserved Funds",
    "Fees",
    "Retried Amount",
    "Total",
    "Currency",
)
PAYOUT_OPTIONAL = ("Payout ID", "Bank Reference", "Advance Amount", "Advance Fees")

TYPE_MAP = {
    "charge": "sale",
    "refund": "refund",
    "dispute": "adjustment",
    "chargeback": "adjustment",
    "chargeback_won": "adjustment",
    "adjustment": "adjustment",
    "reserved_funds": "reserve",
    "reserve": "reserve",
    "payout": "payout",
    "payout_failure": "payout",
    "payout_cancellation": "payout",
    "application_fee": "fee",
    "shop_cash_credit": "promotion",
    "tax": "tax",
}

_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)


def sniff(head_text):
    first = head_text.lstrip("\ufeff").split("\n", 1)[0].strip()
    cells = [cell.strip().strip('"') for cell in first.split(",")]
    if cells[:2] == ["Transaction Date", "Type"] and "Payout ID" in cells:
        return BALANCE
    if cells[:2] == ["Payout Date", "Status"] and "Retried Amount" in cells:
        return PAYOUTS
    return None


#: format code -> (required columns, optional columns, what the export is called)
_LAYOUTS = {
    BALANCE: (BALANCE_COLUMNS, BALANCE_OPTIONAL, "balance transactions"),
    PAYOUTS: (PAYOUT_COLUMNS, PAYOUT_OPTIONAL, "payouts"),
}


def parse_balance(binary, filename, *, encoding=None, head=None, timezone="UTC"):
    """Read a Shopify Payments balance-transactions export."""
    return _parse(binary, filename, encoding, head, timezone, BALANCE, _balance_line)


def parse_payouts(binary, filename, *, encoding=None, head=None, timezone="UTC"):
    """Read a Shopify Payments payouts export."""
    return _parse(binary, filename, encoding, head, timezone, PAYOUTS, _payout_line)


def _parse(binary, filename, encoding, head, timezone, fmt, make_line):
    columns, optional, label = _LAYOUTS[fmt]
    reader, rows, header_no, header = open_csv(binary, filename, encoding=encoding, head=head)
    if header[:1] != [columns[0]]:
        raise reader.wrong_format(
            "not_shopify",
            {"label": label, "column": columns[0]},
            line=header_no,
            value=",".join(header)[:80],
        )
    check_columns(
        header,
        required=columns,
        allowed=optional,
        filename=filename,
        line=header_no,
        fmt_name=f"Shopify {label}",
    )
    statement = ParsedStatement(fmt, filename)
    return statement.attach(_lines(rows, header, filename, timezone_of(timezone), statement, make_line))


def _lines(rows, header, filename, tz, statement, make_line):
    """The statement lines ``make_line(values, raw, line_no, filename, tz)`` makes of the rows."""
    currencies = set()
    for line_no, fields in rows:
        raw, values = row_dict(header, fields, filename=filename, line=line_no)
        currencies.add(values["Currency"].upper())
        yield make_line(values, raw, line_no, filename, tz)
    if len(currencies) == 1:
        statement.currency = currencies.pop()


def _balance_line(values, raw, line_no, filename, tz):
    gross = amount(values, "Amount", filename=filename, line=line_no)
    fee = amount(values, "Fee", filename=filename, line=line_no)
    net = amount(values, "Net", filename=filename, line=line_no)
    if gross - fee != net:
        raise InputError(
            "shopify_net",
            {"net": net, "gross": gross, "fee": fee},
            filename=filename,
            line=line_no,
            column="Net",
            value=values["Net"],
        )
    return statement_line(
        filename,
        line_no,
        provider_txn_id=None,
        order_ref=none_if_empty(values["Order"]),
        merchant_order_ref=None,
        counterparty=" ".join(p for p in (values["Card Brand"], values["Card Source"]) if p) or None,
        line_type=TYPE_MAP.get(values["Type"].lower(), "adjustment"),
        gross=gross,
        fee=fee,
        net=net,
        currency=values["Currency"].upper(),
        occurred_at=_when(values, "Transaction Date", tz, filename, line_no),
        payout_ref=none_if_empty(values["Payout ID"]),
        memo=values["Type"],
        raw=raw,
    )


_PAYOUT_PARTS = ("Charges", "Refunds", "Adjustments", "Reserved Funds", "Fees", "Retried Amount", "Total")


def _payout_line(values, raw, line_no, filename, tz):
    parts = {name: amount(values, name, filename=filename, line=line_no) for name in _PAYOUT_PARTS}
    expected = (
        parts["Charges"]
        - abs(parts["Refunds"])
        + parts["Adjustments"]
        + parts["Reserved Funds"]
        - abs(parts["Fees"])
        + parts["Retried Amount"]
    )
    if expected != parts["Total"]:
        raise InputError(
            "shopify_payout_total",
            {"total": parts["Total"], "expected": expected},
            filename=filename,
            line=line_no,
            column="Total",
            value=values["Total"],
        )
    total = parts["Total"]
    return statement_line(
        filename,
        line_no,
        provider_txn_id=none_if_empty(values.get("Payout ID")),
        order_ref=None,
        merchant_order_ref=None,
        counterparty=none_if_empty(values.get("Bank Reference")),
        line_type="payout",
        gross=-total,
        fee=Decimal(0),
        net=-total,
        currency=values["Currency"].upper(),
        occurred_at=_when(values, "Payout Date", tz, filename, line_no),
        payout_ref=none_if_empty(values.get("Payout ID")),
        memo=f"payout {values['Status']}",
        raw=raw,
    )


def _when(values, column, tz, filename, line_no):
    return parse_datetime(
        values[column], _DATETIME_FORMATS, tz=tz, column=column, filename=filename, line=line_no
    )
