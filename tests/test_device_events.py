# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
from datetime import datetime

import pytest

from ecomfin.device_events import (
    BatchTooLarge,
    EventError,
    RateLimiter,
    TokenBucket,
    VerifiedTokens,
    bearer_token,
    hash_token,
    new_token,
    parse_batch,
    token_prefix,
    verify_token,
)


def test_token_round_trip():
    token, prefix = new_token()
    assert token_prefix(token) == prefix and len(prefix) == 8
    stored = hash_token(token)
    assert token not in stored and stored.startswith("pbkdf2_sha256$")
    assert verify_token(token, stored)
    assert not verify_token(token + "x", stored)
    assert not verify_token(token, False)
    assert not verify_token(token, "garbage")
    assert hash_token(token) != stored  # salted


def test_verified_tokens_remember_only_what_passed():
    token, _prefix = new_token()
    other, _ = new_token()
    stored = hash_token(token)
    cache = VerifiedTokens(size=2)
    assert not cache.verify(other, stored) and not cache.passed  # a wrong token is not remembered
    assert cache.verify(token, stored) and stored in cache.passed
    assert cache.verify(token, stored)  # from memory
    assert not cache.verify(other, stored)  # the memory holds the token, not just "this hash passed"
    assert not cache.verify(token, "") and not cache.verify(token, None)
    # rotated: the new stored hash is checked afresh, the old token does not match it
    rotated, _ = new_token()
    new_stored = hash_token(rotated)
    assert not cache.verify(token, new_stored) and cache.verify(rotated, new_stored)
    # bounded, least recently used dropped first
    third, _ = new_token()
    third_stored = hash_token(third)
    assert cache.verify(third, third_stored)
    assert list(cache.passed) == [new_stored, third_stored]


def test_bearer_and_prefix():
    assert bearer_token("Bearer abc.def") == "abc.def"
    assert bearer_token("bearer  abc ") == "abc"
    assert bearer_token("Basic abc") is None
    assert bearer_token(None) is None
    assert token_prefix("nodot") is None
    assert token_prefix("ZZZZZZZZ.x") is None


def batch(*events):
    return json.dumps({"events": list(events)})


def event(**kw):
    return {"id": "e1", "kind": "barcode", "code": "6901234567892", "at": "2026-12-07T08:00:00Z", **kw}


def test_parse_batch():
    parsed = parse_batch(
        batch(event(), event(id="e2", kind="epc", at="2026-12-07T16:00:00+08:00"), event()), 10
    )
    assert parsed == [
        ("e1", "barcode", "6901234567892", datetime(2026, 12, 7, 8, 0)),
        ("e2", "epc", "6901234567892", datetime(2026, 12, 7, 8, 0)),
    ]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"id": ""}, "id"),
        ({"kind": "qr"}, "kind"),
        ({"code": "x" * 513}, "code"),
        ({"at": "yesterday"}, "at"),
        ({"at": None}, "at"),
    ],
)
def test_parse_batch_names_event_and_field(bad, field):
    with pytest.raises(EventError) as info:
        parse_batch(batch(event(), event(**{"id": "e2", **bad})), 10)
    assert (info.value.index, info.value.field) == (1, field)
    assert str(info.value).startswith(f"events[1].{field}: ")


def test_parse_batch_shape_and_cap():
    for body in ("not json", "[]", '{"events": {}}'):
        with pytest.raises(EventError):
            parse_batch(body, 10)
    with pytest.raises(BatchTooLarge, match="at most 1"):
        parse_batch(batch(event(), event(id="e2")), 1)


def test_token_bucket():
    now = [0.0]
    bucket = TokenBucket(10, 20, clock=lambda: now[0])
    assert bucket.take(20) == 0
    assert bucket.take(5) == pytest.approx(0.5)
    now[0] = 0.5
    assert bucket.take(5) == 0
    assert bucket.take(21) == float("inf")
    limiter = RateLimiter(clock=lambda: now[0])
    assert limiter.take(1, 20, 10, 20) == 0
    assert limiter.take(1, 1, 10, 20) > 0
    assert limiter.take(2, 1, 10, 20) == 0
    assert limiter.take(1, 1, 10, 50) == 0  # new parameters, new bucket
