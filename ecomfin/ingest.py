"""Rows for a set-wise load of parsed files into PostgreSQL (``COPY ... FROM STDIN``).

The Odoo side streams a parsed statement through :class:`CopyStream` into a
temporary table, then inserts into its own tables with one ``INSERT ... SELECT``
per target. Everything here is pure: which key makes a line unique, how a line
becomes a row, how a row is written in COPY's text format.

Idempotence rests on the key of a line (see :func:`dedup_base`): a provider's own
transaction id where the format guarantees one per movement, otherwise the
line's fingerprint. Identical keys inside one file are numbered by the loader
(second occurrence ``...:1``), so genuinely identical rows are all kept, flagged
for review, and a re-import of the same or an overlapping file finds them again.
"""

import io
import json
from datetime import datetime, timezone
from decimal import Decimal

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

ORDER_LINE_COLUMNS = (
    "line_no",
    "order_ref",
    "order_time",
    "paid_time",
    "status",
    "currency",
    "amount_paid",
    "refund_amount",
    "sku",
    "quantity",
    "unit_price",
    "line_amount",
    "buyer_name",
    "buyer_phone",
    "address",
    "raw",
)


def dedup_base(line, fmt):
    """The key of a statement line before in-file numbering."""
    if line.provider_txn_id and fmt in UNIQUE_ID_FORMATS:
        return f"id:{line.line_type}:{line.provider_txn_id}"
    return f"fp:{line.fingerprint()}"


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
            line.raw,
        )


def order_rows(lines):
    """COPY rows (in :data:`ORDER_LINE_COLUMNS` order) of order lines."""
    for line in lines:
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
            line.buyer_name or None,
            line.buyer_phone or None,
            line.address or None,
            line.raw,
        )


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value):
    """One value in PostgreSQL COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)
    return str(value)


class CopyStream(io.RawIOBase):
    """A read-only file whose bytes are ``rows`` in COPY text format, produced on demand.

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
        self._done = False
        self.rows_read = 0
        self.error = None

    def readable(self):
        return True

    def _fill(self, size):
        parts = []
        length = len(self._buffer)
        while not self._done and (size < 0 or length < size):
            for _ in range(self._chunk_rows):
                row = next(self._rows, None)
                if row is None:
                    self._done = True
                    break
                text = "\t".join(map(copy_text, row)) + "\n"
                parts.append(text)
                length += len(text)  # characters: a lower bound of the byte length
                self.rows_read += 1
        if parts:
            self._buffer += "".join(parts).encode("utf-8")

    def read(self, size=-1):
        if size is None:
            size = -1
        if self.error is None:
            try:
                self._fill(size)
            except Exception as exc:  # noqa: BLE001 - kept for the caller, see the class docstring
                self.error = exc
                self._done = True
                self._buffer = b""
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
