# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""XLSX workbooks an accountant can hand on unchanged (xlsxwriter, in memory).

Text is written as text, never as a formula or a link: what comes from a platform or a bank
(an order reference, a buyer's note) may start with ``=``. Text starting like a formula
(``= + - @``, tab, carriage return) is prefixed with a single quote, as OWASP advises for CSV
injection, so that it stays inert once the sheet is edited or saved as CSV. Numbers stay
numbers, dates dates.
"""

import datetime
import decimal
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
# What a spreadsheet reads as the start of a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_text(text):
    """``text`` as a spreadsheet shows it without evaluating it: a leading formula character is
    preceded by a single quote."""
    text = str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_cell(sheet, row, col, value, cell_format=None):
    """Write ``value`` by its type: numbers as numbers, dates as dates, anything else as inert
    text (``write_string``: never a formula, a link or a number read from text)."""
    if value is None:
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
        sheet.write_number(row, col, float(value), cell_format)
    elif isinstance(value, datetime.date | datetime.time):
        sheet.write_datetime(row, col, value, cell_format)
    else:
        sheet.write_string(row, col, inert_text(value), cell_format)


def differences_workbook(title, summary, sheets, labels=None, output=None):
    """A workbook: a summary sheet, then one sheet per kind of difference.

    :param title: first line of the summary sheet (the run's name)
    :param summary: list of (label, value) rows for the summary sheet
    :param sheets: ordered mapping kind -> (sheet title, iterable of row dicts keyed like
        ``DIFFERENCE_COLUMNS``); money values are numbers, dates datetimes or text. The rows are
        read once, in order (a generator is fine)
    :param labels: optional translations of the column headers, by key
    :param output: a file path to write to, row by row (xlsxwriter's ``constant_memory``: a
        sheet's rows are not kept in memory); None to get the file as bytes
    :returns: the .xlsx file as bytes, or None when written to ``output``
    """
    labels = labels or {}
    out = output or io.BytesIO()
    # no guessing from text either, should a plain write() slip in
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": output is None,
            "constant_memory": output is not None,
            "remove_timezone": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    money = book.add_format({"num_format": "#,##0.00"})
    money_total = book.add_format({"num_format": "#,##0.00", "bold": True, "top": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})

    sheet = book.add_worksheet(labels.get("summary", "Summary")[:31])
    write_cell(sheet, 0, 0, title, bold)
    for row, (label, value) in enumerate(summary, start=2):
        write_cell(sheet, row, 0, label)
        write_cell(sheet, row, 1, value)
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 1, 18)

    for _kind, (sheet_title, rows) in sheets.items():
        sheet = book.add_worksheet(sheet_title[:31])
        for col, (key, header, width) in enumerate(DIFFERENCE_COLUMNS):
            write_cell(sheet, 0, col, labels.get(key, header), head)
            sheet.set_column(col, col, width)
        sheet.freeze_panes(1, 0)
        totals = dict.fromkeys(MONEY_KEYS, 0.0)
        count = 0
        for row_index, row in enumerate(rows, start=1):
            count = row_index
            for col, (key, _header, _width) in enumerate(DIFFERENCE_COLUMNS):
                value = row.get(key)
                if key in MONEY_KEYS:
                    totals[key] += float(value or 0)
                    sheet.write_number(row_index, col, float(value or 0), money)
                elif hasattr(value, "strftime"):
                    sheet.write_datetime(row_index, col, value, date)
                else:
                    write_cell(sheet, row_index, col, None if value == "" else value)
        total_row = count + 1
        write_cell(sheet, total_row, 0, labels.get("total", "Total"), bold)
        for col, (key, _header, _width) in enumerate(DIFFERENCE_COLUMNS):
            if key in MONEY_KEYS:
                sheet.write_number(total_row, col, round(totals[key], 2), money_total)
        sheet.autofilter(0, 0, max(count, 1), len(DIFFERENCE_COLUMNS) - 1)
    book.close()
    return None if output is not None else out.getvalue()


def table_workbook(sheets):
    """A workbook of plain tables, each a header row then data rows, for import templates of other
    software (``ecomfin.voucher_export``): the header exactly as given, no total, no filter.

    :param sheets: iterable of ``(title, headers, rows, kinds)``: ``rows`` lists of values in the
        order of ``headers``; ``kinds`` maps a column index to ``"money"`` (number shown with two
        decimals) or ``"date"`` (a real date, shown yyyy-mm-dd); other cells by their type
        (``write_cell``)
    :returns: the .xlsx file as bytes
    """
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "remove_timezone": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    formats = {
        "money": book.add_format({"num_format": "0.00"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
    }
    for title, headers, rows, kinds in sheets:
        sheet = book.add_worksheet(title[:31])
        for col, header in enumerate(headers):
            write_cell(sheet, 0, col, header)
        for row_index, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                write_cell(sheet, row_index, col, None if value == "" else value, formats.get(kinds.get(col)))
        sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()
