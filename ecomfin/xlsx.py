"""XLSX workbooks an accountant can hand on unchanged (xlsxwriter, in memory)."""

import io

import xlsxwriter

DIFFERENCE_COLUMNS = (
    ("shop", "Shop", 18),
    ("reference", "Reference", 26),
    ("date", "Date", 18),
    ("expected", "Expected", 14),
    ("actual", "Actual", 14),
    ("difference", "Difference", 14),
    ("currency", "Currency", 9),
    ("state", "State", 12),
    ("assignee", "Assignee", 18),
)
MONEY_KEYS = {"expected", "actual", "difference"}


def differences_workbook(title, summary, sheets, labels=None):
    """A workbook: a summary sheet, then one sheet per kind of difference.

    :param title: first line of the summary sheet (the run's name)
    :param summary: list of (label, value) rows for the summary sheet
    :param sheets: ordered mapping kind -> (sheet title, list of row dicts keyed like
        ``DIFFERENCE_COLUMNS``); money values are numbers, dates datetimes or text
    :param labels: optional translations of the column headers, by key
    :returns: the .xlsx file as bytes
    """
    labels = labels or {}
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "remove_timezone": True})
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    money = book.add_format({"num_format": "#,##0.00"})
    money_total = book.add_format({"num_format": "#,##0.00", "bold": True, "top": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})

    sheet = book.add_worksheet(labels.get("summary", "Summary")[:31])
    sheet.write(0, 0, title, bold)
    for row, (label, value) in enumerate(summary, start=2):
        sheet.write(row, 0, label)
        sheet.write(row, 1, value)
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 1, 18)

    for _kind, (sheet_title, rows) in sheets.items():
        sheet = book.add_worksheet(sheet_title[:31])
        for col, (key, header, width) in enumerate(DIFFERENCE_COLUMNS):
            sheet.write(0, col, labels.get(key, header), head)
            sheet.set_column(col, col, width)
        sheet.freeze_panes(1, 0)
        for row_index, row in enumerate(rows, start=1):
            for col, (key, _header, _width) in enumerate(DIFFERENCE_COLUMNS):
                value = row.get(key)
                if key in MONEY_KEYS:
                    sheet.write_number(row_index, col, float(value or 0), money)
                elif hasattr(value, "strftime"):
                    sheet.write_datetime(row_index, col, value, date)
                else:
                    sheet.write(row_index, col, "" if value is None else value)
        total_row = len(rows) + 1
        sheet.write(total_row, 0, labels.get("total", "Total"), bold)
        for col, (key, _header, _width) in enumerate(DIFFERENCE_COLUMNS):
            if key in MONEY_KEYS:
                total = round(sum(float(r.get(key) or 0) for r in rows), 2)
                sheet.write_number(total_row, col, total, money_total)
        sheet.autofilter(0, 0, max(len(rows), 1), len(DIFFERENCE_COLUMNS) - 1)
    book.close()
    return out.getvalue()
