# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What every connector is: streams of pages, each page a file the import pipeline reads.

A connector pulls one *stream* of a platform or payment channel (``orders``, ``bill``, ...) a
page at a time. :meth:`Connector.pull_page` takes the stream's cursor (an opaque text, ``None``
at the start) and returns a :class:`Page`: the page's content as a *file* in one of the formats
the parsers read (the channel's own bill file as downloaded, the API's JSON that a parser reads,
or the canonical orders CSV rendered from the API's orders), with the cursor to ask for next.
So a pulled page lands exactly like an imported file: same parser, same checks, same
idempotence (the same page again is the same file; an overlapping page only adds new lines).

The caller stores the page and advances the cursor in the same transaction: a pull killed
half-way resumes from the last page stored and never stores a line twice.

Day streams (bills) have a day as cursor (``YYYY-MM-DD``, the next day to fetch, in the
platform's time zone). A day not over yet is not asked for; a day the platform has no bill for
yet gives a page with ``missing_day`` set and the cursor unchanged (the caller raises the
missing-bill alert when that day is due).
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..errors import EcomFinError, Message


class ConnectorError(EcomFinError):
    """A pull that failed: a code of ``ecomfin.errors.MESSAGES`` with its parameters.

    ``retryable``: a later attempt may succeed (rate limit, server error, network, cut body).
    ``status``: the HTTP status, when there was one. ``platform_code``: the platform's own error
    code, when it gave one.
    """

    def __init__(self, code, params=None, *, status=None, retryable=False, platform_code=None):
        self.message = Message(code, dict(params or {}))
        self.code = code
        self.params = self.message.params
        self.status = status
        self.retryable = retryable
        self.platform_code = platform_code
        super().__init__(str(self.message))

    def render(self, translate=None):
        return self.message.render(translate) if translate else str(self.message)

    def __str__(self):
        return str(self.message)


@dataclass
class Page:
    """One page of a stream, as a file.

    ``content`` is None when there was nothing (yet): the caller then stores nothing and keeps
    (``next_cursor == cursor``) or advances the cursor as told.
    """

    stream: str
    cursor: str | None
    next_cursor: str | None
    has_more: bool
    filename: str | None = None
    fmt: str | None = None
    content: bytes | None = None
    #: parser options (``order_profile`` for orders)
    options: dict = field(default_factory=dict)
    #: lines in the page (orders lines, bill rows), for progress
    rows: int = 0
    #: a day whose bill the platform does not have (yet)
    missing_day: date | None = None


@dataclass(frozen=True)
class Stream:
    """A stream of a connector: its code, the kind of file its pages are, and whether it is a
    day stream (cursor = the next day) or a paged one (cursor = the platform's page token)."""

    code: str
    fmt: str
    daily: bool = False


class Connector:
    """The base of every platform's connector (see the module).

    Subclasses set ``platform``, ``streams`` and ``timezone``, and implement
    :meth:`fetch`. ``credentials`` is a dict of the backend's secrets (names per platform,
    :attr:`credential_fields`); ``http`` an :class:`~ecomfin.connectors.http.HttpClient`.
    """

    platform = None
    #: code -> :class:`Stream`
    streams = {}
    #: the credential names the platform needs
    credential_fields = ()
    #: the credential names it reads when given (an app token, a platform key, a token server)
    optional_credential_fields = ()
    timezone = "UTC"
    #: orders per page asked for
    page_size = 100

    def __init__(self, base_url, credentials, http, *, since=None, today=None):
        self.base_url = base_url.rstrip("/")
        self.credentials = dict(credentials or {})
        self.http = http
        #: the first day to pull when a stream has no cursor yet
        self.since = since or date.today() - timedelta(days=1)
        self._today = today
        missing = [name for name in self.credential_fields if not self.credentials.get(name)]
        if missing:
            raise ConnectorError(
                "missing_credentials", {"platform": self.platform, "fields": ", ".join(missing)}
            )

    def today(self):
        """Today in the platform's time zone (a test may fix it)."""
        if self._today is not None:
            return self._today
        return datetime.now(ZoneInfo(self.timezone)).date()

    def pull_page(self, stream, cursor):
        """The page of ``stream`` at ``cursor`` (None: the start), as a :class:`Page`."""
        spec = self.streams.get(stream)
        if spec is None:
            raise ConnectorError("unknown_stream", {"platform": self.platform, "stream": stream})
        if spec.daily:
            day = date.fromisoformat(cursor) if cursor else self.since
            if day >= self.today():
                return Page(stream, cursor, cursor, has_more=False)
            page = self.fetch_day(stream, day)
            if page.missing_day is None and page.next_cursor is None:
                page.next_cursor = (day + timedelta(days=1)).isoformat()
                page.has_more = day + timedelta(days=1) < self.today()
            return page
        return self.fetch(stream, cursor)

    def fetch(self, stream, cursor):
        """The page of a paged stream at ``cursor``."""
        raise NotImplementedError

    def fetch_day(self, stream, day):
        """The page of a day stream for ``day`` (a past day)."""
        raise NotImplementedError

    def retrying(self, once):
        """``once()``, asked again while it raises a retryable :class:`ConnectorError` (a
        platform's "busy" or "too frequent" answer inside an HTTP 200, which the HTTP client
        cannot see), paused as the HTTP retries are; the last of them becomes ``gave_up``."""
        retry = self.http.retry
        last = None
        for attempt in range(retry.attempts):
            try:
                return once()
            except ConnectorError as problem:
                if not problem.retryable:
                    raise
                last = problem
            if attempt + 1 < retry.attempts:
                self.http.stats["retries"] += 1
                self.http.sleep(retry.pause(attempt))
        raise ConnectorError("gave_up", {"attempts": retry.attempts, "last": last}, status=last.status)

    def missing(self, stream, day):
        """The page saying that ``day`` has no bill yet."""
        cursor = day.isoformat()
        return Page(stream, cursor, cursor, has_more=False, missing_day=day)


def encode_cursor(value):
    """A cursor (a dict of texts and numbers) as the text the backend stores."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def decode_cursor(text, default=None):
    """The dict a cursor text holds (``default`` for None)."""
    if not text:
        return dict(default or {})
    try:
        value = json.loads(text)
    except ValueError:
        raise ConnectorError("bad_cursor", {"cursor": text[:100]}) from None
    if not isinstance(value, dict):
        raise ConnectorError("bad_cursor", {"cursor": text[:100]})
    return value
