# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Taobao/Tmall TOP connector against its fake router on loopback."""

import hashlib
import hmac
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ecomfin.connectors import ConnectorError, HttpClient, RetryPolicy, TokenBucket, connector_for
from ecomfin.connectors.fake import FakeServer, FakeShop, Reply
from ecomfin.connectors.fake.taobao import FakeTaobao, shop_now, trade_view
from ecomfin.connectors.taobao import canonical_order, top_sign
from ecomfin.parsers import parse

TODAY = date(2026, 12, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def http():
    return HttpClient(
        "taobao", limiter=TokenBucket(10_000), retry=RetryPolicy(base=0.001), sleep=lambda s: None
    )


def connector(server, shop, credentials=None, page_size=7):
    conn = connector_for(
        "taobao",
        server.url,
        credentials or FakeTaobao.credentials,
        since=shop.first_day,
        today=shop.today,
        http=http(),
    )
    conn.page_size = page_size
    return conn


class Store:
    """What the Odoo side keeps: the pages stored and the cursor, advanced together."""

    def __init__(self):
        self.cursor = None
        self.pages = []

    def pull(self, conn, stream="orders"):
        while True:
            page = conn.pull_page(stream, self.cursor)
            if page.content is not None:
                self.pages.append(page)
            self.cursor = page.next_cursor
            if not page.has_more:
                return

    def orders(self):
        found = []
        for page in self.pages:
            options = {
                "profile" if key == "order_profile" else key: value for key, value in page.options.items()
            }
            found.extend(parse(page.content, page.filename, page.fmt, **options).orders())
        return found


def expected(shop):
    now = shop_now(shop)
    result = {}
    for order in shop.orders():
        _modified, status, refund = trade_view(order, now)
        result[order["order_ref"]] = (order, status, refund)
    return result


def utc(moment):
    return moment.replace(tzinfo=SHANGHAI).astimezone(timezone.utc)


@pytest.fixture
def shop():
    return FakeShop(60, seed=3, days=3, today=TODAY)


@pytest.fixture
def server(shop):
    with FakeServer(FakeTaobao(shop)) as running:
        yield running


# -- signatures ------------------------------------------------------------------------
def test_md5_signature_matches_the_published_example():
    # The example of TOP's API 调用协议 (https://open.taobao.com/doc.htm?docId=101617&docType=1):
    # secret "test", these parameters -> 72CB4D809B375A54502C09360D879C64.
    params = {
        "method": "taobao.user.seller.get",
        "timestamp": "2013-05-06 13:52:03",
        "format": "xml",
        "app_key": "test",
        "v": "2.0",
        "fields": "nick",
        "sign_method": "md5",
        "session": "test",
    }
    assert top_sign(params, "test") == "72CB4D809B375A54502C09360D879C64"
    assert top_sign({**params, "sign": "ignored", "empty": ""}, "test") == "72CB4D809B375A54502C09360D879C64"


def test_hmac_signatures_against_an_independent_computation():
    # TOP publishes no example for the HMAC methods: checked against hmac/hashlib directly.
    params = {"method": "taobao.trades.sold.increment.get", "app_key": "12345678", "page_no": "1"}
    concat = "app_key12345678methodtaobao.trades.sold.increment.getpage_no1"
    assert top_sign(params, "s3", "hmac") == hmac.new(b"s3", concat.encode(), hashlib.md5).hexdigest().upper()
    assert (
        top_sign(params, "s3", "hmac-sha256")
        == hmac.new(b"s3", concat.encode(), hashlib.sha256).hexdigest().upper()
    )
    with pytest.raises(ValueError):
        top_sign(params, "s3", "sha1")


# -- the orders stream ---------------------------------------------------------------
@pytest.mark.parametrize("sign_method", ["md5", "hmac", "hmac-sha256"])
def test_full_pull_every_paid_order_once(shop, server, sign_method):
    conn = connector(server, shop, {**FakeTaobao.credentials, "sign_method": sign_method})
    store = Store()
    store.pull(conn)
    orders = store.orders()
    refs = [order.order_ref for order in orders]
    assert len(refs) == len(set(refs)) == shop.count  # the unpaid trades are left out
    want = expected(shop)
    assert any(status == "refunded" for _order, status, _refund in want.values())
    for order in orders:
        source, status, refund = want[order.order_ref]
        assert order.status == status
        assert order.amount_paid == source["amount_paid"]
        assert order.refund_amount == (refund or 0)
        assert order.order_time == utc(source["order_time"])
        assert order.paid_time == utc(source["paid_time"])
        assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
            (line["sku"], line["quantity"], line["unit_price"]) for line in source["lines"]
        ]
        assert order.buyer_name == source["buyer_name"]
        assert order.address.endswith(source["address"].removeprefix("上海市浦东新区"))
    assert server.api.stats["bad_signatures"] == 0
    # nothing new: the next pull asks from the last window's end and stores nothing
    again = Store()
    again.cursor = store.cursor
    again.pull(conn)
    assert again.pages == []


def test_statuses():
    base = {"tid": 1, "payment": "100.00", "orders": {"order": [{"num": 1, "payment": "100.00"}]}}
    assert canonical_order({**base, "status": "WAIT_BUYER_PAY"}) is None
    assert canonical_order({**base, "status": "TRADE_FINISHED"})["status"] == "completed"
    assert canonical_order({**base, "status": "TRADE_CLOSED_BY_TAOBAO"})["status"] == "cancelled"
    assert canonical_order({**base, "status": "TRADE_CLOSED"})["status"] == "cancelled"  # nothing refunded
    partial = {**base, "orders": {"order": [{"num": 1, "payment": "100.00", "refund_fee": "30.00"}]}}
    assert canonical_order({**partial, "status": "TRADE_FINISHED"})["status"] == "partially_refunded"


def test_wrong_secret_is_refused(shop, server):
    conn = connector(server, shop, {**FakeTaobao.credentials, "app_secret": "wrong"})
    with pytest.raises(ConnectorError) as info:
        conn.pull_page("orders", None)
    assert info.value.code == "auth_failed"
    assert info.value.platform_code == "25"
    assert server.api.stats["bad_signatures"] == 1


def test_expired_session(shop, server):
    conn = connector(server, shop)
    server.faults.add({"kind": "expire_token"})
    with pytest.raises(ConnectorError) as info:
        conn.pull_page("orders", None)
    assert info.value.code == "token_expired"


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 429, "retry_after": 0, "times": 2},
        {"kind": "status", "status": 502, "times": 2},
        {"kind": "truncate"},
        {"kind": "reset", "after": 1},
    ],
)
def test_transport_faults_are_retried(shop, server, fault):
    conn = connector(server, shop)
    server.faults.add(fault)
    store = Store()
    store.pull(conn)
    assert len({order.order_ref for order in store.orders()}) == shop.count
    assert conn.http.stats["retries"] >= 1


class BusyTaobao(FakeTaobao):
    """Answers TOP's "App Call Limited" (code 7) to the first ``busy`` calls."""

    busy = 2

    def handle(self, request):
        if self.busy:
            self.busy -= 1
            return Reply.json(
                {"error_response": {"code": 7, "msg": "App Call Limited", "sub_code": "isv.call-limited"}}
            )
        return super().handle(request)


def test_app_call_limited_is_retried(shop):
    with FakeServer(BusyTaobao(shop)) as server:
        conn = connector(server, shop)
        store = Store()
        store.pull(conn)
    assert len(store.orders()) == shop.count
    assert conn.http.stats["retries"] == 2


def test_cut_half_way_resumes_from_the_stored_cursor(shop, server):
    conn = connector(server, shop)
    store = Store()
    server.faults.add({"kind": "reset", "after": 2, "times": 99})
    with pytest.raises(ConnectorError) as info:
        store.pull(conn)
    assert info.value.code == "gave_up"
    assert len(store.pages) == 2
    server.faults.clear()
    store.pull(conn)
    refs = [order.order_ref for order in store.orders()]
    assert len(refs) == len(set(refs)) == shop.count


def test_windows_are_at_most_one_day(shop, server):
    conn = connector(server, shop, page_size=100)
    page = conn.pull_page("orders", None)
    assert page.has_more
    first = datetime.combine(shop.first_day, datetime.min.time())
    assert '"start":"%s"' % (first + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S") in page.next_cursor
