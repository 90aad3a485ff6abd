# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from decimal import Decimal

from conftest import fixture_bytes, raises_input_error
from generate import WECHAT_FUND, WECHAT_TRADE_ALL

from ecomfin.parsers import detect_format, parse


def test_trade_all_bill():
    data = fixture_bytes("wechat_trade_all.csv")
    assert detect_format("wx.csv", data) == "wechat_trade"
    statement = parse(data, "wx.csv")
    lines = list(statement)
    assert [line.line_type for line in lines] == ["sale", "sale", "refund"]
    sale, _, refund = lines
    assert (sale.gross, sale.fee, sale.net) == (Decimal("100.00"), Decimal("0.60000"), Decimal("99.40000"))
    assert sale.provider_txn_id == "4200000001202403011234567890"
    assert sale.merchant_order_ref == "T1001"
    assert sale.occurred_at.isoformat() == "2024-03-01T10:15:22+08:00"
    assert sale.raw["交易状态"] == "`SUCCESS"
    assert (refund.gross, refund.fee, refund.net) == (
        Decimal("-30.00"),
        Decimal("-0.18000"),
        Decimal("-29.82000"),
    )
    assert refund.provider_txn_id == "50300001202403010000000001"
    assert refund.order_ref == "4200000001202403011234567890"
    assert refund.merchant_order_ref == "R1001"
    assert statement.currency == "CNY"
    assert statement.declared_totals["手续费总金额"] == Decimal("0.72")
    assert statement.meta["layout"] == "current"


def test_trade_bill_of_an_old_merchant_account():
    statement = parse(fixture_bytes("wechat_trade_old.csv"), "old.csv")
    (line,) = list(statement)
    assert statement.meta["layout"] == "old"
    assert (line.gross, line.fee) == (Decimal("20.00"), Decimal("0.12000"))


def test_refund_bill_with_refund_times():
    text = WECHAT_TRADE_ALL.replace(
        "代金券金额,微信退款单号", "代金券金额,退款申请时间,退款成功时间,微信退款单号"
    )
    rows = []
    for row in text.split("\n"):
        if row.startswith("`2024"):
            cells = row.split(",")
            extra = ["`2024-03-01 14:59:00", "`2024-03-01 15:00:03"] if "`REFUND" in row else ["`", "`"]
            row = ",".join(cells[:14] + extra + cells[14:])  # after 代金券金额 (the 14th column)
        rows.append(row)
    lines = list(parse("\n".join(rows).encode(), "refund.csv"))
    assert lines[2].occurred_at.isoformat() == "2024-03-01T15:00:03+08:00"


def test_fund_bill():
    data = fixture_bytes("wechat_fund.csv")
    assert detect_format("fund.csv", data) == "wechat_fund"
    statement = parse(data, "fund.csv")
    lines = list(statement)
    assert [(line.line_type, line.gross) for line in lines] == [
        ("sale", Decimal("100.00")),
        ("fee", Decimal("-0.60")),
        ("refund", Decimal("-30.00")),
    ]
    assert lines[0].provider_txn_id == "190000010920240301000001"
    assert lines[0].memo == "交易"
    assert statement.declared_totals["支出金额"] == Decimal("30.60")


def test_summary_total_disagreeing():
    data = WECHAT_TRADE_ALL.replace("`3,`150.00,`30.00", "`3,`150.00,`31.00").encode()
    error = raises_input_error(parse, data, "sum.csv")
    assert (error.filename, error.line, error.column, error.value) == ("sum.csv", 6, "退款总金额", "31.00")


def test_summary_count_disagreeing():
    error = raises_input_error(parse, WECHAT_TRADE_ALL.replace("`3,`150.00", "`4,`150.00").encode(), "n.csv")
    assert (error.line, error.column) == (6, "总交易单数")


def test_fund_summary_disagreeing():
    error = raises_input_error(parse, WECHAT_FUND.replace("`2,`30.60", "`2,`30.00").encode(), "f.csv")
    assert (error.filename, error.line, error.column) == ("f.csv", 6, "支出金额")


def test_truncated_without_summary():
    cut = WECHAT_TRADE_ALL.split("总交易单数")[0]
    error = raises_input_error(parse, cut.encode(), "cut.csv")
    assert "truncated" in error.message and error.filename == "cut.csv"


def test_bad_amount():
    data = WECHAT_TRADE_ALL.replace("`50.00,`0.00,`0,", "`50.0O,`0.00,`0,").encode()
    error = raises_input_error(parse, data, "amt.csv")
    assert (error.line, error.column, error.value) == (3, "应结订单金额", "50.0O")


def test_bad_time():
    data = WECHAT_TRADE_ALL.replace("`2024-03-01 11:20:05", "`2024-03-01 25:20:05").encode()
    error = raises_input_error(parse, data, "t.csv")
    assert (error.line, error.column, error.value) == (3, "交易时间", "2024-03-01 25:20:05")


def test_missing_column():
    data = WECHAT_TRADE_ALL.replace(",手续费,费率,", ",费率,").encode()
    error = raises_input_error(parse, data, "c.csv")
    assert (error.line, error.column) == (1, "手续费")


def test_extra_column():
    data = WECHAT_TRADE_ALL.replace(",费率备注\n", ",费率备注,备用\n").encode()
    error = raises_input_error(parse, data, "c.csv")
    assert (error.line, error.column, error.value) == (1, "备用", "备用")


def test_unknown_status():
    error = raises_input_error(
        parse, WECHAT_TRADE_ALL.replace("`NATIVE,`SUCCESS", "`NATIVE,`MAYBE").encode(), "s.csv"
    )
    assert (error.line, error.column, error.value) == (3, "交易状态", "MAYBE")


def test_alipay_file_offered_as_wechat():
    error = raises_input_error(parse, fixture_bytes("alipay_ledger.csv"), "a.csv", "wechat_trade")
    assert "wrong format" in error.message and error.line == 1
