# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Bank statement CSV read through a column-mapping profile, format code ``bank_csv``.

Banks export CSV in as many layouts as there are banks, so the layout is given
as a *profile* (a plain dict, storable on a journal)::

    {
        "date": "交易日期", "date_format": "%Y-%m-%d",       # or a list of formats
        "amount": "金额",                                      # signed amount, OR:
        "debit": "借方发生额", "credit": "贷方发生额",          # two unsigned columns
        "reference": "流水号", "counterparty": "对方户名",
        "memo": "摘要", "balance": "余额",                      # optional
        "currency": "CNY",                                     # or "currency_column": "币种"
        "decimal_comma": False, "delimiter": ",",
        "encoding": None,                                      # None = detect UTF-8(-BOM)/GBK/GB18030
        "timezone": "Asia/Shanghai",
        "footer_prefixes": ["合计", "总计"],                   # rows starting so end the table
        "default_line_type": "adjustment",
    }

Lines before the header (bank name, account, period...) are skipped: the header
is the first row holding every mapped column. With a ``balance`` column each
row's balance must follow from the previous one and the row's amount (in
either chronological or reverse order, detected from the first two rows).
"""

from decimal import Decimal

from ..errors import InputError
from ..statement import ParsedStatement
from ._common import (
    CHINESE_ENCODINGS,
    LineReader,
    amount,
    clean_cell,
    none_if_empty,
    parse_datetime,
    row_dict,
    statement_line,
    strip_trailing_empty,
    timezone_of,
)

FMT = "bank_csv"
HEADER_SEARCH_LINES = 50
_DEFAULT_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y%m%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
)


def _profile_columns(profile):
    if "date" not in profile:
        raise InputError("bank_profile_date")
    has_amount = bool(profile.get("amount"))
    has_split = bool(profile.get("debit")) and bool(profile.get("credit"))
    if has_amount == has_split:
        raise InputError("bank_profile_amount")
    keys = (
        "date",
        "amount",
        "debit",
        "credit",
        "reference",
        "counterparty",
        "memo",
        "balance",
        "currency_column",
    )
    return [profile[key] for key in keys if profile.get(key)]


def header_matches(head_text, profile):
    """Whether one of the first lines of ``head_text`` names every column of ``profile``."""
    columns = _profile_columns(dict(profile or {}))
    return any(
        all(column in line for column in columns) for line in head_text.splitlines()[:HEADER_SEARCH_LINES]
    )


def parse(binary, filename, *, profile, encoding=None, head=None):
    """Read a bank CSV laid out as ``profile`` describes; return a :class:`ParsedStatement`."""
    profile = dict(profile or {})
    columns = _profile_columns(profile)
    reader = LineReader(
        binary,
        filename,
        encoding=encoding or profile.get("encoding"),
        candidates=CHINESE_ENCODINGS,
        head=head,
    )
    rows = reader.csv_rows(delimiter=profile.get("delimiter", ","))
    header = None
    preamble = []
    for line_no, fields in rows:
        cells = [clean_cell(cell) for cell in strip_trailing_empty(fields)]
        if all(column in cells for column in columns):
            header = cells
            break
        preamble.append(" ".join(cells))
        if line_no > HEADER_SEARCH_LINES:
            break
    if header is None:
        missing = [c for c in columns if not any(c in text for text in preamble)]
        raise reader.wrong_format(
            "bank_no_header",
            {"columns": ", ".join(missing or columns), "lines": HEADER_SEARCH_LINES},
            line=1,
            column=(missing or columns)[0],
        )
    currency = (profile.get("currency") or "").upper() or None
    if currency is None and not profile.get("currency_column"):
        raise InputError("bank_profile_currency", filename=filename)
    statement = ParsedStatement(FMT, filename, currency=currency, account=profile.get("account"))
    statement.meta["encoding"] = reader.encoding
    statement.meta["preamble"] = preamble
    return statement.attach(_lines(rows, header, profile, filename, statement))


def _lines(rows, header, profile, filename, statement):
    decimal_comma = bool(profile.get("decimal_comma"))
    formats = profile.get("date_format") or _DEFAULT_FORMATS
    if isinstance(formats, str):
        formats = (formats,)
    tz = timezone_of(profile.get("timezone", "UTC"))
    footers = tuple(profile.get("footer_prefixes") or ())
    line_type = profile.get("default_line_type", "adjustment")
    balance_column = profile.get("balance")
    previous = None  # (line_no, amount, balance)
    direction = None  # +1: balance after = previous balance + amount; -1: newest first
    first_date = last_date = None

    def money(values, column, line_no):
        return amount(values, column, filename=filename, line=line_no, decimal_comma=decimal_comma)

    for line_no, fields in rows:
        first_cell = clean_cell(fields[0]) if fields else ""
        if footers and first_cell.startswith(footers):
            break
        raw, values = row_dict(
            header,
            strip_trailing_empty(fields) if len(fields) > len(header) else fields,
            filename=filename,
            line=line_no,
            allow_short=True,
        )
        if profile.get("amount"):
            value = money(values, profile["amount"], line_no)
        else:
            debit = abs(money(values, profile["debit"], line_no))
            credit = abs(money(values, profile["credit"], line_no))
            if debit and credit:
                raise InputError(
                    "debit_and_credit",
                    filename=filename,
                    line=line_no,
                    column=profile["debit"],
                    value=values[profile["debit"]],
                )
            value = credit - debit
        occurred = parse_datetime(
            values[profile["date"]], formats, tz=tz, column=profile["date"], filename=filename, line=line_no
        )
        first_date = first_date or occurred.date()
        last_date = occurred.date()
        if balance_column and values.get(balance_column):
            balance = money(values, balance_column, line_no)
            if previous is not None:
                direction = _check_balance(
                    previous, (line_no, value, balance), direction, filename, balance_column
                )
            previous = (line_no, value, balance)
        currency = (values.get(profile.get("currency_column") or "", "") or statement.currency or "").upper()
        if currency in ("RMB", "人民币"):
            currency = "CNY"
        yield statement_line(
            filename,
            line_no,
            provider_txn_id=none_if_empty(values.get(profile.get("reference") or "", "")),
            order_ref=None,
            merchant_order_ref=None,
            counterparty=none_if_empty(values.get(profile.get("counterparty") or "", "")),
            line_type=line_type,
            gross=value,
            fee=Decimal(0),
            net=value,
            currency=currency,
            occurred_at=occurred,
            payout_ref=None,
            memo=values.get(profile.get("memo") or "", ""),
            raw=raw,
        )
    if first_date and last_date:
        statement.period_start, statement.period_end = sorted((first_date, last_date))


def _check_balance(previous, current, direction, filename, column):
    """Running-balance check between two consecutive rows; returns the detected direction."""
    _, prev_amount, prev_balance = previous
    line_no, value, balance = current
    forward = prev_balance + value == balance
    backward = balance + prev_amount == prev_balance
    if direction is None:
        if forward:
            return 1
        if backward:
            return -1
    elif (direction == 1 and forward) or (direction == -1 and backward):
        return direction
    expected = prev_balance + value if direction != -1 else prev_balance - prev_amount
    raise InputError(
        "running_balance",
        {"expected": expected, "found": balance},
        filename=filename,
        line=line_no,
        column=column,
        value=str(balance),
    )
