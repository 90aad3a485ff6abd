# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date
from decimal import Decimal

from conftest import fixture_bytes, raises_input_error

from ecomfin.parsers import detect_format, parse

TEXT = fixture_bytes("pdd_fund_gbk.csv").decode("gbk")


def test_daily_bill_in_gbk():
    data = fixture_bytes("pdd_fund_gbk.csv")
    assert detect_format("pdd.csv", data) == "pdd_fund"
    statement = parse(data, "pdd.csv")
    lines = list(statement)
    assert statement.meta["encoding"] == "gb18030"
    assert (statement.account, statement.period_start) == ("100123456", date(2026, 12, 1))
    assert [line.line_type for line in lines] == ["sale", "fee", "sale", "refund", "commission", "payout"]
    assert [line.net for line in lines] == [
        Decimal("100.00"), Decimal("-0.60"), Decimal("50.00"), Decimal("-30.00"), Decimal("-2.50"), Decimal("-1000.00"),
    ]  # fmt: skip
    sale = lines[0]
    assert sale.order_ref == "261201-004812345678901"
    assert sale.occurred_at.isoformat() == "2026-12-01T10:15:22+08:00"
    assert sale.line_no == 5
    assert lines[5].order_ref is None and "提现" in lines[5].memo
    assert statement.declared_totals["支出合计"] == Decimal("1033.10")
    assert statement.declared_totals["收入合计笔数"] == 2


def test_utf8_with_bom_and_the_full_width_header():
    text = TEXT.replace("收入金额(+元)", "收入金额（+元）")
    lines = list(parse(("\ufeff" + text).encode(), "pdd.csv"))
    assert len(lines) == 6


def test_an_export_without_title_has_no_footer():
    body = TEXT.split("\n", 3)[3]
    rows = [line for line in body.split("\n") if not line.startswith("#")]
    data = "\n".join(rows).encode("gbk")
    assert detect_format("export.csv", data) == "pdd_fund"
    lines = list(parse(data, "export.csv"))
    assert len(lines) == 6 and lines[0].line_no == 2


def test_bad_amount_names_its_line():
    data = TEXT.replace("0.00,2.50,多多进宝", "0.00,2.5x,多多进宝").encode("gbk")
    error = raises_input_error(parse, data, "pdd.csv")
    assert (error.line, error.column, error.value) == (9, "支出金额(-元)", "2.5x")


def test_footer_totals_are_checked():
    data = TEXT.replace("共1033.10元", "共1033.00元").encode("gbk")
    error = raises_input_error(parse, data, "pdd.csv")
    assert error.code == "total_mismatch" and error.line == 12
    data = TEXT.replace("#收入合计：2笔", "#收入合计：3笔").encode("gbk")
    assert raises_input_error(parse, data, "pdd.csv").code == "footer_count"


def test_a_titled_file_cut_short_is_refused():
    data = TEXT.rsplit("#收入合计", 1)[0].encode("gbk")
    error = raises_input_error(parse, data, "pdd.csv")
    assert error.code == "pdd_footer_missing"


def test_income_and_expense_on_one_row():
    data = TEXT.replace("100.00,0.00,交易收入", "100.00,1.00,交易收入", 1).encode("gbk")
    error = raises_input_error(parse, data, "pdd.csv")
    assert (error.code, error.line) == ("income_and_expense", 5)


def test_wrong_header():
    data = TEXT.replace("商户订单号,发生时间", "订单号,时间").encode("gbk")
    error = raises_input_error(parse, data, "pdd.csv", "pdd_fund")
    assert error.code == "not_pdd_fund" and error.line == 4
