# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
from decimal import Decimal

from conftest import fixture_bytes, raises_input_error
from generate import SHOPIFY_BALANCE, SHOPIFY_PAYOUTS, STRIPE_API_CSV, STRIPE_REPORT

from ecomfin.parsers import detect_format, parse


def test_shopify_balance_transactions():
    data = fixture_bytes("shopify_balance_transactions.csv")
    assert detect_format("b.csv", data) == "shopify_balance"
    statement = parse(data, "b.csv")
    lines = list(statement)
    assert [(line.line_type, line.gross, line.fee, line.net) for line in lines] == [
        ("sale", Decimal("100.00"), Decimal("3.20"), Decimal("96.80")),
        ("sale", Decimal("50.00"), Decimal("1.75"), Decimal("48.25")),
        ("refund", Decimal("-20.00"), Decimal("0.00"), Decimal("-20.00")),
    ]
    assert lines[0].payout_ref == "81234567"
    assert lines[0].order_ref == "#1001"
    assert lines[0].occurred_at.isoformat() == "2024-03-01T10:15:22-05:00"
    assert statement.currency == "USD"


def test_shopify_net_must_be_amount_minus_fee():
    data = SHOPIFY_BALANCE.replace("1.75,48.25", "1.75,48.52").encode()
    error = raises_input_error(parse, data, "b.csv")
    assert (error.filename, error.line, error.column, error.value) == ("b.csv", 3, "Net", "48.52")


def test_shopify_payouts():
    data = fixture_bytes("shopify_payouts.csv")
    assert detect_format("p.csv", data) == "shopify_payouts"
    lines = list(parse(data, "p.csv", timezone="America/New_York"))
    assert [(line.line_type, line.gross) for line in lines] == [
        ("payout", Decimal("-125.05")),
        ("payout", Decimal("-75.88")),
    ]
    assert lines[0].occurred_at.isoformat() == "2024-03-04T00:00:00-05:00"


def test_shopify_payout_total_checked():
    error = raises_input_error(parse, SHOPIFY_PAYOUTS.replace("125.05", "125.50").encode(), "p.csv")
    assert (error.line, error.column, error.value) == (2, "Total", "125.50")


def test_shopify_missing_and_extra_columns():
    error = raises_input_error(
        parse, SHOPIFY_BALANCE.replace(",Card Source", "", 1).encode(), "b.csv", "shopify_balance"
    )
    assert (error.line, error.column) == (1, "Card Source")
    error = raises_input_error(
        parse, SHOPIFY_BALANCE.replace(",Currency\n", ",Currency,Notes\n", 1).encode(), "b.csv"
    )
    assert (error.line, error.column) == (1, "Notes")


def test_stripe_itemized_report():
    data = fixture_bytes("stripe_balance_change.csv")
    assert detect_format("s.csv", data) == "stripe_balance"
    statement = parse(data, "s.csv")
    lines = list(statement)
    assert [line.line_type for line in lines] == ["sale", "refund", "payout"]
    assert (lines[0].gross, lines[0].fee, lines[0].net) == (
        Decimal("100.00"),
        Decimal("3.20"),
        Decimal("96.80"),
    )
    assert lines[0].provider_txn_id == "txn_3OaAAA"
    assert lines[0].payout_ref == "po_1OcCCC"
    assert lines[0].currency == "USD"
    assert lines[2].gross == Decimal("-76.80")


def test_stripe_dashboard_export_headers():
    text = (
        "id,Type,Reporting Category,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description,Transfer\n"
        'txn_1,charge,charge,ch_1,"1,000.00",29.30,970.70,eur,2024-03-01 10:15,2024-03-08 00:00,Order 7,po_9\n'
    )
    (line,) = list(parse(text.encode(), "dash.csv"))
    assert (line.gross, line.net, line.currency, line.payout_ref) == (
        Decimal("1000.00"),
        Decimal("970.70"),
        "EUR",
        "po_9",
    )


def test_stripe_api_csv_in_minor_units():
    statement = parse(fixture_bytes("stripe_api_balance.csv"), "api.csv")
    lines = list(statement)
    assert statement.meta["minor_units"] is True
    assert (lines[0].gross, lines[0].fee, lines[0].net) == (
        Decimal("100.00"),
        Decimal("3.20"),
        Decimal("96.80"),
    )
    assert lines[0].occurred_at.isoformat() == "2024-03-01T10:15:22+00:00"
    forced = list(parse(fixture_bytes("stripe_api_balance.csv"), "api.csv", minor_units=False))
    assert forced[0].gross == Decimal(10000)


def test_stripe_minor_units_refuses_decimals():
    error = raises_input_error(parse, fixture_bytes("stripe_balance_change.csv"), "s.csv", minor_units=True)
    assert (error.line, error.column, error.value) == (2, "gross", "100.00")


def test_stripe_api_json_zero_decimal_currency():
    payload = {
        "object": "list",
        "data": [
            {"id": "txn_j", "object": "balance_transaction", "amount": 5000, "fee": 180, "net": 4820, "currency": "jpy",
             "created": 1709288122, "reporting_category": "charge", "type": "charge", "source": "ch_j", "description": None},
        ],
    }  # fmt: skip
    (line,) = list(parse(json.dumps(payload).encode(), "bt.json"))
    assert (line.gross, line.fee, line.currency) == (Decimal(5000), Decimal(180), "JPY")


def test_stripe_net_check_and_missing_column():
    error = raises_input_error(parse, STRIPE_REPORT.replace("3.20,96.80", "3.20,96.00").encode(), "s.csv")
    assert (error.line, error.column, error.value) == (2, "net", "96.00")
    error = raises_input_error(
        parse, STRIPE_API_CSV.replace(",fee,", ",fees,").encode(), "s.csv", "stripe_balance"
    )
    assert error.line == 1
