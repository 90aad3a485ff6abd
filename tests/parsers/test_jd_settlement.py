# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from decimal import Decimal

import pytest
from conftest import fixture_bytes, raises_input_error
from generate import JD_SETTLEMENT

from ecomfin.parsers import detect_format, parse


def jd_bytes(text=JD_SETTLEMENT, encoding="gbk"):
    return text.replace("\n", "\r\n").encode(encoding)


def test_fixture_is_gbk_and_detected():
    data = fixture_bytes("jd_settlement_gbk.csv")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert data == jd_bytes()
    assert detect_format("日账单明细.csv", data) == "jd_settlement"


def test_reads_rows_and_total():
    statement = parse(fixture_bytes("jd_settlement_gbk.csv"), "jd.csv")
    assert statement.fmt == "jd_settlement"
    assert statement.meta["encoding"] == "gb18030"
    lines = list(statement)
    assert [line.line_type for line in lines] == [
        "sale", "commission", "fee", "sale", "commission", "refund", "commission", "promotion",
    ]  # fmt: skip
    assert [line.gross for line in lines] == [
        Decimal(x) for x in ("136.00", "-10.88", "-0.82", "45.00", "-3.60", "-68.00", "5.44", "-1.00")
    ]
    assert all(line.net == line.gross and line.fee == 0 for line in lines)
    first = lines[0]
    assert first.order_ref == "283746501234"
    assert first.provider_txn_id == "9001000001"
    assert first.currency == "CNY"
    assert first.occurred_at.isoformat() == "2026-12-01T02:00:00+08:00"
    assert first.memo == "货款 / 龙井茶 250g"
    assert first.line_no == 2
    assert lines[5].memo == "货款 / 龙井茶 250g / 七天无理由退货"
    assert statement.declared_totals["合计"] == Decimal("102.14")
    assert statement.totals["sale"] == (2, Decimal("181.00"))
    assert statement.finished


def test_utf8_with_bom_and_without_total_row():
    text = JD_SETTLEMENT.replace("合计,,,,,,,,,,,102.14,,,,,\n", "")
    statement = parse(b"\xef\xbb\xbf" + text.encode("utf-8"), "jd.csv")
    assert len(list(statement)) == 8
    assert statement.declared_totals == {}


def test_bad_amount_names_its_line():
    error = raises_input_error(parse, jd_bytes(JD_SETTLEMENT.replace("45.00", "45.0x")), "jd.csv")
    assert error.line == 5
    assert error.column == "金额"


def test_total_must_match():
    error = raises_input_error(parse, jd_bytes(JD_SETTLEMENT.replace("102.14", "102.41")), "jd.csv")
    assert error.code == "total_mismatch"
    assert error.line == 10


def test_a_cut_file_fails_on_its_total():
    # the download cut after the 6th row, 合计 kept by a spreadsheet: the sum no longer matches
    lines = JD_SETTLEMENT.splitlines()
    text = "\n".join([*lines[:7], lines[-1]]) + "\n"
    error = raises_input_error(parse, jd_bytes(text), "jd.csv")
    assert error.code == "total_mismatch"


def test_nothing_after_the_total():
    error = raises_input_error(
        parse, jd_bytes(JD_SETTLEMENT + JD_SETTLEMENT.splitlines()[1] + "\n"), "jd.csv"
    )
    assert error.code == "data_after_end_marker"
    assert error.line == 11


def test_missing_column_is_named():
    text = JD_SETTLEMENT.replace("费用项,", "项目,", 1)
    error = raises_input_error(parse, jd_bytes(text), "jd.csv", "jd_settlement")
    assert error.code in ("columns_missing", "column_extra")
    assert error.line == 1


def test_bad_time_names_its_line_and_column():
    text = JD_SETTLEMENT.replace("2026-12-01 02:00:00", "2026-13-01 02:00:00", 1)
    error = raises_input_error(parse, jd_bytes(text), "jd.csv")
    assert error.line == 2
    assert error.column == "费用计费时间"
