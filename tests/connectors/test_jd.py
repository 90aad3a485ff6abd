# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""JD JOS connector (orders, daily settlement bill) against its fake router on loopback."""

import hashlib
from collections import Counter
from datetime import date, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ecomfin.connectors import ConnectorError, HttpClient, RetryPolicy, TokenBucket, connector_for
from ecomfin.connectors.fake import FakeServer, FakeShop, Reply
from ecomfin.connectors.fake.jd import FakeJd
from ecomfin.connectors.fake.taobao import shop_now, trade_view
from ecomfin.connectors.jd import canonical_order, jos_sign, param_json
from ecomfin.parsers import parse

TODAY = date(2026, 12, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def http():
    return HttpClient("jd", limiter=TokenBucket(10_000), retry=RetryPolicy(base=0.001), sleep=lambda s: None)


def connector(server, shop, credentials=None):
    conn = connector_for(
        "jd",
        server.url,
        credentials or FakeJd.credentials,
        since=shop.first_day,
        today=shop.today,
        http=http(),
    )
    conn.page_size = 7
    conn.bill_page_size = 9
    return conn


class Store:
    """What the Odoo side keeps: the pages stored and the cursor, advanced together."""

    def __init__(self):
        self.cursor = None
        self.pages = []

    def pull(self, conn, stream):
        while True:
            page = conn.pull_page(stream, self.cursor)
            if page.content is not None:
                self.pages.append(page)
            self.cursor = page.next_cursor
            if not page.has_more:
                return page

    def parsed(self):
        for page in self.pages:
            options = {
                "profile" if key == "order_profile" else key: value for key, value in page.options.items()
            }
            yield parse(page.content, page.filename, page.fmt, **options)

    def orders(self):
        return [order for parsed in self.parsed() for order in parsed.orders()]

    def lines(self):
        return [line for parsed in self.parsed() for line in parsed]


@pytest.fixture
def shop():
    return FakeShop(60, seed=5, days=3, today=TODAY)


@pytest.fixture
def server(shop):
    with FakeServer(FakeJd(shop)) as running:
        yield running


# -- signature ---------------------------------------------------------------------------
def test_signature_against_an_independent_computation():
    # JOS publishes the algorithm (https://jos.jd.com/commondoc?listId=33) without a worked
    # example with its result: the expected value is computed here by hand.
    business = {"start_date": "2026-11-28 00:00:00", "page": "1", "end_date": "2026-11-29 00:00:00"}
    params = {
        "method": "jingdong.pop.order.search",
        "app_key": "KEY",
        "access_token": "TOKEN",
        "timestamp": "2026-12-01 10:00:00",
        "v": "2.0",
        "360buy_param_json": param_json(business),
    }
    assert params["360buy_param_json"] == (
        '{"end_date":"2026-11-29 00:00:00","page":"1","start_date":"2026-11-28 00:00:00"}'
    )
    text = (
        "SECRET360buy_param_json" + params["360buy_param_json"] + "access_tokenTOKENapp_keyKEY"
        "methodjingdong.pop.order.searchtimestamp2026-12-01 10:00:00v2.0SECRET"
    )
    assert jos_sign(params, "SECRET") == hashlib.md5(text.encode()).hexdigest().upper()
    assert jos_sign({**params, "sign": "x"}, "SECRET") == jos_sign(params, "SECRET")


# -- orders ----------------------------------------------------------------------------------
def test_orders_full_pull_every_order_once(shop, server):
    conn = connector(server, shop)
    store = Store()
    store.pull(conn, "orders")
    orders = store.orders()
    refs = [order.order_ref for order in orders]
    assert len(refs) == len(set(refs)) == shop.count
    now = shop_now(shop)
    statuses = Counter()
    for order in orders:
        source = shop.order(int(order.order_ref.rsplit("-", 1)[1]) - 1)
        _modified, status, refund = trade_view(source, now)
        statuses[status] += 1
        assert order.status == status
        assert order.amount_paid == source["amount_paid"]
        assert order.refund_amount == (refund or 0)
        assert order.paid_time == source["paid_time"].replace(tzinfo=SHANGHAI).astimezone(timezone.utc)
        assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
            (line["sku"], line["quantity"], line["unit_price"]) for line in source["lines"]
        ]
    assert statuses["refunded"]
    # nothing new
    again = Store()
    again.cursor = store.cursor
    again.pull(conn, "orders")
    assert again.pages == []


def test_order_statuses():
    base = {"orderId": 1, "orderPayment": "10.00", "itemInfoList": []}
    assert canonical_order({**base, "orderState": "WAIT_SELLER_STOCK_OUT"})["status"] == "paid"
    assert canonical_order({**base, "orderState": "FINISHED_L"})["status"] == "completed"
    assert canonical_order({**base, "orderState": "TRADE_CANCELED"})["status"] == "cancelled"
    refunded = canonical_order(
        {**base, "orderState": "TRADE_CANCELED", "paymentConfirmTime": "2026-11-30 10:00:00"}
    )
    assert (refunded["status"], refunded["refund_amount"]) == ("refunded", Decimal("10.00"))
    assert canonical_order({**base, "orderState": "WAIT_PAY"}) is None


# -- the daily bill ------------------------------------------------------------------------
def expected_bill(shop):
    """(order_ref, line_type, gross) of every 日账单明细 row of the shop's days."""
    rows = []
    day = shop.first_day
    while day < shop.today:
        for row in shop.bill_rows(day):
            if row["type"] == "sale":
                rows.append((row["order_ref"], "sale", row["gross"]))
                rows.append((row["order_ref"], "commission", -row["fee"]))
            else:
                rows.append((row["order_ref"] or None, row["type"], row["gross"]))
        day += timedelta(days=1)
    return Counter(rows)


def test_bill_full_pull_one_file_a_day(shop, server):
    conn = connector(server, shop)
    store = Store()
    last = store.pull(conn, "bill")
    assert [page.filename for page in store.pages] == [
        f"jd-settlement-{shop.first_day + timedelta(days=n):%Y%m%d}.csv" for n in range(shop.days)
    ]
    assert {page.fmt for page in store.pages} == {"jd_settlement"}
    assert store.cursor == TODAY.isoformat() and not last.has_more
    lines = store.lines()
    got = Counter((line.order_ref, line.line_type, line.gross) for line in lines)
    assert got == expected_bill(shop)
    assert {line.line_type for line in lines} >= {"sale", "commission", "refund", "payout"}
    # the same day again is the same file (the Odoo side finds it already stored)
    again = conn.pull_page("bill", shop.first_day.isoformat())
    assert again.content == store.pages[0].content
    # nothing new: today is not over
    assert conn.pull_page("bill", store.cursor).content is None


def test_bill_not_generated_yet_is_a_missing_day(shop, server):
    server.api.ready_until = TODAY - timedelta(days=1)
    conn = connector(server, shop)
    store = Store()
    last = store.pull(conn, "bill")
    yesterday = TODAY - timedelta(days=1)
    assert last.missing_day == yesterday
    assert store.cursor == yesterday.isoformat()
    assert len(store.pages) == shop.days - 1
    server.api.ready_until = None
    store.pull(conn, "bill")
    assert len(store.pages) == shop.days


def test_wrong_secret_is_refused(shop, server):
    conn = connector(server, shop, {**FakeJd.credentials, "app_secret": "wrong"})
    with pytest.raises(ConnectorError) as info:
        conn.pull_page("bill", None)
    assert info.value.code == "auth_failed"
    assert info.value.platform_code == "12"
    assert server.api.stats["bad_signatures"] == 1


def test_expired_token(shop, server):
    conn = connector(server, shop)
    server.faults.add({"kind": "expire_token"})
    with pytest.raises(ConnectorError) as info:
        conn.pull_page("orders", None)
    assert info.value.code == "token_expired"


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 429, "retry_after": 0, "times": 2},
        {"kind": "status", "status": 503},
        {"kind": "truncate", "after": 1},
        {"kind": "reset"},
    ],
)
def test_transport_faults_are_retried(shop, server, fault):
    conn = connector(server, shop)
    server.faults.add(fault)
    store = Store()
    store.pull(conn, "bill")
    assert Counter((line.order_ref, line.line_type, line.gross) for line in store.lines()) == expected_bill(
        shop
    )
    assert conn.http.stats["retries"] >= 1


class BusyJd(FakeJd):
    """Answers JOS's "App Call Limited" (code 2) to the first ``busy`` calls."""

    busy = 2

    def handle(self, request):
        if self.busy:
            self.busy -= 1
            return Reply.json(
                {
                    "error_response": {
                        "code": "2",
                        "zh_desc": "限制时间内调用失败次数",
                        "en_desc": "App Call Limited",
                    }
                }
            )
        return super().handle(request)


def test_app_call_limited_is_retried(shop):
    with FakeServer(BusyJd(shop)) as server:
        conn = connector(server, shop)
        store = Store()
        store.pull(conn, "orders")
    assert len(store.orders()) == shop.count
    assert conn.http.stats["retries"] == 2


@pytest.mark.parametrize("stream", ["orders", "bill"])
def test_cut_half_way_resumes_from_the_stored_cursor(shop, server, stream):
    conn = connector(server, shop)
    store = Store()
    server.faults.add({"kind": "reset", "after": 2, "times": 99})
    with pytest.raises(ConnectorError) as info:
        store.pull(conn, stream)
    assert info.value.code == "gave_up"
    server.faults.clear()
    store.pull(conn, stream)
    if stream == "orders":
        refs = [order.order_ref for order in store.orders()]
        assert len(refs) == len(set(refs)) == shop.count
    else:
        assert Counter(
            (line.order_ref, line.line_type, line.gross) for line in store.lines()
        ) == expected_bill(shop)
