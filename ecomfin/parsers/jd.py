# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""JD (京东) POP settlement bill, 日账单明细, format code ``jd_settlement``.

The merchant backend's 结算管理 > 日账单 > 下载明细 (and the JD connector's ``bill`` stream,
which renders the API's rows into the same file): a CSV, GBK when downloaded (UTF-8 with a
BOM when rendered), one row per fee item of an order or after-sales document::

    订单编号,单据编号,单据类型,商品编号,商户订单号,商品名称,结算状态,费用发生时间,费用计费时间,费用结算时间,费用项,金额,币种,商家应收/应付,钱包结算备注,店铺号,备注
    283746501234,9001000001,订单,100012345678,,龙井茶 250g,已结算,2026-11-30 10:15:22,2026-12-01 02:00:00,2026-12-01 03:00:00,货款,136.00,人民币,应收,,10086,
    283746501234,9001000001,订单,100012345678,,龙井茶 250g,已结算,2026-11-30 10:15:22,2026-12-01 02:00:00,2026-12-01 03:00:00,佣金,-10.88,人民币,应付,,10086,
    合计,,,,,,,,,,,125.12,,,,,

``金额`` is signed from the shop's side (应收 positive, 应付 negative). Each row is a line of
its own (``fee`` 0, ``net`` = ``gross`` = 金额) typed by its 费用项 (:data:`FEE_TYPES`; 货款 is
a sale, or a refund when negative or on an after-sales document). A last ``合计`` row, when the
file has one, must equal the sum of 金额 (a download cut short fails there); nothing may follow
it. Times are Beijing time; 费用计费时间 is when the line counts (费用发生时间 when it is empty).
"""

from decimal import Decimal

from ..errors import InputError, Message
from ..statement import ParsedStatement
from ._common import (
    CHINESE_ENCODINGS,
    SHANGHAI,
    amount,
    check_columns,
    check_total,
    clean_cell,
    none_if_empty,
    open_csv,
    parse_datetime,
    row_dict,
    statement_line,
)

FMT = "jd_settlement"
FMT_NAME = "JD 日账单明细"

COL_ORDER = "订单编号"
COL_DOC = "单据编号"
COL_DOC_TYPE = "单据类型"
COL_SKU = "商品编号"
COL_MERCHANT_ORDER = "商户订单号"
COL_ITEM = "商品名称"
COL_STATUS = "结算状态"
COL_HAPPENED = "费用发生时间"
COL_BILLED = "费用计费时间"
COL_SETTLED = "费用结算时间"
COL_FEE = "费用项"
COL_AMOUNT = "金额"
COL_CURRENCY = "币种"
COL_DIRECTION = "商家应收/应付"
COL_WALLET_MEMO = "钱包结算备注"
COL_SHOP = "店铺号"
COL_MEMO = "备注"
#: the columns in the order the backend writes them
COLUMNS = (
    COL_ORDER, COL_DOC, COL_DOC_TYPE, COL_SKU, COL_MERCHANT_ORDER, COL_ITEM, COL_STATUS,
    COL_HAPPENED, COL_BILLED, COL_SETTLED, COL_FEE, COL_AMOUNT, COL_CURRENCY, COL_DIRECTION,
    COL_WALLET_MEMO, COL_SHOP, COL_MEMO,
)  # fmt: skip
REQUIRED = (COL_ORDER, COL_DOC, COL_DOC_TYPE, COL_BILLED, COL_FEE, COL_AMOUNT)
TOTAL_MARK = "合计"

#: 费用项 -> line type (anything else: ``adjustment``)
FEE_TYPES = {
    "货款": "sale",
    "佣金": "commission",
    "广告联合活动降扣佣金": "commission",
    "品类服务费": "commission",
    "交易服务费": "fee",
    "支付服务费": "fee",
    "平台使用费": "fee",
    "京豆": "promotion",
    "东券": "promotion",
    "店铺东券": "promotion",
    "优惠券": "promotion",
    "促销": "promotion",
    "运费": "shipping",
    "代收配送费": "shipping",
    "运费险": "shipping",
    "提现": "payout",
    "结算到银行": "payout",
    "保证金": "reserve",
    "质保金": "reserve",
}
#: 单据类型 of after-sales documents: their 货款 is given back
REFUND_DOCUMENTS = ("退款单", "售后服务单", "退货单", "售后退款")
CURRENCIES = {"人民币": "CNY", "RMB": "CNY", "": "CNY"}
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d")


def sniff(head_text):
    """Whether the text starts with a 日账单明细 header."""
    first = head_text.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    cells = {clean_cell(cell) for cell in first.split(",")}
    return {COL_DOC, COL_FEE, COL_AMOUNT, COL_BILLED} <= cells


def parse(binary, filename, *, encoding=None, head=None):
    """Read a JD 日账单明细 CSV; return a :class:`ParsedStatement`."""
    reader, rows, header_no, header = open_csv(
        binary, filename, encoding=encoding, head=head, candidates=CHINESE_ENCODINGS, clean=clean_cell
    )
    check_columns(
        header,
        required=REQUIRED,
        allowed=COLUMNS,
        filename=filename,
        line=header_no,
        fmt_name=FMT_NAME,
    )
    statement = ParsedStatement(FMT, filename, currency="CNY")
    statement.meta["encoding"] = reader.encoding
    return statement.attach(_lines(rows, header, filename, statement))


def _lines(rows, header, filename, statement):
    computed = Decimal(0)
    footer = None
    zero = Decimal(0)
    for line_no, fields in rows:
        if footer is not None:
            raise InputError(
                "data_after_end_marker", filename=filename, line=line_no, value=",".join(fields)[:60]
            )
        if clean_cell(fields[0]) == TOTAL_MARK:
            footer = (line_no, fields)
            continue
        raw, values = row_dict(header, fields, filename=filename, line=line_no)
        gross = amount(values, COL_AMOUNT, filename=filename, line=line_no)
        computed += gross
        fee_item = values[COL_FEE]
        line_type = FEE_TYPES.get(fee_item, "adjustment")
        if line_type == "sale" and (gross < 0 or values[COL_DOC_TYPE] in REFUND_DOCUMENTS):
            line_type = "refund"
        when = values[COL_BILLED] or values.get(COL_HAPPENED, "")
        column = COL_BILLED if values[COL_BILLED] else COL_HAPPENED
        currency = values.get(COL_CURRENCY, "")
        memo_parts = (
            fee_item,
            values.get(COL_ITEM, ""),
            values.get(COL_MEMO, ""),
            values.get(COL_WALLET_MEMO, ""),
        )
        yield statement_line(
            filename,
            line_no,
            provider_txn_id=none_if_empty(values[COL_DOC]),
            order_ref=none_if_empty(values[COL_ORDER]),
            merchant_order_ref=none_if_empty(values.get(COL_MERCHANT_ORDER)),
            counterparty=None,
            line_type=line_type,
            gross=gross,
            fee=zero,
            net=gross,
            currency=CURRENCIES.get(currency, currency),
            occurred_at=parse_datetime(
                when, _TIME_FORMATS, tz=SHANGHAI, column=column, filename=filename, line=line_no
            ),
            payout_ref=none_if_empty(values[COL_DOC]) if line_type == "payout" else None,
            memo=" / ".join(filter(None, memo_parts)),
            raw=raw,
        )
    if footer is not None:
        line_no, fields = footer
        _raw, values = row_dict(header, fields, filename=filename, line=line_no)
        declared = amount(values, COL_AMOUNT, filename=filename, line=line_no)
        statement.declared_totals[TOTAL_MARK] = declared
        check_total(
            declared,
            computed,
            what=Message("what_footer", {"label": TOTAL_MARK}),
            filename=filename,
            line=line_no,
            column=COL_AMOUNT,
        )
