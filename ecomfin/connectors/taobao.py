# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Taobao / Tmall: the TOP API (``gw.api.taobao.com/router/rest``), a seller's session key.

Stream ``orders``: the shop's trades changed in a window (``taobao.trades.sold.increment.get``),
rendered into the canonical orders CSV. TOP allows at most one day between ``start_modified``
and ``end_modified``, so the cursor walks one-day windows from the first day pulled to now;
inside a window it pages with ``page_no`` (``use_has_next`` spares TOP the count). After the
last page of the last window the cursor holds that window's end: the next pull asks only for
what changed since. Times on the wire are Beijing time; the rendered CSV is UTC.

A trade still waiting for the buyer's payment is no sale yet and is left out; it comes back in
a later window once paid (its modification time moves).

Every request is signed (:func:`top_sign`); an error answer is ``{"error_response": {"code",
"msg", "sub_code", "sub_msg"}}`` with HTTP 200. The session key has no refresh flow a
backend can run on its own (the seller authorises the app again): an expired one raises
``token_expired``.
"""

import hashlib
import hmac
from datetime import datetime, time, timedelta
from decimal import Decimal

from .base import Connector, ConnectorError, Page, Stream, decode_cursor, encode_cursor
from .render import ORDER_OPTIONS, orders_csv
from .values import CENT, SHANGHAI, WIRE_TIME, beijing_to_utc, money, wire, wire_time

TRADES_METHOD = "taobao.trades.sold.increment.get"
#: the trade fields the canonical orders CSV needs
TRADE_FIELDS = (
    "tid,status,payment,created,pay_time,modified,"
    "receiver_name,receiver_mobile,receiver_state,receiver_city,receiver_district,receiver_address,"
    "orders.oid,orders.outer_sku_id,orders.outer_iid,orders.num,orders.price,orders.payment,"
    "orders.refund_fee"
)

#: TOP trade status -> canonical order status (None: not a sale yet, skipped)
STATUS_MAP = {
    "TRADE_NO_CREATE_PAY": None,
    "WAIT_BUYER_PAY": None,
    "PAY_PENDING": None,
    "WAIT_PRE_AUTH_CONFIRM": None,
    "WAIT_SELLER_SEND_GOODS": "paid",
    "PAID_FORBID_CONSIGN": "paid",
    "SELLER_CONSIGNED_PART": "shipped",
    "WAIT_BUYER_CONFIRM_GOODS": "shipped",
    "TRADE_BUYER_SIGNED": "shipped",
    "TRADE_FINISHED": "completed",
    # closed after payment: refunded in full (the refund says how much)
    "TRADE_CLOSED": "refunded",
    # closed before payment (by the buyer, the seller or Taobao)
    "TRADE_CLOSED_BY_TAOBAO": "cancelled",
}

#: TOP error codes (https://open.taobao.com/doc.htm?docId=114&docType=1)
ERR_INVALID_SIGNATURE = "25"
ERR_INVALID_SESSION = "27"
ERR_APP_CALL_LIMITED = "7"
#: sub_codes a later attempt can cure: flow control and TOP's own back-end trouble
RETRYABLE_SUB_CODES = ("isv.call-limited", "accesscontrol.limited-by-app-access-count", "isp.")


def top_sign(params, secret, sign_method="md5"):
    """The ``sign`` of a TOP request (upper-case hex).

    Per https://open.taobao.com/doc.htm?docId=101617&docType=1 (API 调用协议, 签名算法): sort
    every parameter but ``sign`` (and empty values) by name, concatenate name and value;
    ``md5``: MD5 of ``secret + concat + secret``; ``hmac``: HMAC-MD5 of the concat keyed by the
    secret; ``hmac-sha256``: HMAC-SHA256 of the concat keyed by the secret.
    """
    text = "".join(
        f"{key}{value}" for key, value in sorted(params.items()) if key != "sign" and value not in (None, "")
    )
    key = secret.encode("utf-8")
    if sign_method == "md5":
        digest = hashlib.md5(key + text.encode("utf-8") + key).hexdigest()
    elif sign_method == "hmac":
        digest = hmac.new(key, text.encode("utf-8"), hashlib.md5).hexdigest()
    elif sign_method == "hmac-sha256":
        digest = hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
    else:
        raise ValueError(f"unknown TOP sign_method {sign_method!r}")
    return digest.upper()


class TaobaoConnector(Connector):
    platform = "taobao"
    streams = {"orders": Stream("orders", "orders_csv")}
    credential_fields = ("app_key", "app_secret", "session")
    timezone = "Asia/Shanghai"
    #: TOP's largest page of trades
    page_size = 100
    #: TOP's widest modification window
    window = timedelta(days=1)
    #: how far behind now a window ends (TOP indexes a change within seconds)
    lag = timedelta(minutes=2)

    def now(self):
        """Now, Beijing time (naive); a fixed ``today`` makes it that day's midnight."""
        if self._today is not None:
            return datetime.combine(self._today, time())
        return datetime.now(SHANGHAI).replace(tzinfo=None, microsecond=0) - self.lag

    def call(self, method, params):
        """One signed TOP call; the ``<method>_response`` object of its answer."""
        sign_method = self.credentials.get("sign_method") or "md5"
        body = {
            "method": method,
            "app_key": self.credentials["app_key"],
            "session": self.credentials["session"],
            "timestamp": datetime.now(SHANGHAI).strftime(WIRE_TIME),
            "format": "json",
            "v": "2.0",
            "sign_method": sign_method,
            **{key: str(value) for key, value in params.items()},
        }

        def once():
            body["sign"] = top_sign(body, self.credentials["app_secret"], sign_method)
            response = self.http.request("POST", f"{self.base_url}/router/rest", data=body)
            answer = response.json()
            error = answer.get("error_response")
            if error is not None:
                raise _error(error, response.status)
            return answer.get(method.replace("taobao.", "", 1).replace(".", "_") + "_response") or {}

        return self.retrying(once)

    def fetch(self, stream, cursor):
        state = decode_cursor(cursor)
        now = self.now()
        start = wire_time(state["start"]) if state.get("start") else datetime.combine(self.since, time())
        end = wire_time(state["end"]) if state.get("end") else min(start + self.window, now)
        if end <= start:
            return Page(stream, cursor, cursor, has_more=False)
        page_no = int(state.get("page", 1))
        answer = self.call(
            TRADES_METHOD,
            {
                "fields": TRADE_FIELDS,
                "start_modified": start.strftime(WIRE_TIME),
                "end_modified": end.strftime(WIRE_TIME),
                "page_no": page_no,
                "page_size": self.page_size,
                "use_has_next": "true",
            },
        )
        trades = (answer.get("trades") or {}).get("trade") or []
        if answer.get("has_next") and trades:
            next_state = {"start": wire(start), "end": wire(end), "page": page_no + 1}
            more = True
        else:
            next_state = {"start": wire(end)}
            more = end < now
        page = Page(stream, cursor, encode_cursor(next_state), has_more=more)
        orders = [order for order in map(canonical_order, trades) if order is not None]
        if orders:
            page.content, page.rows = orders_csv(orders)
            page.filename = f"taobao-trades-{start:%Y%m%d%H%M%S}-{end:%Y%m%d%H%M%S}-p{page_no}.csv"
            page.fmt = "orders_csv"
            page.options = dict(ORDER_OPTIONS)
        return page


def canonical_order(trade):
    """A TOP trade as an order of :func:`~.render.orders_csv` (None: not paid yet)."""
    status = STATUS_MAP.get(trade.get("status"), "paid")
    if status is None:
        return None
    subs = (trade.get("orders") or {}).get("order") or []
    payment = money(trade.get("payment"), "taobao")
    refund = sum((money(sub.get("refund_fee"), "taobao") for sub in subs), Decimal("0.00"))
    if status == "refunded" and not refund:
        status = "cancelled"
    elif refund and status != "refunded":
        status = "partially_refunded" if refund < payment else "refunded"
    lines = []
    for sub in subs:
        quantity = int(sub.get("num") or 1)
        # the sub-order's payment is what was paid for it, discounts and adjustments applied
        paid = sub.get("payment")
        unit = (
            (money(paid, "taobao") / quantity).quantize(CENT)
            if paid not in (None, "")
            else money(sub.get("price"), "taobao")
        )
        lines.append(
            {
                "sku": sub.get("outer_sku_id") or sub.get("outer_iid") or str(sub.get("oid", "")),
                "quantity": quantity,
                "unit_price": unit,
            }
        )
    address = "".join(
        trade.get(key) or ""
        for key in ("receiver_state", "receiver_city", "receiver_district", "receiver_address")
    )
    return {
        "order_ref": str(trade["tid"]),
        "order_time": beijing_to_utc(trade.get("created")),
        "paid_time": beijing_to_utc(trade.get("pay_time")),
        "status": status,
        "currency": "CNY",
        "amount_paid": payment,
        "refund_amount": refund,
        "buyer_name": trade.get("receiver_name") or "",
        "buyer_phone": trade.get("receiver_mobile") or "",
        "address": address,
        "lines": lines,
    }


def _error(error, status):
    code = str(error.get("code", ""))
    sub_code = str(error.get("sub_code") or "")
    detail = " ".join(filter(None, (error.get("msg"), sub_code, error.get("sub_msg"))))
    if code == ERR_INVALID_SESSION or sub_code.startswith("invalid-sessionkey"):
        return ConnectorError("token_expired", {"platform": "taobao"}, status=status, platform_code=code)
    if code == ERR_INVALID_SIGNATURE or code in ("28", "29"):  # signature, app key
        return ConnectorError(
            "auth_failed", {"platform": "taobao", "detail": detail}, status=status, platform_code=code
        )
    retryable = code == ERR_APP_CALL_LIMITED or sub_code.startswith(RETRYABLE_SUB_CODES)
    return ConnectorError(
        "platform_error",
        {"platform": "taobao", "code": sub_code or code, "detail": detail},
        status=status,
        retryable=retryable,
        platform_code=code,
    )
