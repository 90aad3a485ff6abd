# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Rows for a set-wise load of parsed files into PostgreSQL (``COPY ... FROM STDIN``).

The Odoo side streams a parsed statement through :class:`CopyStream` (CSV, see
:data:`COPY_OPTIONS`) into a temporary table, then inserts into its own tables with one ``INSERT ... SELECT``
per target. Everything here is pure: which key makes a line unique, how a line
becomes a row, how a row is written in COPY's text format.

Idempotence rests on the key of a line (see :func:`dedup_base`): a provider's own
transaction id where the format guarantees one per movement, otherwise the
line's fingerprint. Identical keys inside one file are numbered by the loader
(second occurrence ``...:1``), so genuinely identical rows are all kept, flagged
for review, and a re-import of the same or an overlapping file finds them again.
"""

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from itertools import islice

from . import parsers
from .parsers.orders import CANONICAL_COLUMNS
from .statement import ORDER_HEAD_FIELDS
from .vocab import ORDER_FORMAT

#: formats whose provider id identifies one money movement (with its line type)
UNIQUE_ID_FORMATS = frozenset({"alipay", "wechat_trade", "wechat_fund", "stripe_balance", "shopify_payouts"})

LINE_COLUMNS = (
    "line_no",
    "dedup_base",
    "provider_txn_id",
    "order_ref",
    "merchant_order_ref",
    "counterparty",
    "line_type",
    "gross",
    "fee",
    "net",
    "currency",
    "occurred_at",
    "payout_ref",
    "memo",
    "raw",
)

ORDER_LINE_COLUMNS = ("line_no", *ORDER_HEAD_FIELDS, "sku", "quantity", "unit_price", "line_amount")

#: the buyer's data of an order: never loaded in clear, the loader encrypts it per order
ORDER_PERSONAL_FIELDS = ("buyer_name", "buyer_phone", "address")


def dedup_base(line, fmt):
    """The key of a statement line before in-file numbering."""
    if line.provider_txn_id and fmt in UNIQUE_ID_FORMATS:
        return f"id:{line.line_type}:{line.provider_txn_id}"
    return f"fp:{line.fingerprint()}"


def raw_json(raw):
    """The raw row of a file as JSON text (stored as jsonb)."""
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":")) if raw else None


def utc_naive(moment):
    """An aware datetime as the naive UTC value Odoo stores."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def statement_rows(lines, fmt):
    """COPY rows (in :data:`LINE_COLUMNS` order) of statement lines."""
    for line in lines:
        yield (
            line.line_no,
            dedup_base(line, fmt),
            line.provider_txn_id,
            line.order_ref,
            line.merchant_order_ref,
            line.counterparty,
            line.line_type,
            line.gross,
            line.fee,
            line.net,
            line.currency,
            utc_naive(line.occurred_at),
            line.payout_ref,
            line.memo or None,
            raw_json(line.raw),
        )


def order_rows(lines, personal=None):
    """COPY rows (in :data:`ORDER_LINE_COLUMNS` order) of order lines.

    The rows hold no personal data: neither the buyer's name, phone and address nor the
    raw row that has them. When ``personal`` (a dict) is given, it receives
    ``{order_ref: {field: text}}`` (:data:`ORDER_PERSONAL_FIELDS`) for each order that has
    some, from its first line (the parsers check that the lines of an order agree).
    """
    for line in lines:
        if (
            personal is not None
            and (line.buyer_name or line.buyer_phone or line.address)
            and line.order_ref not in personal
        ):
            personal[line.order_ref] = {
                name: value for name in ORDER_PERSONAL_FIELDS if (value := getattr(line, name))
            }
        yield (
            line.line_no,
            line.order_ref,
            utc_naive(line.order_time),
            utc_naive(line.paid_time),
            line.status,
            line.currency,
            line.amount_paid,
            line.refund_amount,
            line.sku,
            line.quantity,
            line.unit_price,
            line.line_amount,
        )


COPY_OPTIONS = "(FORMAT csv)"
"""The options of the ``COPY ... FROM STDIN`` that reads a :class:`CopyStream`."""


def copy_value(value):
    """One value as :class:`CopyStream` writes it: ``None`` is NULL, like an empty string."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


class CopyStream(io.RawIOBase):
    """A read-only file whose bytes are ``rows`` in CSV for ``COPY ... FROM STDIN (FORMAT csv)``.

    Rows are written by the C ``csv`` writer: strings, numbers, Decimals and naive
    datetimes (``str()`` of which PostgreSQL reads back exactly); ``None`` and empty
    strings both load as NULL. Use :func:`copy_value` for other values.

    Memory stays bounded by one chunk whatever the number of rows. ``rows_read``
    counts the rows handed out so far (for progress reports). An exception raised
    while producing rows (a parser's ``InputError``) ends the stream and is kept in
    ``error``: the database driver would otherwise replace it by its own error, and
    the caller re-raises it once the COPY returns.
    """

    def __init__(self, rows, chunk_rows=2000):
        super().__init__()
        self._rows = iter(rows)
        self._chunk_rows = chunk_rows
        self._buffer = b""
        self._pos = 0
        self._done = False
        self.rows_read = 0
        self.error = None

    def readable(self):
        return True

    def _fill(self, size):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        length = len(self._buffer) - self._pos
        while not self._done and (size < 0 or length < size):
            chunk = list(islice(self._rows, self._chunk_rows))
            if len(chunk) < self._chunk_rows:
                self._done = True
            writer.writerows(chunk)
            self.rows_read += len(chunk)
            length = len(self._buffer) - self._pos + out.tell()  # characters: a lower bound of bytes
        if out.tell():
            self._buffer = self._buffer[self._pos :] + out.getvalue().encode("utf-8")
            self._pos = 0

    def read(self, size=-1):
        if size is None:
            size = -1
        if self.error is None:
            try:
                self._fill(size)
            except Exception as exc:  # noqa: BLE001 - kept for the caller, see the class docstring
                self.error = exc
                self._done = True
                self._buffer, self._pos = b"", 0
        end = len(self._buffer) if size < 0 else self._pos + size
        data = self._buffer[self._pos : end]
        self._pos += len(data)
        if self._pos >= len(self._buffer):
            self._buffer, self._pos = b"", 0
        return data

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def copy_rows(cursor, statement, rows):
    """Run ``statement`` (a ``COPY ... FROM STDIN`` with :data:`COPY_OPTIONS`) on a DB-API
    ``cursor`` (``copy_expert``), reading ``rows`` through a :class:`CopyStream`; an error
    raised while producing the rows is raised again once the COPY returns."""
    stream = CopyStream(rows)
    cursor.copy_expert(statement, stream)
    if stream.error:
        raise stream.error
    return stream.rows_read


@dataclass(frozen=True, slots=True)
class Detected:
    """What an imported file is, read once from its head (:func:`detect`).

    ``fmt``: the format to parse it with (the caller's, else the one its content says; None
    for a zip, each member says its own, and for an unknown file); ``sniffed``: what its
    content says (:func:`ecomfin.parsers.detect_format`), handed to the parser so that it does
    not read it again; ``profile``: the kind of profile the parser needs (``"bank"``,
    ``"orders"`` or None); ``canonical``: an order export in the canonical layout.
    """

    fmt: str | None
    sniffed: str | None
    profile: str | None = None
    canonical: bool = False


def detect(filename, head, fmt=None, *, bank_profile=False, max_unzipped_bytes=None):
    """The :class:`Detected` of a file from its name and first bytes (``parsers.HEAD_SIZE``; an
    XLSX workbook: the whole file, its sheet is sniffed, within ``max_unzipped_bytes``).

    A bank CSV is never recognised (it needs its profile): it is imported as ``fmt="bank_csv"``.
    A file nothing recognises, imported without a format but with a bank profile chosen
    (``bank_profile``), is given that profile; it is still refused as unrecognised by the parser.
    """
    sniffed = parsers.detect_format(filename, head[: parsers.HEAD_SIZE])
    if sniffed == "zip" and parsers.is_workbook_bytes(head):
        # an XLSX (``head`` is then the whole file) is what the text of its sheet is
        head = parsers.sheet_text(head, filename, fmt, max_unzipped_bytes=max_unzipped_bytes).read(
            parsers.HEAD_SIZE
        )
        sniffed = parsers.detect_format(filename, head)
    if fmt is None and sniffed is None and bank_profile:
        return Detected(None, None, "bank")
    if fmt is None and sniffed != "zip":
        fmt = sniffed
    if fmt == "bank_csv":
        return Detected(fmt, sniffed, "bank")
    if fmt == ORDER_FORMAT:
        header = head[:200].lstrip(b"\xef\xbb\xbf")
        return Detected(fmt, sniffed, "orders", header.startswith(f"{CANONICAL_COLUMNS[0]},".encode()))
    return Detected(fmt, sniffed)
