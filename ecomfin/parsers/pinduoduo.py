# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Pinduoduo 货款账单 (the shop's payment-account ledger), format code ``pdd_fund``.

The movements of a Pinduoduo shop's 货款账户 (what the platform owes the merchant), as the
merchant backend exports them (财务 > 货款明细 > 导出) and as the daily bill behind
``pdd.finance.balance.daily.bill.url.get`` downloads. GBK or UTF-8 (with a BOM) CSV::

    #拼多多商家货款账单
    #店铺ID：[100123456]
    #账单日期：[2026-12-01]
    商户订单号,发生时间,收入金额(+元),支出金额(-元),账务类型,备注,业务描述
    261201-004812345678901,2026-12-01 10:15:22,100.00,0.00,交易收入,,订单收入
    261201-004812345678901,2026-12-01 10:15:22,0.00,0.60,技术服务费,,技术服务费
    ...
    #收入合计：2笔，共150.00元
    #支出合计：3笔，共1030.60元

A file that starts with the ``#`` title (the daily bill) must end with both footer lines and
they must agree with the rows (a file cut short is refused); an export without the title
starts at the header and has no footer. Full-width brackets and colons in the header and
footer are read as their half-width forms too. Times are Beijing time. Each row is one line:
``gross = 收入 - 支出``, no separate fee (the platform books its fees as rows of their own).
"""

import re
from decimal import Decimal

from ..errors import InputError, Message
from ..statement import ParsedStatement
from ._common import (
    CHINESE_ENCODINGS,
    SHANGHAI,
    LineReader,
    amount,
    check_columns,
    check_total,
    none_if_empty,
    parse_date,
    parse_datetime,
    row_dict,
    statement_line,
    strip_trailing_empty,
)

FMT = "pdd_fund"
TITLE = "#拼多多商家货款账单"
COL_ORDER = "商户订单号"
COL_TIME = "发生时间"
COL_IN = "收入金额(+元)"
COL_OUT = "支出金额(-元)"
COL_TYPE = "账务类型"
COL_MEMO = "备注"
COL_DESC = "业务描述"
COLUMNS = (COL_ORDER, COL_TIME, COL_IN, COL_OUT, COL_TYPE, COL_MEMO, COL_DESC)
#: full-width spellings of the header some exports use -> the names above
_RENAMES = {"收入金额（+元）": COL_IN, "支出金额（-元）": COL_OUT}

#: 账务类型 -> line type; anything else is an ``adjustment``
TYPE_MAP = {
    "交易收入": "sale",
    "订单收入": "sale",
    "退款": "refund",
    "售后退款": "refund",
    "技术服务费": "fee",
    "服务费": "fee",
    "多多进宝佣金": "commission",
    "佣金": "commission",
    "推广费": "promotion",
    "优惠券结算": "promotion",
    "提现": "payout",
    "保证金": "reserve",
    "冻结": "reserve",
    "解冻": "reserve",
    "扣款": "adjustment",
    "售后补偿": "adjustment",
}

_SHOP = re.compile(r"^#店铺ID[：:]\s*[\[【](?P<shop>[^\]】]*)[\]】]")
_DAY = re.compile(r"^#账单日期[：:]\s*[\[【](?P<day>[^\]】]*)[\]】]")
_FOOTER = re.compile(
    r"^#(?P<kind>收入|支出)合计[：:]\s*(?P<count>\d+)\s*笔\s*[，,]\s*共\s*(?P<sum>[-+]?[\d,]*\.?\d*)\s*元"
)
#: the first line after the rows: a footer ('#') line, found many lines at a time
_ROWS_END = re.compile(r"^[^\S\n]*#", re.MULTILINE)
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M")


def _cells(line):
    cells = [
        cell.strip().strip("\t").strip() for cell in strip_trailing_empty(line.rstrip("\r\n").split(","))
    ]
    return [_RENAMES.get(cell, cell) for cell in cells]


def sniff(head_text):
    text = head_text.lstrip("\ufeff").lstrip()
    if text.startswith(TITLE):
        return True
    cells = _cells(text.split("\n", 1)[0])
    return cells[:2] == [COL_ORDER, COL_TIME] and COL_TYPE in cells and COL_IN in cells


def parse(binary, filename, *, encoding=None, head=None):
    """Read a Pinduoduo 货款账单 CSV; return a :class:`ParsedStatement`."""
    reader = LineReader(binary, filename, encoding=encoding, candidates=CHINESE_ENCODINGS, head=head)
    line = reader.next_nonblank()
    titled = line is not None and line.lstrip("\ufeff").strip().rstrip(",") == TITLE
    shop = day = None
    while line is not None and line.lstrip().startswith("#"):
        text = line.strip().rstrip(",")
        if match := _SHOP.match(text):
            shop = match["shop"].strip() or None
        elif match := _DAY.match(text):
            day = parse_date(
                match["day"], ("%Y-%m-%d",), column="账单日期", filename=filename, line=reader.line_no
            )
        line = reader.next_nonblank()
    header = _cells(line or "")
    if header[:2] != [COL_ORDER, COL_TIME]:
        raise reader.wrong_format(
            "not_pdd_fund",
            {"expected": ",".join(COLUMNS)},
            line=reader.line_no or 1,
            value=(line or "").strip()[:60],
        )
    check_columns(header, required=COLUMNS, filename=filename, line=reader.line_no, fmt_name="拼多多货款账单")
    statement = ParsedStatement(FMT, filename, currency="CNY", period_start=day, period_end=day, account=shop)
    statement.meta["encoding"] = reader.encoding
    return statement.attach(_lines(reader, header, statement, titled))


def _lines(reader, header, statement, titled):
    filename = reader.filename
    sums = {"收入": [0, Decimal(0)], "支出": [0, Decimal(0)]}
    zero = Decimal(0)
    for line_no, fields in reader.csv_rows(stop_at=_ROWS_END):
        raw, values = row_dict(header, fields, filename=filename, line=line_no)
        income = amount(values, COL_IN, filename=filename, line=line_no)
        expense = abs(amount(values, COL_OUT, filename=filename, line=line_no))
        if income and expense:
            raise InputError(
                "income_and_expense", filename=filename, line=line_no, column=COL_OUT, value=values[COL_OUT]
            )
        if income < 0:
            raise InputError(
                "negative_income", filename=filename, line=line_no, column=COL_IN, value=values[COL_IN]
            )
        kind = "支出" if expense else "收入"
        sums[kind][0] += 1
        sums[kind][1] += expense or income
        gross = income - expense
        yield statement_line(
            filename,
            line_no,
            provider_txn_id=None,
            order_ref=none_if_empty(values[COL_ORDER]),
            merchant_order_ref=None,
            counterparty=None,
            line_type=TYPE_MAP.get(values[COL_TYPE].strip(), "adjustment"),
            gross=gross,
            fee=zero,
            net=gross,
            currency="CNY",
            occurred_at=parse_datetime(
                values[COL_TIME], _TIME_FORMATS, tz=SHANGHAI, column=COL_TIME, filename=filename, line=line_no
            ),
            memo=" / ".join(filter(None, (values[COL_TYPE], values[COL_MEMO], values[COL_DESC]))),
            raw=raw,
        )
    _check_footer(reader, sums, statement, titled)


def _check_footer(reader, sums, statement, titled):
    filename = reader.filename
    found = {}
    for line in reader:
        text = line.strip().rstrip(",").strip()
        if not text:
            continue
        match = _FOOTER.match(text)
        if match:
            found[match["kind"]] = (
                int(match["count"]),
                Decimal(match["sum"].replace(",", "")),
                reader.line_no,
                text,
            )
        elif not text.startswith("#"):
            raise reader.error("data_after_end_marker", value=text[:60])
    if not titled and not found:
        return  # an export without title has no footer
    for kind in ("收入", "支出"):
        if kind not in found:
            raise reader.error("pdd_footer_missing", {"kind": kind})
        count, total, line_no, text = found[kind]
        label = f"{kind}合计"
        statement.declared_totals[label] = total
        statement.declared_totals[f"{label}笔数"] = Decimal(count)
        if count != sums[kind][0]:
            raise InputError(
                "footer_count",
                {"label": label, "declared": count, "counted": sums[kind][0]},
                filename=filename,
                line=line_no,
                value=text,
            )
        check_total(
            abs(total),
            sums[kind][1],
            what=Message("what_footer", {"label": label}),
            filename=filename,
            line=line_no,
        )
