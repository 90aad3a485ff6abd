# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Douyin shop (抖店): signatures, both streams pulled whole through the fake, faults, resuming."""

import hashlib
import hmac
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest

from ecomfin.connectors import ConnectorError, HttpClient, RetryPolicy, TokenBucket, connector_for
from ecomfin.connectors.douyin import DouyinConnector, param_json, sign
from ecomfin.connectors.fake import FakeServer, FakeShop
from ecomfin.connectors.fake.douyin import FakeDouyin
from ecomfin.connectors.fake.douyin import _error as fake_error
from ecomfin.parsers import parse

TODAY = date(2026, 11, 20)


def test_param_json_is_sorted_and_compact():
    assert (
        param_json({"size": 10, "page": 0, "b": {"z": 1, "a": "中&<"}})
        == '{"b":{"a":"中&<","z":1},"page":0,"size":10}'
    )


def test_sign_hmac_sha256_and_md5():
    """The documented pattern with the API guide's example app_key, method and param_json; the
    guide shows no digest for them, so both methods are checked against an independent
    computation of the rule."""
    body = param_json({"cid": "12", "page": "1"})
    pattern = (
        "s3cr3t"
        "app_key3409409348479354011methodproduct.getGoodsCategory"
        'param_json{"cid":"12","page":"1"}timestamp1600152493v2'
        "s3cr3t"
    )
    expected = hmac.new(b"s3cr3t", pattern.encode(), hashlib.sha256).hexdigest()
    assert sign("3409409348479354011", "s3cr3t", "product.getGoodsCategory", body, "1600152493") == expected
    assert (
        sign(
            "3409409348479354011", "s3cr3t", "product.getGoodsCategory", body, "1600152493", sign_method="md5"
        )
        == hashlib.md5(pattern.encode()).hexdigest()
    )
    assert sign("3409409348479354011", "s3cr3t", "product.getGoodsCategory", body, "1600152494") != expected


@pytest.fixture
def shop():
    return FakeShop(60, seed=11, days=2, today=TODAY)


@pytest.fixture
def server(shop):
    running = FakeServer(FakeDouyin(shop))
    # headers and body go out in two writes: without this, Nagle + delayed ACK cost 40 ms a request
    running.httpd.RequestHandlerClass.disable_nagle_algorithm = True
    with running:
        yield running


def connector(server, shop, *, page_size=None, sleeps=None, today=TODAY, **credentials):
    http = HttpClient(
        "douyin",
        limiter=TokenBucket(10_000),
        retry=RetryPolicy(base=0.001),
        sleep=(sleeps.append if sleeps is not None else lambda _pause: None),
    )
    given = {**FakeDouyin.credentials, **credentials}
    given = {key: value for key, value in given.items() if value is not None}
    built = DouyinConnector(server.url, given, http, since=shop.first_day, today=today)
    if page_size:
        built.page_size = page_size
    return built


class Store:
    """What the Odoo side keeps of a stream: its cursor and the lines of the pages stored. An
    order comes whole in a page and replaces what was known of it; a bill line is known by its
    id: a page overlapping the last one adds only what is new."""

    def __init__(self):
        self.cursor = None
        self.items = {}
        self.added = 0

    @property
    def lines(self):
        return [line for lines in self.items.values() for line in lines]

    def pull(self, conn, stream, after_page=None):
        self.added = 0
        while True:
            page = conn.pull_page(stream, self.cursor)
            if page.content is not None:
                options = {"profile": page.options["order_profile"]} if page.options else {}
                parsed = parse(page.content, page.filename, page.fmt, **options)
                found = {}
                for line in parsed:
                    found.setdefault(_key(line), []).append(line)
                self.added += len(found.keys() - self.items.keys())
                self.items.update(found)
            self.cursor = page.next_cursor
            if after_page:
                after_page(page)
            if not page.has_more:
                return page


def _key(line):
    return line.order_ref if hasattr(line, "sku") else line.provider_txn_id


def test_orders_pulled_whole(server, shop):
    conn = connector(server, shop, page_size=7)
    store = Store()
    store.pull(conn, "orders")
    expected = Counter(
        (order["order_ref"], line["sku"], line["quantity"], line["unit_price"], order["amount_paid"])
        for order in shop.orders()
        for line in order["lines"]
    )
    got = Counter(
        (line.order_ref, line.sku, line.quantity, line.unit_price, line.amount_paid) for line in store.lines
    )
    assert got == expected
    refunded = {order["order_ref"] for order in shop.orders() if order["status"] == "refunded"}
    assert {line.order_ref for line in store.lines if line.status == "refunded"} == refunded
    first = shop.order(0)
    line = next(line for line in store.lines if line.order_ref == first["order_ref"])
    assert line.order_time.replace(tzinfo=None) == first["order_time"]
    assert line.address == first["address"]
    assert server.api.stats["bad_signatures"] == 0
    store.pull(conn, "orders")
    assert store.added == 0


def test_an_order_changing_during_the_pull_makes_no_other_skipped(server, shop):
    conn = connector(server, shop, page_size=10)
    store = Store()
    pages = []

    def change_one_already_read(page):
        pages.append(page)
        if len(pages) == 1:  # an order of the first page changes again: it leaves the window
            orders = server.api._all_orders()
            moved = orders.pop(3)
            orders.append((conn.now() + 3600, moved[1]))

    store.pull(conn, "orders", after_page=change_one_already_read)
    assert set(store.items) == {order["order_ref"] for order in shop.orders()}


def test_the_settlement_bill_of_every_day_once(server, shop):
    conn = connector(server, shop)
    store = Store()
    store.pull(conn, "bill")
    assert store.cursor == TODAY.isoformat()
    expected = Counter()
    day = shop.first_day
    while day < TODAY:
        for row in shop.bill_rows(day):
            if row["type"] != "payout":
                expected[(row["order_ref"], row["type"])] += row["net"]
        day += timedelta(days=1)
    got = Counter()
    for line in store.lines:
        got[(line.order_ref, line.line_type)] += line.net
        assert line.net == line.gross - line.fee
    assert +got == +expected
    fees = sum((line.fee for line in store.lines), Decimal(0))
    assert fees == sum(
        (row["fee"] for day in range(2) for row in shop.bill_rows(shop.first_day + timedelta(days=day))),
        Decimal(0),
    )


def test_bill_paged_by_start_index(server, shop):
    big = FakeShop(250, seed=3, days=1, today=TODAY)
    server.api.shop = big
    conn = connector(server, big)
    page = conn.pull_page("bill", None)
    assert page.rows == len(big.bill_rows(big.first_day)) - 1 > 100  # the payout is not in it
    assert len(list(parse(page.content, page.filename, page.fmt))) == page.rows


def test_yesterdays_bill_is_missing_before_three_in_the_afternoon(server, shop):
    conn = connector(server, shop)
    conn.now = lambda: int(conn_day_time(TODAY, 14))
    page = conn.pull_page("bill", (TODAY - timedelta(days=1)).isoformat())
    assert page.missing_day == TODAY - timedelta(days=1) and page.content is None
    conn.now = lambda: int(conn_day_time(TODAY, 15))
    assert conn.pull_page("bill", (TODAY - timedelta(days=1)).isoformat()).content


def conn_day_time(day, hour):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()


def test_wrong_secret_is_refused(server, shop):
    conn = connector(server, shop, app_secret="not-the-secret")
    with pytest.raises(ConnectorError) as info:
        conn.pull_page("orders", None)
    assert info.value.code == "auth_failed" and info.value.platform_code == 40003
    assert server.api.stats["bad_signatures"] == 1


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 429, "retry_after": 1},
        {"kind": "status", "status": 503, "times": 2},
        {"kind": "truncate"},
        {"kind": "reset"},
    ],
)
def test_faults_are_retried(server, shop, fault):
    sleeps = []
    conn = connector(server, shop, sleeps=sleeps)
    server.faults.add({**fault, "after": 1})
    store = Store()
    store.pull(conn, "bill")
    assert conn.http.stats["retries"] >= 1
    if fault.get("retry_after"):
        assert max(sleeps) >= 1
    assert len(store.lines) == sum(
        1
        for day in range(2)
        for row in shop.bill_rows(shop.first_day + timedelta(days=day))
        if row["type"] != "payout"
    )


def test_rate_limit_in_the_body_is_waited_out(server, shop):
    original = server.api.handle
    calls = []

    def busy_once(request):
        calls.append(request)
        if len(calls) == 1:
            return fake_error(60000, "触发限流，请稍后重试", "isp.flow-limit", "触发限流")
        return original(request)

    server.api.handle = busy_once
    conn = connector(server, shop)
    assert conn.pull_page("bill", None).content
    assert conn.http.stats["retries"] == 1


def test_expired_token_is_refreshed(server, shop):
    conn = connector(server, shop)
    server.faults.add({"kind": "expire_token"})
    assert conn.pull_page("orders", None).content
    assert (
        conn.refreshed["access_token"]
        == conn.credentials["access_token"]
        != FakeDouyin.credentials["access_token"]
    )
    assert conn.refreshed["expires_at"] > 0


def test_expired_token_without_refresh_token(server, shop):
    conn = connector(server, shop, refresh_token=None)
    server.faults.add({"kind": "expire_token"})
    with pytest.raises(ConnectorError) as info:
        conn.pull_page("orders", None)
    assert info.value.code == "token_expired"


@pytest.mark.parametrize(("stream", "after"), [("orders", 2), ("bill", 1)])
def test_cut_half_way_then_resumed(server, shop, stream, after):
    whole = Store()
    whole.pull(connector(server, shop, page_size=5), stream)
    conn = connector(server, shop, page_size=5)
    store = Store()
    server.faults.add({"kind": "reset", "after": after, "times": 99})
    with pytest.raises(ConnectorError) as info:
        store.pull(conn, stream)
    assert info.value.code == "gave_up"
    assert 0 < len(store.lines) < len(whole.lines)
    server.faults.clear()
    store.pull(conn, stream)
    assert Counter(map(_key, store.lines)) == Counter(map(_key, whole.lines))
    store.pull(conn, stream)
    assert store.added == 0


def test_registered(server, shop):
    assert isinstance(connector_for("douyin", server.url, FakeDouyin.credentials), DouyinConnector)
