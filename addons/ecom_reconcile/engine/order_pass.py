# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Orders against the channel's payments, set-wise in PostgreSQL.

One join of the orders of the period with the channel lines aggregated per order reference
makes the *pairs* (a temporary table); ``classify`` gives each pair its kinds of difference
by the rule of ``ecomfin.differences.order_kinds`` (a test keeps the two in step); the run's
results are then replaced by those of the pairs (``replace_order_results``).
"""

from odoo.tools import SQL

from odoo.addons.ecom_finance import sources

from ecomfin import differences as kinds

from . import results, scope

PAIRS_TABLE = "ecom_reconcile_pairs"
KEPT_TABLE = "ecom_reconcile_kept"
# what the channel paid as the rule compares it with the order (ecomfin.differences.compared)
COMPARED = SQL("CASE WHEN p.compare = 'net' THEN p.paid - p.fees ELSE p.paid END")


def order_rules(end):
    """{kind: SQL of when pair ``p`` is a difference of that kind} (ecomfin.differences.order_kinds);
    ``end``: the end of the run's period."""
    return {
        kinds.MISSING_PAYMENT: SQL("p.line_ids IS NULL AND p.status <> 'cancelled'"),
        kinds.MISSING_ORDER: SQL("p.order_id IS NULL"),
        kinds.STATUS_MISMATCH: SQL(
            """p.order_id IS NOT NULL AND p.line_ids IS NOT NULL AND p.status = 'cancelled'
               AND p.paid - p.refunded > p.tol_abs"""
        ),
        kinds.DUPLICATE_PAYMENT: SQL("p.order_id IS NOT NULL AND p.status <> 'cancelled' AND p.n_sale > 1"),
        kinds.AMOUNT_MISMATCH: SQL(
            """p.order_id IS NOT NULL AND p.line_ids IS NOT NULL AND p.status <> 'cancelled'
               AND p.n_sale <= 1
               AND abs(%s - p.amount_paid) > GREATEST(p.tol_abs, abs(p.amount_paid) * p.tol_pct / 100)""",
            COMPARED,
        ),
        kinds.REFUND_MISMATCH: SQL(
            """p.order_id IS NOT NULL AND p.line_ids IS NOT NULL AND p.status <> 'cancelled'
               AND abs(p.refunded - p.refund_amount)
                   > GREATEST(p.tol_abs, abs(p.refund_amount) * p.tol_pct / 100)"""
        ),
        kinds.TIMING: SQL(
            """p.order_id IS NOT NULL AND p.paid_at IS NOT NULL AND p.status <> 'cancelled'
               AND (p.paid_at > p.paid_time + make_interval(hours => p.window_hours) OR p.paid_at >= %s)""",
            end,
        ),
    }


# what a difference of pair ``k`` expects (the order) and what the channel says
# (ecomfin.differences.difference_amounts)
EXPECTED_AMOUNT = SQL(
    """CASE WHEN k.kind = %s THEN COALESCE(k.refund_amount, 0)
            ELSE COALESCE(k.amount_paid, 0) END""",
    kinds.REFUND_MISMATCH,
)
ACTUAL_AMOUNT = SQL(
    """CASE WHEN k.kind = %s THEN COALESCE(k.refunded, 0)
            WHEN k.kind = %s THEN COALESCE(k.paid - k.refunded, 0)
            ELSE COALESCE(k.compared, 0) END""",
    kinds.REFUND_MISMATCH,
    kinds.STATUS_MISMATCH,
)


def classify(cr, end, table=PAIRS_TABLE):
    """Add ``compared`` and ``kinds`` (in ``ORDER_KINDS`` order) to the pairs of ``table``;
    ``end``: the end of the run's period."""
    pairs = SQL.identifier(table)
    rules = order_rules(end)
    cases = SQL(", ").join(SQL("CASE WHEN %s THEN %s END", rules[kind], kind) for kind in kinds.ORDER_KINDS)
    cr.execute(
        SQL(
            """ALTER TABLE %(pairs)s ADD COLUMN compared numeric, ADD COLUMN kinds varchar[];
               UPDATE %(pairs)s p
                  SET compared = %(compared)s, kinds = ARRAY_REMOVE(ARRAY[%(cases)s], NULL)""",
            pairs=pairs,
            compared=COMPARED,
            cases=cases,
        )
    )


def orders_against_payments(run, rules, only_affected=False):
    """Match orders with channel payments (all, or the affected references only)."""
    cr = run.env.cr
    # the days of the run in the time zone of its (first) shop's rule
    start, end, _late = scope.period(run, next(iter(rules.values())).timezone)
    max_window = max(rule.time_window_hours for rule in rules.values())
    key, fallback = scope.line_key(SQL("r.key1")), scope.line_key(SQL("r.key2"))
    affected = SQL.identifier(scope.AFFECTED_TABLE)
    lines = sources.LINES
    pay_filter = pay_having = SQL()
    if only_affected:
        affected_key = SQL(
            "(l.shop_id, COALESCE(%s, %s)) IN (SELECT shop_id, ref FROM %s)", key, fallback, affected
        )
        if scope.keys_indexed(rules):
            # from the few candidate lines, not from every line of the period; the references
            # they name besides the affected ones are left out once grouped
            lines = SQL(
                "%s al CROSS JOIN LATERAL (%s) l",
                SQL.identifier(scope.AFFECTED_LINES_TABLE),
                sources.line_of_id(SQL("al.id")),
            )
            pay_having = SQL("HAVING %s", affected_key)
        else:
            pay_filter = SQL("AND %s", affected_key)
    # the affected orders one by one through the unique (name, shop) index. The lookups are
    # spelled out (LATERAL, OFFSET 0 so that the planner keeps them) because the statistics
    # of a big import just made would make it read every line and order of the period.
    orders = (
        SQL("%s a CROSS JOIN LATERAL (%s) o", affected, sources.order_named(SQL("a.shop_id"), SQL("a.ref")))
        if only_affected
        else sources.ORDERS
    )
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(PAIRS_TABLE)))
    cr.execute(
        SQL(
            """
            CREATE TEMPORARY TABLE %(pairs)s ON COMMIT DROP AS
            WITH rules (shop_id, key1, key2, memo_regex, tol_abs, tol_pct, window_hours, compare, rule_id)
                 AS (VALUES %(rules)s),
            pay AS (
                SELECT l.shop_id, COALESCE(%(key)s, %(fallback)s) AS ref,
                       COALESCE(sum(l.gross) FILTER (WHERE l.line_type = 'sale'), 0) AS paid,
                       count(*) FILTER (WHERE l.line_type = 'sale') AS n_sale,
                       COALESCE(-sum(l.gross) FILTER (WHERE l.line_type = 'refund'), 0) AS refunded,
                       COALESCE(sum(l.fee), 0) AS fees,
                       min(l.occurred_at) FILTER (WHERE l.line_type = 'sale') AS paid_at,
                       array_agg(l.id ORDER BY l.id) AS line_ids,
                       min(l.currency_id) AS currency_id
                  FROM (%(payment_lines)s) l
                  JOIN rules r ON r.shop_id = l.shop_id
                 WHERE COALESCE(%(key)s, %(fallback)s) IS NOT NULL
                   %(pay_filter)s
                 GROUP BY l.shop_id, 2
                 %(pay_having)s
            ),
            ord AS (
                SELECT o.* FROM (%(orders_paid)s) o JOIN rules r ON r.shop_id = o.shop_id
            )
            SELECT COALESCE(ord.shop_id, pay.shop_id) AS shop_id,
                   COALESCE(ord.ref, pay.ref) AS ref,
                   ord.id AS order_id, ord.status, ord.amount_paid, ord.refund_amount, ord.paid_time,
                   pay.paid, pay.n_sale, pay.refunded, pay.fees, pay.paid_at, pay.line_ids,
                   COALESCE(ord.currency_id, pay.currency_id) AS currency_id,
                   r.rule_id, r.tol_abs, r.tol_pct, r.window_hours, r.compare
              FROM ord
              FULL JOIN pay ON pay.shop_id = ord.shop_id AND pay.ref = ord.ref
              JOIN rules r ON r.shop_id = COALESCE(ord.shop_id, pay.shop_id)
            """,
            pairs=SQL.identifier(PAIRS_TABLE),
            rules=scope.rule_rows(rules),
            payment_lines=sources.channel_payment_lines(
                lines,
                SQL("%s - make_interval(hours => %s)", start, max_window),
                SQL("%s + make_interval(hours => %s + 14 * 24)", end, max_window),
            ),
            pay_filter=pay_filter,
            pay_having=pay_having,
            orders_paid=sources.orders_paid(orders, start, end),
            key=key,
            fallback=fallback,
        )
    )
    pairs = SQL.identifier(PAIRS_TABLE)
    # Payments of the window whose order lies in another period are that period's business.
    cr.execute(
        SQL(
            """DELETE FROM %(pairs)s p
                WHERE p.order_id IS NULL
                  AND (p.paid_at IS NULL OR p.paid_at < %(start)s OR p.paid_at >= %(end)s
                       OR %(ordered)s)""",
            pairs=pairs,
            start=start,
            end=end,
            ordered=sources.order_exists(SQL("p.shop_id"), SQL("p.ref")),
        )
    )
    classify(cr, end)
    replace_order_results(run, only_affected)


def _keep_unchanged(run, common):
    """Fill the kept table with the run's results that the pairs find again exactly as they were
    (their lines compared as sorted arrays).

    The pairs hold the references of the scope only. Each pair looks its results up through the
    reference index (LATERAL, OFFSET 0): the statistics of results just written in the same
    transaction would make the planner loop over them instead.
    """
    cr = run.env.cr
    cr.execute(
        SQL(
            """
            INSERT INTO %(kept)s
            SELECT x.id, 'match', p.shop_id, p.ref, NULL
              FROM %(pairs)s p
             CROSS JOIN LATERAL (
                   SELECT * FROM ecom_reconcile_match m WHERE m.reference = p.ref OFFSET 0) x
             WHERE %(clean)s AND x.run_id = %(run)s AND x.shop_id = p.shop_id
               AND x.kind = 'order_payment' AND x.cardinality = %(cardinality)s
               AND x.rule_id IS NOT DISTINCT FROM p.rule_id AND x.order_id = p.order_id
               AND x.currency_id IS NOT DISTINCT FROM p.currency_id
               AND x.amount = p.amount_paid AND x.residual = p.compared - p.amount_paid
               AND p.line_ids = ARRAY(SELECT r.line_id FROM ecom_reconcile_match_channel_rel r
                                       WHERE r.match_id = x.id ORDER BY r.line_id)
            """,
            **common,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO %(kept)s
            SELECT x.id, 'difference', k.shop_id, k.ref, k.kind
              FROM (SELECT p.*, unnest(p.kinds) AS kind FROM %(pairs)s p) k
             CROSS JOIN LATERAL (
                   SELECT * FROM ecom_reconcile_difference d WHERE d.reference = k.ref OFFSET 0) x
             WHERE x.run_id = %(run)s AND x.active AND x.stage = 'order' AND x.shop_id = k.shop_id
               AND x.kind = k.kind
               AND x.order_id IS NOT DISTINCT FROM k.order_id
               AND x.currency_id IS NOT DISTINCT FROM k.currency_id
               AND x.expected_amount = %(expected)s AND x.actual_amount = %(actual)s
               AND x.date IS NOT DISTINCT FROM COALESCE(k.paid_at, k.paid_time)
               AND COALESCE(k.line_ids, '{}') = ARRAY(
                       SELECT r.line_id FROM ecom_reconcile_difference_channel_rel r
                        WHERE r.difference_id = x.id ORDER BY r.line_id)
            """,
            **common,
        )
    )
    cr.execute(SQL("ANALYZE %s", common["kept"]))
    cr.execute(
        SQL(
            """DELETE FROM ecom_reconcile_match x
                WHERE x.run_id = %(run)s AND x.kind = 'order_payment' %(scope)s
                  AND NOT EXISTS (SELECT 1 FROM %(kept)s k
                                   WHERE k.id = x.id AND k.model = 'match')
                  -- a match a person made by accepting a suggestion stays (Reopen undoes it)
                  AND NOT EXISTS (SELECT 1 FROM ecom_reconcile_suggestion_decision s
                                   WHERE s.match_id = x.id)""",
            **common,
        )
    )


def replace_order_results(run, only_affected):
    """Write the order <-> payment results of the pairs table, replacing the run's own.

    A result found again as it is (same amounts, same lines) is kept as it is, with its
    assignee, state and comments; the other matches are deleted and the new ones inserted;
    the other differences are written on their key (see ``results``).
    """
    cr = run.env.cr
    kept = SQL.identifier(KEPT_TABLE)
    common = {
        "pairs": SQL.identifier(PAIRS_TABLE),
        "kept": kept,
        "scope": (
            SQL(
                "AND (x.shop_id, x.reference) IN (SELECT shop_id, ref FROM %s)",
                SQL.identifier(scope.AFFECTED_TABLE),
            )
            if only_affected
            else SQL()
        ),
        "run": run.id,
        "company": run.company_id.id,
        "expected": EXPECTED_AMOUNT,
        "actual": ACTUAL_AMOUNT,
        "cardinality": SQL("CASE WHEN cardinality(p.line_ids) > 1 THEN '1:N' ELSE '1:1' END"),
        "clean": SQL("p.order_id IS NOT NULL AND p.line_ids IS NOT NULL AND cardinality(p.kinds) = 0"),
    }
    cr.execute(SQL("DROP TABLE IF EXISTS %s", kept))
    cr.execute(
        SQL(
            # indexed: whatever the planner expects, a lookup never reads the whole table
            """CREATE TEMPORARY TABLE %(kept)s (
                   id int, model varchar, shop_id int, reference varchar, kind varchar,
                   PRIMARY KEY (model, id)) ON COMMIT DROP;
               CREATE INDEX ON %(kept)s (reference)""",
            kept=kept,
        )
    )
    if _has_order_results(run):
        _keep_unchanged(run, common)
    cr.execute(
        SQL(
            """
            WITH new AS (
                INSERT INTO ecom_reconcile_match (
                    run_id, shop_id, company_id, kind, cardinality, reference, rule_id, order_id,
                    currency_id, amount, residual)
                SELECT %(run)s, p.shop_id, %(company)s, 'order_payment', %(cardinality)s,
                       p.ref, p.rule_id, p.order_id, p.currency_id, p.amount_paid,
                       p.compared - p.amount_paid
                  FROM %(pairs)s p
                 WHERE %(clean)s
                   AND NOT EXISTS (SELECT 1 FROM %(kept)s k
                                    WHERE k.model = 'match' AND k.shop_id = p.shop_id
                                      AND k.reference = p.ref)
                RETURNING id, shop_id, reference
            )
            INSERT INTO ecom_reconcile_match_channel_rel (match_id, line_id)
            SELECT new.id, unnest(p.line_ids)
              FROM new JOIN %(pairs)s p ON p.shop_id = new.shop_id AND p.ref = new.reference
            """,
            **common,
        )
    )
    # the differences of the scope not found again as they were
    old_ids = [
        row[0]
        for row in run.env.execute_query(
            SQL(
                """SELECT x.id FROM ecom_reconcile_difference x
                    WHERE x.run_id = %(run)s AND x.active AND x.stage = 'order' %(scope)s
                      AND NOT EXISTS (SELECT 1 FROM %(kept)s k
                                       WHERE k.id = x.id AND k.model = 'difference')""",
                **common,
            )
        )
    ]
    results.replace_differences(run, old_ids, lambda: _write_differences(run, common))


def _write_differences(run, common):
    """Write the differences of the pairs not kept on their key; return their ids."""
    cr = run.env.cr
    now = SQL("now() AT TIME ZONE 'UTC'")
    written = run.env.execute_query(
        SQL(
            """
            WITH k AS (
                SELECT p.*, unnest(p.kinds) AS kind FROM %(pairs)s p
            )
            INSERT INTO ecom_reconcile_difference (
                run_id, shop_id, company_id, stage, kind, reference, order_id, currency_id,
                expected_amount, actual_amount, amount, date, state, active,
                create_uid, create_date, write_uid, write_date)
            SELECT %(run)s, k.shop_id, %(company)s, 'order', k.kind, k.ref, k.order_id, k.currency_id,
                   %(expected)s, %(actual)s, %(actual)s - %(expected)s,
                   COALESCE(k.paid_at, k.paid_time), 'open', true,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM k
             WHERE NOT EXISTS (SELECT 1 FROM %(kept)s x
                                WHERE x.model = 'difference' AND x.shop_id = k.shop_id
                                  AND x.reference = k.ref AND x.kind = k.kind)
            ON CONFLICT (run_id, stage, shop_id, kind, reference) WHERE active DO UPDATE
               SET order_id = EXCLUDED.order_id, currency_id = EXCLUDED.currency_id,
                   expected_amount = EXCLUDED.expected_amount, actual_amount = EXCLUDED.actual_amount,
                   amount = EXCLUDED.amount, date = EXCLUDED.date,
                   write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
            RETURNING id
            """,
            uid=run.env.uid,
            now=now,
            **common,
        )
    )
    ids = [row[0] for row in written]
    if ids:
        # their channel lines: those of their pair (a difference updated in place loses its old ones)
        results.unlink_channel_lines(run.env, ids)
        cr.execute(
            SQL(
                """INSERT INTO ecom_reconcile_difference_channel_rel (difference_id, line_id)
                   SELECT DISTINCT d.id, unnest(p.line_ids)
                     FROM ecom_reconcile_difference d
                     JOIN %(pairs)s p ON p.shop_id = d.shop_id AND p.ref = d.reference
                    WHERE d.id = ANY(%(ids)s) AND p.line_ids IS NOT NULL""",
                ids=ids,
                **common,
            )
        )
    run.env["ecom.reconcile.difference"].invalidate_model()
    return ids


def _has_order_results(run):
    """Whether the run holds order <-> payment results of an earlier run."""
    return bool(
        run.env.execute_query(
            SQL(
                """SELECT 1 FROM ecom_reconcile_match WHERE run_id = %(run)s AND kind = 'order_payment'
                    UNION ALL
                   SELECT 1 FROM ecom_reconcile_difference
                    WHERE run_id = %(run)s AND active AND stage = 'order'
                    LIMIT 1""",
                run=run.id,
            )
        )
    )
