# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from decimal import Decimal

from conftest import fixture_bytes, raises_input_error

from ecomfin.parsers import detect_format, parse

TEXT = fixture_bytes("douyin_settlement.csv").decode("utf-8-sig")


def test_settlement_bill():
    data = fixture_bytes("douyin_settlement.csv")
    assert detect_format("settle.csv", data) == "douyin_settlement"
    statement = parse(data, "settle.csv")
    lines = list(statement)
    assert [line.line_type for line in lines] == ["sale", "sale", "refund"]
    first, second, refund = lines
    assert (first.gross, first.fee, first.net) == (Decimal("100.00"), Decimal("10.60"), Decimal("89.40"))
    assert (first.provider_txn_id, first.order_ref, first.merchant_order_ref) == (
        "7440123456789012345",
        "6930123456789012345",
        "6930123456789012346",
    )
    assert first.occurred_at.isoformat() == "2026-12-02T08:00:00+08:00"
    assert first.line_no == 2
    assert (second.gross, second.net) == (Decimal("118.00"), Decimal("117.29"))
    assert (refund.gross, refund.fee, refund.net) == (Decimal("-30.00"), Decimal("0.00"), Decimal("-30.00"))
    assert "售后退款" in refund.memo and statement.currency == "CNY"


def test_gbk_export():
    data = TEXT.encode("gbk")
    assert detect_format("settle.csv", data) == "douyin_settlement"
    statement = parse(data, "settle.csv")
    assert len(list(statement)) == 3 and statement.meta["encoding"] == "gb18030"


def test_bad_amount_names_its_line():
    data = TEXT.replace("113.00,0.00,118.00", "113.00,0.00,11x.00").encode()
    error = raises_input_error(parse, data, "settle.csv")
    assert (error.line, error.column) == (3, "收入合计")


def test_a_row_that_does_not_add_up_is_refused():
    data = TEXT.replace("10.60,89.40", "10.60,89.00").encode()
    error = raises_input_error(parse, data, "settle.csv")
    assert (error.code, error.line, error.column) == ("douyin_net", 2, "商家实收")
    data = TEXT.replace(
        "0.60,10.00,0.00,0.00,0.00,0.00,10.60", "0.60,10.00,0.00,0.00,0.00,0.00,10.00"
    ).encode()
    error = raises_input_error(parse, data, "settle.csv")
    assert (error.code, error.line, error.column) == ("douyin_outcome", 2, "合计支出")


def test_missing_column():
    data = TEXT.replace(",团长服务费", "").encode()
    error = raises_input_error(parse, data, "settle.csv")
    assert error.code == "columns_missing" and error.line == 1


def test_not_a_settlement_bill_when_asked_for_one():
    error = raises_input_error(parse, "结算单号,结算时间\n1,2\n".encode(), "x.csv", "douyin_settlement")
    assert error.code == "not_douyin_settlement"
