# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""XLSX input: a sheet of a seller-centre export read as the text lines the CSV parsers read.

Seller centres (Tmall/Taobao, JD, Pinduoduo, Douyin) give their order and bill exports as
``.xlsx`` as often as CSV. Rather than a second parser per format, a sheet is turned into the
CSV text its CSV export has: row *N* of the sheet is line *N* of the text (empty rows are empty
lines), so every parser reads it unchanged and its errors name the sheet's row number.

- Streamed: openpyxl in read-only mode, rows converted as the parser asks for lines.
- The sheet read is the first whose head a parser recognises (:func:`~ecomfin.parsers.detect_format`),
  else the first with data.
- Zip bombs: an XLSX is a zip; the sizes its members declare are checked against the budget
  (:func:`.zip_limits.check_declared`) before anything is read, and Python's zipfile never
  unpacks more than a member declares.
- Cells: text as is (a line break inside a cell becomes a space: one row, one line); whole numbers
  without a decimal point; dates ``YYYY-MM-DD`` and date-times ``YYYY-MM-DD HH:MM:SS``.
- Speed: openpyxl reads some 5,000 rows of 13 cells a second; an order export as XLSX parses at
  2,000 to 4,000 rows a second where its CSV does 15,000 (2-core test machine, December 2026). A
  large workbook is imported in the background like any large file.
"""

import csv
import io
import zipfile
from datetime import date, datetime, time

from ..errors import InputError
from .zip_limits import UnzipBudget, check_declared

WORKBOOK_MEMBER = "xl/workbook.xml"
#: what an XLSX may unpack to when the caller gives no limit
DEFAULT_MAX_UNPACKED = 1_000_000_000
#: rows of a sheet looked at to recognise its format
HEAD_ROWS = 64
BOM = "\ufeff".encode()


def is_workbook(archive):
    """Whether an open :class:`zipfile.ZipFile` is an XLSX workbook (not a zip of statements)."""
    try:
        archive.getinfo(WORKBOOK_MEMBER)
    except KeyError:
        return False
    return True


def _cell_text(cell):
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        date_only = value.time() == time() and "h" not in (getattr(cell, "number_format", "") or "").lower()
        return f"{value:%Y-%m-%d}" if date_only else f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, time):
        return f"{value:%H:%M:%S}"
    return str(value)


def _lines(sheet, delimiter):
    """The encoded text lines of ``sheet``, one per row from row 1 (an empty row is an empty line).

    The size the sheet declares (its ``<dimension>``) is not trusted: exporters write it wrong,
    and openpyxl would cut the rows and columns beyond it. A row is as wide as its last cell;
    rows are padded to the widest row before them (the header), as a spreadsheet leaves empty
    trailing cells out.
    """
    sheet.reset_dimensions()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    width = 0
    for row in sheet.iter_rows():
        cells = [_cell_text(cell) for cell in row]
        if not any(cells):
            cells = []
        else:
            width = max(width, len(cells))
            cells += [""] * (width - len(cells))
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        yield buffer.getvalue().encode()


class SheetText(io.RawIOBase):
    """A sheet as UTF-8 text (with a byte-order mark), produced as it is read."""

    def __init__(self, lines, close=None):
        self._lines = lines
        self._pending = BOM
        self._close = close

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self._pending:
            line = next(self._lines, None)
            if line is None:
                return 0
            self._pending = line
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self):
        if self._close is not None:
            self._close()
            self._close = None
        super().close()


def _load(binary, filename, budget):
    # openpyxl needs a seekable file (a zip's directory is at its end)
    if not (hasattr(binary, "seekable") and binary.seekable()):
        binary = io.BytesIO(binary.read())
    try:
        archive = zipfile.ZipFile(binary)
        check_declared(archive.infolist(), budget, lambda info: f"{filename}!{info.filename}")
    except zipfile.BadZipFile as exc:
        raise InputError("zip_damaged", {"detail": str(exc)}, filename=filename) from exc
    binary.seek(0)
    import openpyxl  # noqa: PLC0415 - only XLSX input needs it

    try:
        return openpyxl.load_workbook(binary, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises whatever its XML and zip readers raise
        raise InputError(
            "xlsx_damaged", {"detail": str(exc) or type(exc).__name__}, filename=filename
        ) from exc


def _head(sheet, delimiter):
    lines = _lines(sheet, delimiter)
    head = b"".join(line for _index, line in zip(range(HEAD_ROWS), lines, strict=False))
    return head if head.strip() else None


def open_sheet(binary, filename, *, recognise, delimiter=",", max_unpacked=None):
    """The text of the sheet to read, as a binary file object (:class:`SheetText`).

    ``recognise(head_bytes)`` says whether a sheet's first lines are a known format: the first
    sheet it accepts is read, else the first sheet with data.
    """
    limit = DEFAULT_MAX_UNPACKED if max_unpacked is None else max_unpacked
    book = _load(binary, filename, UnzipBudget(limit, filename))
    try:
        chosen = None
        for sheet in book.worksheets:
            head = _head(sheet, delimiter)
            if head is None:
                continue
            if recognise(BOM + head):
                chosen = sheet
                break
            chosen = chosen or sheet
    except InputError:
        book.close()
        raise
    except Exception as exc:  # a damaged sheet (XML, zip member, CRC)
        book.close()
        raise InputError(
            "xlsx_damaged", {"detail": str(exc) or type(exc).__name__}, filename=filename
        ) from exc
    if chosen is None:
        book.close()
        raise InputError("xlsx_no_sheet", filename=filename)
    return SheetText(_guarded(_lines(chosen, delimiter), filename), close=book.close)


def _guarded(lines, filename):
    """``lines``, a damaged part of the sheet met while reading it an :class:`InputError`."""
    try:
        yield from lines
    except InputError:
        raise
    except Exception as exc:
        raise InputError(
            "xlsx_damaged", {"detail": str(exc) or type(exc).__name__}, filename=filename
        ) from exc
