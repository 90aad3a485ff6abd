# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date
from decimal import Decimal

import pytest
from conftest import fixture_bytes, raises_input_error
from generate import ALIPAY

from ecomfin.parsers import detect_format, parse, parse_all


def alipay_bytes(text=ALIPAY, encoding="gbk"):
    return text.replace("\n", "\r\n").encode(encoding)


def test_fixture_is_gbk_and_detected():
    data = fixture_bytes("alipay_ledger.csv")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert detect_format("alipay_ledger.csv", data) == "alipay"


def test_reads_header_rows_and_footer():
    statement = parse(fixture_bytes("alipay_ledger.csv"), "alipay_ledger.csv")
    assert statement.fmt == "alipay"
    assert statement.account == "20881234567890120156"
    assert (statement.period_start, statement.period_end) == (date(2024, 3, 1), date(2024, 3, 2))
    lines = list(statement)
    assert [line.line_type for line in lines] == ["sale", "fee", "sale", "refund", "payout"]
    assert [line.gross for line in lines] == [
        Decimal(x) for x in ("100.00", "-0.60", "50.00", "-30.00", "-1000.00")
    ]
    first = lines[0]
    assert first.provider_txn_id == "20240301200040011100000000000001"  # the TAB before the comma is gone
    assert first.merchant_order_ref == "T1001"
    assert first.counterparty == "张三 (zha***@163.com)"
    assert first.occurred_at.isoformat() == "2024-03-01T10:15:22+08:00"
    assert first.line_no == 6
    assert first.raw["账务流水号"] == "20240301200040011100000000000001\t"
    assert statement.declared_totals["收入合计"] == Decimal("150.00")
    assert statement.declared_totals["支出合计"] == Decimal("1030.60")
    assert statement.totals["sale"] == (2, Decimal("150.00"))
    assert statement.finished


def test_zip_with_summary_member():
    results = list(parse_all(fixture_bytes("alipay_ledger.zip"), "alipay_ledger.zip"))
    assert len(results) == 1  # the 汇总 (summary) sheet is not a ledger
    statement = results[0]
    assert statement.filename == "alipay_ledger.zip!20881234567890120156_20240301_账务明细.csv"
    assert len(list(statement)) == 5
    assert parse(fixture_bytes("alipay_ledger.zip"), "a.zip").fmt == "alipay"


def test_newer_layout_with_business_columns():
    text = ALIPAY.replace(
        "交易渠道,业务类型,备注\n", "交易渠道,业务类型,备注,业务描述,业务账单来源,业务基础订单号,业务订单号\n"
    )
    rows = []
    for row in text.split("\n"):
        if row.startswith("2024030120004"):
            row += ",交易收款,支付宝,BASE1,BIZ1"
        rows.append(row)
    statement = parse(alipay_bytes("\n".join(rows)), "new.csv")
    lines = list(statement)
    assert lines[0].order_ref == "BIZ1"
    assert "交易收款" in lines[0].memo


def test_utf8_export_also_reads():
    assert len(list(parse(ALIPAY.encode("utf-8"), "u.csv"))) == 5


def test_footer_sum_disagreeing_with_rows():
    data = alipay_bytes(ALIPAY.replace("共150.00元", "共151.00元"))
    error = raises_input_error(parse, data, "bad_footer.csv")
    assert error.filename == "bad_footer.csv"
    assert error.line == 13
    assert "收入合计" in error.message and "151.00" in error.message and "150.00" in error.message


def test_footer_count_disagreeing_with_rows():
    error = raises_input_error(parse, alipay_bytes(ALIPAY.replace("3笔", "4笔")), "count.csv")
    assert (error.filename, error.line) == ("count.csv", 12)
    assert "4 rows" in error.message


def test_missing_end_marker_is_truncation():
    cut = ALIPAY.split("#-----------------------------------------账务明细列表结束")[0]
    error = raises_input_error(parse, alipay_bytes(cut), "cut.csv")
    assert error.filename == "cut.csv"
    assert "truncated" in error.message and "end marker" in error.message


def test_missing_footer_is_truncation():
    cut = ALIPAY.split("#支出合计")[0]
    error = raises_input_error(parse, alipay_bytes(cut), "nofooter.csv")
    assert "truncated" in error.message and "支出合计" in error.message


def test_bad_amount_names_line_column_and_value():
    data = alipay_bytes(ALIPAY.replace(",50.00,0.00,1149.40", ",5O.00,0.00,1149.40"))
    error = raises_input_error(parse, data, "amount.csv")
    assert (error.filename, error.line, error.column, error.value) == (
        "amount.csv",
        8,
        "收入金额（+元）",
        "5O.00",
    )


def test_bad_date_names_line_column_and_value():
    data = alipay_bytes(ALIPAY.replace("2024-03-01 11:20:05", "2024-13-01 11:20:05"))
    error = raises_input_error(parse, data, "date.csv")
    assert (error.line, error.column, error.value) == (8, "发生时间", "2024-13-01 11:20:05")


def test_missing_column():
    data = alipay_bytes(ALIPAY.replace("账户余额（元）,", ""))
    error = raises_input_error(parse, data, "cols.csv")
    assert (error.filename, error.line, error.column) == ("cols.csv", 5, "账户余额（元）")
    assert "missing column" in error.message


def test_extra_column():
    data = alipay_bytes(ALIPAY.replace(",备注\n", ",备注,我的列\n"))
    error = raises_input_error(parse, data, "extra.csv")
    assert (error.line, error.column, error.value) == (5, "我的列", "我的列")


def test_row_with_extra_cells():
    data = alipay_bytes(ALIPAY.replace("1149.40,支付宝,在线支付,", "1149.40,支付宝,在线支付,,surplus"))
    error = raises_input_error(parse, data, "cells.csv")
    assert error.line == 8 and "cells" in error.message


def test_wechat_file_offered_as_alipay():
    error = raises_input_error(parse, fixture_bytes("wechat_trade_all.csv"), "wx.csv", "alipay")
    assert (error.filename, error.line) == ("wx.csv", 1)
    assert "wrong format" in error.message and "WeChat" in error.message
    assert error.value.startswith("交易时间")


def test_empty_file():
    error = raises_input_error(parse, b"", "empty.csv", "alipay")
    assert (error.filename, error.message) == ("empty.csv", "file is empty")
    error = raises_input_error(parse, b"\r\n  \r\n", "blank.csv")
    assert error.message == "file is empty"


def test_header_only_without_marker():
    error = raises_input_error(parse, alipay_bytes("#支付宝账务明细查询\n#账号：[1]\n"), "short.csv")
    assert "truncated" in error.message


def test_statement_can_be_read_once():
    statement = parse(fixture_bytes("alipay_ledger.csv"), "a.csv")
    list(statement)
    with pytest.raises(RuntimeError):
        list(statement)
