# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import fixture_bytes, raises_input_error

from ecomfin.parsers import detect_format, parse
from ecomfin.parsers.camt053 import read_statements

# OCA's golden samples (tests/fixtures/camt053/README.md: source and license)
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "camt053"
GOLDEN = [
    ("test-camt053", "golden-camt053.pydata"),
    ("test-camt053-txdtls", "golden-camt053-txdtls.pydata"),
    ("test-camt053-no-ntry", "golden-camt053-no-ntry.pydata"),
]


@pytest.mark.parametrize(("sample", "golden"), GOLDEN)
def test_matches_golden_result(sample, golden):
    expected = ast.literal_eval((SAMPLES / golden).read_text(encoding="utf-8"))
    assert read_statements((SAMPLES / sample).read_bytes(), sample) == expected


def test_unbalanced_sample_is_reported_not_accepted_silently():
    data = (SAMPLES / "test-camt053").read_bytes()
    statement = parse(data, "test-camt053")
    lines = list(statement)
    assert len(lines) == 4
    assert sum(line.gross for line in lines) == Decimal("-12.99")
    assert len(statement.warnings) == 1
    warning = str(statement.warnings[0])  # a Message: a code with parameters, English by str()
    assert "15121.12" in warning and "15555.28" in warning
    assert statement.meta["statements"][0]["balance_ok"] is False
    error = raises_input_error(parse, data, "test-camt053", strict_balance=True)
    assert (error.filename, error.line, error.column, error.value) == (
        "test-camt053",
        7,
        "Bal/CLBD",
        "15121.12",
    )


def test_batch_entry_gives_one_line_per_transaction_detail():
    lines = list(parse((SAMPLES / "test-camt053-txdtls").read_bytes(), "txdtls.xml"))
    assert [line.gross for line in lines] == [Decimal("2187.00"), Decimal("1296.00")]
    assert lines[0].counterparty == "Banque Cantonale Vaudoise"
    assert lines[0].order_ref == "302388292000011111111111111"
    assert lines[0].provider_txn_id != lines[1].provider_txn_id


def test_balanced_statement():
    data = fixture_bytes("camt053_balanced.xml")
    assert detect_format("s.xml", data) == "camt053"
    statement = parse(data, "s.xml", strict_balance=True)
    lines = list(statement)
    assert statement.account == "DE89370400440532013000"
    assert statement.currency == "EUR"
    assert statement.declared_totals == {
        "balance_start": Decimal("1000.00"),
        "balance_end": Decimal("2224.56"),
    }
    assert statement.warnings == []
    credit, charge = lines
    assert (credit.gross, credit.counterparty, credit.provider_txn_id, credit.line_no) == (
        Decimal("1234.56"), "AMAZON PAYMENTS EUROPE S.C.A.", "BANKREF-1", 11,
    )  # fmt: skip
    assert credit.memo == "Amazon settlement 23456789012"
    assert (charge.line_type, charge.gross, charge.memo) == (
        "fee",
        Decimal("-10.00"),
        "Kontofuehrungsgebuehr",
    )


def test_truncated_xml():
    data = fixture_bytes("camt053_balanced.xml")[:-200]
    error = raises_input_error(parse, data, "cut.xml", "camt053")
    assert error.filename == "cut.xml"
    assert "invalid XML" in error.message and error.line is not None


def test_not_camt_namespace():
    error = raises_input_error(parse, b"<Document xmlns='urn:other'><x/></Document>", "o.xml", "camt053")
    assert (error.filename, error.line) == ("o.xml", 1)
    assert "not a CAMT" in error.message


def test_bad_amount_in_entry():
    data = fixture_bytes("camt053_balanced.xml").replace(b">10.00<", b">10,00<")
    error = raises_input_error(parse, data, "a.xml")
    assert (error.line, error.column, error.value) == (21, "Amt", "10,00")
