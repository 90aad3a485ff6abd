# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""JD's JOS router (``/routerjson``) over a fake shop: the order search and the daily bill.

Signatures are checked as JOS does (:func:`~ecomfin.connectors.jd.jos_sign`); errors are JOS's
``error_response`` bodies with HTTP 200. The shop's times are Beijing time and orders are seen
as at the shop's "now" (see :mod:`.taobao`). The bill of a day holds, for each movement of
``FakeShop.bill_rows``: a sale as its 货款 and its 佣金 (the fee), a refund as a negative 货款 on
a 退款单, a payout as 提现. ``ready_until`` (a date, exclusive; default the shop's today): the
days from it on answer "bill not generated".
"""

import json
from datetime import date, datetime, timedelta

from ..jd import BILL_METHOD, BILL_NOT_READY, ORDERS_METHOD, WIRE_TIME, jos_sign
from .server import FakeApi, Reply
from .taobao import shop_now, trade_view

JD_STATE = {
    "paid": "WAIT_SELLER_STOCK_OUT",
    "shipped": "WAIT_GOODS_RECEIVE_CONFIRM",
    "completed": "FINISHED_L",
    "refunded": "TRADE_CANCELED",
}
VENDER_ID = "10086"


class FakeJd(FakeApi):
    platform = "jd"
    credentials = {
        "app_key": "FAKEJDAPPKEY0001",
        "app_secret": "fake-jos-secret",
        "access_token": "fake-jos-token",
    }

    def __init__(self, shop, credentials=None):
        super().__init__(shop, credentials)
        self.ready_until = None

    def handle(self, request):
        params = {**request.query, **request.form()}
        if request.path != "/routerjson":
            return Reply.json({"error": "not found"}, status=404)
        if params.get("app_key") != self.credentials["app_key"]:
            return self.bad_signature(_error("13", "无效的app_key", "Invalid app_key"))
        if params.get("sign") != jos_sign(params, self.credentials["app_secret"]):
            return self.bad_signature(_error("12", "无效签名", "Invalid Signature"))
        if params.get("access_token") != self.credentials["access_token"]:
            return self.expired_reply(request)
        try:
            business = json.loads(params.get("360buy_param_json") or "{}")
        except ValueError:
            return _error("30", "参数错误", "Invalid 360buy_param_json")
        method = params.get("method")
        if method == ORDERS_METHOD:
            return self._orders(business)
        if method == BILL_METHOD:
            return self._bill(business)
        return _error("15", "不存在的方法名", "Invalid Method")

    def expired_reply(self, request):
        return _error("19", "token已过期或者不存在，请重新授权访问", "Invalid access_token")

    # -- jingdong.pop.order.search --------------------------------------------
    def _orders(self, business):
        try:
            start = datetime.strptime(business["start_date"], WIRE_TIME)
            end = datetime.strptime(business["end_date"], WIRE_TIME)
            page = int(business.get("page", 1))
            page_size = int(business.get("page_size", 20))
        except (KeyError, ValueError):
            return _orders_reply(False, [], 0, "参数错误")
        if not start < end or end - start > timedelta(days=30) or not 1 <= page_size <= 100:
            return _orders_reply(False, [], 0, "查询时间范围或分页参数错误")
        states = set((business.get("order_state") or "").split(","))
        found = sorted(self._window(start, end, states), key=lambda item: (item["modified"], item["orderId"]))
        first = (page - 1) * page_size
        return _orders_reply(True, found[first : first + page_size], len(found))

    def _window(self, start, end, states):
        shop = self.shop
        now = shop_now(shop)
        day = start.date() - timedelta(days=2)
        while day <= end.date():
            for index in shop.day_range(day):
                order = shop.order(index)
                modified, status, refund = trade_view(order, now)
                if start <= modified < end and JD_STATE[status] in states:
                    yield _order(order, modified, status)
            day += timedelta(days=1)

    # -- the daily bill --------------------------------------------------------
    def _bill(self, business):
        try:
            day = date.fromisoformat(business["billDate"])
            page = int(business.get("page", 1))
            page_size = int(business.get("pageSize", 50))
        except (KeyError, ValueError):
            return _bill_reply({"success": False, "code": "PARAM_ERROR", "message": "参数错误"})
        ready_until = self.ready_until or self.shop.today
        if day >= ready_until:
            return _bill_reply({"success": False, "code": BILL_NOT_READY, "message": "账单未生成"})
        rows = [item for row in self.shop.bill_rows(day) for item in bill_items(row, day)]
        first = (page - 1) * page_size
        return _bill_reply(
            {
                "success": True,
                "code": "0",
                "data": {"total": len(rows), "billList": rows[first : first + page_size]},
            }
        )


def bill_items(row, day):
    """The 日账单明细 rows (API shape) of one movement of ``FakeShop.bill_rows``."""
    billed = datetime.combine(day + timedelta(days=1), datetime.min.time()).replace(hour=2)
    common = {
        "orderId": row["order_ref"],
        "outTradeNo": "",
        "skuId": "",
        "skuName": "",
        "detailStatus": "已结算",
        "happenTime": row["time"].strftime(WIRE_TIME),
        "billingTime": billed.strftime(WIRE_TIME),
        "settleTime": (billed + timedelta(hours=1)).strftime(WIRE_TIME),
        "currency": "CNY",
        "venderId": VENDER_ID,
        "remark": "",
    }
    if row["type"] == "sale":
        doc = {"detailNo": f"D{row['id']}", "rfBusiType": "订单"}
        return [
            {**common, **doc, "feeName": "货款", "bal": f"{row['gross']:.2f}", "direction": 1},
            {**common, **doc, "feeName": "佣金", "bal": f"{-row['fee']:.2f}", "direction": 0},
        ]
    if row["type"] == "refund":
        return [
            {
                **common,
                "detailNo": f"R{row['id']}",
                "rfBusiType": "退款单",
                "feeName": "货款",
                "bal": f"{row['gross']:.2f}",
                "direction": 0,
                "remark": "售后退款",
            }
        ]
    return [
        {
            **common,
            "orderId": "",
            "detailNo": row["id"],
            "rfBusiType": "提现单",
            "feeName": "提现",
            "bal": f"{row['gross']:.2f}",
            "direction": 0 if row["gross"] < 0 else 1,
        }
    ]


def _order(order, modified, status):
    return {
        "orderId": order["order_ref"],
        "venderId": VENDER_ID,
        "orderState": JD_STATE[status],
        "orderTotalPrice": f"{order['amount_paid']:.2f}",
        "orderPayment": f"{order['amount_paid']:.2f}",
        "orderStartTime": order["order_time"].strftime(WIRE_TIME),
        "paymentConfirmTime": order["paid_time"].strftime(WIRE_TIME),
        "modified": modified.strftime(WIRE_TIME),
        "consigneeInfo": {
            "fullname": order["buyer_name"],
            "mobile": order["buyer_phone"],
            "fullAddress": order["address"],
        },
        "itemInfoList": [
            {
                "skuId": str(100012345600 + number),
                "outerSkuId": line["sku"],
                "skuName": line["sku"],
                "jdPrice": f"{line['unit_price']:.2f}",
                "itemTotal": str(line["quantity"]),
            }
            for number, line in enumerate(order["lines"], start=1)
        ],
    }


def _orders_reply(success, found, total, error=""):
    api_result = {"success": success, "englishErrCode": "" if success else "param_error", "chineseErr": error}
    result = {"apiResult": api_result, "orderInfoList": found, "orderTotal": total}
    return Reply.json({"jingdong_pop_order_search_responce": {"code": "0", "searchorderinfo_result": result}})


def _bill_reply(result):
    key = BILL_METHOD.replace(".", "_") + "_responce"
    return Reply.json({key: {"code": "0", "result": result}})


def _error(code, zh_desc, en_desc):
    return Reply.json({"error_response": {"code": code, "zh_desc": zh_desc, "en_desc": en_desc}})
