# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Platform order exports, format code ``orders_csv``.

The canonical layout is UTF-8 CSV, one row per order line, the order-level
fields repeated on every line of the order::

    order_ref,order_time,paid_time,status,currency,amount_paid,refund_amount,sku,quantity,unit_price,buyer_name,buyer_phone,address
    T1001,2024-03-01 10:00:00,2024-03-01 10:01:00,paid,CNY,130.00,0.00,SKU-A,2,50.00,张三,13800000000,上海市浦东新区XX路1号
    T1001,2024-03-01 10:00:00,2024-03-01 10:01:00,paid,CNY,130.00,0.00,SKU-B,1,30.00,张三,13800000000,上海市浦东新区XX路1号

``status`` is one of paid, shipped, completed, refunded, partially_refunded,
cancelled. The seller-centre exports of Tmall/Taobao, JD, Pinduoduo, Douyin,
Shopify and Amazon are read through *profiles* (:data:`PROFILES`): a dict of
canonical field -> source column (a tuple of columns is joined with spaces),
a status mapping (a status mapped to ``None`` marks rows that are not orders
yet, e.g. unpaid, and they are skipped) and a few switches:

``order_fields_repeated``  every line repeats the order fields (else a blank
                           cell inherits the order's first line, as Shopify writes)
``amounts_per_line``       amount_paid/refund_amount are per line and summed
``check_total``            the lines' amounts must add up to amount_paid (±0.01)
``derive_refund_status``   a refund amount turns the status into (partially_)refunded
``strict_columns``         columns the profile does not name are an error
``known_columns``          columns of the platform's real export the profile knows it
                           does not need (anything else it does not name is reported)
``header_aliases``         another name of a column -> the name the profile uses (the
                           same column renamed by a newer version of the export)
``empty_marks``            cell values that mean "empty" (Douyin writes ``-``)

Columns of the file that the profile neither reads nor knows are not an error: the parsed
file's ``warnings`` name them ("column(s) not understood, ignored"), so a platform that
renames a column is noticed rather than silently read without it (``ignored_columns``).

Rows of one order must be adjacent. Validation: order-level fields consistent
across the order's lines, quantity an integer > 0 (0 allowed on cancelled
lines), amounts and dates readable.
"""

from decimal import Decimal

from ..errors import InputError, Message
from ..money import parse_amount
from ..statement import ORDER_STATUSES, Order, OrderLine
from ._common import (
    CHINESE_ENCODINGS,
    WESTERN_ENCODINGS,
    check_columns,
    clean_cell,
    open_csv,
    parse_datetime,
    row_dict,
    timezone_of,
)

FMT = "orders_csv"
TOLERANCE = Decimal("0.01")
CANONICAL_COLUMNS = (
    "order_ref", "order_time", "paid_time", "status", "currency", "amount_paid", "refund_amount",
    "sku", "quantity", "unit_price", "buyer_name", "buyer_phone", "address",
)  # fmt: skip
ORDER_FIELDS = (
    "order_time",
    "paid_time",
    "status",
    "currency",
    "amount_paid",
    "refund_amount",
    "buyer_name",
    "buyer_phone",
    "address",
)
OPTIONAL_FIELDS = (
    "paid_time",
    "refund_amount",
    "buyer_name",
    "buyer_phone",
    "address",
    "currency",
    "unit_price",
    "line_amount",
)
_CN_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d")
_ISO_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
)

CANONICAL = {
    "name": "canonical",
    "columns": {name: name for name in CANONICAL_COLUMNS},
    "status_map": {status: status for status in ORDER_STATUSES},
    "datetime_formats": _ISO_FORMATS,
    "timezone": "UTC",
    "encodings": ("utf-8",),
    "order_fields_repeated": True,
    "check_total": True,
    "strict_columns": True,
}

TMALL = {
    "name": "tmall",
    "columns": {
        "order_ref": "订单编号",
        "order_time": "订单创建时间",
        "paid_time": "订单付款时间",
        "status": "订单状态",
        "amount_paid": "买家实际支付金额",
        "refund_amount": "退款金额",
        "sku": "商家编码",
        "quantity": "购买数量",
        "unit_price": "价格",
        "buyer_name": "收货人姓名",
        "buyer_phone": "联系手机",
        "address": "收货地址",
    },
    "status_map": {
        "等待买家付款": None,
        "买家已付款，等待卖家发货": "paid",
        "买家已付款,等待卖家发货": "paid",
        "卖家已发货，等待买家确认": "shipped",
        "卖家已发货,等待买家确认": "shipped",
        "交易成功": "completed",
        "交易关闭": "cancelled",
        "付款以前，卖家或买家主动关闭交易": "cancelled",
    },
    "currency": "CNY",
    "datetime_formats": _CN_FORMATS,
    "timezone": "Asia/Shanghai",
    "encodings": CHINESE_ENCODINGS,
    "derive_refund_status": True,
    # the other columns of the seller centre's 订单报表 (order report)
    "known_columns": (
        "买家会员名",
        "买家支付宝账号",
        "买家应付货款",
        "买家应付邮费",
        "买家支付积分",
        "总金额",
        "返点积分",
        "买家实际支付积分",
        "买家留言",
        "运送方式",
        "联系电话",
        "宝贝标题",
        "宝贝种类",
        "物流单号",
        "物流公司",
        "订单备注",
        "宝贝总数量",
        "店铺Id",
        "店铺名称",
        "订单关闭原因",
        "卖家服务费",
        "买家服务费",
        "发票抬头",
        "是否手机订单",
        "分阶段订单信息",
        "特权订金订单id",
        "是否上传合同照片",
        "是否上传小票",
        "是否代付",
        "定金排名",
        "修改后的sku",
        "修改后的收货地址",
        "异常信息",
        "天猫卡券抵扣",
        "集分宝抵扣",
        "是否是O2O交易",
        "确认收货时间",
        "打款商家金额",
        "含应开票给个人的个人红包",
        "是否信用购订单",
        "是否是门店自提",
        "商品属性",
        "套餐信息",
        "外部系统编号",
        "商品标题",
    ),
}
TAOBAO = dict(TMALL, name="taobao")

JD = {
    "name": "jd",
    "columns": {
        "order_ref": "订单号",
        "order_time": "下单时间",
        "paid_time": "付款确认时间",
        "status": "订单状态",
        "amount_paid": "应付金额",
        "sku": "商品ID",
        "quantity": "订购数量",
        "unit_price": "京东价",
        "buyer_name": "客户姓名",
        "buyer_phone": "联系电话",
        "address": "客户地址",
    },
    # the other columns of the 京东商家后台 order export (订单查询与跟踪 > 导出)
    "known_columns": (
        "商品名称",
        "支付方式",
        "订单金额",
        "结算金额",
        "余额支付",
        "订单类型",
        "下单帐号",
        "订单备注",
        "发票类型",
        "发票抬头",
        "发票内容",
        "商家备注",
        "商家备注等级（等级1-5为由高到低）",
        "运费金额",
        "增值税发票",
        "货号",
        "订单完成时间",
        "订单来源",
        "订单渠道",
        "送装服务",
        "服务费",
        "仓库ID",
        "仓库名称",
        "是否京仓订单",
        "是否京配订单",
        "商家SKUID",
    ),
    "status_map": {
        "等待付款": None,
        "等待出库": "paid",
        "暂停": "paid",
        "等待确认收货": "shipped",
        "完成": "completed",
        "已取消": "cancelled",
        "(删除)锁定": "cancelled",
    },
    "currency": "CNY",
    "datetime_formats": _CN_FORMATS,
    "timezone": "Asia/Shanghai",
    "encodings": CHINESE_ENCODINGS,
}

PINDUODUO = {
    "name": "pinduoduo",
    "columns": {
        "order_ref": "订单号",
        "order_time": "支付时间",
        "paid_time": "支付时间",
        "status": "订单状态",
        "amount_paid": "用户实付金额(元)",
        "sku": "商家编码-SKU维度",
        "quantity": "商品数量(件)",
        "line_amount": "商品总价(元)",
        "buyer_name": "收货人",
        "buyer_phone": "手机",
        "address": ("省", "市", "区", "街道"),
    },
    # the other columns of the 拼多多商家后台 order export (订单查询 > 导出订单)
    "known_columns": (
        "商品",
        "商品总价(元)",
        "店铺优惠折扣(元)",
        "平台优惠折扣(元)",
        "多多支付立减金额(元)",
        "邮费(元)",
        "商家实收金额(元)",
        "身份证姓名",
        "身份证号码",
        "是否审核中",
        "拼单成功时间",
        "订单确认时间",
        "承诺发货时间",
        "发货时间",
        "确认收货时间",
        "商品id",
        "商品规格",
        "样式ID",
        "商家编码-商品维度",
        "快递单号",
        "快递公司",
        "商家备注",
        "买家留言",
        "售后状态",
        "订单成交时间",
    ),
    "status_map": {
        "待支付": None,
        "待发货": "paid",
        "已发货，待签收": "shipped",
        "已签收": "completed",
        "已取消": "cancelled",
        "未发货，退款成功": "refunded",
        "已发货，退款成功": "refunded",
        "已签收，退款成功": "refunded",
    },
    "currency": "CNY",
    "datetime_formats": _CN_FORMATS,
    "timezone": "Asia/Shanghai",
    "encodings": CHINESE_ENCODINGS,
}

DOUYIN = {
    "name": "douyin",
    "columns": {
        "order_ref": "主订单编号",
        "order_time": "订单提交时间",
        "paid_time": "支付完成时间",
        "status": "订单状态",
        "amount_paid": "订单应付金额",
        "sku": "商家编码",
        "quantity": "商品数量",
        "unit_price": "商品单价",
        "buyer_name": "收件人",
        "buyer_phone": "收件人手机号",
        "address": ("省", "市", "区", "街道", "详细地址"),
    },
    # the standard report of 抖店 (订单管理 > 导出), one row per sub-order; it writes ``-`` for
    # an empty cell and calls the unit price 商品金额
    "header_aliases": {"商品金额": "商品单价"},
    "empty_marks": ("-",),
    "known_columns": (
        "子订单编号",
        "选购商品",
        "商品规格",
        "商品ID",
        "运费",
        "优惠总金额",
        "平台实际承担优惠金额",
        "商家实际承担优惠金额",
        "达人实际承担优惠金额",
        "商家改价",
        "支付优惠",
        "红包抵扣",
        "手续费",
        "是否修改过地址",
        "买家留言",
        "流量来源",
        "流量体裁",
        "流量渠道",
        "流量类型",
        "订单完成时间",
        "支付方式",
        "发货时间",
        "售后状态",
        "取消原因",
        "预约发货时间",
        "承诺发货时间",
        "商家备注",
        "旗帜颜色",
        "快递信息",
        "达人ID",
        "达人昵称",
        "广告渠道",
        "商家收入金额",
        "平台优惠",
        "订单类型",
        "货号",
        "所属门店ID",
        "仓库ID",
        "仓库名称",
    ),
    "status_map": {
        "待支付": None,
        "备货中": "paid",
        "待发货": "paid",
        "已发货": "shipped",
        "已完成": "completed",
        "已关闭": "cancelled",
    },
    "currency": "CNY",
    "datetime_formats": _CN_FORMATS,
    "timezone": "Asia/Shanghai",
    "encodings": CHINESE_ENCODINGS,
    "amounts_per_line": True,
    "order_fields_repeated": False,
}

SHOPIFY = {
    "name": "shopify",
    "columns": {
        "order_ref": "Name",
        "order_time": "Created at",
        "paid_time": "Paid at",
        "status": "Financial Status",
        "currency": "Currency",
        "amount_paid": "Total",
        "refund_amount": "Refunded Amount",
        "sku": "Lineitem sku",
        "quantity": "Lineitem quantity",
        "unit_price": "Lineitem price",
        "buyer_name": "Shipping Name",
        "buyer_phone": "Shipping Phone",
        "address": (
            "Shipping Address1",
            "Shipping Address2",
            "Shipping City",
            "Shipping Zip",
            "Shipping Province",
            "Shipping Country",
        ),
    },
    "status_map": {
        "pending": None,
        "authorized": None,
        "paid": "paid",
        "partially_paid": "paid",
        "partially_refunded": "partially_refunded",
        "refunded": "refunded",
        "voided": "cancelled",
    },
    "datetime_formats": ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"),
    "timezone": "UTC",
    "encodings": WESTERN_ENCODINGS,
    "order_fields_repeated": False,
    # the other columns of Shopify's orders export (Orders > Export)
    "known_columns": (
        "Email",
        "Fulfillment Status",
        "Fulfilled at",
        "Accepts Marketing",
        "Subtotal",
        "Shipping",
        "Taxes",
        "Discount Code",
        "Discount Amount",
        "Shipping Method",
        "Lineitem name",
        "Lineitem compare at price",
        "Lineitem requires shipping",
        "Lineitem taxable",
        "Lineitem fulfillment status",
        "Billing Name",
        "Billing Street",
        "Billing Address1",
        "Billing Address2",
        "Billing Company",
        "Billing City",
        "Billing Zip",
        "Billing Province",
        "Billing Country",
        "Billing Phone",
        "Shipping Street",
        "Shipping Company",
        "Notes",
        "Note Attributes",
        "Cancelled at",
        "Payment Method",
        "Payment Reference",
        "Vendor",
        "Outstanding Balance",
        "Employee",
        "Location",
        "Device ID",
        "Id",
        "Tags",
        "Risk Level",
        "Source",
        "Lineitem discount",
        "Tax 1 Name",
        "Tax 1 Value",
        "Tax 2 Name",
        "Tax 2 Value",
        "Tax 3 Name",
        "Tax 3 Value",
        "Tax 4 Name",
        "Tax 4 Value",
        "Tax 5 Name",
        "Tax 5 Value",
        "Phone",
        "Receipt Number",
        "Duties",
        "Billing Province Name",
        "Shipping Province Name",
        "Payment ID",
        "Payment Terms Name",
        "Next Payment Due At",
        "Payment References",
    ),
}

AMAZON = {
    "name": "amazon",
    "columns": {
        "order_ref": "amazon-order-id",
        "order_time": "purchase-date",
        "paid_time": "purchase-date",
        "status": "order-status",
        "currency": "currency",
        "amount_paid": "item-price",
        "sku": "sku",
        "quantity": "quantity",
        "line_amount": "item-price",
    },
    "status_map": {
        "Pending": None,
        "Unshipped": "paid",
        "PartiallyShipped": "paid",
        "Shipping": "paid",
        "Shipped": "shipped",
        "Cancelled": "cancelled",
    },
    "datetime_formats": ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"),
    "timezone": "UTC",
    "encodings": WESTERN_ENCODINGS,
    "delimiter": "\t",
    "amounts_per_line": True,
    # the other columns of the All Orders report (flat file)
    "known_columns": (
        "merchant-order-id",
        "last-updated-date",
        "fulfillment-channel",
        "sales-channel",
        "order-channel",
        "url",
        "ship-service-level",
        "product-name",
        "asin",
        "item-status",
        "item-tax",
        "shipping-price",
        "shipping-tax",
        "gift-wrap-price",
        "gift-wrap-tax",
        "item-promotion-discount",
        "ship-promotion-discount",
        "ship-city",
        "ship-state",
        "ship-postal-code",
        "ship-country",
        "promotion-ids",
        "is-business-order",
        "purchase-order-number",
        "price-designation",
        "is-iba",
        "signature-confirmation-recommended",
    ),
}

# The orders a connector pulled from a platform's API (``ecomfin.connectors.render``): the
# canonical layout, whose lines are the products only; the order's amount_paid is what the
# buyer paid, shipping, taxes and discounts included, as in the platforms' own exports.
API = {**CANONICAL, "name": "api", "check_total": False}

PROFILES = {p["name"]: p for p in (CANONICAL, API, TMALL, TAOBAO, JD, PINDUODUO, DOUYIN, SHOPIFY, AMAZON)}


def sniff(head_text):
    first = head_text.lstrip("\ufeff").split("\n", 1)[0].strip()
    return [cell.strip() for cell in first.split(",")][: len(CANONICAL_COLUMNS)] == list(CANONICAL_COLUMNS)


def _names(source):
    return source if isinstance(source, tuple) else (source,)


def _required(profile):
    """The header names ``profile`` requires, in the order of its fields."""
    return [
        name
        for field, source in profile["columns"].items()
        if field not in OPTIONAL_FIELDS
        for name in _names(source)
    ]


def header_matches(head_text, profile):
    """Whether the first line of ``head_text`` is a header of ``profile`` (has its first column)."""
    first = head_text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = profile.get("delimiter", ",")
    return _required(profile)[:1][0] in [cell.strip() for cell in first.split(delimiter)]


class ParsedOrders:
    """An order export being read: iterate it for :class:`OrderLine`, or call :meth:`orders`."""

    def __init__(self, filename, profile, orders):
        self.fmt = FMT
        self.filename = filename
        self.profile = profile
        self.meta = {"profile": profile.get("name")}
        self.skipped_rows = 0
        #: header columns the profile neither reads nor knows (see :data:`PROFILES`)
        self.ignored_columns = []
        #: findings that do not stop the import (:class:`~ecomfin.errors.Message`)
        self.warnings = []
        self._orders = orders
        self._started = False

    def orders(self):
        """Yield :class:`Order` objects, each validated when its last line has been read."""
        if self._started:
            raise RuntimeError(f"{self.filename}: an order file can be read only once")
        self._started = True
        return self._orders

    def __iter__(self):
        for order in self.orders():
            yield from order.lines

    def read_all(self):
        return list(self.orders())


def parse(binary, filename, *, profile=None, encoding=None, head=None):
    """Read an order export laid out as ``profile`` (a name from :data:`PROFILES` or a dict)."""
    if profile is None:
        profile = CANONICAL
    elif isinstance(profile, str):
        if profile not in PROFILES:
            raise InputError(
                "unknown_order_profile", {"profile": profile, "known": ", ".join(PROFILES)}, filename=filename
            )
        profile = PROFILES[profile]
    reader, rows, header_no, header = open_csv(
        binary,
        filename,
        encoding=encoding or profile.get("encoding"),
        candidates=profile.get("encodings", CHINESE_ENCODINGS),
        head=head,
        delimiter=profile.get("delimiter", ","),
        clean=clean_cell,
    )
    aliases = profile.get("header_aliases") or {}
    if aliases:
        header = [
            aliases[name] if name in aliases and aliases[name] not in header else name for name in header
        ]
    columns = profile["columns"]
    sources = [name for source in columns.values() for name in _names(source)]
    required = _required(profile)
    allowed = [name for name in dict.fromkeys(sources) if name not in required]
    if not any(name in header for name in required[:1]):
        raise reader.wrong_format(
            "not_order_export",
            {"profile": profile.get("name", "custom"), "column": required[0]},
            line=header_no,
            column=required[0],
            value=",".join(header)[:120],
        )
    check_columns(
        header,
        required=list(dict.fromkeys(required)),
        allowed=allowed,
        filename=filename,
        line=header_no,
        fmt_name=f"{profile.get('name', 'custom')} orders",
        allow_unknown=not profile.get("strict_columns", False),
    )
    result = ParsedOrders(filename, profile, None)
    known = set(sources) | set(profile.get("known_columns", ()))
    result.ignored_columns = [name for name in header if name and name not in known]
    if result.ignored_columns:
        result.warnings.append(
            Message("columns_not_understood", {"columns": ", ".join(result.ignored_columns)})
        )
    result._orders = _orders(rows, header, profile, filename, result)
    return result


def _value(values, source):
    if isinstance(source, tuple):
        return " ".join(values.get(s, "") for s in source if values.get(s, "")).strip()
    return values.get(source, "")


def _orders(rows, header, profile, filename, result):
    columns = profile["columns"]
    repeated = profile.get("order_fields_repeated", True)
    marks = frozenset(profile.get("empty_marks", ()))
    seen = set()
    current = None  # {"ref", "line_no", "fields": {field: (text, line)}, "lines": []}
    for line_no, fields in rows:
        raw, values = row_dict(header, fields, filename=filename, line=line_no)
        if marks:
            values = {name: "" if value in marks else value for name, value in values.items()}
        texts = {field: _value(values, source) for field, source in columns.items()}
        ref = texts["order_ref"]
        if not ref:
            raise InputError(
                "order_ref_empty",
                filename=filename,
                line=line_no,
                column=_col(columns, "order_ref"),
                value=ref,
            )
        if current is not None and ref != current["ref"]:
            yield from _emit(current, profile, filename, result)
            current = None
        if current is None:
            if ref in seen:
                raise InputError(
                    "order_not_adjacent",
                    {"ref": ref},
                    filename=filename,
                    line=line_no,
                    column=_col(columns, "order_ref"),
                    value=ref,
                )
            seen.add(ref)
            current = {"ref": ref, "line_no": line_no, "fields": {}, "lines": [], "skip": False}
            for field in ORDER_FIELDS:
                current["fields"][field] = texts.get(field, "")
        else:
            for field in ORDER_FIELDS:
                if field not in columns or (
                    profile.get("amounts_per_line") and field in ("amount_paid", "refund_amount")
                ):
                    continue
                text, first_text = texts[field], current["fields"][field]
                if text == first_text or (not repeated and not text):
                    continue
                raise InputError(
                    "order_field_differs",
                    {"ref": ref, "field": field, "first_line": current["line_no"], "first": first_text},
                    filename=filename,
                    line=line_no,
                    column=_col(columns, field),
                    value=text,
                )
        current["lines"].append((line_no, raw, texts))
    if current is not None:
        yield from _emit(current, profile, filename, result)


def _emit(group, profile, filename, result):
    order = _finish(group, profile, filename)
    if order is None:
        result.skipped_rows += len(group["lines"])
    else:
        yield order


def _col(columns, field):
    source = columns.get(field)
    return " + ".join(source) if isinstance(source, tuple) else source


def _finish(group, profile, filename):
    """Turn the collected lines of one order into a validated :class:`Order` (None: not an order yet)."""
    columns = profile["columns"]
    tz = timezone_of(profile.get("timezone", "UTC"))
    formats = profile.get("datetime_formats", _ISO_FORMATS)
    first_line = group["line_no"]
    order_fields = group["fields"]

    def money(text, field, line):
        try:
            return parse_amount(text, column=_col(columns, field))
        except InputError as exc:
            raise exc.located(filename=filename, line=line) from None

    def when(text, field, line):
        return parse_datetime(text, formats, tz=tz, column=_col(columns, field), filename=filename, line=line)

    status_text = order_fields["status"]
    status_map = profile["status_map"]
    if status_text not in status_map:
        raise InputError(
            "unknown_order_status",
            {"value": status_text, "expected": ", ".join(k for k in status_map)},
            filename=filename,
            line=first_line,
            column=_col(columns, "status"),
            value=status_text,
        )
    status = status_map[status_text]
    if status is None:
        return None
    currency = (order_fields.get("currency") or profile.get("currency") or "").upper()
    if len(currency) != 3 or not currency.isalpha():
        raise InputError(
            "missing_currency",
            filename=filename,
            line=first_line,
            column=_col(columns, "currency"),
            value=currency,
        )
    order_time = when(order_fields["order_time"], "order_time", first_line)
    paid_time = (
        when(order_fields["paid_time"], "paid_time", first_line) if order_fields.get("paid_time") else None
    )
    per_line = profile.get("amounts_per_line", False)
    if per_line:
        amount_paid = sum(
            (money(t.get("amount_paid", ""), "amount_paid", n) for n, _, t in group["lines"]), Decimal(0)
        )
        refund = sum(
            (money(t.get("refund_amount", ""), "refund_amount", n) for n, _, t in group["lines"]), Decimal(0)
        )
    else:
        amount_paid = money(order_fields["amount_paid"], "amount_paid", first_line)
        refund = money(order_fields.get("refund_amount", ""), "refund_amount", first_line)
    if amount_paid < 0 or refund < 0:
        raise InputError(
            "negative_order_amount",
            filename=filename,
            line=first_line,
            column=_col(columns, "amount_paid"),
            value=str(amount_paid),
        )
    if profile.get("derive_refund_status") and refund > 0 and status != "cancelled":
        status = "refunded" if refund >= amount_paid else "partially_refunded"

    # The order-level fields, the same on the order and on each of its lines.
    order_facts = {
        "order_ref": group["ref"],
        "order_time": order_time,
        "paid_time": paid_time,
        "status": status,
        "currency": currency,
        "amount_paid": amount_paid,
        "refund_amount": refund,
    }
    lines = []
    for line_no, raw, texts in group["lines"]:
        quantity_text = texts["quantity"].strip()
        try:
            quantity = int(quantity_text)
        except ValueError:
            quantity = None
        if quantity is None or quantity < 0 or (quantity == 0 and status != "cancelled"):
            raise InputError(
                "bad_quantity",
                filename=filename,
                line=line_no,
                column=_col(columns, "quantity"),
                value=quantity_text,
            )
        if "unit_price" in columns:
            unit_price = money(texts["unit_price"], "unit_price", line_no)
            line_amount = (
                money(texts["line_amount"], "line_amount", line_no)
                if "line_amount" in columns
                else unit_price * quantity
            )
        else:
            line_amount = money(texts["line_amount"], "line_amount", line_no)
            unit_price = (line_amount / quantity).quantize(Decimal("0.0001")) if quantity else Decimal(0)
        try:
            lines.append(
                OrderLine(
                    **order_facts,
                    sku=texts["sku"],
                    quantity=quantity,
                    unit_price=unit_price,
                    buyer_name=texts.get("buyer_name", ""),
                    buyer_phone=texts.get("buyer_phone", ""),
                    address=texts.get("address", ""),
                    line_amount=line_amount,
                    raw=raw,
                    line_no=line_no,
                )
            )
        except InputError as exc:
            raise exc.located(filename=filename, line=line_no) from None
    order = Order(
        **order_facts,
        buyer_name=order_fields.get("buyer_name", ""),
        buyer_phone=order_fields.get("buyer_phone", ""),
        address=order_fields.get("address", ""),
        lines=tuple(lines),
        line_no=first_line,
    )
    if (
        profile.get("check_total")
        and status != "cancelled"
        and abs(order.lines_total - amount_paid) > TOLERANCE
    ):
        raise InputError(
            "order_lines_total",
            {"ref": group["ref"], "lines_total": order.lines_total, "amount_paid": amount_paid},
            filename=filename,
            line=first_line,
            column=_col(columns, "amount_paid"),
            value=order_fields["amount_paid"],
        )
    return order
