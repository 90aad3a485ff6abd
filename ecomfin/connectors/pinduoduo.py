# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Pinduoduo (拼多多) open platform: orders and the daily 货款账单.

Every call is a form POST to ``/api/router`` (``gw-api.pinduoduo.com``) naming the API in
``type``, with ``client_id``, ``access_token``, ``timestamp`` (Unix seconds), ``data_type=JSON``,
``version=V1`` and the business parameters, signed by :func:`sign`. An answer is
``{"<api>_response": {...}}`` or ``{"error_response": {"error_code", "error_msg", ...}}``.

Stream ``orders``: ``pdd.order.number.list.increment.get``, the orders *changed* in a window of
``start_updated_at``..``end_updated_at`` that the API keeps to 30 minutes, paged with
``page``/``page_size`` (``total_count`` tells how many). The cursor holds the window and the
page (a window of several pages is read backwards, see :meth:`fetch`); after a window's pages
it moves to the window's end, so a pull walks half-hour windows up to now and the next pull
asks only what changed since. Each page is rendered as the canonical orders CSV (times from
Beijing time to UTC).

Stream ``bill`` (daily): ``pdd.finance.balance.daily.bill.url.get`` gives the download link of a
day's 货款账单 (the merchant's payment-account ledger); the file behind it is the page, read by
the ``pdd_fund`` parser. No link yet: the day is missing (the bill comes the next day).

Errors: 10019 (access_token expired) refreshes the token with ``pdd.pop.auth.token.refresh``
when a ``refresh_token`` is set (once), else ``token_expired``; 20004 (signature) is
``auth_failed``; the frequency limit (70031) and system busy (50000) are waited out and asked
again; anything else is ``platform_error``.
"""

import hashlib
import json
import time
from datetime import datetime, timedelta
from decimal import Decimal

from .base import Connector, ConnectorError, Page, Stream, decode_cursor, encode_cursor
from .render import ORDER_OPTIONS, orders_csv
from .values import SHANGHAI, beijing_to_utc, money

ROUTER = "/api/router"
#: the increment API refuses windows longer than 30 minutes
WINDOW = 30 * 60
#: error_code of an expired access token; of a bad signature; of "try again later"
EXPIRED = frozenset({10019})
BAD_SIGNATURE = frozenset({20004})
BUSY = frozenset({70031, 50000})
#: order_status: 1 待发货, 2 已发货待签收, 3 已签收; refund_status 4: 退款成功
STATUS = {1: "paid", 2: "shipped", 3: "completed"}
REFUNDED = 4


def sign(params, client_secret):
    """The ``sign`` of a request: upper-case hex MD5 of the secret, then every parameter but
    ``sign`` as name and value, sorted by name, then the secret again.

    Pinduoduo open platform, 开发者文档 > API 调用说明 > 签名规则
    (https://open.pinduoduo.com/application/document/browse), as every API page applies it, e.g.
    https://open.pinduoduo.com/application/document/api?id=pdd.order.number.list.increment.get
    """
    text = "".join(f"{key}{params[key]}" for key in sorted(params) if key != "sign")
    return hashlib.md5(f"{client_secret}{text}{client_secret}".encode()).hexdigest().upper()


class PinduoduoConnector(Connector):
    platform = "pinduoduo"
    streams = {
        "orders": Stream("orders", "orders_csv"),
        "bill": Stream("bill", "pdd_fund", daily=True),
    }
    credential_fields = ("client_id", "client_secret", "access_token")
    timezone = "Asia/Shanghai"
    page_size = 100

    def now(self):
        """Unix seconds now; a test that fixes ``today`` fixes the clock at the end of that day."""
        if self._today is None:
            return int(time.time())
        return _unix(self._today + timedelta(days=1))

    # -- the API -------------------------------------------------------------
    def call(self, api, params, *, refreshed=False):
        """The ``<api>_response`` object of ``api`` called with ``params`` (see the module)."""
        form = {
            "type": api,
            "client_id": self.credentials["client_id"],
            "timestamp": str(int(time.time())),
            "data_type": "JSON",
            "version": "V1",
            **{key: _text(value) for key, value in params.items()},
        }
        if api != "pdd.pop.auth.token.refresh":
            form["access_token"] = self.credentials["access_token"]

        def once():
            form["sign"] = sign(form, self.credentials["client_secret"])
            body = self.http.request("POST", self.base_url + ROUTER, data=form).json()
            error = body.get("error_response") if isinstance(body, dict) else None
            if error is None:
                key = api.removeprefix("pdd.").replace(".", "_") + "_response"
                return (body.get(key) or next(iter(body.values()), {})) if isinstance(body, dict) else {}
            code = _int(error.get("error_code"))
            if code in EXPIRED and not refreshed and self.credentials.get("refresh_token"):
                self.refresh_token()
                return self.call(api, params, refreshed=True)
            if code in EXPIRED:
                raise ConnectorError("token_expired", {"platform": self.platform}, platform_code=code)
            if code in BAD_SIGNATURE:
                raise ConnectorError(
                    "auth_failed",
                    {"platform": self.platform, "detail": error.get("error_msg", "")},
                    platform_code=code,
                )
            raise _error(error, code, retryable=code in BUSY)

        return self.retrying(once)

    def refresh_token(self):
        """A new access token from the refresh token (kept on the connector and in ``refreshed``)."""
        answer = self.call("pdd.pop.auth.token.refresh", {"refresh_token": self.credentials["refresh_token"]})
        token = answer.get("access_token")
        if not token:
            raise ConnectorError("token_expired", {"platform": self.platform})
        self.credentials["access_token"] = token
        self.refreshed = {"access_token": token}
        if answer.get("refresh_token"):
            self.credentials["refresh_token"] = answer["refresh_token"]
            self.refreshed["refresh_token"] = answer["refresh_token"]
        if answer.get("expires_at"):
            self.refreshed["expires_at"] = int(answer["expires_at"])

    # -- streams -------------------------------------------------------------
    def fetch(self, stream, cursor):
        state = decode_cursor(cursor)
        start = int(state.get("start") or _unix(self.since))
        now = self.now()
        if start >= now:
            return Page(stream, cursor, cursor, has_more=False)
        end = int(state.get("end") or min(start + WINDOW, now))
        page_no = int(state.get("page") or 1)
        answer = self.call(
            "pdd.order.number.list.increment.get",
            {
                "is_lucky_flag": 0,
                "order_status": 5,
                "refund_status": 5,
                "start_updated_at": start,
                "end_updated_at": end,
                "page": page_no,
                "page_size": self.page_size,
            },
        )
        orders = answer.get("order_sn_list") or []
        total = int(answer.get("total_count") or 0)
        # A window of several pages is read from its last page back to its first: an order that
        # changes again during the pull leaves the window and those after it move up one place,
        # which, read backwards, repeats an order (dropped by the import) instead of skipping one.
        # Page 1, read first to learn the count, is read again last.
        if "page" not in state and total > self.page_size:
            next_state = {"start": start, "end": end, "page": -(-total // self.page_size)}
        elif page_no > 1:
            next_state = {"start": start, "end": end, "page": page_no - 1}
        else:
            next_state = {"start": end}
        more = "page" in next_state or end < now
        page = Page(stream, cursor, encode_cursor(next_state), has_more=more)
        if orders:
            page.content, page.rows = orders_csv(_order(order) for order in orders)
            page.filename = f"pinduoduo-orders-{start}-{page_no}.csv"
            page.fmt = "orders_csv"
            page.options = dict(ORDER_OPTIONS)
        return page

    def fetch_day(self, stream, day):
        answer = self.call("pdd.finance.balance.daily.bill.url.get", {"bill_date": day.isoformat()})
        url = answer.get("download_url")
        if not url:
            return self.missing(stream, day)
        content = self.http.request("GET", url, expect_json=False).body
        suffix = "zip" if content.startswith(b"PK\x03\x04") else "csv"
        page = Page(stream, day.isoformat(), None, has_more=False)
        page.content = content
        page.filename = f"pinduoduo-bill-{day.isoformat()}.{suffix}"
        page.fmt = "pdd_fund"
        if suffix == "csv":  # the rows: the lines but the header and the '#' title and footer
            page.rows = (
                sum(
                    1
                    for row in content.splitlines()
                    if row.strip() and not row.lstrip(b"\xef\xbb\xbf").startswith(b"#")
                )
                - 1
            )
        return page


def _unix(day):
    """Unix seconds of midnight of ``day`` in Beijing."""
    return int(datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).timestamp())


def _text(value):
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _error(error, code, *, retryable=False):
    detail = " / ".join(filter(None, (error.get("error_msg"), error.get("sub_msg"))))
    return ConnectorError(
        "platform_error",
        {"platform": "pinduoduo", "code": code, "detail": detail},
        retryable=retryable,
        platform_code=code,
    )


def _order(order):
    """An order of the increment API as the canonical order of ``render.orders_csv``."""
    paid = money(order.get("pay_amount"), "pinduoduo")
    refunded = _int(order.get("refund_status")) == REFUNDED
    # ``address`` is the whole address; ``receiver_address`` only what follows the district
    address = order.get("address") or "".join(
        str(order.get(key) or "") for key in ("province", "city", "town", "receiver_address")
    )
    return {
        "order_ref": order["order_sn"],
        "order_time": beijing_to_utc(order.get("created_time")),
        "paid_time": beijing_to_utc(order.get("pay_time")),
        "status": "refunded" if refunded else STATUS.get(_int(order.get("order_status")), "paid"),
        "currency": "CNY",
        "amount_paid": paid,
        "refund_amount": paid if refunded else Decimal("0.00"),
        "buyer_name": order.get("receiver_name", ""),
        "buyer_phone": order.get("receiver_phone", ""),
        "address": address,
        "lines": [
            {
                "sku": item.get("outer_id") or item.get("outer_goods_id") or str(item.get("sku_id", "")),
                "quantity": int(item.get("goods_count") or 1),
                "unit_price": money(item.get("goods_price"), "pinduoduo"),
            }
            for item in order.get("item_list") or ()
        ],
    }
