# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from ecomfin.ingest import (
    ORDER_LINE_COLUMNS,
    CopyStream,
    Detected,
    copy_value,
    dedup_base,
    detect,
    order_rows,
    statement_rows,
    utc_naive,
)
from ecomfin.statement import OrderLine, StatementLine

SHANGHAI = timezone(timedelta(hours=8))


def make_line(**overrides):
    values = dict(
        provider_txn_id="2024030100001",
        order_ref="T1001",
        merchant_order_ref=None,
        counterparty="张三",
        line_type="sale",
        gross=Decimal("100.00"),
        fee=Decimal("0.60"),
        net=Decimal("99.40"),
        currency="CNY",
        occurred_at=datetime(2024, 3, 1, 10, 15, 22, tzinfo=SHANGHAI),
        memo="a\tb\\c\nd",
        raw={"备注": "x"},
        line_no=6,
    )
    values.update(overrides)
    return StatementLine(**values)


def test_dedup_base_uses_provider_id_only_where_it_is_unique():
    line = make_line()
    assert dedup_base(line, "alipay") == "id:sale:2024030100001"
    # a bank reference is not unique: the fingerprint decides
    assert dedup_base(line, "bank_csv") == f"fp:{line.fingerprint()}"
    no_id = make_line(provider_txn_id=None)
    assert dedup_base(no_id, "alipay").startswith("fp:")


def test_fingerprint_ignores_line_number_and_raw_text():
    a = make_line(provider_txn_id=None, line_no=3, raw={"a": 1})
    b = make_line(provider_txn_id=None, line_no=9, raw={"b": 2})
    assert dedup_base(a, "amazon_settlement") == dedup_base(b, "amazon_settlement")
    c = make_line(provider_txn_id=None, gross=Decimal("100.01"), net=Decimal("99.41"))
    assert dedup_base(a, "amazon_settlement") != dedup_base(c, "amazon_settlement")


def test_copy_value_formats():
    assert copy_value(None) is None
    assert copy_value("") is None
    assert copy_value(Decimal("1E+2")) == "100"
    assert copy_value(datetime(2024, 3, 1, 2, 15, 22)) == "2024-03-01 02:15:22"
    assert json.loads(copy_value({"k": "中文"})) == {"k": "中文"}


def test_copy_stream_quotes_what_csv_must_quote():
    rows = [(1, 'a,b "c"\nd', None, Decimal("2.50"), "")]
    data = CopyStream(rows).read().decode()
    assert list(csv.reader(io.StringIO(data))) == [["1", 'a,b "c"\nd', "", "2.50", ""]]


def test_statement_rows_store_utc_and_raw_json():
    (row,) = statement_rows([make_line()], "alipay")
    assert row[11] == datetime(2024, 3, 1, 2, 15, 22)
    assert json.loads(row[14]) == {"备注": "x"}
    assert utc_naive(None) is None


def test_copy_stream_reads_in_any_size():
    rows = [(i, f"名{i}", Decimal(i) / 4, None) for i in range(5000)]
    expected = "".join(f"{i},名{i},{Decimal(i) / 4},\n" for i in range(5000)).encode()
    for size in (1, 7, 4096, -1):
        stream = CopyStream(iter(rows), chunk_rows=100)
        out = io.BytesIO()
        while True:
            chunk = stream.read(size)
            if not chunk:
                break
            out.write(chunk)
        assert out.getvalue() == expected, size
        assert stream.rows_read == 5000


def test_copy_stream_keeps_the_error_of_its_rows():
    def rows():
        yield (1, "a")
        raise ValueError("line 2: bad amount")

    stream = CopyStream(rows(), chunk_rows=1)
    data = b""
    while chunk := stream.read(8192):
        data += chunk
    assert isinstance(stream.error, ValueError)
    assert "line 2" in str(stream.error)


def make_order_line(ref, line_no, **overrides):
    values = dict(
        order_ref=ref,
        order_time=datetime(2024, 3, 1, 10, 0, tzinfo=SHANGHAI),
        paid_time=None,
        status="paid",
        currency="CNY",
        amount_paid=Decimal("10.00"),
        refund_amount=Decimal(0),
        sku="SKU-A",
        quantity=1,
        unit_price=Decimal("10.00"),
        raw={"收货人": "金丝雀", "手机": "13800138000"},
        line_no=line_no,
    )
    values.update(overrides)
    return OrderLine(**values)


def test_order_rows_keep_the_buyer_out_of_the_copy():
    buyer = {"buyer_name": "金丝雀", "buyer_phone": "13800138000", "address": "金丝雀路 1 号"}
    lines = [
        make_order_line("A", 1, **buyer),
        make_order_line("A", 2, **buyer),
        make_order_line("B", 3),
        make_order_line("C", 4, buyer_phone="+86 139 0000 0000"),
    ]
    personal = {}
    rows = list(order_rows(lines, personal))
    assert all(len(row) == len(ORDER_LINE_COLUMNS) for row in rows)
    text = CopyStream(rows).read().decode()
    assert "金丝雀" not in text and "13800138000" not in text, "no personal data, raw row included"
    assert personal == {"A": buyer, "C": {"buyer_phone": "+86 139 0000 0000"}}
    assert list(order_rows(lines)) == rows


# ---------------------------------------------------------------------------
# What a file is, detected once
# ---------------------------------------------------------------------------


def _count_detections(monkeypatch):
    from ecomfin import parsers

    calls = []
    detect_format = parsers.detect_format

    def counted(filename, head):
        calls.append(filename)
        return detect_format(filename, head)

    monkeypatch.setattr(parsers, "detect_format", counted)
    return calls


def test_a_file_is_detected_once_from_detect_to_parse(monkeypatch):
    from ecomfin import parsers

    data = Path(__file__).parent.joinpath("fixtures", "alipay_ledger.csv").read_bytes()
    calls = _count_detections(monkeypatch)
    detected = detect("alipay.csv", data)
    assert (detected.fmt, detected.sniffed, detected.profile) == ("alipay", "alipay", None)
    parsed = parsers.parse(data, "alipay.csv", fmt=detected.fmt, sniffed=detected.sniffed)
    assert parsed.fmt == "alipay"
    assert calls == ["alipay.csv"]
    # without what the caller sniffed, the parser detects the format itself
    assert parsers.parse(data, "alipay.csv").fmt == "alipay"
    assert calls == ["alipay.csv", "alipay.csv"]


def test_a_zip_member_is_detected_once(monkeypatch):
    from ecomfin import parsers

    data = Path(__file__).parent.joinpath("fixtures", "alipay_ledger.zip").read_bytes()
    calls = _count_detections(monkeypatch)
    detected = detect("bills.zip", data)
    assert (detected.fmt, detected.sniffed) == (None, "zip")
    parsed = parsers.parse(data, "bills.zip", fmt=detected.fmt, sniffed=detected.sniffed)
    assert parsed.fmt == "alipay"
    assert len(calls) == 2  # the zip, then its statement member


def test_detect_says_which_profile_the_parser_needs():
    canonical = (
        b"\xef\xbb\xbf" + Path(__file__).parent.joinpath("fixtures", "orders_canonical.csv").read_bytes()
    )
    assert detect("o.csv", canonical) == Detected("orders_csv", "orders_csv", "orders", True)
    assert detect("o.csv", canonical, "orders_csv").canonical
    assert detect("b.csv", b"date,amount\n1,2\n", "bank_csv") == Detected("bank_csv", None, "bank")
    # an unknown file with a bank profile chosen gets it, and is still refused as unrecognised
    assert detect("b.csv", b"date,amount\n1,2\n", bank_profile=True) == Detected(None, None, "bank")
    assert detect("b.csv", b"date,amount\n1,2\n") == Detected(None, None)
    # a format given is kept, whatever the content says
    assert detect("o.csv", canonical, "alipay") == Detected("alipay", "orders_csv")
