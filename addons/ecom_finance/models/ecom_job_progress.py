# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class EcomJobProgress(models.Model):
    """How far a background job got: one row per record a job works on.

    Written by the job from a short transaction of its own (``ecom.job.mixin._job_progress``)
    and read by the record's form. The job's own transaction never touches this table, so
    progress and the job's writes never conflict (under REPEATABLE READ, a progress written
    on the record's own row made the job's final write fail with a serialization error, and
    the runner retried it forever).
    """

    _name = "ecom.job.progress"
    _description = "Background Job Progress"
    _log_access = False

    res_model = fields.Char(required=True)
    res_id = fields.Integer(required=True)
    done = fields.Integer(help="Rows (or steps) done.")
    total = fields.Integer(help="Rows (or steps) expected.")
    started_at = fields.Datetime()
    updated_at = fields.Datetime()

    _sql_constraints = [
        ("record_unique", "UNIQUE(res_model, res_id)", "One progress row per record."),
    ]
