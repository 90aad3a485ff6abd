# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The HTTP side of the connectors against the fake server: rate limit, retries, errors."""

import random

import pytest

from ecomfin.connectors import ConnectorError, HttpClient, RetryPolicy, TokenBucket
from ecomfin.connectors.fake import FakeServer, FakeShop, Reply
from ecomfin.connectors.fake.server import FakeApi


class Echo(FakeApi):
    platform = "echo"

    def handle(self, request):
        return Reply.json({"path": request.path, "query": request.query})


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def server():
    with FakeServer(Echo(FakeShop(1))) as running:
        yield running


def client(**options):
    slept = []
    http = HttpClient(
        "echo",
        retry=RetryPolicy(attempts=options.pop("attempts", 4), base=0.001, rng=random.Random(1)),
        sleep=slept.append,
        **options,
    )
    return http, slept


def test_token_bucket_spaces_requests_after_the_burst():
    clock = FakeClock()
    bucket = TokenBucket(2, burst=3, clock=clock, sleep=clock.sleep)
    waits = [bucket.take() for _ in range(7)]
    assert waits[:3] == [0.0, 0.0, 0.0], "the burst goes at once"
    assert waits[3:] == pytest.approx([0.5] * 4), "then one every 1/rate seconds"
    clock.now += 10
    assert bucket.take() == 0.0, "tokens come back with time, up to the burst"


def test_backoff_is_jittered_capped_and_honours_retry_after():
    policy = RetryPolicy(base=1, cap=8, rng=random.Random(3))
    pauses = [policy.pause(attempt) for attempt in range(10)]
    assert all(0 <= pause <= min(8, 2**attempt) for attempt, pause in enumerate(pauses))
    assert len(set(pauses)) == len(pauses), "jittered: no two alike"
    assert policy.pause(0, retry_after=5) >= 5


def test_429_5xx_reset_and_cut_body_are_retried_until_an_answer(server):
    server.faults.add(
        {"kind": "status", "status": 429, "retry_after": 2},
        {"kind": "status", "status": 503},
        {"kind": "reset"},
        {"kind": "truncate"},
    )
    http, slept = client(attempts=5)
    response = http.request("GET", f"{server.url}/v1/x", params={"a": "1"})
    assert response.json() == {"path": "/v1/x", "query": {"a": "1"}}
    assert http.stats["requests"] == 5 and http.stats["retries"] == 4
    assert slept[0] >= 2, "the 429's Retry-After is waited"
    assert server.api.stats["requests"] == 5


def test_the_attempts_spent_raise_the_last_failure(server):
    server.faults.add({"kind": "status", "status": 500, "times": 9})
    http, _slept = client(attempts=3)
    with pytest.raises(ConnectorError) as info:
        http.request("GET", f"{server.url}/v1/x")
    assert info.value.code == "gave_up"
    assert str(info.value) == f"gave up after 3 attempts: {server.url}/v1/x: server error (HTTP 500)"
    assert server.api.stats["requests"] == 3


def test_a_client_error_is_not_retried(server):
    server.faults.add({"kind": "status", "status": 404})
    http, _slept = client()
    with pytest.raises(ConnectorError) as info:
        http.request("GET", f"{server.url}/v1/x")
    assert (info.value.code, info.value.status, info.value.retryable) == ("http_status", 404, False)
    assert server.api.stats["requests"] == 1
    server.faults.add({"kind": "status", "status": 401})
    assert http.request("GET", f"{server.url}/v1/x", accept_status=(401,)).status == 401


def test_a_timeout_is_retried(server):
    server.faults.add({"kind": "slow", "seconds": 0.5})
    http, _slept = client(timeout=0.1)
    assert http.request("GET", f"{server.url}/v1/x").status == 200
    assert http.stats["retries"] == 1


def test_nobody_listening_is_a_network_error():
    http, _slept = client(attempts=2)
    with FakeServer(Echo(FakeShop(1))) as gone:
        url = gone.url
    with pytest.raises(ConnectorError) as info:
        http.request("GET", f"{url}/v1/x")
    assert info.value.params["last"].code == "network"


def test_faults_over_http_and_stats(server):
    import requests

    requests.post(f"{server.url}/__fake__/faults", json=[{"kind": "status", "status": 429}], timeout=5)
    assert requests.get(f"{server.url}/v1/x", timeout=5).status_code == 429
    assert requests.get(f"{server.url}/v1/x", timeout=5).status_code == 200
    stats = requests.get(f"{server.url}/__fake__/stats", timeout=5).json()
    assert stats == {"requests": 2, "bad_signatures": 0, "pending_faults": 0}
