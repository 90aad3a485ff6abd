# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models

from .ecom_job_mixin import DEAD_JOB_STATES


class QueueJob(models.Model):
    _inherit = "queue.job"

    def write(self, vals):
        """Tell the open forms of the records a job worked on that it ended (done, failed or
        cancelled): they reload and show the result, or why it failed and Retry."""
        result = super().write(vals)
        if vals.get("state") in DEAD_JOB_STATES:
            for job in self:
                records = job.records
                if isinstance(records, self.pool["ecom.job.mixin"]) and records:
                    records._job_notify("ecom_job/state", {"state": vals["state"]})
        return result
