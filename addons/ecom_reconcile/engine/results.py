"""How the differences a run finds take the place of those its last run found.

A difference found again with other amounts is a new record that takes over the assignee,
explanation, followers and activities of the one it replaces. A difference that people
worked on (``WORKED_ON``) is never deleted: it is archived as it was, with a note saying why
the run no longer finds it. The others are deleted.
"""

from odoo.tools import SQL

from ecomfin.differences import DIFFERENCE_KINDS

from . import scope

DIFFERENCE_MODEL = "ecom.reconcile.difference"
# the mail tables of a record's thread: (table, column of the model's name)
MAIL_TABLES = (("mail_message", "model"), ("mail_followers", "res_model"), ("mail_activity", "res_model"))
# A difference ``d`` that a person worked on: a run never deletes it (see replace_differences).
# Its state, assignee or explanation were set, or people wrote in its chatter (a message of anyone
# but the system, whose notes the run writes as OdooBot: ``root``; a tracked change), planned an
# activity on it or asked for its write-off.
WORKED_ON = """(d.state <> 'open' OR d.user_id IS NOT NULL OR COALESCE(d.resolution, '') <> ''
    OR EXISTS (SELECT 1 FROM mail_message m
                WHERE m.model = %(model)s AND m.res_id = d.id
                  AND (m.author_id IS DISTINCT FROM %(root)s
                       OR m.message_type IN ('comment', 'email', 'email_outgoing')
                       OR EXISTS (SELECT 1 FROM mail_tracking_value t WHERE t.mail_message_id = m.id)))
    OR EXISTS (SELECT 1 FROM mail_activity a WHERE a.res_model = %(model)s AND a.res_id = d.id)
    OR EXISTS (SELECT 1 FROM ecom_approval_request q
                WHERE q.res_model = %(model)s AND q.res_id = d.id))"""


def system_author(env):
    """The author of the notes the run writes in the differences' chatter (OdooBot)."""
    return env.ref("base.partner_root").id


def worked_on_sql(env):
    """SQL of ``WORKED_ON``: whether the difference ``d`` is one a person worked on."""
    return SQL(WORKED_ON, model=DIFFERENCE_MODEL, root=system_author(env))


def any_worked_on(env, where):
    """Whether a difference ``d`` of condition ``where`` is one that people worked on."""
    return bool(
        env.execute_query(
            SQL(
                "SELECT 1 FROM ecom_reconcile_difference d WHERE %s AND %s LIMIT 1",
                where,
                worked_on_sql(env),
            )
        )
    )


def summary(run, rules, statements):
    """The run's summary of what it read (``statements``, ``rules``) and found (its live results)."""
    inputs, rules_snapshot, digest = scope.snapshot(run, rules, statements)
    by_kind = dict(
        run.env.execute_query(
            SQL(
                """SELECT kind, count(*) FROM ecom_reconcile_difference
                    WHERE run_id = %s AND active GROUP BY kind""",
                run.id,
            )
        )
    )
    ((matched,),) = run.env.execute_query(
        SQL("SELECT count(*) FROM ecom_reconcile_match WHERE run_id = %s", run.id)
    )
    return {
        "inputs_snapshot": inputs,
        "rules_snapshot": rules_snapshot,
        "inputs_hash": digest,
        "counts": {kind: by_kind.get(kind, 0) for kind, _label in DIFFERENCE_KINDS},
        "matched_count": matched,
        "difference_count": sum(by_kind.values()),
    }


def last_difference_id(env):
    """The highest difference id so far: the differences above it are the ones a pass adds."""
    ((last,),) = env.execute_query(SQL("SELECT COALESCE(max(id), 0) FROM ecom_reconcile_difference"))
    return last


def replace_differences(run, old_ids, after_id, taken_off=False):
    """Take the differences ``old_ids`` of the run, that the run just replaced, off its results.

    A new difference (id above ``after_id``) of the same stage, shop, kind and reference
    takes over the assignee, the explanation, the followers and activities of the one it
    replaces; it is open again (assigned when it had an assignee): its amounts changed, so a
    resolution or write-off of the old amounts is for a person to look at again.

    A difference that people worked on (``WORKED_ON``) is never deleted: it is archived as
    it was (state, explanation, comments, write-off request) with a note saying why the run
    no longer finds it, and the difference replacing it points to it. The others (nobody
    touched them) are deleted, their comments going to the difference replacing them.
    ``taken_off``: their shops were taken off the run.
    """
    if not old_ids:
        return
    env = run.env
    cr = env.cr
    Difference = env[DIFFERENCE_MODEL]
    worked = {
        row[0]
        for row in env.execute_query(
            SQL(
                "SELECT d.id FROM ecom_reconcile_difference d WHERE d.id = ANY(%s) AND %s",
                old_ids,
                worked_on_sql(env),
            )
        )
    }
    carried = env.execute_query(
        SQL(
            """SELECT DISTINCT ON (o.id) o.id, n.id, o.expected_amount, o.actual_amount
                 FROM ecom_reconcile_difference o
                 JOIN ecom_reconcile_difference n
                   ON n.run_id = o.run_id AND n.stage = o.stage AND n.shop_id = o.shop_id
                  AND n.kind = o.kind AND n.reference = o.reference AND n.id > %s
                WHERE o.id = ANY(%s)
                ORDER BY o.id, n.id""",
            after_id,
            old_ids,
        )
    )
    replaced_by = {}
    if carried:
        old, new = [row[0] for row in carried], [row[1] for row in carried]
        replaced_by = dict(zip(old, new, strict=True))
        was = {new_id: (old_id, expected, actual) for old_id, new_id, expected, actual in carried}
        cr.execute(
            SQL(
                """UPDATE ecom_reconcile_difference n
                      SET user_id = o.user_id, resolution = o.resolution,
                          state = CASE WHEN o.user_id IS NULL THEN 'open' ELSE 'assigned' END
                     FROM unnest(%s::int[], %s::int[]) AS c(old_id, new_id)
                     JOIN ecom_reconcile_difference o ON o.id = c.old_id
                    WHERE n.id = c.new_id""",
                old,
                new,
            )
        )
        for table, model_column in MAIL_TABLES:
            if table == "mail_message":
                # the messages of a difference kept stay with it
                pairs = [(o, n) for o, n in zip(old, new, strict=True) if o not in worked]
            else:
                pairs = list(zip(old, new, strict=True))
            if not pairs:
                continue
            # a follower of both stays once
            unique = (
                SQL(
                    """AND NOT EXISTS (SELECT 1 FROM mail_followers f
                                        WHERE f.res_model = t.res_model AND f.res_id = c.new_id
                                          AND f.partner_id = t.partner_id)"""
                )
                if table == "mail_followers"
                else SQL()
            )
            cr.execute(
                SQL(
                    """UPDATE %(table)s t SET res_id = c.new_id
                         FROM unnest(%(old)s::int[], %(new)s::int[]) AS c(old_id, new_id)
                        WHERE t.%(model)s = %(name)s AND t.res_id = c.old_id %(unique)s""",
                    table=SQL.identifier(table),
                    model=SQL.identifier(model_column),
                    name=DIFFERENCE_MODEL,
                    old=[pair[0] for pair in pairs],
                    new=[pair[1] for pair in pairs],
                    unique=unique,
                )
            )
        Difference.invalidate_model()
        found_again = Difference.browse(new)
        bodies = {}
        for difference in found_again:
            old_id, old_expected, old_actual = was[difference.id]
            amounts = {
                "run": run.name,
                "expected": difference.expected_amount,
                "old_expected": old_expected,
                "actual": difference.actual_amount,
                "old_actual": old_actual,
            }
            bodies[difference.id] = (
                env._(
                    "Found again by %(run)s with other amounts: expected %(expected)s (was "
                    "%(old_expected)s), actual %(actual)s (was %(old_actual)s). The difference it "
                    "replaces, #%(old)s, is kept archived with its comments.",
                    old=old_id,
                    **amounts,
                )
                if old_id in worked
                else env._(
                    "Found again by %(run)s with other amounts: expected %(expected)s (was "
                    "%(old_expected)s), actual %(actual)s (was %(old_actual)s).",
                    **amounts,
                )
            )
        found_again._message_log_batch(bodies=bodies, author_id=system_author(env))
    if worked:
        _archive_worked_on(run, sorted(worked), replaced_by, taken_off)
    gone = [difference_id for difference_id in old_ids if difference_id not in worked]
    if not gone:
        return
    for table, model_column in MAIL_TABLES:
        cr.execute(
            SQL(
                "DELETE FROM %s WHERE %s = %s AND res_id = ANY(%s)",
                SQL.identifier(table),
                SQL.identifier(model_column),
                DIFFERENCE_MODEL,
                gone,
            )
        )
    cr.execute(SQL("DELETE FROM ecom_reconcile_difference WHERE id = ANY(%s)", gone))
    Difference.invalidate_model()


def _archive_worked_on(run, ids, replaced_by, taken_off):
    """Archive the differences ``ids`` that the run no longer finds, as they are, and say why
    in their chatter. ``replaced_by``: {old id: id of the difference found again in its place}."""
    env = run.env
    # set-wise, as the run's other results; the workflow and facts stay as they were
    env.cr.execute(SQL("UPDATE ecom_reconcile_difference SET active = false WHERE id = ANY(%s)", ids))
    Difference = env[DIFFERENCE_MODEL]
    Difference.invalidate_model(["active"])
    bodies = {}
    for difference in Difference.browse(ids):
        if difference.id in replaced_by:
            bodies[difference.id] = env._(
                "No longer found by %(run)s as it was: found again with other amounts as #%(new)s. "
                "Kept, archived, with the work done on it.",
                run=run.name,
                new=replaced_by[difference.id],
            )
        elif taken_off:
            bodies[difference.id] = env._(
                "No longer found by %(run)s: shop %(shop)s was taken off the run. Kept, archived, "
                "with the work done on it.",
                run=run.name,
                shop=difference.shop_id.code,
            )
        else:
            bodies[difference.id] = env._(
                "No longer found by %(run)s: the sources agree now. Kept, archived, with the work "
                "done on it.",
                run=run.name,
            )
    Difference.browse(ids)._message_log_batch(bodies=bodies, author_id=system_author(env))
