# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Pinduoduo's ``/api/router`` over a fake shop: signed form POSTs, increment orders in
half-hour windows, the daily 货款账单 behind a download link, token refresh."""

import itertools
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..pinduoduo import ROUTER, WINDOW, sign
from .server import FakeApi, Reply

SHANGHAI = ZoneInfo("Asia/Shanghai")
STATUS = {"paid": 1, "shipped": 2, "completed": 3, "refunded": 3}
DOWNLOAD = "/download/pdd-bill-"


class FakePinduoduo(FakeApi):
    platform = "pinduoduo"
    credentials = {
        "client_id": "pdd-fake-client",
        "client_secret": "pdd-fake-secret",
        "access_token": "pdd-fake-token",
        "refresh_token": "pdd-fake-refresh",
    }

    def __init__(self, shop, credentials=None):
        super().__init__(shop, credentials)
        self.tokens = {self.credentials["access_token"]}
        self.counter = itertools.count(1)
        self._orders = None

    def handle(self, request):
        if request.method == "GET" and request.path.startswith(DOWNLOAD):
            return self._download(request.path[len(DOWNLOAD) :].removesuffix(".csv"))
        if request.path != ROUTER or request.method != "POST":
            return _error(10001, "请求路径错误", status=404)
        form = request.form()
        given = form.pop("sign", "")
        if form.get("client_id") != self.credentials["client_id"] or given != sign(
            form, self.credentials["client_secret"]
        ):
            return self.bad_signature(_error(20004, "签名验证失败"))
        api = form.get("type")
        if api == "pdd.pop.auth.token.refresh":
            return self._refresh(form)
        if form.get("access_token") not in self.tokens:
            return self.expired_reply(request)
        if api == "pdd.order.number.list.increment.get":
            return self._increment(form)
        if api == "pdd.finance.balance.daily.bill.url.get":
            return self._bill_url(form, request)
        return _error(10000, f"接口不存在: {api}")

    def expired_reply(self, request):
        return _error(10019, "access_token已过期")

    # -- token ---------------------------------------------------------------
    def _refresh(self, form):
        if form.get("refresh_token") != self.credentials["refresh_token"]:
            return _error(10019, "refresh_token已过期")
        token = f"pdd-fake-token-{next(self.counter)}"
        with self.lock:
            self.tokens.add(token)
        return Reply.json(
            {
                "pop_auth_token_refresh_response": {
                    "access_token": token,
                    "refresh_token": self.credentials["refresh_token"],
                    "expires_in": 86400,
                    "expires_at": int(time.time()) + 86400,
                    "owner_id": "100123456",
                }
            }
        )

    # -- orders --------------------------------------------------------------
    def _all_orders(self):
        if self._orders is None:
            orders = [(_unix(order["paid_time"]), order) for order in self.shop.orders()]
            orders.sort(key=lambda pair: (pair[0], pair[1]["order_ref"]))
            self._orders = orders
        return self._orders

    def _increment(self, form):
        start, end = int(form["start_updated_at"]), int(form["end_updated_at"])
        if end - start > WINDOW or end < start:
            return _error(10000, "查询时间间隔不能超过30分钟")
        size = min(100, int(form.get("page_size", 100)))
        page = max(1, int(form.get("page", 1)))
        found = [order for updated, order in self._all_orders() if start <= updated < end]
        chunk = found[(page - 1) * size : page * size]
        return Reply.json(
            {
                "order_sn_increment_get_response": {
                    "total_count": len(found),
                    "has_next": page * size < len(found),
                    "order_sn_list": [_order(order) for order in chunk],
                }
            }
        )

    # -- bill ----------------------------------------------------------------
    def _bill_url(self, form, request):
        day = datetime.strptime(form["bill_date"], "%Y-%m-%d").date()
        url = ""
        if day < self.shop.today:
            url = f"http://{request.headers.get('host')}{DOWNLOAD}{day.isoformat()}.csv"
        return Reply.json({"finance_balance_daily_bill_url_get_response": {"download_url": url}})

    def _download(self, text):
        day = datetime.strptime(text, "%Y-%m-%d").date()
        return Reply(200, bill_file(self.shop, day), {"Content-Type": "text/csv; charset=utf-8"})


def bill_file(shop, day):
    """The 货款账单 of ``day`` (UTF-8 with a BOM, as downloaded)."""
    rows = []
    for row in shop.bill_rows(day):
        when = _local(row["time"])
        ref = row["order_ref"]
        if row["type"] == "sale":
            rows.append((ref, when, row["gross"], "交易收入", "订单收入"))
            if row["fee"]:
                rows.append((ref, when, -row["fee"], "技术服务费", "技术服务费"))
        elif row["type"] == "refund":
            rows.append((ref, when, row["gross"], "退款", "售后退款"))
        else:
            rows.append(("", when, row["gross"], "提现", f"提现 {row['id']}"))
    lines = [
        "#拼多多商家货款账单",
        "#店铺ID：[100123456]",
        f"#账单日期：[{day.isoformat()}]",
        "商户订单号,发生时间,收入金额(+元),支出金额(-元),账务类型,备注,业务描述",
    ]
    sums = {"收入": [0, Decimal("0.00")], "支出": [0, Decimal("0.00")]}
    for ref, when, value, kind, desc in rows:
        income, expense = (value, Decimal("0.00")) if value >= 0 else (Decimal("0.00"), -value)
        sums["支出" if expense else "收入"][0] += 1
        sums["支出" if expense else "收入"][1] += expense or income
        lines.append(f"{ref},{when},{income:.2f},{expense:.2f},{kind},,{desc}")
    for kind in ("收入", "支出"):
        lines.append(f"#{kind}合计：{sums[kind][0]}笔，共{sums[kind][1]:.2f}元")
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def _error(code, message, status=200):
    return Reply.json(
        {
            "error_response": {
                "error_code": code,
                "error_msg": message,
                "sub_code": str(code),
                "sub_msg": message,
                "request_id": "17000000000000000",
            }
        },
        status=status,
    )


def _unix(moment):
    return int(moment.replace(tzinfo=timezone.utc).timestamp())


def _local(moment):
    return moment.replace(tzinfo=timezone.utc).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _order(order):
    paid = order["amount_paid"]
    return {
        "order_sn": order["order_ref"],
        "created_time": _local(order["order_time"]),
        "pay_time": _local(order["paid_time"]),
        "updated_at": _local(order["paid_time"]),
        "confirm_time": _local(order["paid_time"] + timedelta(seconds=1)),
        "order_status": STATUS[order["status"]],
        "refund_status": 4 if order["status"] == "refunded" else 1,
        "pay_amount": float(paid),
        "goods_amount": float(paid),
        "discount_amount": 0.0,
        "postage": 0.0,
        "receiver_name": order["buyer_name"],
        "receiver_phone": order["buyer_phone"],
        "address": order["address"],
        "province": "上海市",
        "city": "上海市",
        "town": "浦东新区",
        "item_list": [
            {
                "goods_id": 1000 + index,
                "sku_id": 2000 + index,
                "outer_id": line["sku"],
                "outer_goods_id": line["sku"],
                "goods_name": line["sku"],
                "goods_count": line["quantity"],
                "goods_price": float(line["unit_price"]),
            }
            for index, line in enumerate(order["lines"])
        ],
    }
