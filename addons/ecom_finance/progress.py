"""Progress of long jobs, visible while they run."""

from odoo.tools import SQL


def write_progress(env, table, record_id, percent):
    """Write ``percent`` on row ``record_id`` of ``table`` in a short transaction of its own.

    A job's own transaction is only seen when it commits; this one commits at once, so the
    form shows the progress while the job runs. Only for records committed before the job
    started (queued imports and runs): the row must exist outside the job's transaction,
    and the job must not have written it (it would wait for the job's own lock); imports
    and runs write their row once, at the end.
    """
    with env.registry.cursor() as cr:
        cr.execute(
            SQL(
                "UPDATE %s SET progress = %s WHERE id = %s",
                SQL.identifier(table),
                min(percent, 99.0),
                record_id,
            )
        )
