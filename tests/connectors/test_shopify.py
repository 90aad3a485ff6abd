# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Shopify Admin GraphQL through its fake: orders, Shopify Payments balance transactions, the
calculated-cost bucket.

Admin API requests carry no signature (the access token is the check), so there is no signature
vector: the tests check the token header and that a wrong token is refused as Shopify does.
"""

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from ecomfin.connectors import ConnectorError, HttpClient, RetryPolicy, TokenBucket, connector_for
from ecomfin.connectors.fake import FakeServer, FakeShop
from ecomfin.connectors.fake.shopify import FakeShopify
from ecomfin.connectors.shopify import canonical_order
from ecomfin.parsers import parse

TODAY = date(2026, 11, 20)


@pytest.fixture
def shop():
    return FakeShop(90, 4, days=6, today=TODAY)


@pytest.fixture
def server(shop):
    with FakeServer(FakeShopify(shop, restore=100_000)) as server:
        yield server


def connector(server, shop, **credentials):
    http = HttpClient("shopify", limiter=TokenBucket(10_000), retry=RetryPolicy(base=0.001))
    return connector_for(
        "shopify",
        server.url,
        {**server.api.credentials, **credentials},
        since=shop.first_day,
        today=TODAY,
        http=http,
    )


def parse_page(page):
    options = dict(page.options)
    if "order_profile" in options:
        options["profile"] = options.pop("order_profile")
    return parse(page.content, page.filename, page.fmt, **options)


def pull(conn, stream, cursor=None, pages=None):
    pages = [] if pages is None else pages
    while True:
        page = conn.pull_page(stream, cursor)
        cursor = page.next_cursor
        if page.content is not None:
            pages.append(page)
        if not page.has_more:
            return pages, cursor


def movements(shop):
    """(type, order_ref or payout day) -> (gross, fee, net, count), from the shop."""
    expected = Counter()
    day = shop.first_day
    while day < TODAY:
        for row in shop.bill_rows(day):
            key = (row["type"], row["order_ref"] or f"{day:%Y%m%d}")
            expected[key + ("gross",)] += row["gross"]
            expected[key + ("fee",)] += row["fee"]
            expected[key + ("n",)] += 1
        day += timedelta(days=1)
    return expected


def balance_lines(pages):
    found = Counter()
    kinds = {"sale": "sale", "refund": "refund", "payout": "payout"}
    for page in pages:
        for line in parse_page(page):
            ref = line.order_ref or f"{line.occurred_at:%Y%m%d}"
            key = (kinds[line.line_type], ref)
            found[key + ("gross",)] += line.gross
            found[key + ("fee",)] += line.fee
            found[key + ("n",)] += 1
    return found


def orders_of(pages):
    found = defaultdict(list)
    for page in pages:
        for order in parse_page(page).orders():
            found[order.order_ref].append(order)
    return found


def test_orders_pulled_once_each(server, shop):
    conn = connector(server, shop)
    pages, cursor = pull(conn, "orders")
    found = orders_of(pages)
    assert sorted(found) == [order["order_ref"] for order in shop.orders()]
    for order in shop.orders():
        (parsed,) = found[order["order_ref"]]
        assert (parsed.amount_paid, parsed.refund_amount) == (order["amount_paid"], order["refund_amount"])
        expected_status = {"paid": "paid", "refunded": "refunded"}.get(order["status"], "shipped")
        assert parsed.status == expected_status
        assert sorted((line.sku, line.quantity, line.unit_price) for line in parsed.lines) == sorted(
            (line["sku"], line["quantity"], line["unit_price"]) for line in order["lines"]
        )
        assert parsed.order_time.replace(tzinfo=None) == order["order_time"]
    assert server.api.stats["bad_signatures"] == 0
    # nothing new: the next pull repeats at most the edge's order, already stored
    again, _cursor = pull(conn, "orders", cursor)
    repeated = orders_of(again)
    assert set(repeated) <= set(found) and len(repeated) <= 1


def test_balance_transactions_pulled_once_each(server, shop):
    conn = connector(server, shop)
    pages, _cursor = pull(conn, "balance")
    assert balance_lines(pages) == movements(shop)
    statement = parse_page(pages[0])
    assert all(line.payout_ref for line in statement)
    assert statement.currency == shop.currency  # known once the lines are read


def test_wrong_token_is_refused(server, shop):
    conn = connector(server, shop, access_token="shpat_wrong")
    with pytest.raises(ConnectorError) as info:
        conn.pull_page("orders", None)
    assert (info.value.code, info.value.status) == ("auth_failed", 401)
    assert "Invalid API key or access token" in str(info.value)
    assert server.api.stats["bad_signatures"] == 1


def test_revoked_token_is_auth_failed(server, shop):
    # Shopify's offline tokens do not expire: the "expired" fault is the 401 of a revoked token
    conn = connector(server, shop)
    server.faults.add({"kind": "expire_token"})
    with pytest.raises(ConnectorError) as info:
        conn.pull_page("balance", None)
    assert info.value.code == "auth_failed"


def test_faults_are_retried(server, shop):
    server.faults.add(
        {"kind": "status", "status": 429, "times": 2, "retry_after": 0},
        {"kind": "status", "status": 502},
        {"kind": "truncate", "after": 1},
        {"kind": "reset", "after": 1},
    )
    conn = connector(server, shop)
    pages, _cursor = pull(conn, "balance")
    assert balance_lines(pages) == movements(shop)
    assert conn.http.stats["retries"] >= 5


def test_throttled_query_waits_and_is_sent_again(shop):
    api = FakeShopify(shop, maximum=1000, restore=2000)
    api.available = 0.0  # another app emptied the bucket
    with FakeServer(api) as server:
        conn = connector(server, shop)
        pages, _cursor = pull(conn, "orders")
    assert api.stats["throttled"] >= 1
    assert conn.stats["throttled"] == api.stats["throttled"]
    assert conn.stats["waited_s"] > 0
    assert sorted(orders_of(pages)) == [order["order_ref"] for order in shop.orders()]


def test_wait_for_reads_the_bucket_as_reported():
    shop = FakeShop(1, 1, today=TODAY)
    waited = []
    http = HttpClient("shopify", sleep=waited.append)
    conn = connector_for("shopify", "http://127.0.0.1:9", {"access_token": "x"}, http=http)
    now = [100.0]
    conn.clock = lambda: now[0]
    assert conn.wait_for(500) == 0  # nothing reported yet: send and learn
    conn._note_cost(
        "orders",
        {
            "requestedQueryCost": 797,
            "actualQueryCost": 300,
            "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 97.0, "restoreRate": 100.0},
        },
    )
    now[0] += 2  # 97 + 2 s * 100 = 297 points
    assert conn.wait_for(conn.costs["orders"]) == pytest.approx(5.0)
    assert waited == [pytest.approx(5.0)]
    now[0] += 10
    assert conn.available() == 1000.0  # never above the maximum
    assert conn.wait_for(797) == 0
    del shop


def test_cut_half_way_resumes_from_the_last_stored_cursor(server, shop):
    conn = connector(server, shop)
    stored, cursor = [], None
    server.faults.add({"kind": "reset", "after": 3, "times": 99})
    with pytest.raises(ConnectorError) as info:
        while True:
            page = conn.pull_page("balance", cursor)
            if page.content is not None:
                stored.append(page)
            cursor = page.next_cursor
    assert info.value.code == "gave_up"
    assert len(stored) == 3
    server.faults.clear()
    pages, _cursor = pull(connector(server, shop), "balance", cursor, stored)
    assert balance_lines(pages) == movements(shop)


def test_order_totals_beyond_the_items_go_on_a_line_without_sku():
    money = lambda amount: {"shopMoney": {"amount": amount, "currencyCode": "USD"}}  # noqa: E731
    node = {
        "id": "gid://shopify/Order/1",
        "name": "#1001",
        "createdAt": "2024-03-01T15:15:00Z",
        "processedAt": "2024-03-01T10:15:22-05:00",
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "FULFILLED",
        "totalPriceSet": money("100.00"),
        "totalRefundedSet": money("0.00"),
        "lineItems": {"nodes": [{"sku": "MUG-1", "quantity": 2, "originalUnitPriceSet": money("45.00")}]},
    }
    order = canonical_order(node)
    assert order["status"] == "shipped"
    assert order["paid_time"] == "2024-03-01 15:15:22"
    assert order["lines"][1] == {"sku": "", "quantity": 1, "unit_price": Decimal("10.00")}
    assert canonical_order({**node, "displayFinancialStatus": "PENDING"}) is None
    assert (
        canonical_order({**node, "displayFinancialStatus": "PARTIALLY_REFUNDED"})["status"]
        == "partially_refunded"
    )
