# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The Douyin shop (抖店) open API over a fake shop: signed POSTs to ``/order/searchList``,
``/order/getSettleBillDetailV3`` and ``/token/refresh``."""

import itertools
import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from ..douyin import OK, param_json, sign
from .server import FakeApi, Reply

SHANGHAI = ZoneInfo("Asia/Shanghai")
STATUS = {"paid": 2, "shipped": 3, "completed": 5, "refunded": 4}


class FakeDouyin(FakeApi):
    platform = "douyin"
    credentials = {
        "app_key": "7000000000000000001",
        "app_secret": "douyin-fake-secret",
        "access_token": "douyin-fake-token",
        "refresh_token": "douyin-fake-refresh",
    }

    def __init__(self, shop, credentials=None):
        super().__init__(shop, credentials)
        self.tokens = {self.credentials["access_token"]}
        self.counter = itertools.count(1)
        self._orders = None

    def handle(self, request):
        query = request.query
        body = request.body.decode("utf-8")
        method = query.get("method", "")
        if request.path != "/" + method.replace(".", "/"):
            return _error(70000, "接口服务已下线", "isp.api-service-off", "API不存在或API已下线")
        expected = sign(
            self.credentials["app_key"],
            self.credentials["app_secret"],
            method,
            body,
            query.get("timestamp", ""),
        )
        if (
            query.get("app_key") != self.credentials["app_key"]
            or query.get("v") != "2"
            or query.get("sign_method") != "hmac-sha256"
            or query.get("sign") != expected
        ):
            return self.bad_signature(_error(40003, "非法的参数", "isv.signature-invalid", "签名校验失败"))
        try:
            params = json.loads(body or "{}")
        except ValueError:
            params = None
        if not isinstance(params, dict) or param_json(params) != body:
            return _error(40003, "非法的参数", "isv.parameter-format-invalid", "业务参数json解析失败")
        if method == "token.refresh":
            return self._refresh(params)
        if query.get("access_token") not in self.tokens:
            return self.expired_reply(request)
        if method == "order.searchList":
            return self._search(params)
        if method == "order.getSettleBillDetailV3":
            return self._settlements(params)
        return _error(70000, "接口服务已下线", "isp.api-service-off", "API不存在或API已下线")

    def expired_reply(self, request):
        return _error(40003, "非法的参数", "isv.access-token-expired", "access_token已过期")

    def _refresh(self, params):
        if params.get("refresh_token") != self.credentials["refresh_token"]:
            return _error(50001, "平台处理失败", "dop.token-generate-failed:token-invalid", "生成token失败")
        token = f"douyin-fake-token-{next(self.counter)}"
        with self.lock:
            self.tokens.add(token)
        return _ok(
            {
                "access_token": token,
                "expires_in": 7 * 86400,
                "refresh_token": self.credentials["refresh_token"],
                "scope": "SCOPE",
                "shop_id": 4463798,
                "shop_name": "测试店铺",
            }
        )

    # -- orders --------------------------------------------------------------
    def _all_orders(self):
        if self._orders is None:
            orders = [(_unix(order["paid_time"]), order) for order in self.shop.orders()]
            orders.sort(key=lambda pair: (pair[0], pair[1]["order_ref"]))
            self._orders = orders
        return self._orders

    def _search(self, params):
        start, end = int(params.get("update_time_start", 0)), int(params.get("update_time_end", 2**40))
        size = min(100, int(params.get("size", 10)))
        page = int(params.get("page", 0))
        found = [order for updated, order in self._all_orders() if start <= updated <= end]
        chunk = found[page * size : (page + 1) * size]
        return _ok(
            {
                "shop_order_list": [_order(order) for order in chunk],
                "page": page,
                "size": size,
                "total": len(found),
            }
        )

    # -- settlements ---------------------------------------------------------
    def _settlements(self, params):
        start = datetime.strptime(params["start_time"], "%Y-%m-%d %H:%M:%S")
        day = start.date()
        rows = settle_rows(self.shop, day)
        size = min(100, int(params.get("size", 100)))
        offset = int(params.get("start_index") or 0)
        chunk = rows[offset : offset + size]
        end = offset + len(chunk) >= len(rows)
        return _ok(
            {
                "data": chunk,
                "size": size,
                "data_size": len(chunk),
                "is_end": 1 if end else 0,
                "next_start_index": "" if end else str(offset + len(chunk)),
                "next_start_time": params["start_time"],
            }
        )


def settle_rows(shop, day):
    """The settled sub-orders of ``day`` (a Beijing day here: the fake's days are its bill days),
    in getSettleBillDetailV3's shape (fen)."""
    rows = []
    for row in shop.bill_rows(day):
        if row["type"] == "payout":
            continue  # withdrawals are in the fund flow, not in the settlement bill
        order = row["order_ref"]
        gross, fee = _fen(row["gross"]), _fen(row["fee"])
        sale = row["type"] == "sale"
        rows.append(
            {
                "settle_time": _local(row["time"]),
                "request_no": f"{row['id']}",
                "shop_order_id": order,
                "order_id": f"{order}-1",
                "order_time": _local(row["time"] - timedelta(minutes=2)),
                "product_id": "3587000000000000001",
                "goods_count": 1,
                "order_type": "普通订单",
                "flow_type_desc": "小店自卖",
                "pay_type_desc": "聚合账户",
                "trade_type": 0 if sale else 1,
                "total_amount": gross if sale else 0,
                "total_goods_amount": gross if sale else 0,
                "post_amount": 0,
                "shop_coupon": 0,
                "platform_coupon": 0,
                "author_coupon": 0,
                "zt_pay_promotion": 0,
                "real_pay_amount": gross if sale else 0,
                "refund_before_settle": 0,
                "total_income": gross,
                "platform_service_fee": fee,
                "commission": 0,
                "good_learn_channel_fee": 0,
                "colonel_service_fee": 0,
                "channel_promotion_fee": 0,
                "other_sharing_amount": 0,
                "total_outcome": fee,
                "settle_amount": gross - fee,
                "remark": "" if sale else "结算后退款",
            }
        )
    return rows


def _ok(data):
    return Reply.json(
        {"code": OK, "msg": "success", "sub_code": "", "sub_msg": "", "log_id": "2026", "data": data}
    )


def _error(code, msg, sub_code, sub_msg):
    return Reply.json(
        {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg, "log_id": "2026", "data": None}
    )


def _fen(value):
    return int((value * 100).to_integral_value())


def _unix(moment):
    return int(moment.replace(tzinfo=timezone.utc).timestamp())


def _local(moment):
    return moment.replace(tzinfo=timezone.utc).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _order(order):
    paid = _fen(order["amount_paid"])
    return {
        "order_id": order["order_ref"],
        "order_status": STATUS[order["status"]],
        "order_status_desc": order["status"],
        "create_time": _unix(order["order_time"]),
        "pay_time": _unix(order["paid_time"]),
        "update_time": _unix(order["paid_time"]),
        "order_amount": paid,
        "pay_amount": paid,
        "post_amount": 0,
        "post_receiver": order["buyer_name"],
        "post_tel": order["buyer_phone"],
        "post_addr": {
            "province": {"name": "上海市", "id": "31"},
            "city": {"name": "上海市", "id": "310100"},
            "town": {"name": "浦东新区", "id": "310115"},
            "street": {"name": "", "id": ""},
            "detail": order["address"].removeprefix("上海市浦东新区"),
        },
        "sku_order_list": [
            {
                "order_id": f"{order['order_ref']}-{index + 1}",
                "parent_order_id": order["order_ref"],
                "out_sku_id": line["sku"],
                "code": line["sku"],
                "item_num": line["quantity"],
                "origin_amount": _fen(line["unit_price"]) * line["quantity"],
                "pay_amount": _fen(line["unit_price"]) * line["quantity"],
            }
            for index, line in enumerate(order["lines"])
        ],
    }
