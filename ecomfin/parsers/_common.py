# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Shared plumbing of the parsers: bytes in, decoded physical lines and CSV rows out.

Everything here streams: a file is read in chunks, split into physical lines
(``\\n`` never occurs inside a multi-byte character of UTF-8, GBK or GB18030),
each line decoded on its own, so a decoding error is reported with its line
number. CSV rows come from :mod:`csv` fed line by line, so quoted fields spanning
several lines still work and every row knows the physical line it starts on.
"""

import codecs
import csv
import functools
import io
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import chain
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import InputError
from ..money import is_simple_amount, parse_amount
from ..statement import new_statement_line

HEAD_SIZE = 64 * 1024
CHUNK_SIZE = 64 * 1024

CHINESE_ENCODINGS = ("utf-8", "gb18030")
WESTERN_ENCODINGS = ("utf-8", "cp1252")

try:
    SHANGHAI = ZoneInfo("Asia/Shanghai")
except ZoneInfoNotFoundError:  # pragma: no cover - machines without tzdata
    SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
UTC = timezone.utc

_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with BOM)",
    "gb18030": "GBK/GB18030",
    "cp1252": "Windows-1252",
}


def detect_encoding(head, *, candidates=CHINESE_ENCODINGS, filename=None, complete=False):
    """Name the encoding of a text file from its first bytes.

    ``head`` is the start of the file (``complete`` says it is the whole file, so
    a multi-byte character may not be cut at its end). A UTF-8 byte-order mark
    gives ``'utf-8-sig'``; otherwise the first of ``candidates`` that decodes
    ``head`` cleanly wins (GB18030 is the superset of GBK and GB2312, so it stands
    for all three). UTF-16 files and bytes no candidate can read raise
    :class:`InputError`.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(
            "utf16",
            filename=filename,
            line=1,
        )
    if b"\x00" in head[:4096]:
        raise InputError("nul_bytes", filename=filename, line=1)
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            decoder.decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        return encoding
    names = " or ".join(_ENCODING_NAMES.get(e, e) for e in candidates)
    line = None
    try:
        head.decode(candidates[0])
    except UnicodeDecodeError as exc:
        line = head.count(b"\n", 0, exc.start) + 1
    raise InputError("wrong_encoding", {"encodings": names}, filename=filename, line=line)


def describe_encoding(encoding):
    return _ENCODING_NAMES.get(encoding, encoding)


def open_binary(source):
    """A binary file object for bytes, a binary file object, or a path."""
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source))
    if isinstance(source, str):
        return open(source, "rb")
    if hasattr(source, "read"):
        return source
    raise TypeError(f"cannot read {type(source).__name__}: give bytes or a binary file object")


#: Codecs in which a ``\n`` byte is always a whole line feed and decoding carries no
#: state from one line to the next: a block of whole lines decodes, in one call, to the
#: same text as its lines decoded one by one.
_LINEWISE_CODECS = frozenset({"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "cp1252", "latin-1", "ascii"})


class LineReader:
    """Decoded physical lines of a binary file, numbered from 1.

    ``line_no`` is the number of the last line handed out. One line can be
    pushed back (to stop a CSV section and read the line again as a footer).

    Lines are decoded a block (about ``CHUNK_SIZE`` bytes of whole lines) at a
    time; a block that fails to decode is decoded again line by line, so the
    error still names its line and comes only when that line is reached.
    """

    def __init__(self, binary, filename, *, encoding=None, candidates=CHINESE_ENCODINGS, head=None):
        self.filename = filename
        self._binary = binary
        if head is None:
            head = binary.read(HEAD_SIZE)
        self._complete = len(head) < HEAD_SIZE
        self.head = head
        if not head.strip():
            raise InputError("file_empty", filename=filename)
        self.encoding = encoding or detect_encoding(
            head, candidates=candidates, filename=filename, complete=self._complete
        )
        self._blocks = self._decoded_blocks(head)
        self._block = []  # decoded lines of the current block ...
        self._pos = 0  # ... and the index of the next one to hand out
        self._pushed = None
        self.line_no = 0

    def _raw_blocks(self, head):
        """Blocks of whole raw lines (each ending in ``\n``, but perhaps the file's last)."""
        buffer = head
        while not self._complete:
            chunk = self._binary.read(CHUNK_SIZE)
            if not chunk:
                break
            buffer += chunk
            cut = buffer.rfind(b"\n") + 1
            if cut:
                yield buffer[:cut]
                buffer = buffer[cut:]
        if buffer:
            yield buffer

    def _decoded_blocks(self, head):
        """Lists of decoded lines, block by block; raises at the first undecodable line."""
        encoding = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        linewise = codecs.lookup(encoding).name in _LINEWISE_CODECS
        done = 0  # lines decoded so far
        for block in self._raw_blocks(head):
            if not done:  # the first line may start with a byte-order mark
                cut = block.find(b"\n") + 1 or len(block)
                first, block = block[:cut], block[cut:]
                if self.encoding == "utf-8-sig" or first.startswith(codecs.BOM_UTF8):
                    yield [self._decode_line(first.removeprefix(codecs.BOM_UTF8), "utf-8", 1)]
                else:
                    yield [self._decode_line(first, encoding, 1)]
                done = 1
                if not block:
                    continue
            lines = None
            if linewise:
                try:
                    *lines, last = block.decode(encoding).split("\n")
                except UnicodeDecodeError:
                    lines = None
                else:
                    lines = [line + "\n" for line in lines]
                    if last:  # the file's last line, without a line feed
                        lines.append(last)
            if lines is None:  # decode line by line, to name the bad one
                *raw_lines, last = block.split(b"\n")
                raw_lines = [raw + b"\n" for raw in raw_lines]
                if last:
                    raw_lines.append(last)
                lines = []
                for raw in raw_lines:
                    try:
                        lines.append(self._decode_line(raw, encoding, done + len(lines) + 1))
                    except InputError:
                        if lines:
                            yield lines  # the good lines before the bad one come first
                        raise
            done += len(lines)
            yield lines

    def _decode_line(self, raw, encoding, line_no):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(
                "wrong_encoding_line",
                {"encoding": describe_encoding(self.encoding), "byte": exc.start + 1},
                filename=self.filename,
                line=line_no,
                value=raw[max(0, exc.start - 8) : exc.end + 8],
            ) from exc

    def _next_block(self):
        """Move to the next block; False at the end of the file."""
        block = next(self._blocks, None)
        if block is None:
            return False
        self._block, self._pos = block, 0
        return True

    def __iter__(self):
        return self

    def __next__(self):
        if self._pushed is not None:
            line, self._pushed = self._pushed, None
            self.line_no += 1
            return line
        while self._pos >= len(self._block):
            if not self._next_block():
                raise StopIteration
        line = self._block[self._pos]
        self._pos += 1
        self.line_no += 1
        return line

    def push_back(self, line):
        if self._pushed is not None:
            raise RuntimeError("only one line can be pushed back")
        self._pushed = line
        self.line_no -= 1

    def error(self, code, params=None, *, value=None):
        """An :class:`InputError` at the line read last."""
        return InputError(code, params, filename=self.filename, line=self.line_no, value=value)

    def wrong_format(self, code, params=None, *, line, value=None, column=None):
        """The :class:`InputError` for a file that is not the format expected: it names the encoding
        read (the code's template has an ``%(encoding)s``)."""
        return InputError(
            code,
            {**(params or {}), "encoding": describe_encoding(self.encoding)},
            filename=self.filename,
            line=line,
            column=column,
            value=value,
        )

    def next_nonblank(self):
        """The next line that is not blank, or None at the end of the file."""
        for line in self:
            if line.strip():
                return line
        return None

    def _first_stop(self, stop, stop_at):
        """Index in the current block of the first line that ends a CSV section (or its length)."""
        block, pos = self._block, self._pos
        if stop_at is not None:
            text = "".join(block[pos:])
            match = stop_at.search(text)
            return len(block) if match is None else pos + text.count("\n", 0, match.start())
        if stop is not None:
            for index in range(pos, len(block)):
                if stop(block[index]):
                    return index
        return len(block)

    def _section_blocks(self, stop, stop_at):
        """Lists of the lines of a CSV section, block by block; the stopping line stays unread."""
        while True:
            end = self._first_stop(stop, stop_at)
            section = self._block[self._pos : end]
            self._pos = end
            if section:
                yield section
            if end < len(self._block) or not self._next_block():
                return

    def csv_rows(self, *, delimiter=",", stop=None, stop_at=None):
        """Yield ``(line_no, fields)`` for each CSV record until a stopping line or EOF.

        ``line_no`` is the physical line the record starts on. Blank lines are
        skipped. A line stops the section when ``stop(line)`` is true, or when the
        compiled pattern ``stop_at`` (searched in the text of many lines at once,
        so written like ``re.compile(r"^[^\\S\\n]*#", re.M)``) matches starting on
        it; that line is left unread, for the next ``next()``.
        """
        if self._pushed is not None:  # read it again, as the first line of the section
            self._block = [self._pushed, *self._block[self._pos :]]
            self._pos = 0
            self._pushed = None
        base = self.line_no
        lines = chain.from_iterable(self._section_blocks(stop, stop_at))
        reader = csv.reader(lines, delimiter=delimiter, strict=False)
        while True:
            start = base + reader.line_num + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(
                    "malformed_csv", {"detail": str(exc)}, filename=self.filename, line=start
                ) from exc
            finally:
                self.line_no = base + reader.line_num
            if fields and any(map(str.strip, fields)):
                yield start, fields


def open_csv(
    binary, filename, *, encoding, head, candidates=WESTERN_ENCODINGS, delimiter=",", clean=str.strip
):
    """Open a CSV file whose first row is its header.

    Returns ``(reader, rows, header_no, header)``: the :class:`LineReader`, the
    iterator of its ``(line_no, fields)`` rows after the header, the header's line
    number and its names passed through ``clean``, a byte-order mark dropped.
    """
    reader = LineReader(binary, filename, encoding=encoding, candidates=candidates, head=head)
    rows = reader.csv_rows(delimiter=delimiter)
    first = next(rows, None)
    if first is None:
        raise InputError("file_empty", filename=filename)
    header_no, header = first
    return reader, rows, header_no, [clean(name).lstrip("\ufeff") for name in header]


def clean_cell(text):
    """Strip the decorations exports put around values.

    WeChat prefixes every value with a backtick, Alipay appends a TAB to ids,
    spreadsheet-safe exports write ``="0123"`` or a leading apostrophe.
    """
    text = text.strip()  # whitespace, TABs included
    if text.startswith("`"):
        text = text[1:].strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    return text


#: Whitespace right after a cell's leading backtick (cells joined with NUL, see clean_row).
_SPACE_AFTER_BACKTICK = re.compile(r"\0\s")


def clean_row(fields):
    """``[clean_cell(f) for f in fields]``, with whole-row string operations.

    This runs for every row of every file, and WeChat decorates every cell: the
    cells are stripped, joined with NUL, their leading backticks dropped with one
    ``replace`` and split again. The rare rows this cannot do exactly (a cell
    holding NUL, space after a backtick, an ``="..."`` cell) go cell by cell.
    """
    cells = list(map(str.strip, fields))
    joined = "\0" + "\0".join(cells)
    if "`" in joined:
        joined = joined.replace("\0`", "\0")
        if _SPACE_AFTER_BACKTICK.search(joined):
            return [clean_cell(text) for text in fields]
        cells = None
    if '\0="' in joined or joined.count("\0") != len(fields):
        return [clean_cell(text) for text in fields]
    return joined[1:].split("\0") if cells is None else cells


def strip_trailing_empty(fields):
    """Drop the empty cells a trailing comma leaves at the end of a row."""
    end = len(fields)
    while end and not fields[end - 1].strip():
        end -= 1
    return fields[:end]


def check_columns(header, *, required, allowed=(), filename, line, fmt_name, allow_unknown=False):
    """Raise :class:`InputError` for a missing, duplicated or unexpected column."""
    seen = set()
    for index, name in enumerate(header, start=1):
        if name in seen:
            raise InputError(
                "column_twice",
                {"fmt_name": fmt_name, "column": name},
                filename=filename,
                line=line,
                column=name,
                value=name,
            )
        seen.add(name)
        if not allow_unknown and name not in required and name not in allowed:
            raise InputError(
                "column_extra",
                {"fmt_name": fmt_name, "column": name, "index": index},
                filename=filename,
                line=line,
                column=name,
                value=name,
            )
    missing = [name for name in required if name not in seen]
    if missing:
        raise InputError(
            "columns_missing",
            {"fmt_name": fmt_name, "columns": ", ".join(missing)},
            filename=filename,
            line=line,
            column=missing[0],
            value=",".join(header),
        )


def row_dict(header, fields, *, filename, line, clean=clean_cell, allow_short=False):
    """Map header -> cleaned value; a row with more or fewer cells than the header fails."""
    if len(fields) != len(header):
        if len(fields) > len(header) and not any(f.strip() for f in fields[len(header) :]):
            fields = fields[: len(header)]
        if len(fields) != len(header) and not (allow_short and len(fields) < len(header)):
            raise InputError(
                "row_cells",
                {"cells": len(fields), "columns": len(header)},
                filename=filename,
                line=line,
                column=header[min(len(fields), len(header)) - 1] if header else None,
                value=",".join(fields),
            )
        fields = fields + [""] * (len(header) - len(fields))
    raw = dict(zip(header, fields, strict=True))
    if len(raw) != len(fields):  # a repeated column name: the last cell wins, as it always did
        fields = list(raw.values())
    cleaned = clean_row(fields) if clean is clean_cell else map(clean, fields)
    return raw, dict(zip(raw, cleaned, strict=True))


#: Plain amount texts already read -> their Decimal (Decimals are immutable, so can be
#: shared). Files repeat amounts (0.00 above all): a hit skips the parsing. Bounded.
_AMOUNT_CACHE = {}
_AMOUNT_CACHE_SIZE = 4096
#: ``cached_amount(text)``: the Decimal of a plain amount text read before, else None.
cached_amount = _AMOUNT_CACHE.get


def amount(values, column, *, filename, line, decimal_comma=False):
    """Parse ``values[column]`` as money, locating any error."""
    text = values.get(column, "")
    if not decimal_comma and type(text) is str:
        value = cached_amount(text)
        if value is not None:
            return value
        if is_simple_amount(text):  # the fast path of parse_amount, without its call
            value = Decimal(text)
            if len(_AMOUNT_CACHE) < _AMOUNT_CACHE_SIZE:
                _AMOUNT_CACHE[text] = value
            return value
    try:
        return parse_amount(text, decimal_comma=decimal_comma, column=column)
    except InputError as exc:
        raise exc.located(filename=filename, line=line, column=column, value=text) from None


_TZ_SUFFIX = re.compile(r"\s*(UTC|GMT|Z)$", re.IGNORECASE)


ISO_SECONDS = "%Y-%m-%d %H:%M:%S"
#: Formats that cannot read a 'YYYY-MM-DD HH:MM:SS' text, so may come before ISO_SECONDS.
_NOT_ISO_SECONDS = frozenset({"%Y-%m-%d", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"})


@functools.lru_cache(maxsize=64)
def _reads_iso_seconds_first(formats):
    """True when ``formats`` read a 'YYYY-MM-DD HH:MM:SS' text with ISO_SECONDS."""
    for fmt in formats:
        if fmt == ISO_SECONDS:
            return True
        if fmt not in _NOT_ISO_SECONDS:
            return False
    return False


def _iso_seconds(value, formats, tz):
    """The datetime of a plain 'YYYY-MM-DD HH:MM:SS' value read with ``formats``, else None.

    Same result as ``strptime(value, ISO_SECONDS)`` (this only accepts ASCII digits
    in their fixed places, which that format also reads) at a fraction of its cost.
    """
    if not (
        len(value) == 19
        and value[4] == value[7] == "-"
        and value[10] == " "
        and value[13] == value[16] == ":"
        and value[11:13] < "24"  # newer Pythons read 24:00:00 as the next midnight
    ):
        return None
    try:
        if not _reads_iso_seconds_first(formats):
            return None
    except TypeError:  # formats given as a list
        if not _reads_iso_seconds_first(tuple(formats)):
            return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=tz)
    except ValueError:
        return None  # let strptime say what is wrong


def parse_datetime(text, formats, *, tz, column, filename, line):
    """Parse ``text`` with the first matching strptime format.

    A value carrying its own offset (``%z`` or a ``UTC``/``Z`` suffix) keeps it;
    a naive one is taken as local time in ``tz``.
    """
    value = text.strip()
    parsed = _iso_seconds(value, formats, tz)
    if parsed is not None:
        return parsed
    if not value:
        raise InputError("missing_date", filename=filename, line=line, column=column, value=text)
    explicit_utc = False
    if _TZ_SUFFIX.search(value) and not re.search(r"[+-]\d\d:?\d\d$", value):
        value = _TZ_SUFFIX.sub("", value)
        explicit_utc = True
    for fmt in formats:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC if explicit_utc else tz)
        return parsed
    raise InputError("bad_datetime", {"value": text}, filename=filename, line=line, column=column, value=text)


def parse_date(text, formats, *, column, filename, line):
    """Parse a date (no time) with the first matching strptime format."""
    value = text.strip()
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise InputError("bad_date", {"value": text}, filename=filename, line=line, column=column, value=text)


def timezone_of(name):
    """A tzinfo for ``name`` ('UTC', 'Asia/Shanghai', ...) or a tzinfo passed as is."""
    if name is None:
        return UTC
    if not isinstance(name, str):
        return name
    if name.upper() == "UTC":
        return UTC
    if name == "Asia/Shanghai":
        return SHANGHAI
    return ZoneInfo(name)


def statement_line(filename, line_no, **fields):
    """``new_statement_line(...)``, any error located at the row it comes from."""
    try:
        return new_statement_line(line_no=line_no, **fields)
    except InputError as exc:
        raise exc.located(filename=filename, line=line_no) from None


def check_total(declared, computed, *, what, filename, line, column=None, tolerance=0):
    """Raise when a footer/summary figure disagrees with the sum of the rows."""
    if abs(declared - computed) > tolerance:
        raise InputError(
            "total_mismatch",
            {"what": what, "declared": declared, "computed": computed},
            filename=filename,
            line=line,
            column=column,
            value=str(declared),
        )


def none_if_empty(text):
    """``text`` stripped, or None when that is empty."""
    return (text or "").strip() or None
