# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""JD (京东) POP: the JOS router (``api.jd.com/routerjson``), an access token per shop.

Stream ``orders``: ``jingdong.pop.order.search`` by modification time (``dateType`` 0), one-day
windows walked from the first day to now, ``page``/``page_size`` inside a window, rendered
into the canonical orders CSV; the cursor ends on the last window's end (see
:mod:`.taobao`, same walk). Only states after payment are asked for (:data:`ORDER_STATES`):
an order not paid yet is no sale. A cancelled order that was paid is a full refund; JD's
after-sales refunds of part of an order are not in the order search (they are in the bill).

Stream ``bill`` (daily): the shop's settlement bill of a day (结算管理 > 日账单, 日账单明细:
one row per fee item of an order or after-sales document, 货款, 佣金, 交易服务费, ...), read
page by page from :data:`BILL_METHOD` and rendered as ONE file a day in the
``jd_settlement`` format (:mod:`ecomfin.parsers.jd`: the CSV of the merchant backend's
日账单明细 download, with its 合计 row) so that a pulled day and a downloaded day are the same
file. A day JD has not closed yet answers "bill not generated": a missing day.

Signing: :func:`jos_sign`. Errors come as ``{"error_response": {"code", "zh_desc",
"en_desc"}}``; an API's own refusal as ``success: false`` inside its result. JOS has no
refresh a backend can run without the seller: an expired token raises ``token_expired``.
"""

import csv
import hashlib
import io
import json
from datetime import datetime, time, timedelta
from decimal import Decimal

from ..parsers import jd as jd_format
from .base import Connector, ConnectorError, Page, Stream, decode_cursor, encode_cursor
from .render import ORDER_OPTIONS, orders_csv
from .values import SHANGHAI, WIRE_TIME, beijing_to_utc, money, wire, wire_time

ORDERS_METHOD = "jingdong.pop.order.search"
#: the settlement bill detail of a day (日账单明细). The row fields are those of JD's 日账单明细
#: (orderId, detailNo, rfBusiType, skuId, outTradeNo, skuName, detailStatus, happenTime,
#: billingTime, settleTime, feeName, bal, currency, direction, remark, venderId), as ERP
#: vendors relay them (https://open.kuaimai.com/docs/unpublish/智库/京东原始账单明细). The JOS
#: method name of the 结算 API group could not be read from jos.jd.com here: check it (and the
#: result's envelope, ``result.data.billList``) when the app is granted that group; it is this
#: one constant and :meth:`JdConnector.fetch_day`.
BILL_METHOD = "jingdong.pop.bill.detail.query"
#: the states of a paid order (waiting to ship ... finished, and cancelled after payment)
ORDER_STATES = (
    "WAIT_SELLER_STOCK_OUT,WAIT_SELLER_DELIVERY,WAIT_GOODS_RECEIVE_CONFIRM,POP_ORDER_PAUSE,"
    "LOCKED,FINISHED_L,TRADE_CANCELED"
)
OPTIONAL_FIELDS = (
    "orderId,orderState,orderPayment,orderTotalPrice,orderStartTime,paymentConfirmTime,modified,"
    "consigneeInfo,itemInfoList"
)
STATUS_MAP = {
    "WAIT_SELLER_STOCK_OUT": "paid",
    "WAIT_SELLER_DELIVERY": "paid",
    "POP_ORDER_PAUSE": "paid",
    "LOCKED": "paid",
    "WAIT_GOODS_RECEIVE_CONFIRM": "shipped",
    "FINISHED_L": "completed",
    "TRADE_CANCELED": "refunded",  # cancelled before payment: "cancelled" (see canonical_order)
}

#: JOS gateway error codes (https://jos.jd.com/commondoc?listId=33 and the code list)
ERR_INVALID_SIGNATURE = "12"
ERR_INVALID_TOKEN = "19"
ERR_APP_CALL_LIMITED = "2"
#: a bill the platform has not generated yet
BILL_NOT_READY = "BILL_NOT_GENERATED"


def jos_sign(params, secret):
    """The ``sign`` of a JOS request (upper-case hex MD5).

    Per https://jos.jd.com/commondoc?listId=33 (and http://help.jd.com/jos/question-580.html,
    "API签名"): every parameter but ``sign`` (``360buy_param_json`` included, as sent), sorted
    by name, name and value concatenated, the app secret before and after, MD5, upper case.
    """
    text = "".join(
        f"{key}{value}" for key, value in sorted(params.items()) if key != "sign" and value not in (None, "")
    )
    return hashlib.md5(f"{secret}{text}{secret}".encode()).hexdigest().upper()


def param_json(params):
    """``360buy_param_json``: the business parameters as JSON, keys sorted (JOS asks so)."""
    return json.dumps(params, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class JdConnector(Connector):
    platform = "jd"
    streams = {
        "orders": Stream("orders", "orders_csv"),
        "bill": Stream("bill", jd_format.FMT, daily=True),
    }
    credential_fields = ("app_key", "app_secret", "access_token")
    timezone = "Asia/Shanghai"
    #: the order search's largest page
    page_size = 100
    #: bill rows per call
    bill_page_size = 200
    window = timedelta(days=1)
    lag = timedelta(minutes=2)

    def now(self):
        """Now, Beijing time (naive); a fixed ``today`` makes it that day's midnight."""
        if self._today is not None:
            return datetime.combine(self._today, time())
        return datetime.now(SHANGHAI).replace(tzinfo=None, microsecond=0) - self.lag

    def call(self, method, business):
        """One signed JOS call; the ``<method>_responce`` object of its answer (JOS spells it so)."""
        body = {
            "method": method,
            "app_key": self.credentials["app_key"],
            "access_token": self.credentials["access_token"],
            "timestamp": datetime.now(SHANGHAI).strftime(WIRE_TIME),
            "v": "2.0",
            "360buy_param_json": param_json(business),
        }

        def once():
            body["sign"] = jos_sign(body, self.credentials["app_secret"])
            response = self.http.request("POST", f"{self.base_url}/routerjson", data=body)
            answer = response.json()
            error = answer.get("error_response")
            if error is not None:
                raise _gateway_error(error, response.status)
            key = method.replace(".", "_")
            return answer.get(f"{key}_responce") or answer.get(f"{key}_response") or {}

        return self.retrying(once)

    # -- orders ------------------------------------------------------------
    def fetch(self, stream, cursor):
        state = decode_cursor(cursor)
        now = self.now()
        start = wire_time(state["start"]) if state.get("start") else datetime.combine(self.since, time())
        end = wire_time(state["end"]) if state.get("end") else min(start + self.window, now)
        if end <= start:
            return Page(stream, cursor, cursor, has_more=False)
        page_no = int(state.get("page", 1))
        answer = self.call(
            ORDERS_METHOD,
            {
                "start_date": start.strftime(WIRE_TIME),
                "end_date": end.strftime(WIRE_TIME),
                "order_state": ORDER_STATES,
                "optional_fields": OPTIONAL_FIELDS,
                "page": str(page_no),
                "page_size": str(self.page_size),
                "dateType": "0",
            },
        )
        result = answer.get("searchorderinfo_result") or {}
        _check_api_result(result.get("apiResult") or {})
        found = result.get("orderInfoList") or []
        total = int(result.get("orderTotal") or 0)
        if found and page_no * self.page_size < total:
            next_state = {"start": wire(start), "end": wire(end), "page": page_no + 1}
            more = True
        else:
            next_state = {"start": wire(end)}
            more = end < now
        page = Page(stream, cursor, encode_cursor(next_state), has_more=more)
        orders = [order for order in map(canonical_order, found) if order is not None]
        if orders:
            page.content, page.rows = orders_csv(orders)
            page.filename = f"jd-orders-{start:%Y%m%d%H%M%S}-{end:%Y%m%d%H%M%S}-p{page_no}.csv"
            page.fmt = "orders_csv"
            page.options = dict(ORDER_OPTIONS)
        return page

    # -- the daily bill ------------------------------------------------------
    def fetch_day(self, stream, day):
        rows = []
        page_no = 1
        while True:
            answer = self.call(
                BILL_METHOD,
                {"billDate": day.isoformat(), "page": page_no, "pageSize": self.bill_page_size},
            )
            result = answer.get("result") or {}
            if not result.get("success", True):
                if str(result.get("code")) == BILL_NOT_READY:
                    return self.missing(stream, day)
                raise ConnectorError(
                    "platform_error",
                    {"platform": "jd", "code": result.get("code", ""), "detail": result.get("message", "")},
                    platform_code=result.get("code"),
                )
            data = result.get("data") or {}
            batch = data.get("billList") or []
            rows.extend(batch)
            if not batch or page_no * self.bill_page_size >= int(data.get("total") or 0):
                break
            page_no += 1
        cursor = day.isoformat()
        page = Page(stream, cursor, None, has_more=False, rows=len(rows))
        page.content = settlement_csv(rows)
        page.filename = f"jd-settlement-{day:%Y%m%d}.csv"
        page.fmt = jd_format.FMT
        return page


def settlement_csv(rows):
    """The ``jd_settlement`` file (UTF-8 with BOM, as the backend's download opens in Excel) of
    the bill rows of the API, with its 合计 row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(jd_format.COLUMNS)
    total = Decimal("0.00")
    for row in rows:
        amount = money(row.get("bal"), "jd")
        total += amount
        values = {
            jd_format.COL_ORDER: row.get("orderId", ""),
            jd_format.COL_DOC: row.get("detailNo", ""),
            jd_format.COL_DOC_TYPE: row.get("rfBusiType", ""),
            jd_format.COL_SKU: row.get("skuId", ""),
            jd_format.COL_MERCHANT_ORDER: row.get("outTradeNo", ""),
            jd_format.COL_ITEM: row.get("skuName", ""),
            jd_format.COL_STATUS: row.get("detailStatus", ""),
            jd_format.COL_HAPPENED: row.get("happenTime", ""),
            jd_format.COL_BILLED: row.get("billingTime", ""),
            jd_format.COL_SETTLED: row.get("settleTime", ""),
            jd_format.COL_FEE: row.get("feeName", ""),
            jd_format.COL_AMOUNT: f"{amount:.2f}",
            jd_format.COL_CURRENCY: row.get("currency") or "CNY",
            jd_format.COL_DIRECTION: "应收" if str(row.get("direction")) == "1" else "应付",
            jd_format.COL_WALLET_MEMO: row.get("walletRemark", ""),
            jd_format.COL_SHOP: row.get("venderId", ""),
            jd_format.COL_MEMO: row.get("remark", ""),
        }
        writer.writerow([values[column] for column in jd_format.COLUMNS])
    footer = [""] * len(jd_format.COLUMNS)
    footer[0] = jd_format.TOTAL_MARK
    footer[jd_format.COLUMNS.index(jd_format.COL_AMOUNT)] = f"{total:.2f}"
    writer.writerow(footer)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def canonical_order(found):
    """A JD order as an order of :func:`~.render.orders_csv` (None: not paid)."""
    status = STATUS_MAP.get(found.get("orderState"))
    if status is None:
        return None
    payment = money(found.get("orderPayment"), "jd")
    refund = Decimal("0.00")
    if status == "refunded":
        if found.get("paymentConfirmTime"):
            refund = payment
        else:
            status = "cancelled"
    consignee = found.get("consigneeInfo") or {}
    lines = [
        {
            "sku": item.get("outerSkuId") or str(item.get("skuId", "")),
            "quantity": int(item.get("itemTotal") or 1),
            "unit_price": money(item.get("jdPrice"), "jd"),
        }
        for item in found.get("itemInfoList") or []
    ]
    return {
        "order_ref": str(found["orderId"]),
        "order_time": beijing_to_utc(found.get("orderStartTime")),
        "paid_time": beijing_to_utc(found.get("paymentConfirmTime")),
        "status": status,
        "currency": "CNY",
        "amount_paid": payment,
        "refund_amount": refund,
        "buyer_name": consignee.get("fullname") or "",
        "buyer_phone": consignee.get("mobile") or consignee.get("telephone") or "",
        "address": consignee.get("fullAddress") or "",
        "lines": lines,
    }


def _check_api_result(api_result):
    if api_result and not api_result.get("success", True):
        code = api_result.get("englishErrCode") or ""
        raise ConnectorError(
            "platform_error",
            {"platform": "jd", "code": code, "detail": api_result.get("chineseErr", "")},
            platform_code=code,
        )


def _gateway_error(error, status):
    code = str(error.get("code", ""))
    detail = error.get("zh_desc") or error.get("en_desc") or ""
    if code == ERR_INVALID_TOKEN:
        return ConnectorError("token_expired", {"platform": "jd"}, status=status, platform_code=code)
    if code == ERR_INVALID_SIGNATURE:
        return ConnectorError(
            "auth_failed", {"platform": "jd", "detail": detail}, status=status, platform_code=code
        )
    return ConnectorError(
        "platform_error",
        {"platform": "jd", "code": code, "detail": detail},
        status=status,
        retryable=code == ERR_APP_CALL_LIMITED,
        platform_code=code,
    )
