# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Shopify Admin GraphQL API: orders and Shopify Payments balance transactions.

Every call is ``POST {base_url}/admin/api/2024-10/graphql.json`` with the app's access token in
``X-Shopify-Access-Token``; Admin API requests carry no signature (the token is the whole
check; https://shopify.dev/docs/api/usage/authentication#getting-started-with-authenticated-access).
A wrong or revoked token is HTTP 401 (``[API] Invalid API key or access token``); Shopify's
offline access tokens do not expire, so there is nothing to refresh: a 401 is ``auth_failed``.

Rate limit: calculated query cost, a leaky bucket per app and store
(https://shopify.dev/docs/api/usage/limits#graphql-admin-api-rate-limits). Every answer tells
``extensions.cost``: ``requestedQueryCost``, ``actualQueryCost`` and ``throttleStatus``
(``maximumAvailable``, ``currentlyAvailable``, ``restoreRate`` points a second). Before a query
the connector waits until the bucket, as last reported and refilled since, holds that query's
requested cost (learnt from its previous answer); a query refused anyway (HTTP 200 with an
error whose ``extensions.code`` is ``THROTTLED``) waits the same way and is sent again.

Stream ``orders``: ``orders(first, after, query: "updated_at:>='…'", sortKey: UPDATED_AT)``
rendered as the canonical orders CSV. Stream ``balance``: ``shopifyPaymentsAccount {
balanceTransactions(first, after, query: "processed_at:>='…'", sortKey: PROCESSED_AT) }``
rendered as the balance-transactions CSV the ``shopify_balance`` parser reads (the layout of
Shopify's own export). Both are paged by the connection's ``endCursor``; after the last page
the cursor holds the newest time seen (the next pull overlaps by that instant: the pages it
repeats add nothing new).
"""

import csv
import io
import json
import time
from datetime import datetime, timezone
from decimal import Decimal

from ..parsers.shopify import BALANCE_COLUMNS
from .base import Connector, ConnectorError, Page, Stream, decode_cursor, encode_cursor
from .render import ORDER_OPTIONS, orders_csv

API_VERSION = "2024-10"

ORDERS_QUERY = """
query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name createdAt processedAt updatedAt cancelledAt
      displayFinancialStatus displayFulfillmentStatus
      totalPriceSet { shopMoney { amount currencyCode } }
      totalRefundedSet { shopMoney { amount currencyCode } }
      customer { displayName phone }
      shippingAddress { name phone address1 address2 city province zip country }
      lineItems(first: 50) {
        nodes { sku quantity originalUnitPriceSet { shopMoney { amount currencyCode } } }
      }
    }
  }
}
"""

BALANCE_QUERY = """
query Balance($first: Int!, $after: String, $query: String) {
  shopifyPaymentsAccount {
    balanceTransactions(first: $first, after: $after, query: $query, sortKey: PROCESSED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id type test transactionDate
        amount { amount currencyCode }
        fee { amount currencyCode }
        net { amount currencyCode }
        associatedOrder { id name }
        associatedPayout { id status }
      }
    }
  }
}
"""

#: displayFinancialStatus -> canonical status (None: not an order yet, left out)
FINANCIAL_STATUS = {
    "PENDING": None,
    "AUTHORIZED": None,
    "EXPIRED": None,
    "PAID": "paid",
    "PARTIALLY_PAID": "paid",
    "PARTIALLY_REFUNDED": "partially_refunded",
    "REFUNDED": "refunded",
    "VOIDED": "cancelled",
}
SHIPPED = {"FULFILLED", "PARTIALLY_FULFILLED"}


class ShopifyConnector(Connector):
    platform = "shopify"
    streams = {
        "orders": Stream("orders", "orders_csv"),
        "balance": Stream("balance", "shopify_balance"),
    }
    credential_fields = ("access_token",)
    #: nodes a page: an orders page asks up to 50 line items an order, 15 orders keep its
    #: requested cost (2 + 15 * (1 + 2 + 50) = 797) under a standard store's 1,000 points
    page_size = 15

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.clock = time.monotonic
        #: the bucket as last reported: available, maximum, restore rate, when
        self.throttle = None
        #: query name -> its requested cost last time
        self.costs = {}
        self.stats = {"throttled": 0, "waited_s": 0.0}

    @property
    def endpoint(self):
        return f"{self.base_url}/admin/api/{API_VERSION}/graphql.json"

    # -- the leaky bucket ----------------------------------------------------------
    def available(self):
        """The points the bucket holds now, as last reported and refilled since (None: unknown)."""
        if self.throttle is None:
            return None
        elapsed = self.clock() - self.throttle["at"]
        return min(self.throttle["maximum"], self.throttle["available"] + elapsed * self.throttle["restore"])

    def wait_for(self, cost):
        """Sleep until the bucket holds ``cost`` points; return the seconds waited."""
        available = self.available()
        if available is None or cost is None or available >= cost or not self.throttle["restore"]:
            return 0.0
        pause = (min(cost, self.throttle["maximum"]) - available) / self.throttle["restore"]
        self.http.sleep(pause)
        self.stats["waited_s"] += pause
        return pause

    def _note_cost(self, name, cost):
        if not cost:
            return
        status = cost.get("throttleStatus") or {}
        if status:
            self.throttle = {
                "available": float(status.get("currentlyAvailable", 0)),
                "maximum": float(status.get("maximumAvailable", 0)),
                "restore": float(status.get("restoreRate", 0)),
                "at": self.clock(),
            }
        if cost.get("requestedQueryCost") is not None:
            self.costs[name] = float(cost["requestedQueryCost"])

    # -- calls -----------------------------------------------------------------------
    def graphql(self, name, query, variables):
        """The ``data`` of one query, waiting for the bucket and retrying a THROTTLED answer."""
        attempts = self.http.retry.attempts
        for _attempt in range(attempts):
            self.wait_for(self.costs.get(name))
            try:
                response = self.http.request(
                    "POST",
                    self.endpoint,
                    json={"query": query, "variables": variables},
                    headers={
                        "X-Shopify-Access-Token": self.credentials["access_token"],
                        "Content-Type": "application/json",
                    },
                )
            except ConnectorError as error:
                raise self._http_error(error) from None
            body = response.json()
            self._note_cost(name, (body.get("extensions") or {}).get("cost"))
            errors = body.get("errors")
            if not errors:
                return body.get("data") or {}
            if isinstance(errors, list) and any(_code(error) == "THROTTLED" for error in errors):
                self.stats["throttled"] += 1
                continue
            raise _graphql_error(errors)
        raise ConnectorError(
            "gave_up",
            {
                "attempts": attempts,
                "last": ConnectorError(
                    "platform_error", {"platform": self.platform, "code": "THROTTLED", "detail": "Throttled"}
                ),
            },
        )

    def _http_error(self, error):
        if error.code != "http_status":
            return error
        detail = error.params.get("body", "")
        errors = _json_errors(detail)
        if error.status == 401:
            return ConnectorError(
                "auth_failed",
                {"platform": self.platform, "detail": errors if isinstance(errors, str) else detail},
                status=401,
            )
        return ConnectorError(
            "platform_error",
            {"platform": self.platform, "code": str(error.status), "detail": detail},
            status=error.status,
        )

    # -- streams -----------------------------------------------------------------------
    def fetch(self, stream, cursor):
        state = decode_cursor(cursor)
        since = state.get("since") or f"{self.since:%Y-%m-%d}T00:00:00Z"
        if stream == "orders":
            name, query, field, stamp = "orders", ORDERS_QUERY, "updated_at", "updatedAt"
        else:
            name, query, field, stamp = "balance", BALANCE_QUERY, "processed_at", "transactionDate"
        variables = {"first": self.page_size, "after": state.get("after"), "query": f"{field}:>='{since}'"}
        data = self.graphql(name, query, variables)
        if stream == "orders":
            connection = data.get("orders") or {}
        else:
            account = data.get("shopifyPaymentsAccount")
            if account is None:
                raise ConnectorError(
                    "platform_error",
                    {
                        "platform": self.platform,
                        "code": "NO_SHOPIFY_PAYMENTS",
                        "detail": "no Shopify Payments account",
                    },
                )
            connection = account.get("balanceTransactions") or {}
        nodes = connection.get("nodes") or []
        info = connection.get("pageInfo") or {}
        newest = max(
            [since, state.get("newest") or since, *(node.get(stamp) or since for node in nodes)], key=_time
        )
        if info.get("hasNextPage") and info.get("endCursor"):
            next_state, more = {"since": since, "after": info["endCursor"], "newest": newest}, True
        else:
            next_state, more = {"since": newest}, False
        page = Page(stream, cursor, encode_cursor(next_state), has_more=more)
        if stream == "orders":
            orders = [order for order in map(canonical_order, nodes) if order is not None]
            if orders:
                page.content, page.rows = orders_csv(orders)
                page.fmt, page.options = "orders_csv", dict(ORDER_OPTIONS)
                page.filename = f"shopify-orders-{_stamp(since)}-{_gid(nodes[0]['id'])}.csv"
        else:
            rows = [node for node in nodes if not node.get("test")]
            if rows:
                page.content, page.rows = balance_csv(rows)
                page.fmt = "shopify_balance"
                page.filename = f"shopify-balance-{_stamp(since)}-{_gid(nodes[0]['id'])}.csv"
        return page


def canonical_order(node):
    """A Shopify order node as a canonical order (None: not paid yet).

    The lines are the line items at their original unit price; what the order's total adds to
    them (shipping, taxes, discounts) goes on one more line without a SKU, so that the lines add
    up to the total as the canonical layout checks.
    """
    status = FINANCIAL_STATUS.get(node.get("displayFinancialStatus"), "paid")
    if node.get("cancelledAt") and status in ("paid", None):
        status = "cancelled"
    if status is None:
        return None
    if status == "paid" and node.get("displayFulfillmentStatus") in SHIPPED:
        status = "shipped"
    total = _money(node.get("totalPriceSet"))
    lines = []
    for item in (node.get("lineItems") or {}).get("nodes") or ():
        quantity = int(item.get("quantity") or 0)
        if quantity > 0:
            lines.append(
                {
                    "sku": item.get("sku") or "",
                    "quantity": quantity,
                    "unit_price": _money(item.get("originalUnitPriceSet")),
                }
            )
    rest = total - sum((line["unit_price"] * line["quantity"] for line in lines), Decimal(0))
    if rest or not lines:
        lines.append({"sku": "", "quantity": 1, "unit_price": rest})
    address = node.get("shippingAddress") or {}
    customer = node.get("customer") or {}
    return {
        "order_ref": node["name"],
        "order_time": _utc_text(node.get("createdAt")),
        "paid_time": _utc_text(node.get("processedAt")),
        "status": status,
        "currency": ((node.get("totalPriceSet") or {}).get("shopMoney") or {}).get("currencyCode", ""),
        "amount_paid": total,
        "refund_amount": _money(node.get("totalRefundedSet")),
        "buyer_name": address.get("name") or customer.get("displayName") or "",
        "buyer_phone": address.get("phone") or customer.get("phone") or "",
        "address": " ".join(
            address[key]
            for key in ("address1", "address2", "city", "zip", "province", "country")
            if address.get(key)
        ),
        "lines": lines,
    }


def balance_csv(nodes):
    """Balance transaction nodes as Shopify's balance-transactions export (UTF-8 bytes), with the
    number of rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BALANCE_COLUMNS)
    for node in nodes:
        payout = node.get("associatedPayout") or {}
        order = node.get("associatedOrder") or {}
        when = _time(node["transactionDate"])
        writer.writerow(
            [
                when.strftime("%Y-%m-%d %H:%M:%S +0000"),
                (node.get("type") or "").lower(),
                order.get("name") or "",
                "",
                "",
                (payout.get("status") or "").lower(),
                "",
                _gid(payout["id"]) if payout.get("id") else "",
                "",
                _amount(node.get("amount")),
                _amount(node.get("fee")),
                _amount(node.get("net")),
                (node.get("amount") or {}).get("currencyCode", ""),
            ]
        )
    return out.getvalue().encode("utf-8"), len(nodes)


def _code(error):
    return ((error or {}).get("extensions") or {}).get("code") if isinstance(error, dict) else None


def _graphql_error(errors):
    if isinstance(errors, str):
        return ConnectorError("platform_error", {"platform": "shopify", "code": "", "detail": errors})
    first = errors[0] if errors else {}
    code = _code(first) or ""
    return ConnectorError(
        "platform_error",
        {"platform": "shopify", "code": code, "detail": first.get("message", "")},
        platform_code=code or None,
    )


def _json_errors(text):
    try:
        return json.loads(text).get("errors")
    except (ValueError, AttributeError):
        return None


def _money(value):
    return Decimal(((value or {}).get("shopMoney") or {}).get("amount") or "0")


def _amount(value):
    return f"{Decimal((value or {}).get('amount') or '0'):.2f}"


def _gid(gid):
    """The number at the end of a global id (``gid://shopify/Order/123`` -> ``123``)."""
    return str(gid).rsplit("/", 1)[-1]


def _time(text):
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _utc_text(text):
    return _time(text).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S") if text else ""


def _stamp(text):
    return _time(text).strftime("%Y%m%d%H%M%S")
