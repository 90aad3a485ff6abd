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
