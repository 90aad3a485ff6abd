# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Taobao's TOP router (``/router/rest``) over a fake shop: ``taobao.trades.sold.increment.get``.

Signatures are checked as TOP does (:func:`~ecomfin.connectors.taobao.top_sign`, every
``sign_method``); errors are TOP's ``error_response`` bodies with HTTP 200. The shop's times are
Beijing time. A trade is shown as it is at the shop's "now" (midnight of its ``today``): an order
refunded later than that is still only paid. One unpaid trade a day (``WAIT_BUYER_PAY``) is
served too, which the connector must leave out.
"""

from datetime import datetime, time, timedelta

from ..taobao import TRADES_METHOD, WIRE_TIME, top_sign
from .server import FakeApi, Reply

SHOP_STATUS = {
    "paid": "WAIT_SELLER_SEND_GOODS",
    "shipped": "WAIT_BUYER_CONFIRM_GOODS",
    "completed": "TRADE_FINISHED",
    "refunded": "WAIT_SELLER_SEND_GOODS",  # until the refund happens
}


def shop_now(shop):
    return datetime.combine(shop.today, time())


def trade_view(order, now):
    """``(modified, status, refund)`` of a shop order as seen at ``now``."""
    if order["refunded_at"] is not None and order["refunded_at"] < now:
        return order["refunded_at"], "refunded", order["refund_amount"]
    status = "paid" if order["status"] == "refunded" else order["status"]
    return order["paid_time"], status, None


class FakeTaobao(FakeApi):
    platform = "taobao"
    credentials = {
        "app_key": "12345678",
        "app_secret": "fake-top-secret",
        "session": "6100fake-session",
    }

    def handle(self, request):
        params = {**request.query, **request.form()}
        if request.path != "/router/rest":
            return Reply.json({"error": "not found"}, status=404)
        sign_method = params.get("sign_method", "md5")
        try:
            expected = top_sign(params, self.credentials["app_secret"], sign_method)
        except ValueError:
            return _error(40, "Missing required arguments:sign_method")
        if params.get("app_key") != self.credentials["app_key"]:
            return self.bad_signature(_error(29, "Invalid app Key", "isv.appkey-not-exists"))
        if params.get("sign") != expected:
            return self.bad_signature(_error(25, "Invalid signature"))
        if params.get("session") != self.credentials["session"]:
            return self.expired_reply(request)
        if params.get("method") != TRADES_METHOD:
            return _error(22, "Invalid method")
        return self._trades(params)

    def expired_reply(self, request):
        return _error(27, "Invalid session", "invalid-sessionkey", "SessionKey非法")

    def _trades(self, params):
        try:
            start = datetime.strptime(params["start_modified"], WIRE_TIME)
            end = datetime.strptime(params["end_modified"], WIRE_TIME)
            page_no = int(params.get("page_no", 1))
            page_size = int(params.get("page_size", 40))
        except (KeyError, ValueError):
            return _error(41, "Invalid arguments", "isv.invalid-parameter")
        if not start < end or end - start > timedelta(days=1) or not 1 <= page_size <= 100:
            return _error(41, "Invalid arguments", "isv.invalid-parameter:start_modified-end_modified")
        trades = self._sorted_window(start, end)
        first = (page_no - 1) * page_size
        page = trades[first : first + page_size]
        answer = {"has_next": len(trades) > first + page_size, "trades": {"trade": page}}
        if params.get("use_has_next") != "true":
            answer["total_results"] = len(trades)
        return Reply.json({"trades_sold_increment_get_response": answer})

    def _sorted_window(self, start, end):
        """The trades of a window in the order TOP pages them, made once per window (a pull
        asks for its pages one after the other: each page made again would cost the fake, in a
        benchmark, far more than the pull it serves)."""
        with self.lock:
            key, trades = getattr(self, "_last_window", (None, None))
            if key != (start, end):
                trades = sorted(self._window(start, end), key=lambda trade: (trade["modified"], trade["tid"]))
                self._last_window = ((start, end), trades)
            return trades

    def _window(self, start, end):
        shop = self.shop
        now = shop_now(shop)
        day = start.date() - timedelta(days=2)
        while day <= end.date():
            for index in shop.day_range(day):
                order = shop.order(index)
                modified, status, refund = trade_view(order, now)
                if start <= modified < end:
                    yield _trade(order, modified, status, refund)
            unpaid = datetime.combine(day, time(12))
            if shop.first_day <= day < shop.today and start <= unpaid < end:
                yield _unpaid(shop, day, unpaid)
            day += timedelta(days=1)


def _trade(order, modified, status, refund):
    if status == "refunded":
        top_status = "TRADE_CLOSED"
    else:
        top_status = SHOP_STATUS[status]
    subs = []
    for number, line in enumerate(order["lines"], start=1):
        paid = line["quantity"] * line["unit_price"]
        subs.append(
            {
                "oid": int(f"{order['index'] + 1}{number:02d}"),
                "outer_sku_id": line["sku"],
                "outer_iid": line["sku"].split("-", 1)[0],
                "num": line["quantity"],
                "price": f"{line['unit_price']:.2f}",
                "payment": f"{paid:.2f}",
                "refund_fee": f"{paid:.2f}" if refund else "0.00",
            }
        )
    return {
        "tid": order["order_ref"],
        "status": top_status,
        "payment": f"{order['amount_paid']:.2f}",
        "created": order["order_time"].strftime(WIRE_TIME),
        "pay_time": order["paid_time"].strftime(WIRE_TIME),
        "modified": modified.strftime(WIRE_TIME),
        "receiver_name": order["buyer_name"],
        "receiver_mobile": order["buyer_phone"],
        "receiver_state": "上海",
        "receiver_city": "上海市",
        "receiver_district": "浦东新区",
        "receiver_address": order["address"].removeprefix("上海市浦东新区"),
        "orders": {"order": subs},
    }


def _unpaid(shop, day, moment):
    return {
        "tid": f"{shop.prefix}{shop.seed}-U{day:%Y%m%d}",
        "status": "WAIT_BUYER_PAY",
        "payment": "68.00",
        "created": moment.strftime(WIRE_TIME),
        "modified": moment.strftime(WIRE_TIME),
        "orders": {"order": [{"oid": 1, "outer_sku_id": "TEA-LJ-250", "num": 1, "price": "68.00"}]},
    }


def _error(code, msg, sub_code=None, sub_msg=None):
    error = {"code": code, "msg": msg, "request_id": "fake"}
    if sub_code:
        error["sub_code"] = sub_code
    if sub_msg:
        error["sub_msg"] = sub_msg
    return Reply.json({"error_response": error})
