# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The staging tables of an import: the parsed rows, COPied into a temporary table."""

from odoo.tools import SQL

from ecomfin.errors import InputError
from ecomfin.ingest import COPY_OPTIONS, copy_rows

PROGRESS_EVERY_ROWS = 20000


def counted(rows, progress):
    """``rows``, calling ``progress(count)`` every ``PROGRESS_EVERY_ROWS`` rows (None: never)."""
    if progress is None:
        yield from rows
        return
    count = 0
    for row in rows:
        yield row
        count += 1
        if count % PROGRESS_EVERY_ROWS == 0:
            progress(count)


def copy_to_temp(cr, table, columns, types, rows):
    """Create temporary ``table`` (``columns`` of PostgreSQL ``types``) and COPY ``rows`` into it."""
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(table)))
    cr.execute(
        SQL(
            "CREATE TEMPORARY TABLE %s (%s) ON COMMIT DROP",
            SQL.identifier(table),
            SQL(", ").join(SQL("%s %s", SQL.identifier(c), SQL(types[c])) for c in columns),
        )
    )
    copy = SQL(
        "COPY %s (%s) FROM STDIN %s",
        SQL.identifier(table),
        SQL(", ").join(SQL.identifier(c) for c in columns),
        SQL(COPY_OPTIONS),
    )
    copy_rows(cr, copy.code, rows)


def check_currencies(env, table, filename):
    """Refuse a staged row whose currency Odoo does not know."""
    unknown = env.execute_query(
        SQL(
            """SELECT DISTINCT t.currency FROM %s t
               LEFT JOIN res_currency c ON c.name = t.currency WHERE c.id IS NULL""",
            SQL.identifier(table),
        )
    )
    if unknown:
        raise InputError(
            "unknown_currency",
            {"currencies": ", ".join(sorted(r[0] for r in unknown))},
            filename=filename,
            column="currency",
        )


def sole(values):
    """The one value of ``values`` (an array of the staged rows), None when there are none or several."""
    return values[0] if values and len(values) == 1 else None


def currency_named(env, code):
    """The currency of this code, archived or not (an empty record if there is none)."""
    return env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1)
