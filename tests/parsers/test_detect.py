# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import io
import zipfile

import pytest
from conftest import fixture_bytes, raises_input_error

from ecomfin.parsers import FORMATS, detect_format, parse, parse_all

DETECTED = {
    "alipay_ledger.csv": "alipay",
    "alipay_ledger.zip": "zip",
    "wechat_trade_all.csv": "wechat_trade",
    "wechat_trade_old.csv": "wechat_trade",
    "wechat_fund.csv": "wechat_fund",
    "amazon_settlement_us.txt": "amazon_settlement",
    "amazon_settlement_de.txt": "amazon_settlement",
    "shopify_balance_transactions.csv": "shopify_balance",
    "shopify_payouts.csv": "shopify_payouts",
    "stripe_balance_change.csv": "stripe_balance",
    "stripe_api_balance.csv": "stripe_balance",
    "camt053_balanced.xml": "camt053",
    "orders_canonical.csv": "orders_csv",
    "bank_icbc_gbk.csv": None,
}


@pytest.mark.parametrize(("name", "fmt"), sorted(DETECTED.items()))
def test_detect_format(name, fmt):
    assert detect_format(name, fixture_bytes(name)[:4096]) == fmt


def test_format_codes():
    assert set(FORMATS) == {
        "alipay", "wechat_trade", "wechat_fund", "amazon_settlement", "shopify_payouts", "shopify_balance",
        "stripe_balance", "camt053", "bank_csv", "orders_csv",
        "jd_settlement",
        "pdd_fund", "douyin_settlement",
    }  # fmt: skip


def test_unrecognised_file():
    error = raises_input_error(parse, b"hello,world\n1,2\n", "what.csv")
    assert (error.filename, error.line, error.value) == ("what.csv", 1, "hello,world")


def test_zip_with_several_statements_and_a_readme():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "exported by the platform")
        archive.writestr("trade.csv", fixture_bytes("wechat_trade_all.csv"))
        archive.writestr("fund.csv", fixture_bytes("wechat_fund.csv"))
    data = buffer.getvalue()
    statements = list(parse_all(data, "bills.zip"))
    assert [s.fmt for s in statements] == ["wechat_trade", "wechat_fund"]
    assert [len(list(s)) for s in statements] == [3, 3]
    error = raises_input_error(parse, data, "bills.zip")
    assert "several statements" in error.message


def test_empty_zip_and_damaged_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "nothing here")
    error = raises_input_error(parse, buffer.getvalue(), "e.zip")
    assert "no recognised statement" in error.message
    error = raises_input_error(parse, b"PK\x03\x04garbage", "d.zip")
    assert "damaged zip" in error.message


def test_streams_from_a_file_object():
    stream = io.BytesIO(fixture_bytes("wechat_fund.csv"))
    assert len(list(parse(stream, "fund.csv"))) == 3


def test_unknown_option_is_a_programming_error():
    with pytest.raises(TypeError):
        parse(fixture_bytes("wechat_fund.csv"), "f.csv", minor_units=True)
