# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Douyin shop (抖店) 结算账单, format code ``douyin_settlement``.

One row per settled (or refunded-after-settlement) sub-order, as the shop backend exports
its settlement bill (资金 > 结算账单 > 导出) and as ``order.getSettleBillDetailV3`` returns it
(the connector writes the API's rows in this layout, fen turned into yuan). UTF-8 (often with
a BOM) or GBK CSV; ids may carry a leading TAB or backtick to stay text in a spreadsheet::

    结算时间,结算单号,订单号,子订单号,下单时间,商品ID,商品数量,订单类型,业务类型,结算账户,结算单类型,订单总价,商品总价,运费,店铺券,平台补贴,达人补贴,抖音支付补贴,用户实付,结算前退款金额,收入合计,平台服务费,佣金,渠道分成,团长服务费,站外推广费,其他分成,合计支出,商家实收,备注
    2026-12-02 08:00:00,7301...,69301...,69301...,2026-12-01 10:15:22,3587...,1,普通订单,小店自卖,聚合账户,已结算,100.00,100.00,0.00,0.00,0.00,0.00,0.00,100.00,0.00,100.00,0.60,0.00,0.00,0.00,0.00,0.00,0.60,99.40,

Each row is one line: ``gross = 收入合计``, ``fee = 合计支出``, ``net = 商家实收``. The file has no
footer; instead every row must add up: 合计支出 is the sum of its six fee columns, and 商家实收
is 收入合计 minus 合计支出 (a row that does not is refused with its line number). 结算单类型
``已结算`` is a sale, ``结算后退款-*`` a refund (amounts negative), anything else an adjustment.
Times are Beijing time.
"""

from decimal import Decimal

from ..errors import InputError
from ..statement import ParsedStatement
from ._common import (
    CHINESE_ENCODINGS,
    SHANGHAI,
    LineReader,
    amount,
    check_columns,
    none_if_empty,
    parse_datetime,
    row_dict,
    statement_line,
    strip_trailing_empty,
)

FMT = "douyin_settlement"
COLUMNS = (
    "结算时间", "结算单号", "订单号", "子订单号", "下单时间", "商品ID", "商品数量", "订单类型", "业务类型",
    "结算账户", "结算单类型", "订单总价", "商品总价", "运费", "店铺券", "平台补贴", "达人补贴", "抖音支付补贴",
    "用户实付", "结算前退款金额", "收入合计", "平台服务费", "佣金", "渠道分成", "团长服务费", "站外推广费",
    "其他分成", "合计支出", "商家实收", "备注",
)  # fmt: skip
#: the fee columns 合计支出 adds up
OUTCOME_COLUMNS = ("平台服务费", "佣金", "渠道分成", "团长服务费", "站外推广费", "其他分成")
#: 结算单类型 (the API's trade_type) -> line type; anything else is an ``adjustment``
TYPE_MAP = {
    "已结算": "sale",
    "结算后退款-原路退回": "refund",
    "结算后退款-非原路退回": "refund",
    "保证金退款-支出退回": "adjustment",
}
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M")


def _cells(line):
    return [
        cell.strip().lstrip("`").strip()
        for cell in strip_trailing_empty(line.rstrip("\r\n").lstrip("\ufeff").split(","))
    ]


def sniff(head_text):
    cells = _cells(head_text.lstrip("\ufeff").lstrip().split("\n", 1)[0])
    return cells[:2] == ["结算时间", "结算单号"] and "子订单号" in cells and "商家实收" in cells


def parse(binary, filename, *, encoding=None, head=None):
    """Read a Douyin shop 结算账单 CSV; return a :class:`ParsedStatement`."""
    reader = LineReader(binary, filename, encoding=encoding, candidates=CHINESE_ENCODINGS, head=head)
    line = reader.next_nonblank()
    header = _cells(line or "")
    if header[:2] != ["结算时间", "结算单号"]:
        raise reader.wrong_format(
            "not_douyin_settlement",
            {"expected": "结算时间,结算单号"},
            line=reader.line_no or 1,
            value=(line or "").strip()[:60],
        )
    check_columns(header, required=COLUMNS, filename=filename, line=reader.line_no, fmt_name="抖店结算账单")
    statement = ParsedStatement(FMT, filename, currency="CNY")
    statement.meta["encoding"] = reader.encoding
    return statement.attach(_lines(reader, header))


def _lines(reader, header):
    filename = reader.filename
    for line_no, fields in reader.csv_rows():
        raw, values = row_dict(header, fields, filename=filename, line=line_no)
        money = {
            column: amount(values, column, filename=filename, line=line_no)
            for column in ("收入合计", "合计支出", "商家实收", *OUTCOME_COLUMNS)
        }
        income, outcome, net = money["收入合计"], money["合计支出"], money["商家实收"]
        fees = sum((money[column] for column in OUTCOME_COLUMNS), Decimal(0))
        if fees != outcome:
            raise InputError(
                "douyin_outcome",
                {"outcome": outcome, "fees": fees},
                filename=filename,
                line=line_no,
                column="合计支出",
                value=values["合计支出"],
            )
        if income - outcome != net:
            raise InputError(
                "douyin_net",
                {"net": net, "income": income, "outcome": outcome},
                filename=filename,
                line=line_no,
                column="商家实收",
                value=values["商家实收"],
            )
        kind = values["结算单类型"].strip()
        yield statement_line(
            filename,
            line_no,
            provider_txn_id=none_if_empty(values["结算单号"]),
            order_ref=none_if_empty(values["订单号"]),
            merchant_order_ref=none_if_empty(values["子订单号"]),
            counterparty=None,
            line_type=TYPE_MAP.get(kind, "adjustment"),
            gross=income,
            fee=outcome,
            net=net,
            currency="CNY",
            occurred_at=parse_datetime(
                values["结算时间"],
                _TIME_FORMATS,
                tz=SHANGHAI,
                column="结算时间",
                filename=filename,
                line=line_no,
            ),
            memo=" / ".join(filter(None, (kind, values["业务类型"], values["备注"]))),
            raw=raw,
        )
