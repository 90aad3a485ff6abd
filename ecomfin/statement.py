# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The normalized shape every statement parser produces.

A parser turns one provider file into a :class:`ParsedStatement`: a few facts read
from the file's head (format, currency, period, account), the totals the file
declares about itself, and a *stream* of :class:`StatementLine` records. Lines are
produced while the file is read; the file's own footer or summary is checked
against the lines when the stream ends, so a caller that consumes the whole
stream before committing gets all-or-nothing behaviour.

Order exports are read into :class:`OrderLine` records instead, grouped into
:class:`Order` objects by ``ecomfin.parsers.orders``.

Sign conventions (shared by every parser):

* ``gross`` is the movement of the provider balance (or bank account) the line
  describes: positive when money comes in (sale), negative when it goes out
  (refund, payout, fee deducted as its own line).
* ``fee`` is what the provider withheld *from this line*, positive when charged,
  negative when given back (WeChat refunds its fee on refunds).
* ``net = gross - fee``, always; constructing a line that breaks it fails.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

from .errors import InputError
from .vocab import LINE_TYPES, ORDER_STATUSES  # the codes lines and orders are checked against


def _canonical_amount(value):
    """Amount text that ignores trailing zeros: 12.5, 12.50 and 12.500 hash alike."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


#: Currency codes already found valid (a file names one or two, on every line).
_VALID_CURRENCIES = set()


def _check_currency(currency):
    if type(currency) is str and currency in _VALID_CURRENCIES:
        return
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha() and currency.isupper()):
        raise InputError("bad_currency_code", {"value": currency}, value=currency)
    if type(currency) is str and len(_VALID_CURRENCIES) < 1000:
        _VALID_CURRENCIES.add(currency)


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One money movement of a provider statement, in normalized form."""

    provider_txn_id: str | None
    order_ref: str | None
    merchant_order_ref: str | None
    counterparty: str | None
    line_type: str
    gross: Decimal
    fee: Decimal
    net: Decimal
    currency: str
    occurred_at: datetime
    payout_ref: str | None = None
    memo: str = ""
    raw: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    line_no: int = 0

    def __post_init__(self):
        if self.line_type not in LINE_TYPES:
            raise InputError("unknown_line_type", {"value": self.line_type}, value=self.line_type)
        gross, fee, net = self.gross, self.fee, self.net
        if not (isinstance(gross, Decimal) and isinstance(fee, Decimal) and isinstance(net, Decimal)):
            for name in ("gross", "fee", "net"):
                if not isinstance(getattr(self, name), Decimal):
                    raise InputError("not_decimal", {"name": name, "value": getattr(self, name)})
        _check_currency(self.currency)
        if not isinstance(self.occurred_at, datetime) or self.occurred_at.utcoffset() is None:
            raise InputError("naive_datetime", {"value": self.occurred_at})
        if gross - fee != net:
            raise InputError(
                "net_not_gross_minus_fee", {"net": net, "gross": gross, "fee": fee}, value=str(net)
            )

    def fingerprint(self, occurrence=0):
        """SHA-256 (hex) of the canonical fields, for lines without a provider id.

        The physical line number and the raw text are left out, so the same
        movement exported twice (in overlapping files) has the same fingerprint.
        Two genuinely identical movements in one file can be told apart by the
        caller with ``occurrence`` (0 for the first, 1 for the second, ...).
        """
        parts = [
            self.provider_txn_id or "",
            self.order_ref or "",
            self.merchant_order_ref or "",
            self.counterparty or "",
            self.line_type,
            _canonical_amount(self.gross),
            _canonical_amount(self.fee),
            _canonical_amount(self.net),
            self.currency,
            self.occurred_at.astimezone(timezone.utc).isoformat(),
            self.payout_ref or "",
            self.memo or "",
        ]
        if occurrence:
            parts.append(str(int(occurrence)))
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def new_statement_line(*, raw=None, **fields):
    """``StatementLine(...)`` with keyword arguments only, as the parsers build their lines."""
    return StatementLine(raw={} if raw is None else raw, **fields)


class ParsedStatement:
    """One statement file read by a parser.

    The header facts are known as soon as the object exists; ``declared_totals``
    is complete only after the lines have been consumed (footers come last).
    Iterate the object (once) to get the :class:`StatementLine` records::

        stmt = parse(fileobj, "alipay.zip")
        for line in stmt:          # raises InputError on a bad row or footer
            ...
        stmt.totals                 # {'sale': (count, Decimal sum of gross), ...}

    ``warnings`` collects findings that do not stop the import (for example a
    CAMT statement whose entries do not add up to its balances, unless the
    parser was asked to be strict), as :class:`~ecomfin.errors.Message` (codes
    with parameters, rendered in the user's language by the addon).
    """

    def __init__(
        self,
        fmt,
        filename,
        *,
        currency=None,
        period_start=None,
        period_end=None,
        account=None,
        declared_totals=None,
        meta=None,
    ):
        self.fmt = fmt
        self.filename = filename
        self.currency = currency
        self.period_start = period_start
        self.period_end = period_end
        self.account = account
        self.declared_totals = dict(declared_totals or {})
        self.meta = dict(meta or {})
        self.warnings = []
        self.totals = {}
        self.line_count = 0
        self.finished = False
        self._source = None
        self._started = False

    def attach(self, lines):
        """Give the statement its line generator (done once, by the parser)."""
        self._source = lines
        return self

    def __iter__(self):
        if self._started:
            raise RuntimeError(f"{self.filename}: a statement's lines can be read only once")
        self._started = True
        return self._stream()

    def _stream(self):
        totals = self.totals
        empty = (0, Decimal(0))
        for line in self._source:
            line_type = line.line_type
            count, total = totals.get(line_type, empty)
            totals[line_type] = (count + 1, total + line.gross)
            self.line_count += 1
            yield line
        self.finished = True

    @property
    def lines(self):
        """The line stream (same as iterating the statement)."""
        return iter(self)

    def read_all(self):
        """Consume the stream into a list (convenient for small files and tests)."""
        return list(self)

    def __repr__(self):
        return (
            f"<ParsedStatement {self.fmt} {self.filename!r} {self.currency} "
            f"{self.period_start}..{self.period_end} account={self.account!r}>"
        )


@dataclass(frozen=True, slots=True)
class OrderHead:
    """The order-level fields of a platform order, first of :class:`OrderLine` and :class:`Order`."""

    order_ref: str
    order_time: datetime
    paid_time: datetime | None
    status: str
    currency: str
    amount_paid: Decimal
    refund_amount: Decimal


#: the names of the order-level fields, in their order
ORDER_HEAD_FIELDS = tuple(name for name in OrderHead.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class OrderLine(OrderHead):
    """One line (SKU) of a platform order, with the order-level fields repeated."""

    sku: str
    quantity: int
    unit_price: Decimal
    buyer_name: str = ""
    buyer_phone: str = ""
    address: str = ""
    line_amount: Decimal | None = None
    raw: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    line_no: int = 0

    def __post_init__(self):
        if self.status not in ORDER_STATUSES:
            raise InputError("unknown_order_status_value", {"value": self.status}, value=self.status)
        _check_currency(self.currency)
        if self.line_amount is None:
            object.__setattr__(self, "line_amount", self.unit_price * self.quantity)

    @property
    def is_refunded(self):
        return self.status in ("refunded", "partially_refunded")


@dataclass(frozen=True, slots=True)
class Order(OrderHead):
    """The lines of one order, grouped; order-level fields taken from its lines."""

    buyer_name: str
    buyer_phone: str
    address: str
    lines: tuple
    line_no: int

    @property
    def lines_total(self):
        return sum((line.line_amount for line in self.lines), Decimal(0))
