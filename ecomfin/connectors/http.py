# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The HTTP side of every connector: timeouts, a token-bucket rate limit and retries.

:class:`HttpClient` sends one request through ``requests`` and retries it, with exponential
backoff and full jitter, on what a later attempt can cure: HTTP 429 (waiting at least what its
``Retry-After`` asks), HTTP 5xx, a refused or reset connection, a timeout and a body cut short
(fewer bytes than its ``Content-Length``, or JSON that does not parse). Anything else, and the
last failure once the attempts are spent, raises :class:`~ecomfin.connectors.base.ConnectorError`.

Time is injected (``clock``, ``sleep``) so that tests run the limits without waiting.
"""

import json
import random
import threading
import time
from dataclasses import dataclass, field

import requests

from .base import ConnectorError

#: seconds to connect, and between two bytes of the answer (one number: Odoo's test harness,
#: which wraps ``requests`` in its tests, reads the timeout as one)
DEFAULT_TIMEOUT = 60


class TokenBucket:
    """At most ``rate`` requests a second on average, ``burst`` at once.

    ``take(cost)`` waits (``sleep``) until ``cost`` tokens are there and takes them. Thread-safe:
    one bucket may be shared by the pulls of one backend in one process.
    """

    def __init__(self, rate, burst=None, *, clock=time.monotonic, sleep=time.sleep):
        if rate <= 0:
            raise ValueError("rate must be > 0")
        self.rate = float(rate)
        self.capacity = float(burst if burst is not None else max(1.0, rate))
        self.tokens = self.capacity
        self.clock = clock
        self.sleep = sleep
        self.updated = clock()
        self.lock = threading.Lock()

    def _refill(self):
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def take(self, cost=1.0):
        """Wait until ``cost`` tokens are there, take them; return the seconds waited."""
        cost = min(float(cost), self.capacity)
        waited = 0.0
        with self.lock:
            self._refill()
            while self.tokens < cost:
                pause = (cost - self.tokens) / self.rate
                self.sleep(pause)
                waited += pause
                self._refill()
            self.tokens -= cost
        return waited


@dataclass
class RetryPolicy:
    """How often and how long to retry: ``attempts`` in all, the n-th pause drawn uniformly in
    ``[0, min(cap, base * 2**n)]`` (full jitter), never below a server's ``Retry-After``."""

    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0
    rng: random.Random = field(default_factory=random.Random)

    def pause(self, attempt, retry_after=None):
        pause = self.rng.uniform(0, min(self.cap, self.base * (2**attempt)))
        if retry_after is not None:
            pause = max(pause, min(float(retry_after), self.cap * 4))
        return pause


@dataclass
class Response:
    """What a request gave back: status, headers (lower-case names) and body."""

    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class HttpClient:
    """Requests to one platform's server, rate-limited and retried (see the module)."""

    def __init__(
        self,
        platform,
        *,
        limiter=None,
        retry=None,
        timeout=DEFAULT_TIMEOUT,
        session=None,
        sleep=time.sleep,
        cert=None,
    ):
        self.platform = platform
        self.limiter = limiter
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.session = session or requests.Session()
        self.sleep = sleep
        self.cert = cert
        #: what happened, for the backend's log: retries by cause
        self.stats = {"requests": 0, "retries": 0, "waited_s": 0.0}

    def request(self, method, url, *, expect_json=True, retry_status=(), accept_status=(), **kwargs):
        """Send the request, retried as the module says; return the :class:`Response`.

        ``kwargs`` go to ``requests`` (``params``, ``data``, ``json``, ``headers``). A body is
        checked whole (its ``Content-Length``) and, with ``expect_json``, parsed once to know it
        is JSON. ``retry_status``: other statuses a later attempt can cure (a platform's own
        "busy" code, say). HTTP 4xx other than 429 raise at once (``http_status``), but for
        ``accept_status``: statuses whose body the connector reads itself (a platform's error
        object on a 401, say).
        """
        kwargs.setdefault("timeout", self.timeout)
        if self.cert:
            kwargs.setdefault("cert", self.cert)
        last = None
        for attempt in range(self.retry.attempts):
            if attempt:
                self.stats["retries"] += 1
            if self.limiter is not None:
                self.stats["waited_s"] += self.limiter.take()
            self.stats["requests"] += 1
            retry_after = None
            try:
                raw = self.session.request(method, url, **kwargs)
                body = raw.content
            except requests.Timeout as error:
                last = ConnectorError("timeout", {"url": _short(url), "detail": str(error)}, retryable=True)
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
                last = ConnectorError(
                    "network", {"url": _short(url), "detail": _cause(error)}, retryable=True
                )
            else:
                headers = {key.lower(): value for key, value in raw.headers.items()}
                response = Response(raw.status_code, headers, body)
                last = self._problem(response, url, expect_json, retry_status, accept_status)
                if last is None:
                    return response
                retry_after = _retry_after(headers)
                if not last.retryable:
                    raise last
            if attempt + 1 < self.retry.attempts:
                pause = self.retry.pause(attempt, retry_after)
                self.stats["waited_s"] += pause
                self.sleep(pause)
        last.params["attempts"] = self.retry.attempts
        raise ConnectorError("gave_up", {"attempts": self.retry.attempts, "last": last}, status=last.status)

    def _problem(self, response, url, expect_json, retry_status, accept_status=()):
        """The error of a response, or None when it is good."""
        status = response.status
        if status == 429:
            return ConnectorError("rate_limited", {"url": _short(url)}, status=429, retryable=True)
        if status >= 500 or status in retry_status:
            return ConnectorError(
                "server_error", {"url": _short(url), "status": status}, status=status, retryable=True
            )
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) != len(response.body):
            return ConnectorError(
                "truncated",
                {"url": _short(url), "declared": int(declared), "received": len(response.body)},
                status=status,
                retryable=True,
            )
        if status >= 400 and status not in accept_status:
            return ConnectorError(
                "http_status",
                {
                    "url": _short(url),
                    "status": status,
                    "body": response.body[:300].decode("utf-8", "replace"),
                },
                status=status,
            )
        if expect_json:
            try:
                json.loads(response.body)
            except ValueError as error:
                return ConnectorError(
                    "truncated_json",
                    {"url": _short(url), "detail": str(error)},
                    status=status,
                    retryable=True,
                )
        return None


def _retry_after(headers):
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _short(url):
    return url.split("?", 1)[0]


def _cause(error):
    """A ``requests`` connection error in one line."""
    return (str(error).splitlines() or [type(error).__name__])[0][:200]
