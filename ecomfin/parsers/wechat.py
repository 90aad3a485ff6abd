# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""WeChat Pay bills: 交易账单 (``wechat_trade``) and 资金账单 (``wechat_fund``).

Both are CSV (UTF-8, often with a BOM) where every value starts with a backtick.
A detail header and rows are followed by a summary header and one summary row.

交易账单, bill type ALL (SUCCESS and REFUND bills have the same shape; the
REFUND bill adds ``退款申请时间,退款成功时间`` after 代金券金额)::

    交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注
    `2024-03-01 10:15:22,`wx2421b1c4370ec43b,`10000100,`0,`,`4200000001202403011234567890,`T1001,`oUpF8u,`JSAPI,`SUCCESS,`CMB_CREDIT,`CNY,`100.00,`0.00,`0,`0,`0.00,`0.00,`,`,`商品A,`,`0.60000,`0.60%,`100.00,`0.00,`
    `2024-03-01 12:00:00,...,`REFUND,...,`0.00,`0.00,`50300001,`R1001,`30.00,`0.00,`ORIGINAL,`SUCCESS,`商品A,`,`-0.18000,`0.60%,`0.00,`30.00,`
    总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额
    `2,`100.00,`30.00,`0.00,`0.42000,`100.00,`30.00

Older merchant accounts lack ``应结订单金额`` and ``代金券金额``; the oldest write
``总金额,企业红包金额,企业红包退款金额`` and ``子商户号`` instead (read as their new names).
A SUCCESS row is a ``sale`` of 应结订单金额 (订单金额 when absent); a REFUND row a
``refund`` of minus 退款金额. 手续费 (five decimals) is the fee; refund rows carry
the fee given back as a negative number. Every summary figure is checked against
the sum of its column.

资金账单::

    记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号
    `2024-03-01 10:15:22,`4200000001202403011234567890,`1900000001202403010000001,`交易,`交易,`收入,`100.00,`1100.00,`system,`缺省,`T1001
    资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额
    `3,`1,`100.00,`2,`30.60
"""

import re
from decimal import Decimal
from operator import add

from ..errors import InputError, Message
from ..statement import ParsedStatement, new_statement_line
from ._common import (
    CHINESE_ENCODINGS,
    SHANGHAI,
    LineReader,
    amount,
    cached_amount,
    check_columns,
    check_total,
    none_if_empty,
    parse_datetime,
    row_dict,
    statement_line,
    strip_trailing_empty,
)

TRADE = "wechat_trade"
FUND = "wechat_fund"

TRADE_COLUMNS = (
    "交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号", "商户订单号", "用户标识",
    "交易类型", "交易状态", "付款银行", "货币种类", "应结订单金额", "代金券金额", "微信退款单号",
    "商户退款单号", "退款金额", "充值券退款金额", "退款类型", "退款状态", "商品名称", "商户数据包",
    "手续费", "费率", "订单金额", "申请退款金额", "费率备注",
)  # fmt: skip
#: Columns every trade bill has (after the old names are renamed).
TRADE_REQUIRED = (
    "交易时间", "公众账号ID", "商户号", "设备号", "微信订单号", "商户订单号", "用户标识", "交易类型",
    "交易状态", "付款银行", "货币种类", "微信退款单号", "商户退款单号", "退款金额", "退款类型",
    "退款状态", "商品名称", "商户数据包", "手续费", "费率", "订单金额",
)  # fmt: skip
TRADE_OPTIONAL = (
    "特约商户号",
    "应结订单金额",
    "代金券金额",
    "充值券退款金额",
    "申请退款金额",
    "费率备注",
    "退款申请时间",
    "退款成功时间",
)
#: Old column names -> current ones.
TRADE_RENAMES = {
    "子商户号": "特约商户号",
    "总金额": "订单金额",
    "企业红包金额": "代金券金额",
    "企业红包退款金额": "充值券退款金额",
}

#: Summary column -> detail column it sums ("*count*" for the row count).
TRADE_SUMMARY = {
    "总交易单数": "*count*",
    "应结订单总金额": "应结订单金额",
    "退款总金额": "退款金额",
    "充值券退款总金额": "充值券退款金额",
    "手续费总金额": "手续费",
    "订单总金额": "订单金额",
    "申请退款总金额": "申请退款金额",
    # names used by older bills
    "总交易额": "订单金额",
    "总退款金额": "退款金额",
    "总企业红包退款金额": "充值券退款金额",
    "总代金券或立减优惠退款金额": "充值券退款金额",
}

FUND_COLUMNS = (
    "记账时间", "微信支付业务单号", "资金流水单号", "业务名称", "业务类型", "收支类型",
    "收支金额(元)", "账户结余(元)", "资金变更提交申请人", "备注", "业务凭证号",
)  # fmt: skip
FUND_SUMMARY = ("资金流水总笔数", "收入笔数", "收入金额", "支出笔数", "支出金额")

#: 资金账单 业务类型 -> line type (anything else: ``adjustment``).
FUND_TYPE_MAP = {
    "交易": "sale",
    "退款": "refund",
    "扣除交易手续费": "fee",
    "手续费": "fee",
    "交易手续费": "fee",
    "提现": "payout",
    "自动提现": "payout",
    "充值": "adjustment",
    "企业付款": "adjustment",
    "冻结": "reserve",
    "解冻": "reserve",
    "代金券": "promotion",
    "营销": "promotion",
    "分账": "commission",
    "分账回退": "commission",
}

_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d  %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M")


def _header_cells(line):
    return [
        cell.strip().lstrip("`").strip()
        for cell in strip_trailing_empty(line.rstrip("\r\n").lstrip("\ufeff").split(","))
    ]


def sniff(head_text):
    """'wechat_trade', 'wechat_fund' or None from the first line of the text."""
    first = head_text.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    cells = _header_cells(first)
    if cells[:1] == ["交易时间"] and ("微信订单号" in cells):
        return TRADE
    if cells[:1] == ["记账时间"] and "资金流水单号" in cells:
        return FUND
    return None


#: The first line after the detail rows: the summary header, the first non-blank line
#: that does not start with a backtick (what :func:`_ends_rows` says, many lines at a time).
_ROWS_END = re.compile(r"^[^\S\n]*[^\s`]", re.MULTILINE)
_SALE_STATUSES = frozenset({"SUCCESS", "PAY", "PAYERROR_REFUND"})
_VOID_STATUSES = frozenset({"REVOKED", "CLOSED", "NOTPAY"})


def _is_data(line):
    return line.lstrip().startswith("`")


def _ends_rows(line):
    """Detail rows start with a backtick; the summary header does not."""
    return bool(line.strip()) and not _is_data(line)


def _open(binary, filename, encoding, head, fmt, first_column, label):
    reader = LineReader(binary, filename, encoding=encoding, candidates=CHINESE_ENCODINGS, head=head)
    line = reader.next_nonblank()
    header = _header_cells(line or "")
    if header[:1] != [first_column]:
        raise reader.wrong_format(
            "not_wechat",
            {"label": label, "expected": first_column},
            line=reader.line_no or 1,
            value=(line or "").strip()[:60],
        )
    statement = ParsedStatement(fmt, filename, currency="CNY")
    statement.meta["encoding"] = reader.encoding
    return reader, header, reader.line_no, statement


def parse_trade(binary, filename, *, encoding=None, head=None):
    """Read a WeChat Pay 交易账单 (ALL, SUCCESS or REFUND); return a :class:`ParsedStatement`."""
    reader, header, header_no, statement = _open(
        binary, filename, encoding, head, TRADE, "交易时间", "交易账单"
    )
    header = [TRADE_RENAMES.get(name, name) for name in header]
    check_columns(
        header,
        required=TRADE_REQUIRED,
        allowed=TRADE_OPTIONAL,
        filename=filename,
        line=header_no,
        fmt_name="WeChat Pay 交易账单",
    )
    statement.meta["layout"] = "current" if "应结订单金额" in header else "old"
    return statement.attach(_trade_lines(reader, header, statement))


def _trade_lines(reader, header, statement):
    filename = reader.filename
    summed = set(TRADE_SUMMARY.values())
    amount_columns = tuple(column for column in header if column in summed)
    sums = [Decimal(0)] * len(amount_columns)
    count = 0
    currencies = set()
    for line_no, fields in reader.csv_rows(stop_at=_ROWS_END):
        raw, values = row_dict(header, fields, filename=filename, line=line_no)
        count += 1
        amounts = {}
        for column in amount_columns:
            value = cached_amount(values[column])
            if value is None:
                value = amount(values, column, filename=filename, line=line_no)
            amounts[column] = value
        sums = list(map(add, sums, amounts.values()))
        currency = (values.get("货币种类") or "CNY").upper()
        if currency in ("RMB", "CNY"):
            currency = "CNY"
        currencies.add(currency)
        status = values["交易状态"]
        fee = amounts["手续费"]
        if status == "REFUND":
            line_type = "refund"
            gross = -amounts["退款金额"]
            provider_id = values["微信退款单号"].strip() or None
            time_column = "退款成功时间" if values.get("退款成功时间") else "交易时间"
        elif status in _SALE_STATUSES:
            line_type = "sale"
            gross = amounts["应结订单金额"] if "应结订单金额" in amounts else amounts["订单金额"]
            provider_id = values["微信订单号"].strip() or None
            time_column = "交易时间"
        elif status in _VOID_STATUSES:
            line_type = "adjustment"
            gross = Decimal(0)
            provider_id = values["微信订单号"].strip() or None
            time_column = "交易时间"
        else:
            raise InputError(
                "unknown_wechat_status",
                {"value": status},
                filename=filename,
                line=line_no,
                column="交易状态",
                value=status,
            )
        memo = " / ".join(
            filter(None, (values["商品名称"], values["商户数据包"], values.get("费率备注", "")))
        )
        try:
            yield new_statement_line(
                provider_txn_id=provider_id,
                order_ref=values["微信订单号"].strip() or None,
                merchant_order_ref=(
                    values["商户退款单号"] if status == "REFUND" else values["商户订单号"]
                ).strip()
                or None,
                counterparty=values["用户标识"].strip() or None,
                line_type=line_type,
                gross=gross,
                fee=fee,
                net=gross - fee,
                currency=currency,
                occurred_at=parse_datetime(
                    values[time_column],
                    _TIME_FORMATS,
                    tz=SHANGHAI,
                    column=time_column,
                    filename=filename,
                    line=line_no,
                ),
                payout_ref=None,
                memo=memo,
                raw=raw,
                line_no=line_no,
            )
        except InputError as exc:
            raise exc.located(filename=filename, line=line_no) from None
    sums = dict(zip(amount_columns, sums, strict=True))
    if len(currencies) == 1:
        statement.currency = currencies.pop()

    summary, summary_no = _read_summary(reader, "总交易单数", "交易账单")
    for name, value in summary.items():
        column = TRADE_SUMMARY.get(name)
        if column is None:
            continue
        declared = _summary_amount(value, name, filename, summary_no)
        statement.declared_totals[name] = declared
        if column == "*count*":
            check_total(
                declared,
                Decimal(count),
                what=Message("what_summary_count", {"label": name}),
                filename=filename,
                line=summary_no,
                column=name,
            )
        elif column in sums:
            check_total(
                declared,
                sums[column],
                what=Message("what_summary", {"label": name}),
                filename=filename,
                line=summary_no,
                column=name,
            )


def parse_fund(binary, filename, *, encoding=None, head=None):
    """Read a WeChat Pay 资金账单; return a :class:`ParsedStatement`."""
    reader, header, header_no, statement = _open(
        binary, filename, encoding, head, FUND, "记账时间", "资金账单"
    )
    check_columns(
        header, required=FUND_COLUMNS, filename=filename, line=header_no, fmt_name="WeChat Pay 资金账单"
    )
    return statement.attach(_fund_lines(reader, header, statement))


def _fund_lines(reader, header, statement):
    filename = reader.filename
    counts = {"收入": 0, "支出": 0}
    sums = {"收入": Decimal(0), "支出": Decimal(0)}
    for line_no, fields in reader.csv_rows(stop=_ends_rows):
        raw, values = row_dict(header, fields, filename=filename, line=line_no)
        direction = values["收支类型"]
        if direction not in counts:
            raise InputError(
                "unknown_wechat_direction",
                {"value": direction},
                filename=filename,
                line=line_no,
                column="收支类型",
                value=direction,
            )
        value = abs(amount(values, "收支金额(元)", filename=filename, line=line_no))
        counts[direction] += 1
        sums[direction] += value
        gross = value if direction == "收入" else -value
        biz_type = values["业务类型"]
        yield statement_line(
            filename,
            line_no,
            provider_txn_id=none_if_empty(values["资金流水单号"]),
            order_ref=none_if_empty(values["微信支付业务单号"]),
            merchant_order_ref=none_if_empty(values["业务凭证号"]),
            counterparty=none_if_empty(values["资金变更提交申请人"]),
            line_type=FUND_TYPE_MAP.get(biz_type, FUND_TYPE_MAP.get(values["业务名称"], "adjustment")),
            gross=gross,
            fee=Decimal(0),
            net=gross,
            currency="CNY",
            occurred_at=parse_datetime(
                values["记账时间"],
                _TIME_FORMATS,
                tz=SHANGHAI,
                column="记账时间",
                filename=filename,
                line=line_no,
            ),
            payout_ref=None,
            memo=" / ".join(part for part in (values["业务名称"], values["备注"]) if part and part != "缺省"),
            raw=raw,
        )

    summary, summary_no = _read_summary(reader, "资金流水总笔数", "资金账单")
    computed = {
        "资金流水总笔数": Decimal(counts["收入"] + counts["支出"]),
        "收入笔数": Decimal(counts["收入"]),
        "收入金额": sums["收入"],
        "支出笔数": Decimal(counts["支出"]),
        "支出金额": sums["支出"],
    }
    for name in FUND_SUMMARY:
        if name not in summary:
            raise InputError(
                "summary_column_missing",
                {"column": name},
                filename=filename,
                line=summary_no - 1,
                column=name,
            )
        declared = abs(_summary_amount(summary[name], name, filename, summary_no))
        statement.declared_totals[name] = declared
        check_total(
            declared,
            computed[name],
            what=Message("what_summary", {"label": name}),
            filename=filename,
            line=summary_no,
            column=name,
        )


def _summary_amount(text, name, filename, line):
    return amount({name: text}, name, filename=filename, line=line)


def _read_summary(reader, first_column, label):
    """Read the summary header and its one row; return ({column: text}, line_no)."""
    filename = reader.filename
    line = reader.next_nonblank()
    if line is None:
        raise reader.error("wechat_summary_missing", {"label": label, "column": first_column})
    header = _header_cells(line)
    if header[:1] != [first_column]:
        raise reader.error(
            "wechat_summary_header",
            {"label": label, "column": first_column},
            value=line.strip()[:60],
        )
    header_no = reader.line_no
    row = reader.next_nonblank()
    if row is None:
        raise InputError("wechat_summary_row_missing", {"label": label}, filename=filename, line=header_no)
    row_no = reader.line_no
    cells = _header_cells(row)
    if len(cells) != len(header):
        raise reader.error("summary_cells", {"cells": len(cells), "columns": len(header)}, value=row.strip())
    extra = reader.next_nonblank()
    if extra is not None:
        raise reader.error("data_after_summary", value=extra.strip()[:60])
    return dict(zip(header, cells, strict=True)), row_no
