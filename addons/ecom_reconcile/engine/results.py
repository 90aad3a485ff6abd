# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""How the differences a run finds take the place of those its last run found.

A difference is the run's, its stage, shop, kind and reference: the live differences have a
unique key on them (see ``ecom.reconcile.difference``). A pass leaves alone what it finds
again as it was, and writes the rest on that key (``INSERT ... ON CONFLICT DO UPDATE``, or
the same record through the ORM): a difference found again with other amounts keeps its row,
so its chatter, followers and activities stay with it by themselves.

A difference that people worked on (``WORKED_ON``) is never changed nor deleted: it is
archived as it was before the pass writes (freeing its key), with a note saying why the run
no longer finds it; the difference found again in its place takes over its assignee,
explanation and followers and points to it. The differences no longer found that nobody
worked on are deleted (with their chatter, by ``mail``).
"""

from odoo.tools import SQL

from ecomfin.differences import DIFFERENCE_KINDS

from . import scope

DIFFERENCE_MODEL = "ecom.reconcile.difference"
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


def unlink_channel_lines(env, ids):
    """Unlink the differences ``ids`` from their channel lines (to link them to those found now)."""
    if ids:
        env.cr.execute(
            SQL("DELETE FROM ecom_reconcile_difference_channel_rel WHERE difference_id = ANY(%s)", ids)
        )


def replace_differences(run, old_ids, write_found=None, taken_off=False):
    """Put what ``write_found()`` writes in the place of the run's live differences ``old_ids``
    (those of the pass that it did not find again as they were).

    ``write_found()`` writes the differences found (a live one of the same key is updated in
    place) and returns their ids. A difference updated in place gets a note with its old
    amounts. A new one in the place of an archived one (worked on) takes over its assignee,
    explanation and followers; it is open again (assigned when it had an assignee): its amounts
    changed, so a resolution or write-off of the old amounts is for a person to look at again.
    ``taken_off``: the differences' shops were taken off the run.
    """
    env = run.env
    cr = env.cr
    Difference = env[DIFFERENCE_MODEL].sudo()
    old_ids = list(old_ids)
    worked, was = set(), {}
    if old_ids:
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
        was = {
            row[0]: row[1:]
            for row in env.execute_query(
                SQL(
                    """SELECT id, expected_amount, actual_amount FROM ecom_reconcile_difference
                        WHERE id = ANY(%s)""",
                    old_ids,
                )
            )
        }
    if worked:
        # set-wise, as the run's other results; the workflow and facts stay as they were
        cr.execute(
            SQL("UPDATE ecom_reconcile_difference SET active = false WHERE id = ANY(%s)", sorted(worked))
        )
        Difference.invalidate_model(["active"])
    written = write_found() if write_found else []
    replaced_by = {}
    if old_ids and written:
        replaced_by = dict(
            env.execute_query(
                SQL(
                    """SELECT o.id, n.id
                         FROM ecom_reconcile_difference o
                         JOIN ecom_reconcile_difference n
                           ON n.run_id = o.run_id AND n.stage = o.stage AND n.shop_id = o.shop_id
                          AND n.kind = o.kind AND n.reference = o.reference AND n.active
                        WHERE o.id = ANY(%s) AND n.id = ANY(%s)""",
                    old_ids,
                    list(written),
                )
            )
        )
    carried = {old: new for old, new in replaced_by.items() if old in worked}
    if carried:
        cr.execute(
            SQL(
                """UPDATE ecom_reconcile_difference n
                      SET user_id = o.user_id, resolution = o.resolution,
                          state = CASE WHEN o.user_id IS NULL THEN 'open' ELSE 'assigned' END
                     FROM unnest(%s::int[], %s::int[]) AS c(old_id, new_id)
                     JOIN ecom_reconcile_difference o ON o.id = c.old_id
                    WHERE n.id = c.new_id""",
                list(carried),
                list(carried.values()),
            )
        )
        Difference.invalidate_model()
        for old, new in carried.items():
            # the followers of the difference it replaces follow it too (through mail's API)
            Difference.browse(new).message_subscribe(
                partner_ids=Difference.browse(old).message_partner_ids.ids
            )
    _log_found_again(run, replaced_by, worked, was)
    if worked:
        _archive_notes(run, sorted(worked), carried, taken_off)
    gone = [old for old in old_ids if old not in worked and old not in replaced_by]
    if gone:
        # the run's results are written by the run (its right to run was checked in _execute);
        # mail deletes their chatter, followers and activities with them
        Difference.browse(gone).unlink()


def _log_found_again(run, replaced_by, worked, was):
    """Say in the chatter of each difference found again with other amounts what they were."""
    if not replaced_by:
        return
    env = run.env
    found_again = env[DIFFERENCE_MODEL].browse(list(replaced_by.values()))
    old_of = {new: old for old, new in replaced_by.items()}
    bodies = {}
    for difference in found_again:
        old_id = old_of[difference.id]
        old_expected, old_actual = was[old_id]
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


def _archive_notes(run, ids, replaced_by, taken_off):
    """Say in the chatter of the differences ``ids``, archived, why the run no longer finds them.
    ``replaced_by``: {old id: id of the difference found again in its place}."""
    env = run.env
    Difference = env[DIFFERENCE_MODEL]
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
