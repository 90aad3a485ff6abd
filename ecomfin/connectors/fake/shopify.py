# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Shopify's Admin GraphQL endpoint over a fake shop: ``orders`` and
``shopifyPaymentsAccount.balanceTransactions``, with the calculated-cost leaky bucket.

The query is read loosely: the root field by name, the arguments from the request's
``variables`` (``first``, ``after``, ``query``), the line items' ``first`` from the text. The
filter understood is ``updated_at:>='…'`` / ``processed_at:>='…'``. Costs follow Shopify's rules
in small: a connection costs 2 plus ``first`` times its node's cost (an order: 1 plus its line
items' connection); the requested cost is taken from the bucket before the query runs, and the
difference with the actual cost given back. A query the bucket cannot pay is answered HTTP 200
with a ``THROTTLED`` error, as Shopify does.
"""

import base64
import json
import re
import threading
import time
from datetime import datetime, timedelta, timezone

from .server import FakeApi, Reply

API_PATH = "/admin/api/2024-10/graphql.json"
_LINE_FIRST = re.compile(r"lineItems\s*\(\s*first\s*:\s*(\d+)")
_SINCE = re.compile(r"^(updated_at|processed_at):>=\s*'?([^']+)'?$")


class FakeShopify(FakeApi):
    platform = "shopify"
    credentials = {"access_token": "shpat_fake0123456789abcdef"}

    def __init__(self, shop, credentials=None, *, maximum=1000.0, restore=100.0):
        super().__init__(shop, credentials)
        self.maximum = float(maximum)
        self.restore = float(restore)
        self.available = self.maximum
        self.updated = time.monotonic()
        self.bucket_lock = threading.Lock()
        self.stats.update(throttled=0)

    def handle(self, request):
        if request.headers.get("x-shopify-access-token") != self.credentials["access_token"]:
            return self.bad_signature(self.expired_reply(request))
        if request.method != "POST" or request.path != API_PATH:
            return Reply.json({"errors": "Not Found"}, 404)
        try:
            payload = request.json()
        except ValueError:
            return Reply.json({"errors": "Bad Request"}, 400)
        query = payload.get("query") or ""
        variables = payload.get("variables") or {}
        first = int(variables.get("first") or 0)
        if not 1 <= first <= 250:
            return _graphql_error("first must be between 1 and 250", "BAD_REQUEST")
        if re.search(r"\bshopifyPaymentsAccount\b", query):
            node_cost, build = 1, self._balance
        elif re.search(r"\borders\s*\(", query):
            lines = _LINE_FIRST.search(query)
            node_cost, build = 1 + (2 + int(lines.group(1)) if lines else 0), self._orders
        else:
            return _graphql_error("Field is not supported by the fake", "undefinedField")
        requested = 2 + first * node_cost
        if requested > self.maximum:
            return _graphql_error(
                f"Query cost is {requested}, which exceeds the single query max cost limit"
                f" ({self.maximum:g}).",
                "MAX_COST_EXCEEDED",
                cost=self._cost(requested, None),
            )
        if not self._take(requested):
            with self.lock:
                self.stats["throttled"] += 1
            return _graphql_error("Throttled", "THROTTLED", cost=self._cost(requested, None))
        match = _SINCE.match((variables.get("query") or "").strip())
        since = match.group(2) if match else None
        data, actual = build(first, variables.get("after"), since)
        self._give_back(requested - actual)
        return Reply.json({"data": data, "extensions": {"cost": self._cost(requested, actual)}})

    def expired_reply(self, request):
        return Reply.json(
            {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}, 401
        )

    # -- the bucket ------------------------------------------------------------
    def _refill(self):
        now = time.monotonic()
        self.available = min(self.maximum, self.available + (now - self.updated) * self.restore)
        self.updated = now

    def _take(self, cost):
        with self.bucket_lock:
            self._refill()
            if self.available < cost:
                return False
            self.available -= cost
            return True

    def _give_back(self, points):
        with self.bucket_lock:
            self.available = min(self.maximum, self.available + max(0, points))

    def _cost(self, requested, actual):
        with self.bucket_lock:
            self._refill()
            available = self.available
        return {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": self.maximum,
                "currentlyAvailable": round(available, 3),
                "restoreRate": self.restore,
            },
        }

    # -- orders ----------------------------------------------------------------
    def _orders(self, first, after, since):
        items = self._sorted("orders", self._order_items)
        nodes, info = _page(items, first, after, since)
        cost = 2 + sum(3 + len(node["lineItems"]["nodes"]) for node in nodes)
        return {"orders": {"nodes": nodes, "pageInfo": info}}, cost

    def _order_items(self):
        items = []
        for order in self.shop.orders():
            updated = order["refunded_at"] or order["paid_time"]
            items.append((_z(updated), order["index"], _order_node(order, updated)))
        return items

    # -- balance transactions ----------------------------------------------------
    def _balance(self, first, after, since):
        items = self._sorted("balance", self._balance_items)
        nodes, info = _page(items, first, after, since)
        cost = 2 + len(nodes)
        return {"shopifyPaymentsAccount": {"balanceTransactions": {"nodes": nodes, "pageInfo": info}}}, cost

    def _balance_items(self):
        items = []
        day = self.shop.first_day
        while day < self.shop.today:
            payout = f"{self.shop.seed}{day:%Y%m%d}"
            for number, row in enumerate(self.shop.bill_rows(day)):
                node = _transaction_node(row, payout, f"{payout}{number:05d}")
                items.append((node["transactionDate"], int(node["id"].rsplit("/", 1)[1]), node))
            day += timedelta(days=1)
        return items

    def _sorted(self, name, build):
        cache = self.__dict__.setdefault("_cache", {})
        if name not in cache:
            cache[name] = sorted(build(), key=lambda item: (item[0], item[1]))
        return cache[name]


def _page(items, first, after, since):
    """The page of ``items`` (``(time, key, node)`` sorted) after the cursor, since a time."""
    if after:
        position = json.loads(base64.urlsafe_b64decode(after))
        items = [item for item in items if [item[0], item[1]] > position]
    if since:
        since = _z_of(since)
        items = [item for item in items if item[0] >= since]
    page = items[:first]
    nodes = [item[2] for item in page]
    end = base64.urlsafe_b64encode(json.dumps([page[-1][0], page[-1][1]]).encode()).decode() if page else None
    return nodes, {"hasNextPage": len(items) > first, "endCursor": end}


def _order_node(order, updated):
    refunded = order["refund_amount"] > 0
    money = lambda value: {"shopMoney": {"amount": f"{value:.2f}", "currencyCode": order["currency"]}}  # noqa: E731
    return {
        "id": f"gid://shopify/Order/{order['index'] + 1}",
        "name": order["order_ref"],
        "createdAt": _z(order["order_time"]),
        "processedAt": _z(order["paid_time"]),
        "updatedAt": _z(updated),
        "cancelledAt": None,
        "displayFinancialStatus": "REFUNDED" if refunded else "PAID",
        "displayFulfillmentStatus": "UNFULFILLED" if order["status"] == "paid" else "FULFILLED",
        "totalPriceSet": money(order["amount_paid"]),
        "totalRefundedSet": money(order["refund_amount"]),
        "customer": {"displayName": order["buyer_name"], "phone": None},
        "shippingAddress": {
            "name": order["buyer_name"],
            "phone": order["buyer_phone"],
            "address1": order["address"],
            "address2": None,
            "city": None,
            "province": None,
            "zip": None,
            "country": None,
        },
        "lineItems": {
            "nodes": [
                {
                    "sku": line["sku"],
                    "quantity": line["quantity"],
                    "originalUnitPriceSet": money(line["unit_price"]),
                }
                for line in order["lines"]
            ]
        },
    }


def _transaction_node(row, payout, number):
    money = lambda value: {"amount": f"{value:.2f}", "currencyCode": row["currency"]}  # noqa: E731
    return {
        "id": f"gid://shopify/ShopifyPaymentsBalanceTransaction/{number}",
        "type": {"sale": "CHARGE", "refund": "REFUND", "payout": "PAYOUT"}[row["type"]],
        "test": False,
        "transactionDate": _z(row["time"]),
        "amount": money(row["gross"]),
        "fee": money(row["fee"]),
        "net": money(row["net"]),
        "associatedOrder": {"id": f"gid://shopify/Order/{row['order_ref']}", "name": row["order_ref"]}
        if row["order_ref"]
        else None,
        "associatedPayout": {"id": f"gid://shopify/ShopifyPaymentsPayout/{payout}", "status": "PAID"},
    }


def _graphql_error(message, code, cost=None):
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    if cost is not None:
        body["extensions"] = {"cost": cost}
    return Reply.json(body)


def _z(moment):
    return moment.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _z_of(text):
    """A filter's time as the fake's sortable text (ISO with ``Z``)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
