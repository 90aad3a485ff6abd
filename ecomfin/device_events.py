# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What the device event endpoint needs outside the ORM: device tokens, the event batch, the rate.

- **Tokens** look like ``<prefix>.<secret>``: the prefix (8 hex characters) is not secret and finds
  the device; the secret has 256 bits of entropy. Only a salted PBKDF2-SHA256 hash of the whole
  token is kept (``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>``); checking compares hashes
  with ``hmac.compare_digest``. The stretching is modest (the secret is random, not a password):
  it bounds the cost of a request, not the strength of the token. ``VerifiedTokens`` remembers,
  per process, the tokens that passed against their stored hash (as a SHA-256 of the token), so a
  device sending a request a second does not pay the stretching each time; a rotated or revoked
  token has another stored hash (or none) and is checked afresh.
- **Batches** are ``{"events": [{"id", "kind", "code", "at"}, ...]}``: ``parse_batch`` checks the
  whole batch before anything is stored (all or nothing) and names the event and the field of the
  first fault (``EventError``).
- **Rate**: a token bucket per device (``TokenBucket``), in the memory of one server process.
"""

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections import OrderedDict
from datetime import datetime, timezone

from .errors import EcomFinError

PBKDF2_ITERATIONS = 10_000
PREFIX_LENGTH = 8
KINDS = ("barcode", "epc")
MAX_ID_LENGTH = 128
MAX_CODE_LENGTH = 512
_PREFIX_RE = re.compile(r"^[0-9a-f]{%d}$" % PREFIX_LENGTH)


# ----------------------------------------------------------------------
# Tokens
# ----------------------------------------------------------------------


def new_token():
    """A new token and its prefix: ``("<prefix>.<secret>", "<prefix>")``."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return f"{prefix}.{secrets.token_urlsafe(32)}", prefix


def token_prefix(token):
    """The prefix of ``token``, or None when it does not look like one of ours."""
    if not isinstance(token, str) or "." not in token:
        return None
    prefix = token.split(".", 1)[0]
    return prefix if _PREFIX_RE.match(prefix) else None


def hash_token(token, salt=None, iterations=PBKDF2_ITERATIONS):
    """The stored form of ``token``: ``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>``."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", token.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


# compared against when no device has the prefix, so that an unknown prefix costs a hash too
_DUMMY_HASH = hash_token("00000000.dummy", salt=b"\0" * 16)


def verify_token(token, stored):
    """Whether ``token`` hashes to ``stored`` (constant-time comparison of the hashes).

    An empty ``stored`` (no token, or revoked) never matches, after the same work as a real check.
    """
    try:
        scheme, iterations, salt_hex, digest_hex = (stored or _DUMMY_HASH).split("$")
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
        iterations = int(iterations)
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    digest = hashlib.pbkdf2_hmac("sha256", str(token).encode(), salt, iterations)
    return hmac.compare_digest(digest, expected) and bool(stored)


class VerifiedTokens:
    """``verify_token`` with a memory of the pairs (stored hash, token) that passed.

    Only pairs that verified are remembered, keyed by the stored hash and holding a SHA-256 of the
    token (compared in constant time); at most ``size`` of them, the least recently used dropped
    first. A wrong token, an unknown prefix or an empty hash always costs the full check.
    """

    def __init__(self, size=1024):
        self.size = size
        self.passed = OrderedDict()
        self.lock = threading.Lock()

    def verify(self, token, stored):
        if not stored or not isinstance(token, str):
            return verify_token(token, stored)
        fingerprint = hashlib.sha256(token.encode()).digest()
        with self.lock:
            known = self.passed.get(stored)
            if known is not None:
                self.passed.move_to_end(stored)
        if known is not None and hmac.compare_digest(known, fingerprint):
            return True
        if not verify_token(token, stored):
            return False
        with self.lock:
            self.passed[stored] = fingerprint
            self.passed.move_to_end(stored)
            while len(self.passed) > self.size:
                self.passed.popitem(last=False)
        return True


def bearer_token(header):
    """The token of an ``Authorization: Bearer <token>`` header value, or None."""
    scheme, _sep, token = (header or "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


# ----------------------------------------------------------------------
# Event batches
# ----------------------------------------------------------------------


class EventError(EcomFinError, ValueError):
    """A malformed batch: ``index`` (of the event, or None for the batch) and ``field`` name it.

    An answer to the device agent (a program), in English: not an import error of
    :data:`ecomfin.errors.MESSAGES`.
    """

    def __init__(self, message, *, index=None, field=None, value=None):
        self.message = message
        self.index = index
        self.field = field
        self.column = field if index is None else f"events[{index}].{field}" if field else f"events[{index}]"
        self.value = value
        super().__init__(self.__str__())

    def __str__(self):
        return f"{self.column}: {self.message}" if self.column else self.message


class BatchTooLarge(EventError):
    """More events in one batch than allowed (the endpoint answers 413)."""


def parse_timestamp(text):
    """An ISO 8601 timestamp as a naive UTC datetime; without an offset it is taken as UTC."""
    if not isinstance(text, str) or not text:
        raise ValueError("not a string")
    value = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def parse_batch(body, max_events):
    """Check a batch and return its events as ``(uid, kind, code, scanned_at)`` tuples.

    ``body`` is the raw request body (bytes or str). The same ``id`` twice in one batch is one
    event (the first). Raises ``EventError`` naming the first bad event and field.
    """
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise EventError(f"the body is not JSON ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise EventError('the body must be an object with a list "events"', field="events")
    events = data["events"]
    if len(events) > max_events:
        raise BatchTooLarge(f"{len(events)} events in one request, at most {max_events}", field="events")
    parsed, seen = [], set()
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            raise EventError("an event must be an object", index=index)
        uid = event.get("id")
        if not isinstance(uid, str) or not uid.strip():
            raise EventError("missing or empty id", index=index, field="id", value=uid)
        if len(uid) > MAX_ID_LENGTH:
            raise EventError(f"longer than {MAX_ID_LENGTH} characters", index=index, field="id")
        kind = event.get("kind")
        if kind not in KINDS:
            raise EventError(f"must be one of {', '.join(KINDS)}", index=index, field="kind", value=kind)
        code = event.get("code")
        if not isinstance(code, str) or not code:
            raise EventError("missing or empty code", index=index, field="code", value=code)
        if len(code) > MAX_CODE_LENGTH:
            raise EventError(f"longer than {MAX_CODE_LENGTH} characters", index=index, field="code")
        if "\0" in code or "\0" in uid:
            raise EventError("contains a NUL character", index=index, field="code" if "\0" in code else "id")
        try:
            scanned_at = parse_timestamp(event.get("at"))
        except ValueError:
            raise EventError(
                "not an ISO 8601 timestamp", index=index, field="at", value=event.get("at")
            ) from None
        if uid not in seen:
            seen.add(uid)
            parsed.append((uid, kind, code, scanned_at))
    return parsed


# ----------------------------------------------------------------------
# Rate limit
# ----------------------------------------------------------------------


class TokenBucket:
    """``rate`` events per second on average, bursts of up to ``burst`` events."""

    def __init__(self, rate, burst, clock=time.monotonic):
        self.rate = float(rate)
        self.burst = float(burst)
        self.clock = clock
        self.tokens = self.burst
        self.stamp = clock()
        self.lock = threading.Lock()

    def take(self, count):
        """Take ``count`` tokens: 0 when taken, else the seconds to wait before they would be."""
        with self.lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if count <= self.tokens:
                self.tokens -= count
                return 0.0
            if count > self.burst or self.rate <= 0:
                return float("inf")
            return (count - self.tokens) / self.rate


class RateLimiter:
    """One bucket per key (a device), rebuilt when its rate or burst changes."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.buckets = {}
        self.lock = threading.Lock()

    def take(self, key, count, rate, burst):
        with self.lock:
            bucket = self.buckets.get(key)
            if bucket is None or (bucket.rate, bucket.burst) != (float(rate), float(burst)):
                bucket = self.buckets[key] = TokenBucket(rate, burst, clock=self.clock)
        return bucket.take(count)
