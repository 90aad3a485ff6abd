# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.ecom_audit.approval import approved_change, protected_in
from odoo.addons.ecom_audit.roles import FINANCE_READERS

from ecomfin.differences import DIFFERENCE_KINDS

from ..engine import order_pass, payout_pass, results, scope
from ..report import run_workbook

# The run's summary, written by the run's own code only (inside ``approved_change``).
SUMMARY_FIELDS = {
    "state",
    "executed_at",
    "rules_snapshot",
    "inputs_snapshot",
    "inputs_hash",
    "matched_count",
    "difference_count",
    "counts",
    "clearing_reconciled_count",
    "suggestion_models",
}


class EcomReconcileRun(models.Model):
    """One reconciliation of shops over a period: platform orders <-> channel <-> bank.

    Order <-> payment matching runs set-wise in PostgreSQL (one join of the orders
    with the channel lines aggregated per order reference, classified in SQL);
    settlement <-> bank matching works on the (few) settlement groups and bank credits
    with ``ecomfin.matching``. Re-running a run replaces its own results only; the
    inputs (imports and their SHA-256) and the rules (with their versions) are kept
    on the run, so the same run on the same inputs gives the same result.
    """

    _name = "ecom.reconcile.run"
    _description = "Reconciliation Run"
    _inherit = ["mail.thread", "ecom.job.mixin"]
    _order = "date_to desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    shop_ids = fields.Many2many("ecom.shop", string="Shops", required=True, check_company=True)
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    # the summary (SUMMARY_FIELDS): the run's own, refused in create, copy, load and write
    state = fields.Selection(
        [("draft", "Draft"), ("queued", "Queued"), ("done", "Done")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    executed_at = fields.Datetime(
        string="Last Run", readonly=True, copy=False, help="When the run last read its inputs."
    )
    rules_snapshot = fields.Json(readonly=True, copy=False, help="The rules used, with their versions.")
    inputs_snapshot = fields.Json(readonly=True, copy=False, help="The imports read, with their SHA-256.")
    inputs_hash = fields.Char(
        readonly=True, copy=False, help="SHA-256 of the inputs and rules: equal hashes, equal results."
    )
    match_ids = fields.One2many("ecom.reconcile.match", "run_id", readonly=True)
    difference_ids = fields.One2many("ecom.reconcile.difference", "run_id", readonly=True)
    matched_count = fields.Integer(readonly=True, copy=False)
    difference_count = fields.Integer(readonly=True, copy=False)
    counts = fields.Json(readonly=True, copy=False, help="Number of differences per kind.")
    suggestion_models = fields.Json(
        readonly=True,
        copy=False,
        help="The version of the suggestion weights of each shop when the run was made: its "
        "differences are scored with them (ecom.reconcile.suggestion.model).",
    )
    counts_display = fields.Text(compute="_compute_counts_display", string="Differences per Kind")
    clearing_reconciled_count = fields.Integer(
        string="Clearing Items Reconciled",
        readonly=True,
        copy=False,
        groups=FINANCE_READERS,
        help="Journal items of the shops' clearing accounts that the matched payouts reconciled.",
    )

    @api.depends("date_from", "date_to", "shop_ids")
    def _compute_name(self):
        for run in self:
            shops = ", ".join(run.shop_ids.mapped("code"))
            run.name = f"{shops} {run.date_from or ''}..{run.date_to or ''}"

    @api.depends("counts")
    def _compute_counts_display(self):
        labels = dict(DIFFERENCE_KINDS)
        for run in self:
            run.counts_display = "\n".join(
                f"{labels[kind]}: {count}" for kind, count in sorted((run.counts or {}).items()) if count
            )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for run in self:
            if run.date_from > run.date_to:
                raise UserError(self.env._("The period of %s ends before it starts.", run.name))

    @api.model
    def _summary_fields(self):
        return SUMMARY_FIELDS | self._job_bookkeeping_fields()

    @api.model
    def _check_summary(self, vals_list, creating=False):
        """Refuse the summary to every caller but the run's own code: counts, hashes and a state
        set by hand would say the run found what it did not. A new run may say it is a draft
        (the web client sends the defaults)."""
        protected = protected_in(vals_list, self._summary_fields(), creating=creating)
        if protected:
            raise AccessError(
                self.env._(
                    "A run's results are written by running it (Run, Run from Scratch): %s.",
                    ", ".join(sorted(protected)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        # copy() and load() create through here too
        self._check_summary(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_summary([vals])
        return super().write(vals)

    def _write_summary(self, vals):
        """The run's own bookkeeping, past the guard of ``write()``. As the superuser: the caller's
        right to run it was checked (``_execute``, ``_job_check_rights``), and the summary holds
        what the caller may not write (clearing_reconciled_count is for finance readers)."""
        with approved_change():
            return self.sudo().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_worked_on(self):
        """A run is not deleted with the differences that people worked on (its cascade would)."""
        if not self.ids:
            return
        worked = results.any_worked_on(self.env, SQL("d.run_id = ANY(%s)", self.ids))
        if worked:
            raise UserError(
                self.env._(
                    "%s holds differences that people worked on: a run is not deleted with them.",
                    ", ".join(self.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    @api.model
    def run_reconciliation(self, shop_ids, date_from, date_to):
        """XML-RPC: reconcile ``shop_ids`` over [date_from, date_to] synchronously.

        :returns: ``{'run_id', 'matched', 'counts': {kind: n}}``
        """
        shops = self.env["ecom.shop"].browse(shop_ids)
        shops.check_access("read")
        companies = shops.company_id
        if len(companies) != 1:
            raise UserError(self.env._("A run reconciles shops of one company."))
        run = self.create(
            {
                "company_id": companies.id,
                "shop_ids": [(6, 0, shops.ids)],
                "date_from": date_from,
                "date_to": date_to,
            }
        )
        run._execute()
        return {"run_id": run.id, "matched": run.matched_count, "counts": dict(run.counts or {})}

    @api.model
    def _cron_daily(self, today=None):
        """Reconcile yesterday, once per company, for its active shops (the daily run).

        A day already reconciled for the same shops is run again (its run replaces its own
        results), so late bills imported since are taken into account.
        """
        today = today or fields.Date.context_today(self)
        day = today - timedelta(days=1)
        runs = self.browse()
        shops_by_company = defaultdict(lambda: self.env["ecom.shop"])
        for shop in self.env["ecom.shop"].search([("active", "=", True)], order="id"):
            shops_by_company[shop.company_id] |= shop
        for company, shops in shops_by_company.items():
            run = self.search(
                [("company_id", "=", company.id), ("date_from", "=", day), ("date_to", "=", day)], limit=1
            )
            if run.shop_ids != shops:
                run = self.create(
                    {
                        "company_id": company.id,
                        "shop_ids": [(6, 0, shops.ids)],
                        "date_from": day,
                        "date_to": day,
                    }
                )
            run._execute()
            runs |= run
        return runs

    def action_run(self):
        """Run now: a run already done goes over what its inputs gained since (see ``_execute``)."""
        self._check_no_job_under_way()
        for run in self:
            run._execute()
        return self._done_notification()

    def action_run_full(self):
        """Run again from scratch: every result of the run is replaced."""
        self._check_no_job_under_way()
        for run in self:
            run._execute(full=True)
        return self._done_notification()

    def _done_notification(self):
        """What a run found, said where the user pressed the button; the form then reloads."""
        message = "\n".join(
            self.env._(
                "%(run)s: %(matched)s matched, %(differences)s differences.",
                run=run.name,
                matched=run.matched_count,
                differences=run.difference_count,
            )
            for run in self
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Reconciliation done"),
                "message": message,
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _check_no_job_under_way(self):
        self.check_access("write")
        busy = self.filtered(lambda run: run.state == "queued" and not run.job_stuck)
        if busy:
            raise UserError(
                self.env._(
                    "%s is being run in the background: wait for it to finish (its progress is on the form).",
                    ", ".join(busy.mapped("name")),
                )
            )

    def action_reconcile_clearing(self):
        """Reconcile the clearing items of the matched payouts again, e.g. after settlements were posted."""
        self.check_access("write")
        for run in self:
            count = run._reconcile_clearing()
            run._write_summary({"clearing_reconciled_count": count})

    def action_open_clearing_items(self):
        self.check_access("read")
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Clearing Items of %s", self.name),
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "domain": [("id", "in", self.match_ids.clearing_line_ids.ids)],
            "context": {"create": False},
        }

    def action_run_in_background(self):
        """Run in a background job (queue_job); the form shows its progress and, if it fails, why."""
        self._check_no_job_under_way()
        for run in self:
            run._job_enqueue()
        return True

    def _job_enqueue(self):
        self.ensure_one()
        self._job_progress_reset()
        job = self.with_delay(description=self.env._("Reconcile %s", self.name))._execute()
        self._write_summary({"state": "queued", "job_uuid": job.uuid})
        return job

    def _job_check_rights(self):
        self.check_access("write")

    # ------------------------------------------------------------------
    # Engine
    # ------------------------------------------------------------------

    def _execute(self, full=False):
        """Reconcile the run's shops over its period; only the run's own results are replaced.

        The first run, a run whose rules changed since and ``full`` read everything. Otherwise
        (the daily run of a day already run, **Run** on a done run) the order <-> payment stage
        goes over the references that the imports added since the last run touch (their lines,
        the orders they created or changed); the payout <-> bank stage, a few rows a day, is
        run again whole. Nothing added since: nothing changes. A change of the posting rules
        (payout entries) is taken by a run from scratch. Either way a result found again as it
        was stays as it is, with its assignee, state and comments; what changed is written on
        its key (see ``engine/results.py``).
        """
        self.ensure_one()
        self.check_access("write")
        rules = {shop.id: self.env["ecom.reconcile.rule"]._for_shop(shop) for shop in self.shop_ids}
        missing = [shop.name for shop, rule in zip(self.shop_ids, rules.values(), strict=True) if not rule]
        if missing:
            raise UserError(self.env._("No reconciliation rule applies to %s.", ", ".join(missing)))
        self.env.flush_all()
        started = fields.Datetime.now()
        # the imports the run reads, read once: what is new since, and the run's snapshot
        statements = scope.input_statements(self)
        new = None if full else scope.collect_affected(self, rules, statements)
        if new is None:
            # the results of shops that the run no longer covers: the matches, and the differences
            # nobody worked on (the others are kept, archived: see engine/results.py)
            results.replace_differences(self, scope.take_off_other_shops(self), taken_off=True)
        self.env.invalidate_all()
        if new is None or new:
            # nothing added since (new == []): every result stays
            order_pass.orders_against_payments(self, rules, only_affected=new is not None)
            self._report_progress(60.0)
            for shop in self.shop_ids:
                payout_pass.payouts_against_bank(self, shop, rules[shop.id])
        self._report_progress(90.0)
        reconciled = self._reconcile_clearing()
        self._report_progress(95.0)
        self._finish(rules, statements, reconciled, started)

    def _reconcile_clearing(self):
        """Reconcile in accounting what the run's matched payouts settle; return the items reconciled."""
        self.ensure_one()
        matches = self.env["ecom.reconcile.match"].search([("run_id", "=", self.id), ("kind", "=", "payout")])
        return len(matches._reconcile_clearing(self).filtered("reconciled"))

    def _report_progress(self, value):
        # only a queued run (a job runs it) shows progress
        if self.state == "queued":
            self._job_progress(value, 100)

    def _progress_words(self, done, total, started, updated):
        if not total:
            return super()._progress_words(done, total, started, updated)
        return self.env._("%s%% done", done)

    def _finish(self, rules, statements, reconciled=0, started=None):
        summary = results.summary(self, rules, statements)
        self.env.invalidate_all()
        self._write_summary(
            {
                **summary,
                "state": "done",
                "clearing_reconciled_count": reconciled,
                "executed_at": started or fields.Datetime.now(),
                "suggestion_models": self.env["ecom.reconcile.suggestion.model"]._versions(self.shop_ids),
            }
        )
        # the risk of the run's days against the shops' history (raises the alerts over the threshold)
        self.env["ecom.risk.score"]._score_days(self.shop_ids, self.date_from, self.date_to, run=self)

    # ------------------------------------------------------------------
    # Reports
    # ------------------------------------------------------------------

    def _xlsx_content(self):
        """The run as a workbook: a summary, then one sheet per kind of difference."""
        self.ensure_one()
        return run_workbook.xlsx_content(self)

    def _xlsx_write(self, path):
        """Write the run's workbook to the file ``path``, row by row."""
        self.ensure_one()
        run_workbook.xlsx_content(self, output=path)

    def action_export_xlsx(self):
        """Download the run's workbook: streamed by ``/ecom_reconcile/run/<id>/xlsx`` (which checks
        the reader's rights again), nothing left behind in the attachments."""
        self.check_access("read")
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": f"/ecom_reconcile/run/{self.id}/xlsx", "target": "self"}

    def _report_totals_by_kind(self):
        """The printed summary's table (see ``report/run_workbook.py``)."""
        self.ensure_one()
        return run_workbook.totals_by_kind(self)

    def _report_open_differences(self):
        """The printed summary's list: the differences nobody resolved or wrote off yet."""
        self.ensure_one()
        return run_workbook.open_differences(self)
