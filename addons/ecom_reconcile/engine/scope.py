# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What a run reads: its period, its imports, and the references that changed since it last ran."""

import hashlib
import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from odoo.tools import SQL

from odoo.addons.ecom_finance import sources

AFFECTED_TABLE = "ecom_reconcile_affected"
AFFECTED_LINES_TABLE = "ecom_reconcile_affected_lines"


def period(run, timezone="UTC", extra_hours=0):
    """The run's days in ``timezone``, as the naive UTC datetimes stored in the database."""
    tz = ZoneInfo(timezone)

    def utc(day):
        return datetime.combine(day, time.min, tz).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    start, end = utc(run.date_from), utc(run.date_to + timedelta(days=1))
    return start, end, end + timedelta(hours=extra_hours)


def input_statements(run):
    """Every import of the run's shops overlapping the period, whoever may read it."""
    start, end, _late = period(run)
    return (
        run.env["ecom.statement"]
        .sudo()
        .search(
            [
                ("shop_id", "in", run.shop_ids.ids),
                ("state", "=", "done"),
                ("period_start", "<", end),
                ("period_end", ">=", start - timedelta(days=7)),
            ],
            order="id",
        )
    )


def snapshot(run, rules, statements):
    """(inputs, rules, digest) the run reads: its imports with their SHA-256, its rules with
    their versions, and the SHA-256 of both and the period (equal digests, equal results)."""
    inputs = [{"id": s.id, "sha256": s.sha256} for s in statements]
    rules_snapshot = [rules[shop.id]._snapshot() for shop in run.shop_ids]
    digest = hashlib.sha256(
        json.dumps(
            {"inputs": inputs, "rules": rules_snapshot, "period": [str(run.date_from), str(run.date_to)]},
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
    ).hexdigest()
    return inputs, rules_snapshot, digest


def line_key(which):
    """SQL of the reference of statement line ``l`` that the rule key ``which`` names."""
    return sources.line_key(which, SQL("r.memo_regex"))


def rule_rows(rules):
    """The rules as the rows of a ``VALUES`` list (see the ``rules`` CTEs)."""
    return SQL(", ").join(
        SQL(
            "(%s, %s, %s, %s, %s::numeric, %s::numeric, %s, %s, %s)",
            shop_id,
            rule.match_key,
            rule.fallback_key or None,
            rule.memo_regex or None,
            rule.amount_tolerance,
            rule.amount_tolerance_pct,
            rule.time_window_hours,
            rule.compare,
            rule.id,
        )
        for shop_id, rule in rules.items()
    )


def keys_indexed(rules):
    """Whether every key of ``rules`` is a statement line column with an index."""
    return all(
        key in sources.INDEXED_KEYS
        for rule in rules.values()
        for key in (rule.match_key, rule.fallback_key)
        if key
    )


def take_off_other_shops(run):
    """Delete the matches of shops the run no longer covers; return the ids of their live
    differences (for ``results.replace_differences``: those nobody worked on go too)."""
    run.env.cr.execute(
        SQL(
            "DELETE FROM ecom_reconcile_match WHERE run_id = %s AND shop_id <> ALL(%s)",
            run.id,
            run.shop_ids.ids,
        )
    )
    return [
        row[0]
        for row in run.env.execute_query(
            SQL(
                """SELECT id FROM ecom_reconcile_difference
                    WHERE run_id = %s AND active AND shop_id <> ALL(%s)""",
                run.id,
                run.shop_ids.ids,
            )
        )
    ]


def collect_affected(run, rules, statements):
    """Fill the temporary table of the (shop, reference) pairs whose results may change since
    the last run and return the ids of the imports added since; ``None`` when the run must
    read everything instead.

    A pair is affected when a line of an import added since names it, or when an import added
    since created or changed its order (a new status or refund in a later order export). An
    import gone since, or rules changed since (their versions), make the whole run go again.
    """
    if run.state != "done" or not run.executed_at:
        return None
    if run.rules_snapshot != [rules[shop.id]._snapshot() for shop in run.shop_ids]:
        return None
    known = {item["id"] for item in run.inputs_snapshot or []}
    if known - set(statements.ids):
        return None
    new = [statement_id for statement_id in statements.ids if statement_id not in known]
    if not new:
        return new
    key, fallback = line_key(SQL("r.key1")), line_key(SQL("r.key2"))
    cr = run.env.cr
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(AFFECTED_TABLE)))
    cr.execute(
        SQL(
            """
            CREATE TEMPORARY TABLE %(affected)s ON COMMIT DROP AS
            WITH rules (shop_id, key1, key2, memo_regex, tol_abs, tol_pct, window_hours, compare, rule_id)
                 AS (VALUES %(rules)s)
            SELECT l.shop_id, COALESCE(%(key)s, %(fallback)s) AS ref
              FROM (%(new_lines)s) l
              JOIN rules r ON r.shop_id = l.shop_id
             WHERE COALESCE(%(key)s, %(fallback)s) IS NOT NULL
             UNION
            %(new_orders)s
            """,
            affected=SQL.identifier(AFFECTED_TABLE),
            rules=rule_rows(rules),
            key=key,
            fallback=fallback,
            new_lines=sources.lines_of_imports(new),
            new_orders=sources.orders_of_imports(run.shop_ids.ids, new),
        )
    )
    # its size, for the planner of the joins that read it
    cr.execute(SQL("ANALYZE %s", SQL.identifier(AFFECTED_TABLE)))
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(AFFECTED_LINES_TABLE)))
    if keys_indexed(rules):
        # the lines that may name an affected reference, found through the indexes of the key
        # columns rather than by reading every line of the period (one lookup per reference,
        # kept as such by OFFSET 0 whatever the statistics say)
        cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE %(lines)s ON COMMIT DROP AS %(union)s",
                lines=SQL.identifier(AFFECTED_LINES_TABLE),
                union=SQL(" UNION ").join(
                    SQL(
                        """SELECT l.id FROM %(affected)s a
                             CROSS JOIN LATERAL (%(naming)s) l
                             WHERE l.shop_id = a.shop_id""",
                        affected=SQL.identifier(AFFECTED_TABLE),
                        naming=sources.lines_naming(column, SQL("a.ref")),
                    )
                    for column in sources.INDEXED_KEYS
                ),
            )
        )
        cr.execute(SQL("ANALYZE %s", SQL.identifier(AFFECTED_LINES_TABLE)))
    return new
