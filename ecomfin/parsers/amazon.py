# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Amazon Settlement Report V2 flat file, format code ``amazon_settlement``.

Tab-separated, 24 columns. The first data row is the settlement summary (only
the first six columns filled); every later row is one amount::

    settlement-id  settlement-start-date    settlement-end-date      deposit-date             total-amount  currency  transaction-type  order-id  merchant-order-id  adjustment-id  shipment-id  marketplace-name  amount-type  amount-description  amount  fulfillment-id  posted-date  posted-date-time  order-item-code  merchant-order-item-id  merchant-adjustment-item-id  sku  quantity-purchased  promotion-id
    11877328541    2024-03-01 00:00:00 UTC  2024-03-15 00:00:00 UTC  2024-03-17 00:00:00 UTC  82.40         USD
    11877328541                                                                                          Order             111-...   ...                                                   Amazon.com        ItemPrice    Principal           100.00  AFN  2024-03-02  2024-03-02 10:15:22 UTC  ...

EU marketplaces write amounts with a decimal comma (``1.234,56``) and dates as
``dd.mm.yyyy``; both are detected from the summary row. ``total-amount`` must
equal the sum of all amounts.
"""

import re
from datetime import datetime
from decimal import Decimal

from ..errors import InputError, Message
from ..statement import ParsedStatement
from ._common import (
    UTC,
    amount,
    check_columns,
    check_total,
    none_if_empty,
    open_csv,
    parse_datetime,
    row_dict,
    statement_line,
)

FMT = "amazon_settlement"
COLUMNS = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount",
    "currency", "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id",
    "marketplace-name", "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date",
    "posted-date-time", "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id",
    "sku", "quantity-purchased", "promotion-id",
)  # fmt: skip

RESERVE_DESCRIPTIONS = {"Previous Reserve Amount Balance", "Current Reserve Amount"}
TAX_DESCRIPTIONS = {
    "Tax", "ShippingTax", "GiftWrapTax", "TaxDiscount", "MarketplaceFacilitatorTax-Principal",
    "MarketplaceFacilitatorTax-Shipping", "MarketplaceFacilitatorVAT-Principal", "MarketplaceFacilitatorVAT-Shipping",
    "LowValueGoodsTax-Principal", "LowValueGoodsTax-Shipping",
}  # fmt: skip
COMMISSION_DESCRIPTIONS = {"Commission", "RefundCommission", "VariableClosingFee", "FixedClosingFee"}
SHIPPING_DESCRIPTIONS = {"Shipping", "ShippingChargeback", "ShippingHB"}

_ISO_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d",
)
_EU_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y", "%d.%m.%Y %H:%M:%S%z")
_EU_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}")
_DECIMAL_COMMA = re.compile(r"^[-+]?[\d.]*\d,\d+$")


def sniff(head_text):
    first = head_text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    return first.split("\t")[:2] == ["settlement-id", "settlement-start-date"]


def classify(transaction_type, amount_type, description):
    """Line type of one settlement amount."""
    if description in RESERVE_DESCRIPTIONS:
        return "reserve"
    if description in TAX_DESCRIPTIONS or amount_type in ("ItemWithheldTax", "ItemTax"):
        return "tax"
    if amount_type == "Promotion":
        return "promotion"
    if amount_type == "ItemFees":
        return "commission" if description in COMMISSION_DESCRIPTIONS else "fee"
    if transaction_type == "Refund" and amount_type == "ItemPrice":
        return "refund"
    if amount_type == "ItemPrice":
        return "shipping" if description in SHIPPING_DESCRIPTIONS else "sale"
    if "fee" in (transaction_type + " " + amount_type + " " + description).lower():
        return "fee"
    return "adjustment"


def parse(binary, filename, *, encoding=None, head=None):
    """Read a settlement V2 flat file; return a :class:`ParsedStatement`."""
    reader, rows, header_no, header = open_csv(binary, filename, encoding=encoding, head=head, delimiter="\t")
    if header[:1] != ["settlement-id"]:
        raise reader.wrong_format(
            "not_amazon",
            line=header_no,
            value="\t".join(header)[:80],
        )
    check_columns(
        header, required=COLUMNS, filename=filename, line=header_no, fmt_name="Amazon settlement report"
    )
    summary = next(rows, None)
    if summary is None:
        raise InputError("amazon_summary_missing", filename=filename, line=header_no + 1)
    summary_no, summary_fields = summary
    _, values = row_dict(header, summary_fields, filename=filename, line=summary_no, allow_short=True)
    if values["transaction-type"] or not values["total-amount"]:
        raise InputError(
            "amazon_summary_first",
            filename=filename,
            line=summary_no,
            column="total-amount",
            value=values["total-amount"],
        )
    eu = bool(_EU_DATE.match(values["settlement-start-date"]))
    decimal_comma = bool(_DECIMAL_COMMA.match(values["total-amount"]))
    formats = _EU_FORMATS if eu else _ISO_FORMATS

    def when(column):
        return parse_datetime(
            values[column], formats, tz=UTC, column=column, filename=filename, line=summary_no
        )

    total = amount(values, "total-amount", filename=filename, line=summary_no, decimal_comma=decimal_comma)
    currency = values["currency"].upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise InputError(
            "missing_currency",
            filename=filename,
            line=summary_no,
            column="currency",
            value=values["currency"],
        )
    start, end = when("settlement-start-date"), when("settlement-end-date")
    deposit = when("deposit-date") if values["deposit-date"] else None
    statement = ParsedStatement(
        FMT,
        filename,
        currency=currency,
        period_start=start.date(),
        period_end=end.date(),
        account=None,
        declared_totals={"total-amount": total},
        meta={
            "settlement_id": values["settlement-id"],
            "deposit_date": deposit,
            "decimal_comma": decimal_comma,
            "day_first_dates": eu,
            "encoding": reader.encoding,
        },
    )
    context = {
        "filename": filename,
        "settlement_id": values["settlement-id"],
        "currency": currency,
        "decimal_comma": decimal_comma,
        "formats": formats,
        "fallback_time": end,
        "total": total,
        "summary_no": summary_no,
    }
    return statement.attach(_lines(rows, header, context))


def _lines(rows, header, ctx):
    filename = ctx["filename"]
    computed = Decimal(0)
    for line_no, fields in rows:
        raw, values = row_dict(header, fields, filename=filename, line=line_no, allow_short=True)
        if values["settlement-id"] != ctx["settlement_id"]:
            raise InputError(
                "amazon_other_settlement",
                {"found": values["settlement-id"], "expected": ctx["settlement_id"]},
                filename=filename,
                line=line_no,
                column="settlement-id",
                value=values["settlement-id"],
            )
        if values["currency"] and values["currency"].upper() != ctx["currency"]:
            raise InputError(
                "currency_differs",
                filename=filename,
                line=line_no,
                column="currency",
                value=values["currency"],
            )
        value = amount(values, "amount", filename=filename, line=line_no, decimal_comma=ctx["decimal_comma"])
        computed += value
        occurred = _posted(values, ctx, line_no)
        description = values["amount-description"]
        yield statement_line(
            filename,
            line_no,
            provider_txn_id=None,
            order_ref=none_if_empty(values["order-id"]),
            merchant_order_ref=none_if_empty(values["merchant-order-id"])
            or none_if_empty(values["merchant-adjustment-item-id"]),
            counterparty=none_if_empty(values["marketplace-name"]),
            line_type=classify(values["transaction-type"], values["amount-type"], description),
            gross=value,
            fee=Decimal(0),
            net=value,
            currency=ctx["currency"],
            occurred_at=occurred,
            payout_ref=ctx["settlement_id"],
            memo=" / ".join(
                p
                for p in (values["transaction-type"], values["amount-type"], description, values["sku"])
                if p
            ),
            raw=raw,
        )
    check_total(
        ctx["total"],
        computed,
        what=Message("what_settlement_total"),
        filename=filename,
        line=ctx["summary_no"],
        column="total-amount",
    )


def _posted(values, ctx, line_no):
    """When the row was posted: its posted-date-time, else its posted-date, else the settlement's end."""
    for column in ("posted-date-time", "posted-date"):
        if values[column]:
            return parse_datetime(
                values[column], ctx["formats"], tz=UTC, column=column, filename=ctx["filename"], line=line_no
            )
    fallback = ctx["fallback_time"]
    return fallback if isinstance(fallback, datetime) else None
