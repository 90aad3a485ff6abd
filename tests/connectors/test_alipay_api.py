# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Alipay's bill connector against the fake gateway on loopback (no network)."""

import base64
import json
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from ecomfin import ingest, parsers
from ecomfin.connectors import ConnectorError, connector_for
from ecomfin.connectors.alipay import AlipayConnector, sign_content, sign_params, verify_response
from ecomfin.connectors.fake import FakeAlipay, FakeServer, FakeShop
from ecomfin.connectors.rsa import load_private_key, load_public_key

from .pay_common import Store, client, other_private_pem

TODAY = date(2026, 12, 1)
DAYS = 4

# The "待签名字符串" example of Alipay's signing guide (https://opendocs.alipay.com/common/02kf5q):
# the parameters of a request and the text the gateway signs of them.
DOC_PARAMS = {
    "app_id": "2014072300007148",
    "method": "alipay.mobile.public.menu.add",
    "charset": "GBK",
    "sign_type": "RSA2",
    "timestamp": "2014-07-24 03:07:50",
    "biz_content": '{"button":[{"actionParam":"ZFB_HFCZ","actionType":"out","name":"话费充值"}]}',
    "sign": "ignored",
    "version": "1.0",
    "app_auth_token": "",
}
DOC_CONTENT = (
    'app_id=2014072300007148&biz_content={"button":[{"actionParam":"ZFB_HFCZ","actionType":"out",'
    '"name":"话费充值"}]}&charset=GBK&method=alipay.mobile.public.menu.add&sign_type=RSA2'
    "&timestamp=2014-07-24 03:07:50&version=1.0"
)

# A real gateway answer and the Alipay public key that verifies it, published by Alipay's own
# SDK as its test of answer verification ("checkResponseSign ... should work", MIT):
# https://github.com/alipay/alipay-sdk-nodejs-all/blob/master/test/alipay.test.ts and
# test/fixtures/alipay-public-key.pem
SDK_PUBLIC_KEY = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAk7LzhmMa2c4qQd4fqAqenfbuFoA7stPKvoS1LrZEsVnOOGUUjwoa1oU9"
    "xsSPjcOWhIerU/VAN4J95GIAXx59ipcleIyfLn2FhHXPgLJpvo+b2jJFyn/1/DbeJDh+0yDVAOf50Z7HhI0mdUhFMkXlT7BU0ZMt"
    "Jf/TmISFEfhDU/w6qFd6D42L97byAkq0K6LroglSVF24GqJEa7hSeUIkZWj7RasykXrc2uVJ1+ejkXE0LyPxa2AHykMGbJLf5SiZ"
    "vaNzUZgnKIR36mLOHpQ/2JCXxhXZYUWHzy0kMH54JcUEeksFWBYLGvLjV1phbcUIc3Q76tIuqApY6E222OoZZQIDAQAB"
)
SDK_ANSWER = (
    '{"alipay_open_file_upload_response":{"code":"10000","msg":"Success","file_id":"CAxAToWB1JsAAAAAAAAAAAAADgSLAQBr"},'
    '"sign":"F+LDzpTNiavn7xVZPGuPCSSVRSmWzJGgtuji6tVELGEaqMaNj0jRKXUEr5nloZJBBmwEnddOyCjjepMmrTKTvoOqQ0Efxpr/R1iEeHTH'
    "Vbb/Q8TTh6Up5gHJDkILdaWS2q1cWeQ6VT+HQY9P3WRXS7uhILHuDODIhpAyCu5KhWGt0rMCIG+Im6NODJP2oohtSCtmTFXg58HH587Z2y2bdbjzO"
    "xLvzD9IrU1imghXQ2S/Q+wMIvRk9on6cWnBLkrNvJKapA2ReNGWOwyuASvB9zDVzhMPbR+3mfRGkVDxsq5HYLjBKGskJMXHw0HuugZij6ScRuaLPO"
    'DhmHwr/pJ9yw=="}'
)


@pytest.fixture
def server():
    api = FakeAlipay(FakeShop(240, 3, days=DAYS, today=TODAY))
    with FakeServer(api) as running:
        yield running


def connector(server, sleeps=None, **credentials):
    return AlipayConnector(
        server.url,
        {**server.api.credentials, **credentials},
        client("alipay", sleeps),
        since=server.api.shop.first_day,
        today=TODAY,
    )


def expected_lines(shop):
    """What the ledgers must hold, from the shop's own movements: (商户订单号, type, amount)."""
    found = Counter()
    day = shop.first_day
    while day < shop.today:
        for row in shop.bill_rows(day):
            if row["type"] == "payout":
                found[(None, "payout" if row["gross"] < 0 else "adjustment", row["gross"])] += 1
            elif row["type"] == "sale":
                found[(row["order_ref"], "sale", row["gross"])] += 1
                if row["fee"]:
                    found[(row["order_ref"], "fee", -row["fee"])] += 1
            else:
                found[(row["order_ref"], "refund", row["gross"])] += 1
        day += timedelta(days=1)
    return found


def got_lines(lines):
    return Counter((line.merchant_order_ref, line.line_type, line.gross) for line in lines)


# -- signatures ----------------------------------------------------------------
def test_the_signed_text_is_the_guides_example():
    assert sign_content(DOC_PARAMS) == DOC_CONTENT


def test_a_published_answer_verifies_and_a_changed_one_does_not():
    key = load_public_key(SDK_PUBLIC_KEY, platform="alipay", field="alipay_public_key")
    node = verify_response(SDK_ANSWER, key, "alipay.open.file.upload")
    assert node["file_id"] == "CAxAToWB1JsAAAAAAAAAAAAADgSLAQBr"
    with pytest.raises(ConnectorError) as info:
        verify_response(SDK_ANSWER.replace("Success", "Succes5"), key, "alipay.open.file.upload")
    assert info.value.code == "response_signature"


def test_the_request_signature_verifies_independently():
    """No published request signature with its key exists: the sign is checked with the app's
    public key by ``cryptography`` directly, over the guide's canonical text."""
    pem = FakeAlipay.credentials["private_key"]
    signed = sign_params(DOC_PARAMS, load_private_key(pem, platform="alipay", field="private_key"))
    public = serialization.load_pem_private_key(pem.encode(), None).public_key()
    public.verify(
        base64.b64decode(signed["sign"]), DOC_CONTENT.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256()
    )


def test_a_bare_base64_key_as_alipays_tool_shows_it_loads():
    pem = FakeAlipay.credentials["private_key"]
    body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    assert load_private_key(body, platform="alipay", field="private_key").key_size == 2048
    with pytest.raises(ConnectorError) as info:
        load_private_key("not a key", platform="alipay", field="private_key")
    assert info.value.code == "bad_key" and "private_key" in str(info.value)


# -- pulls ---------------------------------------------------------------------
def test_a_full_pull_brings_every_ledger_row_once(server):
    store = Store()
    last = store.pull(connector(server), "bill")
    assert store.cursors["bill"] == TODAY.isoformat() and last.has_more is False
    assert [page.cursor for page in store.pages] == [
        (server.api.shop.first_day + timedelta(days=n)).isoformat() for n in range(DAYS)
    ]
    lines = store.lines()
    assert got_lines(lines) == expected_lines(server.api.shop)
    assert len({line.provider_txn_id for line in lines}) == len(lines)
    assert sum(page.rows for page in store.pages) == len(lines)
    assert server.api.stats["bad_signatures"] == 0


def test_the_page_is_the_downloaded_zip_and_imports_as_one_statement(server):
    """The zip holds 账务明细 and 账务明细(汇总): read as the Odoo import reads it (what it is
    detected once, then ``parsers.parse`` wanting exactly one statement), it is the detail."""
    day = server.api.shop.first_day
    page = connector(server).pull_page("bill", day.isoformat())
    assert page.content == server.api.bill_zip(day)
    assert page.filename == f"20880000000000010156_{day:%Y%m%d}.csv.zip" and page.fmt == "alipay"
    detected = ingest.detect(page.filename, page.content, page.fmt)
    statement = parsers.parse(page.content, page.filename, detected.fmt, sniffed=detected.sniffed)
    assert statement.filename.endswith("_账务明细.csv") and statement.fmt == "alipay"
    assert [
        member.filename.endswith("_账务明细.csv") for member in parsers.parse_all(page.content, page.filename)
    ] == [True]
    lines = list(statement)
    assert page.rows == len(lines) and statement.declared_totals["收入合计"] > 0


def test_an_app_auth_token_is_sent_and_an_expired_one_is_said(server):
    server.api.app_auth_token = "202612BBe5a4d0a4d8a4b"
    good = connector(server, app_auth_token="202612BBe5a4d0a4d8a4b")
    assert good.pull_page("bill", None).content
    with pytest.raises(ConnectorError) as info:
        connector(server, app_auth_token="201912BBold").pull_page("bill", None)
    assert info.value.code == "token_expired" and info.value.platform_code == "aop.invalid-app-auth-token"
    server.faults.add({"kind": "expire_token"})
    with pytest.raises(ConnectorError) as info:
        good.pull_page("bill", None)
    assert info.value.code == "token_expired"


def test_a_wrong_private_key_is_refused(server):
    pem, _key = other_private_pem()
    with pytest.raises(ConnectorError) as info:
        connector(server, private_key=pem).pull_page("bill", None)
    assert info.value.code == "auth_failed" and info.value.platform_code == "isv.invalid-signature"
    assert server.api.stats["bad_signatures"] == 1


def test_an_answer_not_signed_by_alipay_is_not_used(server):
    _pem, key = other_private_pem()
    server.api.private_key = key  # someone else answers
    with pytest.raises(ConnectorError) as info:
        connector(server).pull_page("bill", None)
    assert info.value.code == "response_signature"


def test_a_day_without_its_bill_yet_is_missing_and_the_cursor_waits(server):
    day = server.api.shop.first_day + timedelta(days=1)
    server.api.pending.add(day)
    store = Store()
    last = store.pull(connector(server), "bill")
    assert last.missing_day == day and store.cursors["bill"] == day.isoformat()
    assert len(store.pages) == 1
    server.api.pending.clear()
    store.pull(connector(server), "bill")
    assert store.cursors["bill"] == TODAY.isoformat()
    assert got_lines(store.lines()) == expected_lines(server.api.shop)


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 429, "retry_after": 1, "times": 2},
        {"kind": "status", "status": 502, "times": 2},
        {"kind": "truncate"},
        {"kind": "truncate", "after": 1},  # the bill's download cut short
        {"kind": "reset", "times": 2},
    ],
)
def test_passing_faults_are_retried(server, fault):
    sleeps = []
    server.faults.add(fault)
    page = connector(server, sleeps).pull_page("bill", None)
    assert page.content == server.api.bill_zip(server.api.shop.first_day)
    assert sleeps, "retried after a pause"
    if fault.get("retry_after"):
        assert max(sleeps) >= 1


def test_a_busy_gateway_is_asked_again(server):
    """``20000`` (service busy) comes inside a 200 answer: the connector asks again itself."""
    answers = iter(
        [server.api._answer("20000", "Service Currently Unavailable", "isp.unknow-error", "系统繁忙")]
    )
    handle = server.api.handle
    server.api.handle = lambda request: next(answers, None) or handle(request)
    sleeps = []
    assert connector(server, sleeps).pull_page("bill", None).content
    assert len(sleeps) == 1


def test_a_pull_cut_half_way_resumes_from_the_stored_cursor(server):
    store = Store()
    # two days pass (a gateway call and a download each), then the network is gone
    server.faults.add({"kind": "reset", "after": 4, "times": 99})
    with pytest.raises(ConnectorError) as info:
        store.pull(connector(server), "bill")
    assert info.value.code == "gave_up"
    assert (
        len(store.pages) == 2
        and store.cursors["bill"] == (server.api.shop.first_day + timedelta(days=2)).isoformat()
    )
    server.faults.clear()
    store.pull(connector(server), "bill")
    assert got_lines(store.lines()) == expected_lines(server.api.shop)
    # nothing new: no page, the cursor stays at today
    pages = len(store.pages)
    store.pull(connector(server), "bill")
    assert len(store.pages) == pages and store.cursors["bill"] == TODAY.isoformat()


def test_the_registry_and_the_cli_know_alipay(server):
    made = connector_for(
        "alipay", server.url, server.api.credentials, since=TODAY - timedelta(days=1), today=TODAY
    )
    assert isinstance(made, AlipayConnector) and made.pull_page("bill", None).rows > 0
    assert json.loads(json.dumps(FakeAlipay.credentials))["app_id"] == "2021000000000001"
    with pytest.raises(ConnectorError) as info:
        connector_for("alipay", server.url, {"app_id": "1"})
    assert info.value.code == "missing_credentials"


def test_amounts_balance_per_day(server):
    """Every day ends where it began (the day's net is paid out): the ledger's own balance column
    says the same as the rows."""
    store = Store()
    store.pull(connector(server), "bill")
    for page in store.pages:
        lines = list(parsers.parse(page.content, page.filename, page.fmt))
        assert sum((line.gross for line in lines), Decimal(0)) == 0


def test_a_download_that_is_not_the_bill_zip_is_refused(server):
    """An expired address answers a page, not the zip: said clearly, and worth asking again."""
    server.api.bill_zip = lambda day: b"<html><body>link expired</body></html>"
    with pytest.raises(ConnectorError) as info:
        connector(server).pull_page("bill", None)
    assert info.value.code == "bill_not_readable" and info.value.retryable
