# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Alipay 账务明细 (account ledger) export, format code ``alipay``.

GBK (sometimes UTF-8) CSV, usually delivered as a ``.csv`` inside a ``.zip``::

    #支付宝账务明细查询
    #账号：[20881234567890120156]
    #起始日期：[2024年03月01日 00:00:00]   终止日期：[2024年03月02日 00:00:00]
    #-----------------------------------------账务明细列表----------------------------------------
    账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注
    2024030120004001\t,2024030122001100\t,T1001\t,商品A\t,2024-03-01 10:15:22\t,张三(zha***@163.com)\t,100.00\t,0.00\t,1100.00\t,支付宝\t,在线支付\t,\t
    ...
    #-----------------------------------------账务明细列表结束------------------------------------
    #支出合计：1笔，共0.60元
    #收入合计：2笔，共150.00元
    #导出时间：[2024年03月02日 09:00:00]

Newer files append ``业务描述,业务账单来源,业务基础订单号,业务订单号`` to the header.
Ids end with a TAB before the comma (so spreadsheets keep them as text); some
exports put a TAB after every value. Times are Beijing time. The two footer
counts and sums must agree with the rows; a file without the end marker or the
footer is truncated and refused.
"""

import re
from decimal import Decimal

from ..errors import InputError, Message
from ..statement import ParsedStatement, new_statement_line
from ._common import (
    CHINESE_ENCODINGS,
    SHANGHAI,
    LineReader,
    amount,
    check_columns,
    check_total,
    none_if_empty,
    parse_datetime,
    row_dict,
    strip_trailing_empty,
)

FMT = "alipay"
TITLE = "#支付宝账务明细查询"

COL_ID = "账务流水号"
COL_BIZ_ID = "业务流水号"
COL_ORDER = "商户订单号"
COL_ITEM = "商品名称"
COL_TIME = "发生时间"
COL_PARTY = "对方账号"
COL_IN = "收入金额（+元）"
COL_OUT = "支出金额（-元）"
COL_BALANCE = "账户余额（元）"
COL_CHANNEL = "交易渠道"
COL_TYPE = "业务类型"
COL_MEMO = "备注"
COLUMNS = (
    COL_ID,
    COL_BIZ_ID,
    COL_ORDER,
    COL_ITEM,
    COL_TIME,
    COL_PARTY,
    COL_IN,
    COL_OUT,
    COL_BALANCE,
    COL_CHANNEL,
    COL_TYPE,
    COL_MEMO,
)
NEW_COLUMNS = ("业务描述", "业务账单来源", "业务基础订单号", "业务订单号")

#: 业务类型 -> line type; anything else is an ``adjustment``.
TYPE_MAP = {
    "在线支付": "sale",
    "交易付款": "sale",
    "交易": "sale",
    "交易收款": "sale",
    "交易退款": "refund",
    "退款": "refund",
    "退款（交易退款）": "refund",
    "服务费": "fee",
    "交易服务费": "fee",
    "收费": "fee",
    "软件服务费": "fee",
    "技术服务费": "fee",
    "提现": "payout",
    "转账": "adjustment",
    "充值": "adjustment",
    "冻结": "reserve",
    "解冻": "reserve",
    "保证金": "reserve",
    "红包": "promotion",
    "营销": "promotion",
    "分账": "commission",
}

_LIST_START = re.compile(r"^#-+\s*账务明细列表\s*-+\s*$")
_LIST_END = re.compile(r"^#-+\s*账务明细列表结束\s*-+\s*$")
_ACCOUNT = re.compile(r"^#账号[：:]\s*\[(?P<account>[^\]]*)\]")
_PERIOD = re.compile(r"^#起始日期[：:]\s*\[(?P<start>[^\]]*)\]\s*终止日期[：:]\s*\[(?P<end>[^\]]*)\]")
_FOOTER = re.compile(
    r"^#(?P<kind>支出|收入)合计[：:]\s*(?P<count>\d+)\s*笔\s*[，,]\s*共\s*(?P<sum>[-+]?[\d,]*\.?\d*)\s*元"
)
#: The first line after the table: the end marker (a '#' line), found many lines at a time.
_ROWS_END = re.compile(r"^[^\S\n]*#", re.MULTILINE)
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M")
_HEADER_DATE_FORMATS = ("%Y年%m月%d日 %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y年%m月%d日", "%Y-%m-%d")


def _meta_line(line):
    """A '#' line with the trailing commas some exports add stripped off."""
    return line.strip().rstrip(",").strip()


def sniff(head_text):
    return head_text.lstrip("\ufeff").startswith(TITLE)


def parse(binary, filename, *, encoding=None, head=None):
    """Read an Alipay 账务明细 CSV; return a :class:`ParsedStatement`."""
    reader = LineReader(binary, filename, encoding=encoding, candidates=CHINESE_ENCODINGS, head=head)
    first = reader.next_nonblank()
    if first is None or _meta_line(first) != TITLE:
        raise reader.wrong_format(
            "not_alipay",
            {"expected": TITLE},
            line=reader.line_no or 1,
            value=(first or "").strip()[:60],
        )
    account = period_start = period_end = None
    while True:
        line = reader.next_nonblank()
        if line is None:
            raise reader.error("alipay_no_marker")
        text = _meta_line(line)
        if not text.startswith("#"):
            raise reader.error(
                "alipay_marker_missing",
                value=text[:60],
            )
        if _LIST_START.match(text):
            break
        if match := _ACCOUNT.match(text):
            account = match["account"].strip() or None
        elif match := _PERIOD.match(text):
            period_start = _header_date(match["start"], filename, reader.line_no, "起始日期")
            period_end = _header_date(match["end"], filename, reader.line_no, "终止日期")

    header_line = reader.next_nonblank()
    header_no = reader.line_no
    if header_line is None:
        raise reader.error("alipay_no_header")
    header = [
        cell.strip().strip("\t").strip()
        for cell in strip_trailing_empty(header_line.rstrip("\r\n").split(","))
    ]
    allowed = NEW_COLUMNS if len(header) > len(COLUMNS) else ()
    check_columns(
        header,
        required=COLUMNS,
        allowed=allowed,
        filename=filename,
        line=header_no,
        fmt_name="Alipay 账务明细",
    )
    if allowed and not all(name in header for name in NEW_COLUMNS):
        missing = [name for name in NEW_COLUMNS if name not in header]
        raise InputError(
            "alipay_new_layout_columns",
            {"columns": ", ".join(missing)},
            filename=filename,
            line=header_no,
            column=missing[0],
            value=header_line.strip(),
        )

    statement = ParsedStatement(
        FMT, filename, currency="CNY", period_start=period_start, period_end=period_end, account=account
    )
    statement.meta["encoding"] = reader.encoding
    return statement.attach(_lines(reader, header, statement))


def _header_date(text, filename, line, column):
    return parse_datetime(
        text, _HEADER_DATE_FORMATS, tz=SHANGHAI, column=column, filename=filename, line=line
    ).date()


def _lines(reader, header, statement):
    filename = reader.filename
    sums = {"收入": [0, Decimal(0)], "支出": [0, Decimal(0)]}
    zero = Decimal(0)
    for line_no, fields in reader.csv_rows(stop_at=_ROWS_END):
        raw, values = row_dict(header, fields, filename=filename, line=line_no)
        income = amount(values, COL_IN, filename=filename, line=line_no)
        expense = abs(amount(values, COL_OUT, filename=filename, line=line_no))
        if income and expense:
            raise InputError(
                "income_and_expense",
                filename=filename,
                line=line_no,
                column=COL_OUT,
                value=values[COL_OUT],
            )
        if income < 0:
            raise InputError(
                "negative_income", filename=filename, line=line_no, column=COL_IN, value=values[COL_IN]
            )
        if expense:
            sums["支出"][0] += 1
            sums["支出"][1] += expense
        else:
            sums["收入"][0] += 1
            sums["收入"][1] += income
        gross = income - expense
        memo_parts = (values[COL_ITEM], values[COL_MEMO], values.get("业务描述", ""))
        order_ref = none_if_empty(values.get("业务订单号")) or values[COL_BIZ_ID].strip() or None
        try:
            yield new_statement_line(
                provider_txn_id=values[COL_ID].strip() or None,
                order_ref=order_ref,
                merchant_order_ref=values[COL_ORDER].strip() or None,
                counterparty=values[COL_PARTY].strip() or None,
                line_type=TYPE_MAP.get(values[COL_TYPE], "adjustment"),
                gross=gross,
                fee=zero,
                net=gross,
                currency="CNY",
                occurred_at=parse_datetime(
                    values[COL_TIME],
                    _DATETIME_FORMATS,
                    tz=SHANGHAI,
                    column=COL_TIME,
                    filename=filename,
                    line=line_no,
                ),
                memo=" / ".join(filter(None, memo_parts)),
                raw=raw,
                line_no=line_no,
            )
        except InputError as exc:
            raise exc.located(filename=filename, line=line_no) from None

    _check_footer(reader, sums, statement)


def _check_footer(reader, sums, statement):
    filename = reader.filename
    line = reader.next_nonblank()
    if line is None or not _LIST_END.match(_meta_line(line)):
        raise reader.error(
            "alipay_no_end_marker",
            value=(line or "").strip()[:60] or None,
        )
    found = {}
    for line in reader:
        text = _meta_line(line)
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
    for kind in ("支出", "收入"):
        if kind not in found:
            raise reader.error("alipay_footer_missing", {"kind": kind})
        count, total, line_no, text = found[kind]
        label = "支出合计" if kind == "支出" else "收入合计"
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
