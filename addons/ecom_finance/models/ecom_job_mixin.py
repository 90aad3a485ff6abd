# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

# queue.job states after which nothing happens to the record unless someone acts
DEAD_JOB_STATES = ("failed", "cancelled", "done")


class EcomJobMixin(models.AbstractModel):
    """A record that a background job (queue_job) works on: its job, progress and failure.

    - ``progress`` and ``progress_text`` come from ``ecom.job.progress``, written by the job
      in a transaction of its own (``_job_progress``): never on the record's row, which the
      job itself writes at the end.
    - ``job_state`` and ``job_error`` come from the record's ``queue.job``; a job that failed
      or was cancelled, or that is gone, leaves the record ``job_stuck``: the form says why
      and offers **Retry** (``action_retry_job``), so no record stays queued for good.

    A model using it defines ``_job_check_rights`` (who may retry), ``_job_running_states``
    (the states in which a job is expected to run) and ``_job_enqueue`` (queue a new job
    when the old one is gone).
    """

    _name = "ecom.job.mixin"
    _description = "Record Worked on by a Background Job"
    _job_running_states = ("queued",)

    job_uuid = fields.Char(readonly=True, copy=False)
    job_state = fields.Char(compute="_compute_job", help="State of the background job.")
    job_error = fields.Text(compute="_compute_job", help="Why the background job failed.")
    job_stuck = fields.Boolean(
        compute="_compute_job", help="The record waits for a job that failed, was cancelled or is gone."
    )
    progress = fields.Float(compute="_compute_progress", help="Share of the work done, while a job runs.")
    progress_text = fields.Char(compute="_compute_progress", string="Progress Details")

    def _compute_job(self):
        uuids = [uuid for uuid in self.mapped("job_uuid") if uuid]
        # queue.job is readable by its managers only; the record shows the state and failure
        # of its own job to whoever may read the record
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search_fetch([("uuid", "in", uuids)], ["uuid", "state", "exc_message"])
        )
        by_uuid = {job.uuid: job for job in jobs}
        for record in self:
            job = by_uuid.get(record.job_uuid)
            running = record._job_is_expected()
            record.job_state = job.state if job else (running and record.job_uuid and "gone") or False
            record.job_error = job.exc_message if job and job.state == "failed" else False
            record.job_stuck = bool(running and (not job or job.state in DEAD_JOB_STATES))

    def _job_is_expected(self):
        self.ensure_one()
        return self.state in self._job_running_states

    def _compute_progress(self):
        rows = {}
        if self.ids:
            rows = {
                res_id: (done, total, started, updated)
                for res_id, done, total, started, updated in self.env.execute_query(
                    SQL(
                        """SELECT res_id, done, total, started_at, updated_at FROM ecom_job_progress
                            WHERE res_model = %s AND res_id = ANY(%s)""",
                        self._name,
                        list(self.ids),
                    )
                )
            }
        for record in self:
            if not record._job_is_expected():
                record.progress = 100.0 if record.job_uuid else 0.0
                record.progress_text = False
                continue
            done, total, started, updated = rows.get(record.id, (0, 0, None, None))
            record.progress = min(99.0, 100.0 * done / total) if total else 0.0
            record.progress_text = record._progress_words(done, total, started, updated)

    def _progress_words(self, done, total, started, updated):
        if not total:
            return self.env._("Waiting for the job runner.")
        seconds = (updated - started).total_seconds() if started and updated else 0
        done_text, total_text = f"{done:,}", f"{total:,}"
        words = self.env._("%(done)s of %(total)s", done=done_text, total=total_text)
        if seconds > 0 and done:
            rate = done / seconds
            left = max(total - done, 0) / rate
            if left < 90:
                time_left = self.env._("%s s", round(left))
            else:
                time_left = self.env._("%s min", round(left / 60))
            rate_text = f"{rate:,.0f}"
            words += self.env._(", %(rate)s per second, about %(left)s left", rate=rate_text, left=time_left)
        return words

    # ------------------------------------------------------------------
    # Written by the job
    # ------------------------------------------------------------------

    def _job_progress(self, done, total):
        """Record that the job did ``done`` of ``total``: committed at once, in its own transaction.

        Only the job's own record: the row it writes is keyed by (model, id), never the record's.
        """
        self.ensure_one()
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """INSERT INTO ecom_job_progress (res_model, res_id, done, total, started_at, updated_at)
                       VALUES (%(model)s, %(id)s, %(done)s, %(total)s,
                               now() AT TIME ZONE 'UTC', clock_timestamp() AT TIME ZONE 'UTC')
                       ON CONFLICT (res_model, res_id) DO UPDATE
                          SET done = EXCLUDED.done, total = EXCLUDED.total,
                              updated_at = EXCLUDED.updated_at
                       RETURNING started_at, updated_at""",
                    model=self._name,
                    id=self.id,
                    done=int(done),
                    total=int(total),
                )
            )
            started, updated = cr.fetchone()
            # pushed to the open forms of the record with the row, at the same commit; the bus
            # message is bookkeeping of the system's, like the row (the job's user and record
            # need not be read in this transaction)
            self.with_env(self.env(cr=cr, user=SUPERUSER_ID))._job_notify(
                "ecom_job/progress",
                {
                    "done": int(done),
                    "total": int(total),
                    "progress": min(99.0, 100.0 * done / total) if total else 0.0,
                    "text": self._progress_words(int(done), int(total), started, updated),
                },
            )

    def _job_notify(self, kind, payload):
        """Send ``payload`` to the forms open on these records (their job channel, see
        ir_websocket), in this environment's transaction: it reaches them at its commit."""
        for record in self:
            self.env["bus.bus"]._sendone(
                (record, "ecom_job"), kind, {"model": record._name, "id": record.id, **payload}
            )

    def _job_progress_reset(self):
        """Forget the progress of an earlier job (before a new one is queued, in the caller's transaction)."""
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "DELETE FROM ecom_job_progress WHERE res_model = %s AND res_id = ANY(%s)",
                    self._name,
                    list(self.ids),
                )
            )

    # ------------------------------------------------------------------
    # Retry
    # ------------------------------------------------------------------

    def _job_check_rights(self):
        raise AccessError(self.env._("%s has no background jobs to retry.", self._description))

    def _job_enqueue(self):
        """Queue a new job for the record (its old one is gone); return the ``queue.job``."""
        raise NotImplementedError

    def action_retry_job(self):
        """Retry the failed, cancelled or vanished job of each record (the form's **Retry**)."""
        self._job_check_rights()
        stuck = self.filtered("job_stuck")
        if self - stuck:
            raise UserError(
                self.env._(
                    "%s: only a record whose background job failed, was cancelled or is gone is retried.",
                    ", ".join((self - stuck).mapped("display_name")),
                )
            )
        jobs = self.env["queue.job"].sudo().search([("uuid", "in", stuck.mapped("job_uuid"))])
        stuck._job_progress_reset()
        # the caller's right to the record was checked above: the job itself runs as its creator
        # and checks the rights again
        jobs.requeue()
        for record in stuck.filtered(lambda r: r.job_uuid not in jobs.mapped("uuid")):
            record._job_enqueue()
        stuck.invalidate_recordset(["job_state", "job_error", "job_stuck", "progress", "progress_text"])
        return True

    @api.model
    def _job_bookkeeping_fields(self):
        return {"job_uuid"}
