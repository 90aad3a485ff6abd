# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date
from decimal import Decimal

from conftest import fixture_bytes, raises_input_error
from generate import amazon_us

from ecomfin.parsers import detect_format, parse
from ecomfin.parsers.amazon import classify


def test_us_settlement():
    data = fixture_bytes("amazon_settlement_us.txt")
    assert detect_format("s.txt", data) == "amazon_settlement"
    statement = parse(data, "s.txt")
    assert statement.currency == "USD"
    assert (statement.period_start, statement.period_end) == (date(2024, 3, 1), date(2024, 3, 15))
    assert statement.meta["settlement_id"] == "11877328541"
    assert statement.declared_totals == {"total-amount": Decimal("70.18")}
    lines = list(statement)
    assert [line.line_type for line in lines] == [
        "sale", "shipping", "tax", "commission", "fee", "promotion", "refund", "commission", "commission", "reserve", "reserve",
    ]  # fmt: skip
    assert sum(line.gross for line in lines) == Decimal("70.18")
    assert {line.payout_ref for line in lines} == {"11877328541"}
    assert lines[0].order_ref == "111-1234567-1234567"
    assert lines[0].occurred_at.isoformat() == "2024-03-02T10:15:22+00:00"
    assert lines[0].line_no == 3


def test_eu_settlement_with_decimal_comma_and_day_first_dates():
    statement = parse(fixture_bytes("amazon_settlement_de.txt"), "de.txt")
    lines = list(statement)
    assert statement.meta["decimal_comma"] and statement.meta["day_first_dates"]
    assert statement.declared_totals["total-amount"] == Decimal("1234.56")
    assert [line.gross for line in lines] == [Decimal("1250.00"), Decimal("-15.44")]
    assert lines[0].occurred_at.isoformat() == "2024-03-02T10:15:22+00:00"
    assert statement.period_end == date(2024, 3, 15)


def test_classification():
    assert classify("Order", "ItemPrice", "Principal") == "sale"
    assert classify("Refund", "ItemPrice", "Principal") == "refund"
    assert classify("Refund", "ItemPrice", "Tax") == "tax"
    assert classify("other-transaction", "other-transaction", "Current Reserve Amount") == "reserve"
    assert classify("ServiceFee", "Cost of Advertising", "TransactionTotalAmount") == "fee"
    assert classify("other-transaction", "other-transaction", "REVERSAL_REIMBURSEMENT") == "adjustment"


def test_total_amount_disagreeing_with_rows():
    data = amazon_us().replace("\t70.18\t", "\t70.19\t").encode()
    error = raises_input_error(parse, data, "s.txt")
    assert (error.filename, error.line, error.column, error.value) == ("s.txt", 2, "total-amount", "70.19")
    assert "70.18" in error.message


def test_bad_amount():
    data = amazon_us().replace("\t-3.22\t", "\t-3.2x2\t").encode()
    error = raises_input_error(parse, data, "s.txt")
    assert (error.line, error.column, error.value) == (7, "amount", "-3.2x2")


def test_bad_posted_date():
    data = amazon_us().replace("2024-03-05 08:00:00 UTC", "2024-02-30 08:00:00 UTC", 1).encode()
    error = raises_input_error(parse, data, "s.txt")
    assert (error.line, error.column) == (9, "posted-date-time")


def test_missing_column():
    data = amazon_us().replace("\tpromotion-id", "").encode()
    error = raises_input_error(parse, data, "s.txt")
    assert (error.line, error.column) == (1, "promotion-id")


def test_extra_column_and_extra_cells():
    error = raises_input_error(
        parse, amazon_us().replace("\tpromotion-id", "\tpromotion-id\tnote").encode(), "s.txt"
    )
    assert (error.line, error.column) == (1, "note")
    lines = amazon_us().split("\n")
    lines[3] += "\tsurplus"
    error = raises_input_error(parse, "\n".join(lines).encode(), "s.txt")
    assert error.line == 4 and "cells" in error.message


def test_missing_summary_row():
    header = amazon_us().split("\n")[0]
    error = raises_input_error(parse, (header + "\n").encode(), "s.txt")
    assert "summary row is missing" in error.message
