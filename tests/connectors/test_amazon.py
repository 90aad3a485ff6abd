# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Amazon SP-API through its fake: LWA tokens, settlement reports (the bill), orders.

SP-API requests carry no signature since October 2023 (only the LWA access token), so there is
no published signature vector to test: the tests check the token exchange's form against the
LWA documentation's parameters and that the fake refuses what Amazon refuses.
"""

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from ecomfin.connectors import ConnectorError, HttpClient, RetryPolicy, TokenBucket, connector_for
from ecomfin.connectors.amazon import RATE_LIMITS, canonical_order, lwa_refresh_form, sp_api_headers
from ecomfin.connectors.fake import FakeServer, FakeShop
from ecomfin.connectors.fake.amazon import FakeAmazon
from ecomfin.parsers import parse

TODAY = date(2026, 11, 20)
FAST = {operation: 1000 for operation in RATE_LIMITS}


@pytest.fixture
def shop():
    return FakeShop(120, 7, days=8, today=TODAY)


@pytest.fixture
def server(shop):
    with FakeServer(FakeAmazon(shop, settlement_days=1, rate_limits=FAST)) as server:
        yield server


def connector(server, shop, **credentials):
    http = HttpClient("amazon", limiter=TokenBucket(10_000), retry=RetryPolicy(base=0.001))
    found = connector_for(
        "amazon",
        server.url,
        {**server.api.credentials, "lwa_url": server.url, **credentials},
        since=shop.first_day,
        today=TODAY,
        http=http,
    )
    found.page_size = 3
    return found


def parse_page(page):
    options = dict(page.options)
    if "order_profile" in options:
        options["profile"] = options.pop("order_profile")
    return parse(page.content, page.filename, page.fmt, **options)


def pull(conn, stream, cursor=None, pages=None):
    """Pull ``stream`` to its end from ``cursor``; return the pages with content and the last cursor."""
    pages = [] if pages is None else pages
    while True:
        page = conn.pull_page(stream, cursor)
        cursor = page.next_cursor
        if page.content is not None:
            pages.append(page)
        if not page.has_more:
            return pages, cursor


def expected_settlement_rows(shop):
    """(order_ref, kind) -> amount, computed from the shop, not from the fake's file."""
    expected = Counter()
    day = shop.first_day
    while day < TODAY:
        for row in shop.bill_rows(day):
            if row["type"] == "sale":
                order = shop.order(int(row["order_ref"].rsplit("-", 1)[1]) - 1)
                expected[(row["order_ref"], "sale")] += order["amount_paid"]
                expected[(row["order_ref"], "commission")] -= order["fee"]
            elif row["type"] == "refund":
                expected[(row["order_ref"], "refund")] -= row["gross"] * -1
        day += timedelta(days=1)
    return expected


def settlement_totals(pages):
    found = Counter()
    for page in pages:
        for line in parse_page(page):
            found[(line.order_ref, line.line_type)] += line.gross
    return found


def test_lwa_form_and_headers_follow_the_documentation():
    # https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api
    assert lwa_refresh_form("cid", "secret", "Atzr|r") == {
        "grant_type": "refresh_token",
        "refresh_token": "Atzr|r",
        "client_id": "cid",
        "client_secret": "secret",
    }
    headers = sp_api_headers("Atza|t")
    assert headers["x-amz-access-token"] == "Atza|t"
    assert "authorization" not in {name.lower() for name in headers}  # no SigV4 since 2023


def test_settlements_pulled_once_each_with_their_amounts(server, shop):
    conn = connector(server, shop)
    pages, cursor = pull(conn, "bill")
    reports = [page.filename for page in pages]
    assert len(reports) == len(set(reports)) == 8  # one settlement a day, 8 days over
    assert settlement_totals(pages) == expected_settlement_rows(shop)
    for page in pages:  # every file's summary total equals its lines (the parser checks it)
        statement = parse_page(page)
        assert (
            sum((line.gross for line in statement), Decimal(0)) == statement.declared_totals["total-amount"]
        )
    assert server.api.stats["bad_signatures"] == 0
    assert server.api.stats["tokens_issued"] == 1  # one token serves the whole pull
    assert conn.refreshed["access_token"].startswith("Atza|")
    assert conn.credentials["access_token"] == conn.refreshed["access_token"]
    # gzip-compressed and plain documents were both downloaded
    assert {int(name.split("-")[-1].split(".")[0]) % 2 for name in reports} == {0, 1}
    # nothing new: the next pull returns no report (the edge's report is not repeated)
    again, cursor_again = pull(conn, "bill", cursor)
    assert again == [] and cursor_again == cursor


def test_wrong_client_secret_is_refused(server, shop):
    conn = connector(server, shop, client_secret="not-the-secret")
    with pytest.raises(ConnectorError) as info:
        conn.pull_page("bill", None)
    assert info.value.code == "auth_failed"
    assert info.value.platform_code == "invalid_client"
    assert server.api.stats["bad_signatures"] == 1


def test_wrong_access_token_is_renewed_once(server, shop):
    conn = connector(server, shop, access_token="Atza|stolen", access_token_expires=4_000_000_000)
    conn.pull_page("bill", None)
    assert server.api.stats["bad_signatures"] == 1  # the 403, then a new token
    assert server.api.stats["tokens_issued"] == 1


def test_faults_are_retried(server, shop):
    server.faults.add(
        {"kind": "status", "status": 429, "times": 2, "retry_after": 0},
        {"kind": "status", "status": 503},
        {"kind": "truncate", "after": 2},
        {"kind": "reset", "after": 1},
    )
    conn = connector(server, shop)
    pages, _cursor = pull(conn, "bill")
    assert settlement_totals(pages) == expected_settlement_rows(shop)
    assert conn.http.stats["retries"] >= 5


def test_expired_token_is_renewed_and_the_call_sent_again(server, shop):
    conn = connector(server, shop)
    page = conn.pull_page("bill", None)
    first = conn.refreshed["access_token"]
    server.faults.add({"kind": "expire_token"})  # the next call is told its token expired
    pages, _cursor = pull(conn, "bill", page.next_cursor, [page])
    assert conn.refreshed["access_token"] != first
    assert server.api.stats["tokens_issued"] == 2
    assert settlement_totals(pages) == expected_settlement_rows(shop)


def test_token_renewed_before_it_expires(server, shop):
    conn = connector(server, shop)
    page = conn.pull_page("bill", None)
    now = conn.clock()
    conn.clock = lambda: now + 3600 - 30  # within the minute before the expiry
    conn.pull_page("bill", page.next_cursor)
    assert server.api.stats["tokens_issued"] == 2


def test_expired_download_url_asks_for_a_new_one(server, shop):
    conn = connector(server, shop)
    # getReports, getReportDocument, then the download: it is refused as S3 refuses an old URL
    server.faults.add({"kind": "expire_token", "after": 2})
    page = conn.pull_page("bill", None)
    assert page.content is not None
    assert server.api.stats["downloads"] == 1


def test_cut_half_way_resumes_from_the_last_stored_cursor(server, shop):
    conn = connector(server, shop)
    stored, cursor = [], None
    server.faults.add({"kind": "reset", "after": 5, "times": 99})
    with pytest.raises(ConnectorError) as info:
        while True:
            page = conn.pull_page("bill", cursor)
            if page.content is not None:
                stored.append(page)
            cursor = page.next_cursor  # stored with the page, in one transaction
    assert info.value.code == "gave_up"
    assert 0 < len(stored) < 8
    server.faults.clear()
    conn = connector(server, shop)  # a new job: nothing kept in memory
    pages, _cursor = pull(conn, "bill", cursor, stored)
    assert len({page.filename for page in pages}) == len(pages) == 8
    assert settlement_totals(pages) == expected_settlement_rows(shop)


def test_rate_limit_header_sets_the_operations_bucket(shop):
    api = FakeAmazon(shop, settlement_days=1, rate_limits={**FAST, "getReports": 0.5})
    with FakeServer(api) as server:
        conn = connector(server, shop)
        conn.pull_page("bill", None)
    assert conn.buckets["getReports"].rate == 0.5
    assert conn.buckets["getReports"].capacity == RATE_LIMITS["getReports"][1]
    assert conn.buckets["getReportDocument"].rate == 1000


def test_orders_pulled_once_each():
    shop = FakeShop(40, 5, days=4, today=TODAY)  # getOrderItems is a call per order: a small shop
    with FakeServer(FakeAmazon(shop, rate_limits=FAST)) as server:
        conn = connector(server, shop)
        conn.page_size = 15
        pages, cursor = pull(conn, "orders")
        again, _cursor = pull(conn, "orders", cursor)
    pages, cursor = pull(conn, "orders")
    lines = defaultdict(list)
    for page in pages:
        for order in parse_page(page).orders():
            lines[order.order_ref].append(order)
    assert sorted(lines) == [order["order_ref"] for order in shop.orders()]
    for order in shop.orders():
        (parsed,) = lines[order["order_ref"]]
        assert parsed.amount_paid == order["amount_paid"]
        assert sorted((line.sku, line.quantity) for line in parsed.lines) == sorted(
            (line["sku"], line["quantity"]) for line in order["lines"]
        )
    seen = {order.order_ref for page in again for order in parse_page(page).orders()}
    assert seen <= set(lines) and len(seen) <= 1  # only the edge's order, already stored


def test_order_total_beyond_the_items_goes_on_a_line_without_sku():
    raw = {
        "AmazonOrderId": "111-1234567-1234567",
        "PurchaseDate": "2024-03-02T10:15:22Z",
        "OrderStatus": "Shipped",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": "113.99"},
    }
    items = [
        {"SellerSKU": "SKU-A", "QuantityOrdered": 2, "ItemPrice": {"CurrencyCode": "USD", "Amount": "100.00"}}
    ]
    order = canonical_order(raw, items)
    assert (order["status"], order["amount_paid"], order["order_time"]) == (
        "shipped",
        Decimal("113.99"),
        "2024-03-02 10:15:22",
    )
    assert order["lines"] == [
        {"sku": "SKU-A", "quantity": 2, "unit_price": Decimal("50.00")},
        {"sku": "", "quantity": 1, "unit_price": Decimal("13.99")},
    ]
    assert canonical_order({**raw, "OrderStatus": "Pending"}, items) is None
