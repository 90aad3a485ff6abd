# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Stripe's balance transactions through the fake: every transaction once, resumable."""

import subprocess
import sys
from datetime import date, timedelta

import pytest

from ecomfin import parsers
from ecomfin.connectors import ConnectorError, HttpClient, RetryPolicy, TokenBucket, connector_for
from ecomfin.connectors.fake import FakeServer, FakeShop
from ecomfin.connectors.fake.stripe import FakeStripe

TODAY = date(2026, 12, 7)


@pytest.fixture
def server():
    with FakeServer(FakeStripe(FakeShop(450, seed=4, days=3, today=TODAY, currency="USD"))) as running:
        yield running


def connector(server, key="sk_test_fake"):
    http = HttpClient("stripe", limiter=TokenBucket(10_000), retry=RetryPolicy(attempts=3, base=0.001))
    return connector_for(
        "stripe", server.url, {"secret_key": key}, since=TODAY - timedelta(days=3), http=http
    )


def expected(server):
    shop = server.api.shop
    return {
        f"txn_{row['id']}": row
        for offset in (3, 2, 1)
        for row in shop.bill_rows(TODAY - timedelta(days=offset))
    }


def pull(conn, cursor=None, store=None):
    """Pull until the stream has no more; ``store``: txn id -> line (what a database keeps)."""
    store = {} if store is None else store
    while True:
        page = conn.pull_page("balance", cursor)
        if page.content:
            for line in parsers.parse(page.content, page.filename, page.fmt):
                store.setdefault(line.provider_txn_id, line)
        cursor = page.next_cursor
        if not page.has_more:
            return cursor, store


def test_a_pull_reads_every_transaction_with_its_amounts(server):
    _cursor, store = pull(connector(server))
    rows = expected(server)
    assert set(store) == set(rows)
    for txn, line in store.items():
        assert (line.gross, line.fee, line.net) == (rows[txn]["gross"], rows[txn]["fee"], rows[txn]["net"])
    assert {line.line_type for line in store.values()} == {"sale", "refund", "payout"}


def test_pulling_again_brings_only_the_overlap(server):
    cursor, store = pull(connector(server))
    page = connector(server).pull_page("balance", cursor)
    assert not page.has_more and page.rows <= 1, "only the newest transaction again (created >= newest)"


def test_a_pull_cut_half_way_resumes_from_its_cursor(server):
    conn = connector(server)
    server.faults.add({"kind": "reset", "after": 2, "times": 99})
    cursor, store = None, {}
    with pytest.raises(ConnectorError) as info:
        while True:  # what the database keeps: each page with the cursor after it
            page = conn.pull_page("balance", cursor)
            for line in parsers.parse(page.content, page.filename, page.fmt):
                assert line.provider_txn_id not in store
                store[line.provider_txn_id] = line
            cursor = page.next_cursor
    assert info.value.code == "gave_up"
    assert 0 < len(store) < len(expected(server))
    server.faults.clear()
    _cursor, store = pull(conn, cursor, store)
    assert set(store) == set(expected(server))


def test_a_wrong_key_is_refused(server):
    with pytest.raises(ConnectorError) as info:
        connector(server, key="sk_wrong").pull_page("balance", None)
    assert info.value.code == "auth_failed"
    assert server.api.stats["bad_signatures"] == 1


def test_missing_credentials_and_unknown_names():
    with pytest.raises(ConnectorError, match="missing credential"):
        connector_for("stripe", "http://127.0.0.1:9", {})
    with pytest.raises(ConnectorError, match="unknown platform 'ebay'"):
        connector_for("ebay", "http://127.0.0.1:9", {})


def test_the_fake_runs_from_the_command_line():
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ecomfin.connectors.fake",
            "--platform",
            "stripe",
            "--port",
            "0",
            "--orders",
            "5",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        second = process.stdout.readline()
    finally:
        process.terminate()
        process.wait(10)
    assert first.startswith("fake stripe API on http://127.0.0.1:")
    assert second.strip() == 'credentials: {"secret_key": "sk_test_fake"}'


def test_order_pages_merge_into_one_file_the_later_page_winning():
    from ecomfin.connectors import Page
    from ecomfin.connectors.render import merge_orders_pages, orders_csv

    shop = FakeShop(5, seed=2, days=1, today=TODAY)
    first, second = list(shop.orders(0, 3)), list(shop.orders(2, 5))
    second[0] = {**second[0], "status": "refunded", "refund_amount": second[0]["amount_paid"]}
    pages = []
    for orders in (first, second):
        content, rows = orders_csv(orders)
        pages.append(Page("orders", None, None, False, "p.csv", "orders_csv", content, rows=rows))
    content, rows = merge_orders_pages(pages)
    parsed = list(parsers.parse(content, "merged.csv", "orders_csv", profile="api"))
    refs = [line.order_ref for line in parsed]
    assert sorted(set(refs)) == sorted(order["order_ref"] for order in shop.orders())
    assert rows == len(parsed)
    changed = [line for line in parsed if line.order_ref == second[0]["order_ref"]]
    assert {line.status for line in changed} == {"refunded"}, "the later page's state"
