# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Douyin shop (抖店) open API: orders and the daily settlement bill.

Every call is a POST to ``/<method with dots as slashes>`` (``openapi-fxg.jinritemai.com``), the
common parameters ``app_key``, ``method``, ``timestamp`` (Unix seconds), ``v=2``,
``sign_method=hmac-sha256``, ``sign`` and ``access_token`` in the query, the business parameters
as the body: ``param_json``, JSON with sorted keys and no spaces (:func:`param_json`), signed by
:func:`sign`. An answer is ``{"code": 10000, "msg": "success", "data": ...}`` or an error code
with ``sub_code``/``sub_msg`` (the older envelope ``{"err_no": 0, "message", "data"}`` is read
too).

Stream ``orders``: ``order.searchList`` with ``update_time_start``/``update_time_end``, oldest
change first, ``size`` a page. The cursor holds the window (its end fixed at the first page):
the next page starts at the last ``update_time`` read (keyset paging, see :meth:`fetch`); after
the last page the cursor holds the newest ``update_time`` seen, so the next pull asks only what
changed since (the newest order comes again: a page that adds nothing is dropped downstream).
Each page is rendered as the canonical orders CSV (fen to yuan, Beijing time to UTC).

Stream ``bill`` (daily): ``order.getSettleBillDetailV3`` (商家结算账单: the sub-orders settled
that day, by settlement time, paged by ``start_index``/``next_start_index`` until ``is_end``),
written as the ``douyin_settlement`` CSV. Douyin makes a day's bill the next day ("T+1, query
after 15:00"): before that the day is missing. Withdrawals are not in this bill (they are in the
fund flow, ``order.getShopAccountItem``, not pulled).

Errors: an expired token (40003 ``isv.access-token-expired``) is refreshed once with
``token.refresh`` when a ``refresh_token`` is set, else ``token_expired``; a bad signature
(40003 ``isv.signature-invalid``) is ``auth_failed``; the rate limit (60000) and an
unavailable service (20000, 20001) are waited out and asked again; anything else is
``platform_error``.
"""

import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..parsers.douyin import COLUMNS
from .base import Connector, ConnectorError, Page, Stream, decode_cursor, encode_cursor
from .render import ORDER_OPTIONS, orders_csv

SHANGHAI = ZoneInfo("Asia/Shanghai")
VERSION = "2"
OK = 10000
EXPIRED_SUB = frozenset({"isv.access-token-expired"})
BAD_SIGNATURE_SUB = frozenset({"isv.signature-invalid", "isv.signature-missing"})
BUSY = frozenset({60000, 20000, 20001})
#: a day's settlement bill is there from this hour of the next day (Beijing time)
BILL_READY_HOUR = 15
#: order_status: 1 待确认/待支付, 2 备货中, 101 部分发货, 3 已发货, 4 已取消, 5 已完成
STATUS = {1: "paid", 2: "paid", 101: "shipped", 3: "shipped", 5: "completed"}
CANCELLED = 4
#: trade_type of getSettleBillDetailV3 -> 结算单类型 of the bill file
TRADE_TYPES = {0: "已结算", 1: "结算后退款-原路退回", 2: "保证金退款-支出退回", 3: "结算后退款-非原路退回"}
CENT = Decimal("0.01")


def param_json(params):
    """The business parameters as Douyin signs them: keys sorted (at every level), no spaces,
    non-ASCII and ``&<>`` left as they are."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sign(app_key, app_secret, method, body, timestamp, v=VERSION, sign_method="hmac-sha256"):
    """The ``sign`` of a request: over ``app_secret + "app_key" + app_key + "method" + method +
    "param_json" + param_json + "timestamp" + timestamp + "v" + v + app_secret``, the hex
    HMAC-SHA256 keyed by the app secret (``sign_method=hmac-sha256``), or its hex MD5 (``md5``,
    the older method Douyin is retiring).

    抖店开放平台 开发文档 > API 调用指南 > 签名算法 (https://op.jinritemai.com/docs/guide-docs/),
    as the platform's SDKs compute it (``app_key{}method{}param_json{}timestamp{}v{}`` wrapped
    in the secret).
    """
    pattern = f"app_key{app_key}method{method}param_json{body}timestamp{timestamp}v{v}"
    text = f"{app_secret}{pattern}{app_secret}".encode()
    if sign_method == "md5":
        return hashlib.md5(text).hexdigest()
    return hmac.new(app_secret.encode(), text, hashlib.sha256).hexdigest()


class DouyinConnector(Connector):
    platform = "douyin"
    streams = {
        "orders": Stream("orders", "orders_csv"),
        "bill": Stream("bill", "douyin_settlement", daily=True),
    }
    credential_fields = ("app_key", "app_secret", "access_token")
    timezone = "Asia/Shanghai"
    page_size = 100

    def now(self):
        """Unix seconds now; a test that fixes ``today`` fixes the clock at the end of that day."""
        if self._today is None:
            return int(time.time())
        return _unix(self._today + timedelta(days=1)) - 1

    # -- the API -------------------------------------------------------------
    def call(self, method, params, *, refreshed=False):
        """The ``data`` of ``method`` called with ``params`` (see the module)."""
        body = param_json(params)
        retry = self.http.retry
        for attempt in range(retry.attempts):
            timestamp = str(int(time.time()))
            query = {
                "app_key": self.credentials["app_key"],
                "method": method,
                "timestamp": timestamp,
                "v": VERSION,
                "sign_method": "hmac-sha256",
                "sign": sign(
                    self.credentials["app_key"], self.credentials["app_secret"], method, body, timestamp
                ),
            }
            if method != "token.refresh":
                query["access_token"] = self.credentials["access_token"]
            answer = self.http.request(
                "POST",
                f"{self.base_url}/{method.replace('.', '/')}",
                params=query,
                data=body.encode("utf-8"),
                headers={"Content-Type": "application/json"},
            ).json()
            if not isinstance(answer, dict):
                answer = {}
            code = answer.get("code")
            if code is None and "err_no" in answer:  # the older envelope
                code = OK if answer["err_no"] == 0 else answer["err_no"]
            if code == OK:
                return answer.get("data") or {}
            sub = answer.get("sub_code") or ""
            if sub in EXPIRED_SUB and not refreshed and self.credentials.get("refresh_token"):
                self.refresh_token()
                return self.call(method, params, refreshed=True)
            if sub in EXPIRED_SUB:
                raise ConnectorError("token_expired", {"platform": self.platform}, platform_code=code)
            detail = " / ".join(
                filter(None, (answer.get("msg") or answer.get("message"), answer.get("sub_msg")))
            )
            if sub in BAD_SIGNATURE_SUB:
                raise ConnectorError(
                    "auth_failed", {"platform": self.platform, "detail": detail}, platform_code=code
                )
            last = ConnectorError(
                "platform_error",
                {"platform": self.platform, "code": f"{code} {sub}".strip(), "detail": detail},
                retryable=code in BUSY,
                platform_code=code,
            )
            if code not in BUSY:
                raise last
            if attempt + 1 < retry.attempts:
                self.http.stats["retries"] += 1
                self.http.sleep(retry.pause(attempt))
        raise ConnectorError("gave_up", {"attempts": retry.attempts, "last": last})

    def refresh_token(self):
        """A new access token from the refresh token (kept on the connector and in ``refreshed``)."""
        data = self.call(
            "token.refresh",
            {"grant_type": "refresh_token", "refresh_token": self.credentials["refresh_token"]},
        )
        token = data.get("access_token")
        if not token:
            raise ConnectorError("token_expired", {"platform": self.platform})
        self.credentials["access_token"] = token
        self.refreshed = {"access_token": token}
        if data.get("refresh_token"):
            self.credentials["refresh_token"] = data["refresh_token"]
            self.refreshed["refresh_token"] = data["refresh_token"]
        if data.get("expires_in"):
            self.refreshed["expires_at"] = int(time.time()) + int(data["expires_in"])

    # -- streams -------------------------------------------------------------
    def fetch(self, stream, cursor):
        state = decode_cursor(cursor)
        since = int(state.get("since") or _unix(self.since))
        until = int(state.get("until") or self.now())
        page_no = int(state.get("page") or 0)
        data = self.call(
            "order.searchList",
            {
                "update_time_start": since,
                "update_time_end": until,
                "page": page_no,
                "size": self.page_size,
                "order_by": "update_time",
                "order_asc": True,
            },
        )
        orders = data.get("shop_order_list") or []
        times = [int(order.get("update_time") or 0) for order in orders]
        if orders and (page_no + 1) * self.page_size < int(data.get("total") or 0):
            # Keyset paging: the next page starts at the last change read (that order comes again,
            # an overlap the import drops). Offset paging would skip an order whenever one read
            # before changes again during the pull and leaves the window; a page all of one second
            # is the exception, paged by offset.
            if times[-1] > since:
                next_state = {"since": times[-1], "until": until}
            else:
                next_state = {"since": since, "until": until, "page": page_no + 1}
            more = True
        else:
            # next pull: what changed since the newest change read (or since the same start)
            next_state, more = {"since": max([since, *times])}, False
        page = Page(stream, cursor, encode_cursor(next_state), has_more=more)
        if orders:
            page.content, page.rows = orders_csv(_order(order) for order in orders)
            page.filename = f"douyin-orders-{since}-{page_no}.csv"
            page.fmt = "orders_csv"
            page.options = dict(ORDER_OPTIONS)
        return page

    def fetch_day(self, stream, day):
        ready = _unix(day + timedelta(days=1)) + BILL_READY_HOUR * 3600
        if self.now() < ready:
            return self.missing(stream, day)
        params = {
            "size": 100,
            "start_time": f"{day.isoformat()} 00:00:00",
            "end_time": f"{day.isoformat()} 23:59:59",
            "time_type": "0",
        }
        rows = []
        while True:
            data = self.call("order.getSettleBillDetailV3", params)
            rows.extend(data.get("data") or [])
            if int(data.get("is_end", 1)) or not data.get("next_start_index"):
                break
            params = {**params, "start_index": data["next_start_index"]}
            if data.get("next_start_time"):
                params["start_time"] = data["next_start_time"]
        page = Page(stream, day.isoformat(), None, has_more=False, rows=len(rows))
        page.content = settlement_csv(rows)
        page.filename = f"douyin-settlement-{day.isoformat()}.csv"
        page.fmt = "douyin_settlement"
        return page


def settlement_csv(rows):
    """The rows of ``order.getSettleBillDetailV3`` as a ``douyin_settlement`` file (UTF-8, BOM)."""
    out = [",".join(COLUMNS)]
    for row in rows:
        cells = {
            "结算时间": row.get("settle_time", ""),
            "结算单号": row.get("request_no", ""),
            "订单号": row.get("shop_order_id", ""),
            "子订单号": row.get("order_id", ""),
            "下单时间": row.get("order_time", ""),
            "商品ID": row.get("product_id", ""),
            "商品数量": row.get("goods_count", ""),
            "订单类型": row.get("order_type", ""),
            "业务类型": row.get("flow_type_desc", ""),
            "结算账户": row.get("pay_type_desc", ""),
            "结算单类型": TRADE_TYPES.get(_int(row.get("trade_type")), str(row.get("trade_type", ""))),
            "备注": row.get("remark", ""),
        }
        for column, key in (
            ("订单总价", "total_amount"),
            ("商品总价", "total_goods_amount"),
            ("运费", "post_amount"),
            ("店铺券", "shop_coupon"),
            ("平台补贴", "platform_coupon"),
            ("达人补贴", "author_coupon"),
            ("抖音支付补贴", "zt_pay_promotion"),
            ("用户实付", "real_pay_amount"),
            ("结算前退款金额", "refund_before_settle"),
            ("收入合计", "total_income"),
            ("平台服务费", "platform_service_fee"),
            ("佣金", "commission"),
            ("渠道分成", "good_learn_channel_fee"),
            ("团长服务费", "colonel_service_fee"),
            ("站外推广费", "channel_promotion_fee"),
            ("其他分成", "other_sharing_amount"),
            ("合计支出", "total_outcome"),
            ("商家实收", "settle_amount"),
        ):
            cells[column] = f"{_yuan(row.get(key)):.2f}"
        out.append(",".join(_csv_cell(cells[column]) for column in COLUMNS))
    return ("\ufeff" + "\n".join(out) + "\n").encode("utf-8")


def _csv_cell(value):
    text = str(value)
    if any(char in text for char in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _unix(day):
    """Unix seconds of midnight of ``day`` in Beijing."""
    return int(datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).timestamp())


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _yuan(fen):
    return (Decimal(int(fen or 0)) / 100).quantize(CENT)


def _utc(seconds):
    """Unix seconds as UTC text ('' for none)."""
    if not seconds:
        return ""
    return datetime.fromtimestamp(int(seconds), ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S")


def _order(order):
    """A ``shop_order_list`` entry of order.searchList as the canonical order of
    ``render.orders_csv``."""
    paid = _yuan(order.get("pay_amount"))
    status = _int(order.get("order_status"))
    if status == CANCELLED:
        status = "refunded" if order.get("pay_time") else "cancelled"
    else:
        status = STATUS.get(status, "paid")
    place = order.get("post_addr") or {}
    names = []
    for level in ("province", "city", "town", "street"):
        name = (place.get(level) or {}).get("name") or ""
        if name and name not in names:  # a municipality is its own province and city
            names.append(name)
    address = "".join(names) + (place.get("detail") or "")
    return {
        "order_ref": str(order["order_id"]),
        "order_time": _utc(order.get("create_time")),
        "paid_time": _utc(order.get("pay_time")),
        "status": status,
        "currency": "CNY",
        "amount_paid": paid,
        "refund_amount": paid if status == "refunded" else Decimal("0.00"),
        "buyer_name": order.get("post_receiver", ""),
        "buyer_phone": order.get("post_tel", ""),
        "address": address,
        "lines": [
            {
                "sku": item.get("out_sku_id") or item.get("code") or str(item.get("sku_id", "")),
                "quantity": int(item.get("item_num") or 1),
                "unit_price": (_yuan(item.get("origin_amount")) / int(item.get("item_num") or 1)).quantize(
                    CENT
                ),
            }
            for item in order.get("sku_order_list") or ()
        ],
    }
