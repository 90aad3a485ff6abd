# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.queue_job.job import Job

from .common import ReconcileCase


@tagged("post_install", "-at_install")
class TestRunInBackground(ReconcileCase):
    """Run in Background: who may, what the form shows while it runs, when it failed, Retry."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.shop_colleague
        cls._order(cls.shop, "BG1", 100.0, "2024-03-01 10:00:00")
        cls._lines(cls.shop, "wechat_trade", [("2024-03-01 11:00:00", "sale", 100.0, 0.6, "BG1", "")])
        cls.bg_run = (
            cls.env["ecom.reconcile.run"]
            .with_user(cls.users["accountant"])
            .create({"shop_ids": [(6, 0, cls.shop.ids)], "date_from": "2024-03-01", "date_to": "2024-03-07"})
        )

    def _job(self, run):
        return self.env["queue.job"].search([("uuid", "=", run.job_uuid)])

    def test_only_who_may_run_it_queues_it(self):
        """An Auditor (read-only) or a Shop Operator queuing a run got a job that failed for good."""
        jobs = self.env["queue.job"].search_count([])
        for role in ("auditor", "shop_operator", "warehouse_operator"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.bg_run.with_user(self.users[role]).action_run_in_background()
        self.assertEqual(self.bg_run.state, "draft")
        self.assertEqual(self.env["queue.job"].search_count([]), jobs)

    def test_a_queued_run_shows_its_job_and_finishes(self):
        run = self.bg_run.with_user(self.users["accountant"])
        run.action_run_in_background()
        self.assertEqual((run.state, run.job_state, run.job_stuck), ("queued", "pending", False))
        self.assertEqual(run.progress, 0.0)
        job = self._job(run)
        self.assertEqual(job.channel, "root.ecom.runs")
        self.assertEqual(job.job_function_id._parse_retry_pattern(), {1: 10, 3: 60, 5: 300})
        action = job.open_related_action()
        self.assertEqual((action["res_model"], action["res_id"]), ("ecom.reconcile.run", run.id))
        # a run under way is not run a second time beside its job
        with self.assertRaisesRegex(UserError, "background"):
            run.action_run()
        Job.load(self.env, run.job_uuid).perform()  # what the runner does
        run.invalidate_recordset()
        self.assertEqual((run.state, run.progress, run.matched_count), ("done", 100.0, 1))

    def test_a_failed_job_says_why_and_is_retried(self):
        run = self.bg_run.with_user(self.users["accountant"])
        run.action_run_in_background()
        job = self._job(run)
        # the runner gave up on it (the state a failed job is left in)
        job.write({"state": "failed", "exc_message": "The server was restarted"})
        run.invalidate_recordset()
        self.assertEqual(
            (run.state, run.job_stuck, run.job_error), ("queued", True, "The server was restarted")
        )
        with self.assertRaises(AccessError):
            run.with_user(self.users["auditor"]).action_retry_job()
        run.action_retry_job()
        self.assertEqual((job.state, run.job_stuck), ("pending", False))

    def test_a_run_whose_job_is_gone_can_be_run_again(self):
        run = self.bg_run.with_user(self.users["accountant"])
        run.action_run_in_background()
        self._job(run).unlink()  # e.g. cleaned by the queue's autovacuum
        run.invalidate_recordset()
        self.assertEqual((run.job_state, run.job_stuck), ("gone", True))
        run.action_run()  # allowed again: nothing else will run it
        self.assertEqual(run.state, "done")

    def test_retry_refuses_what_is_not_stuck(self):
        with self.assertRaisesRegex(UserError, "only a record whose background job failed"):
            self.bg_run.with_user(self.users["accountant"]).action_retry_job()


@tagged("post_install", "-at_install")
class TestProgressDoesNotBlockTheJob(TransactionCase):
    """Progress is committed from a transaction of its own while the job's transaction is open;
    the job's own final write must not conflict with it (it failed with "could not serialize
    access due to concurrent update" when progress was written on the run's row)."""

    def test_progress_and_the_jobs_write_do_not_conflict(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["ecom.shop"].create({"name": "Progress shop", "code": "PRG1"})
            run_id = (
                env["ecom.reconcile.run"]
                .create({"shop_ids": [(6, 0, shop.ids)], "date_from": "2024-03-01", "date_to": "2024-03-01"})
                .id
            )
            env.cr.execute("UPDATE ecom_reconcile_run SET state = 'queued' WHERE id = %s", [run_id])
        job_cr = self.registry.cursor()
        try:
            job_env = api.Environment(job_cr, SUPERUSER_ID, {})
            run = job_env["ecom.reconcile.run"].browse(run_id)
            self.assertEqual(run.state, "queued")  # the job's snapshot is taken
            run._report_progress(60.0)  # committed by another transaction
            run._write_summary({"matched_count": 7})  # the job's own final write (see _finish)
            job_env.flush_all()  # used to raise SerializationFailure here
            with self.registry.cursor() as cr:  # what the form reads meanwhile
                seen = api.Environment(cr, SUPERUSER_ID, {})["ecom.reconcile.run"].browse(run_id)
                self.assertEqual((seen.progress, seen.progress_text), (60.0, "60% done"))
        finally:
            job_cr.rollback()
            job_cr.close()
            with self.registry.cursor() as cr:
                cr.execute("DELETE FROM ecom_job_progress WHERE res_id = %s", [run_id])
                cr.execute("DELETE FROM ecom_reconcile_run WHERE id = %s", [run_id])
                cr.execute("DELETE FROM ecom_shop WHERE code = 'PRG1'")
