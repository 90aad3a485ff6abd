# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""A pull of one connector backend: pages from the platform stored as imports.

Each page is a file (``ecomfin.connectors``) and goes through ``ecom.statement._import_data``,
the path of an uploaded file: same parser, same checks, same rights, same idempotence and the
same audit. A page that adds nothing new (a page overlapping the last pull, a file already
imported) leaves nothing behind: its savepoint is rolled back and only the cursor moves. The
cursor of the stream moves in the same transaction as its page.

One pull of a backend at a time: the pull takes a transaction-level advisory lock on the
backend, so a second pull (the cron and a button at the same moment) waits for the first to
commit and then starts from the cursor it left.
"""

import logging
import zlib

from odoo import fields
from odoo.exceptions import UserError
from odoo.tools import SQL

from ecomfin.connectors import ConnectorError, Page
from ecomfin.connectors.render import merge_orders_pages
from ecomfin.vocab import ORDER_FORMAT

from .import_errors import message_text

_logger = logging.getLogger(__name__)

#: the most lines of order pages stored as one import
ORDER_BATCH_ROWS = 5000
#: the first key of the backends' advisory locks (the second is the backend's id)
LOCK_CLASS = zlib.crc32(b"ecom.connector.backend") & 0x7FFFFFFF


class _NothingNew(Exception):
    """A page whose import added nothing: rolled back."""


def lock_backend(backend):
    """Wait until no other transaction pulls ``backend``, then hold it until this one ends."""
    backend.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", LOCK_CLASS, backend.id))


def pull_backend(backend, connector, *, max_pages=None, progress=None):
    """Pull every stream of ``backend`` through ``connector``; return the totals.

    ``max_pages``: stop after that many pages (a job pulls a slice and queues the rest);
    ``progress(pages_done, pages_expected)``: called after each page.
    Returns ``{"lines_created", "lines_skipped", "statement_ids", "errors", "has_more",
    "missing_days"}``.

    The pages of an orders stream are stored together, up to ``ORDER_BATCH_ROWS`` lines a file
    (``render.merge_orders_pages``): an import per 100 orders would cost more than the orders.
    A bill's page is stored as it is (it is the platform's file).
    """
    lock_backend(backend)
    result = {
        "lines_created": 0,
        "lines_skipped": 0,
        "statement_ids": [],
        "errors": [],
        "has_more": False,
        "missing_days": [],
    }
    done = {"pages": 0}
    for stream in connector.streams:
        if not _StreamPull(backend, connector, stream, result, done, max_pages, progress).run():
            result["has_more"] = True
            break
    # a token the platform renewed is kept with what the pull stored (a refresh token some
    # platforms rotate would be lost otherwise)
    refreshed = getattr(connector, "refreshed", None)
    if refreshed:
        backend._keep_refreshed_credentials(refreshed)
    return result


class _StreamPull:
    """The pull of one stream: pages fetched, stored (order pages in batches), the cursor moved
    with what is stored."""

    def __init__(self, backend, connector, stream, result, done, max_pages, progress):
        self.backend = backend
        self.env = backend.env
        self.connector = connector
        self.stream = stream
        self.result = result
        self.done = done
        self.max_pages = max_pages
        self.progress = progress
        self.cursor = backend._cursor_of(stream)
        #: order pages fetched, not stored yet (the stored cursor is still before them)
        self.pending = []

    def run(self):
        """Pull the stream to its end; False when ``max_pages`` stopped it first."""
        while True:
            if self.max_pages is not None and self.done["pages"] >= self.max_pages:
                # what was fetched is stored; the rest is for the next job (unless the import
                # refused it: the stream stops there)
                return not self._flush()
            position = self.pending[-1].next_cursor if self.pending else self.cursor.cursor
            try:
                page = self.connector.pull_page(self.stream, position or None)
            except ConnectorError as error:
                # shown on the backend (its stream's error, its health) and in its alerts: the
                # log only follows
                _logger.info(
                    "pull of %s, stream %s failed: %s", self.backend.display_name, self.stream, error
                )
                self._flush()
                self._failed(message_text(self.env, error.message))
                return True
            self.done["pages"] += 1
            if page.fmt == ORDER_FORMAT and page.content:
                self.pending.append(page)
                if sum(p.rows for p in self.pending) >= ORDER_BATCH_ROWS and not self._flush():
                    return True
            elif not self._flush() or not self._save(page):
                return True
            if self.progress:
                self.progress(self.done["pages"], self.done["pages"] + (1 if page.has_more else 0))
            if not page.has_more:
                self._flush()
                return True

    def _flush(self):
        """Store the pending order pages as one file; False when the import refused it."""
        if not self.pending:
            return True
        pages, self.pending = self.pending, []
        if len(pages) == 1:
            return self._save(pages[0])
        first, last = pages[0], pages[-1]
        content, rows = merge_orders_pages(pages)
        stem, dot, ext = first.filename.rpartition(".")
        merged = Page(
            self.stream,
            first.cursor,
            last.next_cursor,
            has_more=last.has_more,
            filename=f"{stem}+{len(pages) - 1}{dot}{ext}" if dot else f"{first.filename}+{len(pages) - 1}",
            fmt=first.fmt,
            content=content,
            options=first.options,
            rows=rows,
        )
        return self._save(merged)

    def _save(self, page):
        """Store ``page`` and move the cursor past it; False when the import refused it."""
        try:
            created, skipped, statement = _store(self.env["ecom.statement"], self.backend, page)
        except UserError as error:
            # a page the import refuses (its savepoint rolled back): the stream stops there
            self._failed(self.env._("page %(file)s: %(error)s", file=page.filename, error=error))
            return False
        cursor = self.cursor
        cursor._record(
            cursor=page.next_cursor,
            last_success=fields.Datetime.now(),
            last_error=False,
            missing_day=page.missing_day or False,
            pages=cursor.pages + (1 if statement else 0),
            lines_created=cursor.lines_created + created,
        )
        self.result["lines_created"] += created
        self.result["lines_skipped"] += skipped
        if statement:
            self.result["statement_ids"].append(statement.id)
        if page.missing_day:
            self.result["missing_days"].append((self.stream, page.missing_day))
            self.backend._on_missing_day(self.stream, page.missing_day)
        return True

    def _failed(self, text):
        self.cursor._record(last_error=text, last_error_at=fields.Datetime.now())
        self.result["errors"].append(f"{self.stream}: {text}")


def _store(Statement, backend, page):
    """Import ``page`` (when it has content) for the backend's shop; ``(created, skipped,
    statement)``, the statement None when the page added nothing (rolled back)."""
    if not page.content:
        return 0, 0, None
    env = Statement.env
    try:
        with env.cr.savepoint():
            statement = Statement._import_data(
                backend.shop_id,
                page.filename,
                page.content,
                fmt=page.fmt,
                order_profile=page.options.get("order_profile"),
            )
            if statement.env.context.get("ecom_already_imported"):
                skipped = statement.line_count
                raise _NothingNew(skipped)
            new = statement.lines_created + statement.orders_created + statement.orders_updated
            skipped = statement.lines_skipped
            if not new:
                env.flush_all()
                raise _NothingNew(skipped)
            # the import's own bookkeeping: which backend brought it (imports are written by
            # their own code only, see imports/load.py)
            statement.sudo().connector_backend_id = backend
            return statement.lines_created, skipped, statement
    except _NothingNew as nothing:
        # the savepoint is rolled back: forget what the cache holds of it
        env.invalidate_all()
        return 0, nothing.args[0], None
    except UserError:
        env.invalidate_all()
        raise
