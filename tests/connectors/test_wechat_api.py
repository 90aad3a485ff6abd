# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""WeChat Pay API v3 bill connector against the fake API on loopback (no network)."""

import base64
import hashlib
from collections import Counter
from datetime import date, timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from ecomfin.connectors import ConnectorError, connector_for
from ecomfin.connectors.fake import FakeServer, FakeShop, FakeWechat
from ecomfin.connectors.rsa import load_private_key, sign
from ecomfin.connectors.wechat import WechatConnector, answer_message, authorization, sign_message

from .pay_common import Store, client, other_private_pem

TODAY = date(2026, 12, 1)
DAYS = 4

# The worked example of WeChat Pay's signing guide
# (https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml, 签名生成): the text
# signed for GET /v3/certificates at 1554208460 with nonce 593BEC0C930BF1AFEB40B4A08C8FB242.
DOC_MESSAGE = "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"

# The SHA256withRSA vector of WeChat Pay's official Go SDK (Apache-2.0), its signer's test:
# https://github.com/wechatpay-apiv3/wechatpay-go/blob/main/core/auth/signers/sha256withrsa_signer_test.go
# (the key's label is "TESTING KEY" there too, so that no scanner takes it for a secret).
SDK_KEY = """-----BEGIN TESTING KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33V+dSfvd
fL0Mu+39XrZNXFFMQSy1V15FpncHeV47SmV0TzTqZc7hHB0ddqAdDi8Z5k3TKqb7
6sOwYr5TcAfuR6PIPaleyE0/0KrljBum2Isa2Nyq7Dgc3ElBQ6YN4l/a+DpvKaz1
FSKmKrhLNskqokWVSlu4g8OlKlbPXQ9ibII14MZRQrrkTmHYHzfi7GXXM0thAKuR
0HNvyhTHBh4/lrYM3GaMvmWwkwvsMavnOex6+eioZHBOb1/EIZ/LzC6zuHArPpyW
3daGaZ1rtQB1vVzTyERAVVFsXXgBHvfFud3w3ShsJYk8JvMwK2RpJ5/gV0QSARcm
LDRUAlPzAgMBAAECggEBAMc7rDeUaXiWv6bMGbZ3BTXpg1FhdddnWUnYE8HfX/km
OFI7XtBHXcgYFpcjYz4D5787pcsk7ezPidAj58zqenuclmjKnUmT3pfbI5eCA2v4
C9HnbYDrmUPK1ZcADtka4D6ScDccpNYNa1g2TFHzkIrEa6H+q7S3O2fqxY/DRVtN
0JIXalBb8daaqL5QVzSmM2BMVnHy+YITJWIkP2a3pKs9C0W65JGDsnG0wVrHinHF
+cnhFZIbaPEI//DAFMc9NkrWOKVRTEgcCUxCFaHOZVNxDWZD7A2ZfJB2rK6eg//y
gEiFDR2h6mTaDowMB4YF2n2dsIO4/dCG8vPHI20jn4ECgYEA/ZGu6lEMlO0XZnam
AZGtiNgLcCfM/C2ZERZE7QTRPZH1WdK92Al9ndldsswFw4baJrJLCmghjF/iG4zi
hhBvLnOLksnZUfjdumxoHDWXo2QBWbI5QsWIE7AuTiWgWj1I7X4fCXSQf6i+M/y2
6TogQ7d0ANpZFyOkTNMn/tiJvLECgYEA22XqlamG/yfAGWery5KNH2DGlTIyd6xJ
WtJ9j3jU99lZ0bCQ5xhiBbU9ImxCi3zgTsoqLWgA/p00HhNFNoUcTl9ofc0G3zwT
D1y0ZzcnVKxGJdZ6ohW52V0hJStAigtjYAsUgjm7//FH7PiQDBDP1Wa6xSRkDQU/
aSbQxvEE8+MCgYEA3bb8krW7opyM0XL9RHH0oqsFlVO30Oit5lrqebS0oHl3Zsr2
ZGgoBlWBsEzk3UqUhTFwm/DhJLTSJ/TQPRkxnhQ5/mewNhS9C7yua7wQkzVmWN+V
YeUGTvDGDF6qDz12/vJAgSwDDRym8x4NcXD5tTw7mmNRcwIfL22SkysThIECgYAV
BgccoEoXWS/HP2/u6fQr9ZIR6eV8Ij5FPbZacTG3LlS1Cz5XZra95UgebFFUHHtC
EY1JHJY7z8SWvTH8r3Su7eWNaIAoFBGffzqqSVazfm6aYZsOvRY6BfqPHT3p/H1h
Tq6AbBffxrcltgvXnCTORjHPglU0CjSxVs7awW3AEQKBgB5WtaC8VLROM7rkfVIq
+RXqE5vtJfa3e3N7W3RqxKp4zHFAPfr82FK5CX2bppEaxY7SEZVvVInKDc5gKdG/
jWNRBmvvftZhY59PILHO2X5vO4FXh7suEjy6VIh0gsnK36mmRboYIBGsNuDHjXLe
BDa+8mDLkWu5nHEhOxy2JJZl
-----END TESTING KEY-----"""
SDK_MESSAGE = "source"
SDK_SIGNATURE = (
    "BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6"
    "pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOh"
    "uH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwf"
    "LpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg=="
)


@pytest.fixture
def server():
    api = FakeWechat(FakeShop(240, 5, days=DAYS, today=TODAY))
    with FakeServer(api) as running:
        yield running


def connector(server, sleeps=None, **credentials):
    return WechatConnector(
        server.url,
        {**server.api.credentials, **credentials},
        client("wechat", sleeps),
        since=server.api.shop.first_day,
        today=TODAY,
    )


def movements(shop):
    day = shop.first_day
    while day < shop.today:
        yield from shop.bill_rows(day)
        day += timedelta(days=1)


def expected_trade(shop):
    """(商户订单号 or 商户退款单号, type, gross, fee) of the trade bills, from the shop's movements."""
    found = Counter()
    for row in movements(shop):
        if row["type"] == "sale":
            found[(row["order_ref"], "sale", row["gross"], row["fee"])] += 1
        elif row["type"] == "refund":
            found[(row["order_ref"] + "-R1", "refund", row["gross"], -row["fee"])] += 1
    return found


def expected_fund(shop):
    found = Counter()
    for row in movements(shop):
        if row["type"] == "sale":
            found[(row["order_ref"], "sale", row["gross"])] += 1
            if row["fee"]:
                found[(row["order_ref"], "fee", -row["fee"])] += 1
        elif row["type"] == "refund":
            found[(row["order_ref"] + "-R1", "refund", row["gross"])] += 1
        else:
            found[(None, "payout" if row["gross"] < 0 else "adjustment", row["gross"])] += 1
    return found


# -- signatures ----------------------------------------------------------------
def test_the_signed_text_is_the_guides_example():
    assert (
        sign_message("GET", "/v3/certificates", "1554208460", "593BEC0C930BF1AFEB40B4A08C8FB242")
        == DOC_MESSAGE
    )


def test_the_official_sdks_signature_vector():
    key = load_private_key(
        SDK_KEY.replace("TESTING KEY", "PRIVATE KEY"), platform="wechat", field="private_key"
    )
    assert sign(key, SDK_MESSAGE) == SDK_SIGNATURE


def test_the_authorization_header_verifies_independently():
    """No published Authorization with its key exists: the header's signature is checked with
    ``cryptography`` directly over the guide's five lines."""
    pem = FakeWechat.credentials["private_key"]
    key = load_private_key(pem, platform="wechat", field="private_key")
    header = authorization(
        "1900000109", "ABC", key, "GET", "/v3/bill/tradebill?bill_date=2026-11-30&bill_type=ALL",
        timestamp="1554208460", nonce="593BEC0C930BF1AFEB40B4A08C8FB242",
    )  # fmt: skip
    schema, _, rest = header.partition(" ")
    fields = dict(part.split("=", 1) for part in rest.split(","))
    fields = {name: value.strip('"') for name, value in fields.items()}
    assert schema == "WECHATPAY2-SHA256-RSA2048"
    assert (fields["mchid"], fields["serial_no"], fields["timestamp"]) == ("1900000109", "ABC", "1554208460")
    public = serialization.load_pem_private_key(pem.encode(), None).public_key()
    public.verify(
        base64.b64decode(fields["signature"]),
        b"GET\n/v3/bill/tradebill?bill_date=2026-11-30&bill_type=ALL\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n",
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    assert answer_message("1", "n", b'{"a":1}') == '1\nn\n{"a":1}\n'


# -- pulls ---------------------------------------------------------------------
@pytest.mark.parametrize(("stream", "fmt"), [("bill", "wechat_trade"), ("fund", "wechat_fund")])
def test_a_full_pull_brings_every_row_once(server, stream, fmt):
    store = Store()
    store.pull(connector(server), stream)
    assert store.cursors[stream] == TODAY.isoformat()
    assert len(store.pages) == DAYS and {page.fmt for page in store.pages} == {fmt}
    lines = store.lines()
    if stream == "bill":
        got = Counter((line.merchant_order_ref, line.line_type, line.gross, line.fee) for line in lines)
        assert got == expected_trade(server.api.shop)
    else:
        got = Counter((line.merchant_order_ref, line.line_type, line.gross) for line in lines)
        assert got == expected_fund(server.api.shop)
    assert len({line.provider_txn_id for line in lines}) == len(lines)
    assert sum(page.rows for page in store.pages) == len(lines)
    day = server.api.shop.first_day
    assert store.pages[0].content == server.api.bill("trade" if stream == "bill" else "fund", day)
    assert server.api.stats["bad_signatures"] == 0


def test_a_wrong_private_key_is_refused(server):
    pem, _key = other_private_pem()
    with pytest.raises(ConnectorError) as info:
        connector(server, private_key=pem).pull_page("bill", None)
    assert info.value.code == "auth_failed" and info.value.platform_code == "SIGN_ERROR"
    assert server.api.stats["bad_signatures"] == 1


def test_a_wrong_serial_is_refused(server):
    with pytest.raises(ConnectorError) as info:
        connector(server, serial_no="0000").pull_page("fund", None)
    assert info.value.code == "auth_failed" and "序列号" in str(info.value)


def test_an_answer_not_signed_by_the_platform_key_is_not_used(server):
    _pem, key = other_private_pem()
    server.api.private_key = key
    with pytest.raises(ConnectorError) as info:
        connector(server).pull_page("bill", None)
    assert info.value.code == "response_signature"
    # without a platform key configured, answers are taken unverified (the hash still checks the bill)
    assert connector(server, platform_public_key="").pull_page("bill", None).content


def test_a_revoked_certificate_is_an_auth_failure(server):
    """API v3 has no access token to renew: the fake's expired-token fault answers as WeChat
    does to a revoked merchant certificate."""
    server.faults.add({"kind": "expire_token"})
    with pytest.raises(ConnectorError) as info:
        connector(server).pull_page("bill", None)
    assert info.value.code == "auth_failed"


def test_a_bill_being_made_is_a_missing_day(server):
    day = server.api.shop.first_day + timedelta(days=2)
    server.api.pending.add(day)
    store = Store()
    last = store.pull(connector(server), "bill")
    assert last.missing_day == day and store.cursors["bill"] == day.isoformat() and len(store.pages) == 2
    server.api.pending.clear()
    store.pull(connector(server), "bill")
    got = Counter((line.merchant_order_ref, line.line_type, line.gross, line.fee) for line in store.lines())
    assert got == expected_trade(server.api.shop)


def test_no_statement_is_missing_when_recent_and_a_day_without_trade_when_older(server):
    shop = server.api.shop
    empty = shop.first_day - timedelta(days=5)  # the shop had no order then: no bill
    page = connector(server).pull_page("bill", empty.isoformat())
    assert page.content is None and page.missing_day is None
    assert page.next_cursor == (empty + timedelta(days=1)).isoformat() and page.has_more
    # the same answer for yesterday may mean "not made yet"
    quiet = WechatConnector(
        server.url, server.api.credentials, client("wechat"), since=empty, today=empty + timedelta(days=1)
    )
    page = quiet.pull_page("bill", empty.isoformat())
    assert page.missing_day == empty and page.next_cursor == empty.isoformat()


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 429, "retry_after": 1, "times": 2},
        {"kind": "status", "status": 500, "times": 2},
        {"kind": "truncate"},
        {"kind": "truncate", "after": 1},  # the bill's download cut short
        {"kind": "reset", "times": 2},
    ],
)
def test_passing_faults_are_retried(server, fault):
    sleeps = []
    server.faults.add(fault)
    page = connector(server, sleeps).pull_page("fund", None)
    assert page.content == server.api.bill("fund", server.api.shop.first_day)
    assert sleeps
    if fault.get("retry_after"):
        assert max(sleeps) >= 1


def test_a_bill_not_matching_its_hash_is_downloaded_again_then_refused(server):
    sleeps = []
    server.api.corrupt = 1
    page = connector(server, sleeps).pull_page("bill", None)
    assert (
        hashlib.sha1(page.content).hexdigest()
        == hashlib.sha1(server.api.bill("trade", server.api.shop.first_day)).hexdigest()
    )
    assert len(sleeps) == 1
    server.api.corrupt = 99
    with pytest.raises(ConnectorError) as info:
        connector(server).pull_page("bill", None)
    assert info.value.code == "bill_hash_mismatch" and "SHA1" in str(info.value)


def test_a_pull_cut_half_way_resumes_from_the_stored_cursor(server):
    store = Store()
    server.faults.add({"kind": "reset", "after": 2, "times": 99})  # one day passes, then nothing
    with pytest.raises(ConnectorError) as info:
        store.pull(connector(server), "fund")
    assert info.value.code == "gave_up" and len(store.pages) == 1
    server.faults.clear()
    store.pull(connector(server), "fund")
    got = Counter((line.merchant_order_ref, line.line_type, line.gross) for line in store.lines())
    assert got == expected_fund(server.api.shop)
    pages = len(store.pages)
    store.pull(connector(server), "fund")
    assert len(store.pages) == pages and store.cursors["fund"] == TODAY.isoformat()


def test_the_registry_knows_wechat(server):
    made = connector_for(
        "wechat", server.url, server.api.credentials, since=TODAY - timedelta(days=1), today=TODAY
    )
    assert isinstance(made, WechatConnector) and made.pull_page("fund", None).rows > 0
    with pytest.raises(ConnectorError) as info:
        connector_for("wechat", server.url, {"mchid": "1"})
    assert info.value.code == "missing_credentials" and "private_key" in str(info.value)
