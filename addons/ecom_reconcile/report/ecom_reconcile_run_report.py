# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models


class ReportReconcileRun(models.AbstractModel):
    """The printed summary of reconciliation runs (template ``report_reconcile_run``)."""

    _name = "report.ecom_reconcile.report_reconcile_run"
    _description = "Reconciliation Run Summary"

    @api.model
    def _get_report_values(self, docids, data=None):
        runs = self.env["ecom.reconcile.run"].browse(docids)
        # refused up front with an AccessError, not halfway through the template
        runs.check_access("read")
        return {"doc_ids": runs.ids, "doc_model": runs._name, "docs": runs}
