# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date
from decimal import Decimal

import pytest
from conftest import fixture_bytes, raises_input_error
from generate import BANK_EU, BANK_ICBC

from ecomfin.errors import InputError
from ecomfin.parsers import parse

ICBC = {
    "date": "交易日期",
    "date_format": "%Y-%m-%d",
    "debit": "借方发生额",
    "credit": "贷方发生额",
    "balance": "余额",
    "reference": "交易流水号",
    "counterparty": "对方户名",
    "memo": "摘要",
    "currency": "CNY",
    "footer_prefixes": ["合计"],
    "timezone": "Asia/Shanghai",
}
EU = {
    "date": "Buchungstag",
    "date_format": "%d.%m.%Y",
    "amount": "Betrag",
    "memo": "Verwendungszweck",
    "counterparty": "Empfaenger",
    "balance": "Saldo",
    "decimal_comma": True,
    "delimiter": ";",
    "currency": "EUR",
}


def test_gbk_bank_export_with_debit_credit_columns():
    statement = parse(fixture_bytes("bank_icbc_gbk.csv"), "icbc.csv", "bank_csv", profile=ICBC)
    lines = list(statement)
    assert statement.meta["encoding"] == "gb18030"
    assert [line.gross for line in lines] == [Decimal("1000.00"), Decimal("-5.00"), Decimal("-1200.00")]
    assert lines[0].provider_txn_id == "TX001"
    assert lines[0].counterparty == "支付宝(中国)网络技术有限公司"
    assert lines[0].occurred_at.isoformat() == "2024-03-01T00:00:00+08:00"
    assert lines[0].line_no == 4
    assert (statement.period_start, statement.period_end) == (date(2024, 3, 1), date(2024, 3, 3))


def test_decimal_comma_and_signed_amount():
    lines = list(parse(fixture_bytes("bank_eu.csv"), "eu.csv", "bank_csv", profile=EU))
    assert [line.gross for line in lines] == [Decimal("1234.56"), Decimal("-10.00")]


def test_newest_first_order_passes_the_balance_check():
    head, *rows = BANK_EU.strip().split("\n")
    text = "\n".join([head, *reversed(rows)]) + "\n"
    assert len(list(parse(text.encode("utf-8-sig"), "eu.csv", "bank_csv", profile=EU))) == 2


def test_broken_running_balance():
    data = BANK_ICBC.replace('"3,795.00"', '"3,796.00"').encode("gbk")
    error = raises_input_error(parse, data, "icbc.csv", "bank_csv", profile=ICBC)
    assert (error.filename, error.line, error.column, error.value) == ("icbc.csv", 6, "余额", "3796.00")


def test_bad_date_and_amount():
    error = raises_input_error(
        parse, BANK_EU.replace("02.03.2024", "2024-03-02").encode(), "eu.csv", "bank_csv", profile=EU
    )
    assert (error.line, error.column, error.value) == (3, "Buchungstag", "2024-03-02")
    error = raises_input_error(
        parse, BANK_EU.replace("-10,00", "-1O,00").encode(), "eu.csv", "bank_csv", profile=EU
    )
    assert (error.line, error.column, error.value) == (3, "Betrag", "-1O,00")


def test_header_not_found():
    error = raises_input_error(
        parse, BANK_EU.replace("Betrag", "Amount").encode(), "eu.csv", "bank_csv", profile=EU
    )
    assert error.filename == "eu.csv" and error.column == "Betrag"


def test_profile_must_choose_amount_or_debit_credit():
    with pytest.raises(InputError, match="either 'amount'"):
        parse(
            b"a\n",
            "x.csv",
            "bank_csv",
            profile={"date": "d", "amount": "a", "debit": "b", "credit": "c", "currency": "EUR"},
        )
