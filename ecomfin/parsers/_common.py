"""Shared plumbing of the parsers: bytes in, decoded physical lines and CSV rows out.

Everything here streams: a file is read in chunks, split into physical lines
(``\\n`` never occurs inside a multi-byte character of UTF-8, GBK or GB18030),
each line decoded on its own, so a decoding error is reported with its line
number. CSV rows come from :mod:`csv` fed line by line, so quoted fields spanning
several lines still work and every row knows the physical line it starts on.
"""

import codecs
import csv
import io
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import InputError
from ..money import parse_amount

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
            "file is UTF-16 encoded; export it again as UTF-8 or GBK CSV",
            filename=filename,
            line=1,
        )
    if b"\x00" in head[:4096]:
        raise InputError("file holds NUL bytes: binary data, not a text export", filename=filename, line=1)
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
    raise InputError(f"wrong encoding: the bytes are neither {names}", filename=filename, line=line)


def describe_encoding(encoding):
    return _ENCODING_NAMES.get(encoding, encoding)


def open_binary(source):
    """A binary file object for bytes, a binary file object, or a path."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source))
    if isinstance(source, str):
        return open(source, "rb")
    if hasattr(source, "read"):
        return source
    raise TypeError(f"cannot read {type(source).__name__}: give bytes or a binary file object")


class LineReader:
    """Decoded physical lines of a binary file, numbered from 1.

    ``line_no`` is the number of the last line handed out. One line can be
    pushed back (to stop a CSV section and read the line again as a footer).
    """

    def __init__(self, binary, filename, *, encoding=None, candidates=CHINESE_ENCODINGS, head=None):
        self.filename = filename
        self._binary = binary
        if head is None:
            head = binary.read(HEAD_SIZE)
        self._complete = len(head) < HEAD_SIZE
        self.head = head
        if not head.strip():
            raise InputError("file is empty", filename=filename)
        self.encoding = encoding or detect_encoding(
            head, candidates=candidates, filename=filename, complete=self._complete
        )
        self._raw_lines = self._split(head)
        self._pushed = None
        self.line_no = 0
        self._first = True

    def _split(self, head):
        buffer = head
        while True:
            chunk = b"" if self._complete else self._binary.read(CHUNK_SIZE)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            yield from (line + b"\n" for line in lines)
        *lines, buffer = buffer.split(b"\n")
        yield from (line + b"\n" for line in lines)
        if buffer:
            yield buffer

    def __iter__(self):
        return self

    def __next__(self):
        if self._pushed is not None:
            line, self._pushed = self._pushed, None
            self.line_no += 1
            return line
        raw = next(self._raw_lines)
        self.line_no += 1
        encoding = self.encoding
        if self._first:
            self._first = False
            if encoding == "utf-8-sig" or raw.startswith(codecs.BOM_UTF8):
                raw = raw.removeprefix(codecs.BOM_UTF8)
                encoding = "utf-8"
        elif encoding == "utf-8-sig":
            encoding = "utf-8"
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"wrong encoding: line is not valid {describe_encoding(self.encoding)} "
                f"(byte {exc.start + 1} of the line)",
                filename=self.filename,
                line=self.line_no,
                value=raw[max(0, exc.start - 8) : exc.end + 8],
            ) from exc

    def push_back(self, line):
        if self._pushed is not None:
            raise RuntimeError("only one line can be pushed back")
        self._pushed = line
        self.line_no -= 1

    def next_nonblank(self):
        """The next line that is not blank, or None at the end of the file."""
        for line in self:
            if line.strip():
                return line
        return None

    def csv_rows(self, *, delimiter=",", stop=None):
        """Yield ``(line_no, fields)`` for each CSV record until ``stop(line)`` or EOF.

        ``line_no`` is the physical line the record starts on. Blank lines are
        skipped. A line for which ``stop`` returns true is pushed back, unread.
        """

        def fenced():
            for line in self:
                if stop is not None and stop(line):
                    self.push_back(line)
                    return
                yield line

        reader = csv.reader(fenced(), delimiter=delimiter, strict=False)
        while True:
            start = self.line_no + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(f"malformed CSV: {exc}", filename=self.filename, line=start) from exc
            if not fields or all(not f.strip() for f in fields):
                continue
            yield start, fields


def clean_cell(text):
    """Strip the decorations exports put around values.

    WeChat prefixes every value with a backtick, Alipay appends a TAB to ids,
    spreadsheet-safe exports write ``="0123"`` or a leading apostrophe.
    """
    text = text.strip().strip("\t").strip()
    if text.startswith("`"):
        text = text[1:].strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    return text


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
                f"{fmt_name}: column {name!r} appears twice in the header",
                filename=filename,
                line=line,
                column=name,
                value=name,
            )
        seen.add(name)
        if not allow_unknown and name not in required and name not in allowed:
            raise InputError(
                f"{fmt_name}: unexpected extra column {name!r} (column {index}) in the header",
                filename=filename,
                line=line,
                column=name,
                value=name,
            )
    missing = [name for name in required if name not in seen]
    if missing:
        raise InputError(
            f"{fmt_name}: missing column(s) {', '.join(missing)} in the header",
            filename=filename,
            line=line,
            column=missing[0],
            value=",".join(header),
        )


def row_dict(header, fields, *, filename, line, clean=clean_cell, allow_short=False):
    """Map header -> cleaned value; a row with more or fewer cells than the header fails."""
    if len(fields) > len(header) and not any(f.strip() for f in fields[len(header) :]):
        fields = fields[: len(header)]
    if len(fields) != len(header) and not (allow_short and len(fields) < len(header)):
        raise InputError(
            f"row has {len(fields)} cells but the header has {len(header)} columns",
            filename=filename,
            line=line,
            column=header[min(len(fields), len(header)) - 1] if header else None,
            value=",".join(fields),
        )
    raw = {name: fields[i] if i < len(fields) else "" for i, name in enumerate(header)}
    values = {name: clean(text) for name, text in raw.items()}
    return raw, values


def amount(values, column, *, filename, line, decimal_comma=False):
    """Parse ``values[column]`` as money, locating any error."""
    text = values.get(column, "")
    try:
        return parse_amount(text, decimal_comma=decimal_comma, column=column)
    except InputError as exc:
        raise exc.located(filename=filename, line=line, column=column, value=text) from None


_TZ_SUFFIX = re.compile(r"\s*(UTC|GMT|Z)$", re.IGNORECASE)


def parse_datetime(text, formats, *, tz, column, filename, line):
    """Parse ``text`` with the first matching strptime format.

    A value carrying its own offset (``%z`` or a ``UTC``/``Z`` suffix) keeps it;
    a naive one is taken as local time in ``tz``.
    """
    value = text.strip()
    if not value:
        raise InputError("missing date", filename=filename, line=line, column=column, value=text)
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
    raise InputError(
        f"cannot read date/time {text!r}", filename=filename, line=line, column=column, value=text
    )


def parse_date(text, formats, *, column, filename, line):
    """Parse a date (no time) with the first matching strptime format."""
    value = text.strip()
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise InputError(f"cannot read date {text!r}", filename=filename, line=line, column=column, value=text)


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


def check_total(declared, computed, *, what, filename, line, column=None, tolerance=0):
    """Raise when a footer/summary figure disagrees with the sum of the rows."""
    if abs(declared - computed) > tolerance:
        raise InputError(
            f"{what}: the file declares {declared} but its rows add up to {computed}",
            filename=filename,
            line=line,
            column=column,
            value=str(declared),
        )


def none_if_empty(text):
    text = (text or "").strip()
    return text or None
