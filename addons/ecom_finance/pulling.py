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

from ecomfin.connectors import ConnectorError

from .import_errors import message_text

_logger = logging.getLogger(__name__)

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
    """
    lock_backend(backend)
    env = backend.env
    Statement = env["ecom.statement"]
    result = {
        "lines_created": 0,
        "lines_skipped": 0,
        "statement_ids": [],
        "errors": [],
        "has_more": False,
        "missing_days": [],
    }
    pages = 0
    for stream in connector.streams:
        cursor = backend._cursor_of(stream)
        while True:
            if max_pages is not None and pages >= max_pages:
                result["has_more"] = True
                return result
            try:
                page = connector.pull_page(stream, cursor.cursor or None)
            except ConnectorError as error:
                text = message_text(env, error.message)
                # shown on the backend (its stream's error, its health) and in its alerts: the log
                # only follows
                _logger.info("pull of %s, stream %s failed: %s", backend.display_name, stream, error)
                cursor._record(last_error=text, last_error_at=fields.Datetime.now())
                result["errors"].append(f"{stream}: {text}")
                break
            try:
                created, skipped, statement = _store(Statement, backend, page)
            except UserError as error:
                # a page the import refuses (its savepoint rolled back): the stream stops there
                text = env._("page %(file)s: %(error)s", file=page.filename, error=error)
                cursor._record(last_error=text, last_error_at=fields.Datetime.now())
                result["errors"].append(f"{stream}: {text}")
                break
            pages += 1
            values = {
                "cursor": page.next_cursor,
                "last_success": fields.Datetime.now(),
                "last_error": False,
                "missing_day": page.missing_day or False,
                "pages": cursor.pages + (1 if statement else 0),
                "lines_created": cursor.lines_created + created,
            }
            cursor._record(**values)
            result["lines_created"] += created
            result["lines_skipped"] += skipped
            if statement:
                result["statement_ids"].append(statement.id)
            if page.missing_day:
                result["missing_days"].append((stream, page.missing_day))
                backend._on_missing_day(stream, page.missing_day)
            if progress:
                progress(pages, pages + (1 if page.has_more else 0))
            if not page.has_more:
                break
    refreshed = getattr(connector, "refreshed", None)
    if refreshed:
        backend._keep_refreshed_credentials(refreshed)
    return result


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
