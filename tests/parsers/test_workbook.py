# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""XLSX input: a seller centre's workbook reads as its CSV export does."""

import csv
import io
import re
import zipfile
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest
from conftest import fixture_bytes, raises_input_error

from ecomfin.errors import InputError
from ecomfin.parsers import detect_encoding, parse, sheet_text

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
MOMENT = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


def typed(text):
    """A CSV cell as a seller centre's XLSX holds it: numbers and date-times typed, text as text."""
    text = text.strip().strip("\t")
    if text.startswith('="') and text.endswith('"'):
        return text[2:-1]  # the CSV's "keep as text" trick is a text cell in a workbook
    if NUMBER.match(text) and not (len(text) > 12 and "." not in text):
        return float(text) if "." in text else int(text)
    if MOMENT.match(text):
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    return text


def workbook(csv_bytes, *, before=(), after=(), delimiter=",", typed_cells=True):
    """An XLSX (bytes) whose sheet holds the rows of a CSV file; ``before``/``after``: other sheets."""
    text = csv_bytes.decode(detect_encoding(csv_bytes, complete=True)).lstrip("\ufeff")
    book = openpyxl.Workbook(write_only=True)
    for title, rows in before:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    sheet = book.create_sheet("Sheet1")
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        sheet.append([typed(cell) if typed_cells else cell for cell in row])
    for title, rows in after:
        extra = book.create_sheet(title)
        for row in rows:
            extra.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def line_facts(lines):
    return [
        (
            line.line_no,
            line.line_type,
            line.gross,
            line.fee,
            line.net,
            line.currency,
            line.order_ref,
            line.occurred_at,
        )
        for line in lines
    ]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("alipay_ledger.csv", "alipay"),
        ("wechat_trade_all.csv", "wechat_trade"),
        ("wechat_fund.csv", "wechat_fund"),
        ("shopify_payouts.csv", "shopify_payouts"),
        ("stripe_balance_change.csv", "stripe_balance"),
    ],
)
def test_a_bill_as_xlsx_reads_as_its_csv(name, fmt):
    data = fixture_bytes(name)
    from_csv = parse(data, name, fmt)
    csv_lines = list(from_csv)
    book = parse(workbook(data), name.replace(".csv", ".xlsx"))
    assert book.fmt == fmt
    assert line_facts(book) == line_facts(csv_lines)
    assert book.declared_totals == from_csv.declared_totals


@pytest.mark.parametrize(
    ("name", "profile"),
    [
        ("orders_canonical.csv", "canonical"),
        ("orders_tmall.csv", "tmall"),
        ("orders_shopify.csv", "shopify"),
        ("orders_jd.csv", "jd"),
        ("orders_pinduoduo.csv", "pinduoduo"),
        ("orders_douyin.csv", "douyin"),
    ],
)
def test_an_order_export_as_xlsx_reads_as_its_csv(name, profile):
    data = fixture_bytes(name)
    from_csv = parse(data, name, "orders_csv", profile=profile).read_all()
    from_xlsx = parse(workbook(data), "export.xlsx", "orders_csv", profile=profile).read_all()
    assert from_xlsx == from_csv
    assert [order.line_no for order in from_xlsx] == [order.line_no for order in from_csv]


def test_the_sheet_with_the_expected_header_is_read():
    data = fixture_bytes("orders_tmall.csv")
    notes = [("说明", [["本表由卖家中心导出"], ["导出时间", "2024-03-02"]])]
    book = workbook(data, before=notes, after=[("汇总", [["合计", 1]])])
    orders = parse(book, "export.xlsx", "orders_csv", profile="tmall").read_all()
    assert orders == parse(data, "orders.csv", "orders_csv", profile="tmall").read_all()
    # detected without a format too: the first sheet a parser recognises
    canonical = workbook(fixture_bytes("orders_canonical.csv"), before=notes)
    assert parse(canonical, "export.xlsx").fmt == "orders_csv"


def test_errors_name_the_sheets_row():
    data = fixture_bytes("orders_canonical.csv")
    text = data.decode("utf-8-sig")
    bad_row = text.splitlines().index(next(line for line in text.splitlines()[1:] if "SKU-B" in line))
    broken = "\n".join(
        line.replace(",SKU-B,", ",SKU-B,") if n != bad_row else re.sub(r",(\d+),", ",2x,", line, count=1)
        for n, line in enumerate(text.splitlines())
    )
    error = raises_input_error(
        parse, workbook(broken.encode(), typed_cells=False), "export.xlsx", "orders_csv"
    )
    assert error.filename == "export.xlsx"
    assert error.line == bad_row + 1  # the row number Excel shows
    assert f"line {bad_row + 1}" in str(error)


def test_cells_read_as_their_csv_text():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["a", "b", "c", "d", "e"])
    sheet.append([12.5, 3, datetime(2024, 3, 1, 10, 15, 22), "两行\n地址", None])
    sheet["F2"] = datetime(2024, 3, 1)
    sheet["F2"].number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    text = sheet_text(out.getvalue(), "x.xlsx").read().decode("utf-8-sig")
    assert text.splitlines() == ["a,b,c,d,e", "12.5,3,2024-03-01 10:15:22,两行 地址,,2024-03-01"]


def test_same_workbook_same_lines():
    data = workbook(fixture_bytes("alipay_ledger.csv"))
    first = [line.fingerprint() for line in parse(data, "a.xlsx")]
    again = [line.fingerprint() for line in parse(workbook(fixture_bytes("alipay_ledger.csv")), "b.xlsx")]
    assert first == again and first


def test_a_workbook_unpacking_to_more_than_the_limit_is_refused_before_reading():
    data = workbook(fixture_bytes("orders_canonical.csv"))
    error = raises_input_error(parse, data, "big.xlsx", max_unzipped_bytes=1000)
    assert error.code in ("zip_too_large", "zip_member_too_large")
    # a bomb: a sheet of a few kB compressed that inflates to megabytes
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(bomb, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = body.replace(
                    b"</sheetData>",
                    b"<row r='99'>" + b"<c t='n'><v>1</v></c>" * 200000 + b"</row></sheetData>",
                )
            target.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
    error = raises_input_error(parse, bomb.getvalue(), "bomb.xlsx", max_unzipped_bytes=1_000_000)
    assert error.code in ("zip_too_large", "zip_member_too_large")


def test_damaged_and_old_workbooks_are_input_errors():
    data = workbook(fixture_bytes("orders_canonical.csv"))
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = body[: len(body) // 2]
            target.writestr(info, body)
    error = raises_input_error(parse, damaged.getvalue(), "cut.xlsx", "orders_csv")
    assert error.code == "xlsx_damaged" and error.filename == "cut.xlsx"
    old = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    assert raises_input_error(parse, old, "old.xls").code == "xlsx_unsupported"
    empty = io.BytesIO()
    openpyxl.Workbook().save(empty)
    assert raises_input_error(parse, empty.getvalue(), "empty.xlsx").code == "xlsx_no_sheet"


def test_amounts_typed_as_numbers_keep_their_value():
    data = fixture_bytes("alipay_ledger.csv")
    from_csv = [line.gross for line in parse(data, "a.csv")]
    from_xlsx = [line.gross for line in parse(workbook(data), "a.xlsx")]
    assert from_xlsx == from_csv
    assert all(isinstance(value, Decimal) for value in from_xlsx)


def test_ingest_detects_what_the_sheet_is():
    from ecomfin.ingest import Detected, detect

    canonical = workbook(fixture_bytes("orders_canonical.csv"))
    assert detect("o.xlsx", canonical) == Detected("orders_csv", "orders_csv", "orders", True)
    tmall = workbook(fixture_bytes("orders_tmall.csv"))
    assert detect("t.xlsx", tmall, "orders_csv") == Detected("orders_csv", None, "orders", False)
    assert detect("a.xlsx", workbook(fixture_bytes("alipay_ledger.csv"))) == Detected("alipay", "alipay")
    with pytest.raises(InputError):
        detect("big.xlsx", canonical, max_unzipped_bytes=100)


def test_an_xlsx_inside_a_zip_is_read():
    book = workbook(fixture_bytes("orders_canonical.csv"))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as target:
        target.writestr("readme.txt", "exported by the seller centre")
        target.writestr("订单.xlsx", book)
    parsed = parse(archive.getvalue(), "export.zip", max_unzipped_bytes=10_000_000)
    assert parsed.fmt == "orders_csv" and parsed.filename == "export.zip!订单.xlsx"
    assert parsed.read_all() == parse(fixture_bytes("orders_canonical.csv"), "o.csv").read_all()
    error = raises_input_error(parse, archive.getvalue(), "export.zip", max_unzipped_bytes=len(book) + 2000)
    assert error.code in ("zip_too_large", "zip_member_too_large")


def test_a_wrong_declared_size_and_short_rows_lose_nothing():
    """Exporters write a wrong ``<dimension>`` and leave empty trailing cells out."""
    rows = list(csv.reader(io.StringIO(fixture_bytes("orders_canonical.csv").decode("utf-8-sig"))))
    for row in rows[1:]:
        row[-1] = ""  # the address left empty: Excel does not write the cell at all
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    book = workbook(out.getvalue().encode())
    patched = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(patched, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = body.replace(b"<sheetFormatPr", b'<dimension ref="A1:B2"/><sheetFormatPr', 1)
                # an empty cell as openpyxl writes it (3.1.2: <c ...></c>, 3.1.5: <c ... />)
                body, dropped = re.subn(rb'<c r="[A-Z]+\d+" t="inlineStr"(?:></c>| ?/>)', b"", body)
                assert b'ref="A1:B2"' in body and dropped >= 3
            target.writestr(info, body)
    orders = parse(patched.getvalue(), "o.xlsx", "orders_csv").read_all()
    expected = parse(out.getvalue().encode(), "o.csv", "orders_csv").read_all()
    assert orders == expected and len(orders) == 2
    assert all(order.address == "" for order in orders)
