import hashlib
import json
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.ecom_audit.approval import approved_change, protected_in
from odoo.addons.ecom_audit.roles import FINANCE_READERS
from odoo.addons.ecom_finance.const import SETTLEMENT_FORMATS

from ecomfin.matching import BankCredit, SettlementGroup, Tolerance, match_payouts
from ecomfin.xlsx import differences_workbook

from .ecom_reconcile_difference import DIFFERENCE_KINDS

BANK_FORMATS = ("camt053", "bank_csv")
# the payment channels' bills and settlements: what posting books
CHANNEL_FORMATS = tuple(sorted(SETTLEMENT_FORMATS))
PAIRS_TABLE = "ecom_reconcile_pairs"
AFFECTED_TABLE = "ecom_reconcile_affected"
AFFECTED_LINES_TABLE = "ecom_reconcile_affected_lines"
# the statement line columns a rule key reads that have an index (a memo pattern has none)
INDEXED_KEYS = ("merchant_order_ref", "order_ref", "provider_txn_id")
KEPT_TABLE = "ecom_reconcile_kept"
# what a difference of pair ``k`` expects (the order) and what the channel says
EXPECTED_AMOUNT = SQL(
    """CASE WHEN k.kind = 'refund_mismatch' THEN COALESCE(k.refund_amount, 0)
            ELSE COALESCE(k.amount_paid, 0) END"""
)
ACTUAL_AMOUNT = SQL(
    """CASE WHEN k.kind = 'refund_mismatch' THEN COALESCE(k.refunded, 0)
            WHEN k.kind = 'status_mismatch' THEN COALESCE(k.paid - k.refunded, 0)
            ELSE COALESCE(k.compared, 0) END"""
)
# the mail tables of a record's thread: (table, column of the model's name)
MAIL_TABLES = (("mail_message", "model"), ("mail_followers", "res_model"), ("mail_activity", "res_model"))
DIFFERENCE_MODEL = "ecom.reconcile.difference"
# A difference ``d`` that a person worked on: a run never deletes it (see _replace_differences).
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

    def _worked_on_sql(self):
        """SQL of ``WORKED_ON``: whether the difference ``d`` is one a person worked on."""
        return SQL(WORKED_ON, model=DIFFERENCE_MODEL, root=self._system_author())

    def _system_author(self):
        """The author of the notes the run writes in the differences' chatter (OdooBot)."""
        return self.env.ref("base.partner_root").id

    @api.ondelete(at_uninstall=False)
    def _unlink_except_worked_on(self):
        """A run is not deleted with the differences that people worked on (its cascade would)."""
        if not self.ids:
            return
        worked = self.env.execute_query(
            SQL(
                "SELECT 1 FROM ecom_reconcile_difference d WHERE d.run_id = ANY(%s) AND %s LIMIT 1",
                self.ids,
                self._worked_on_sql(),
            )
        )
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
        was stays as it is, with its assignee, state and comments; only what changed is
        replaced (see ``_replace_order_results``, ``_replace_payout_results``).
        """
        self.ensure_one()
        self.check_access("write")
        rules = {shop.id: self.env["ecom.reconcile.rule"]._for_shop(shop) for shop in self.shop_ids}
        missing = [shop.name for shop, rule in zip(self.shop_ids, rules.values(), strict=True) if not rule]
        if missing:
            raise UserError(self.env._("No reconciliation rule applies to %s.", ", ".join(missing)))
        self.env.flush_all()
        cr = self.env.cr
        started = fields.Datetime.now()
        # the imports the run reads, read once: what is new since, and the run's snapshot
        statements = self._input_statements()
        new = None if full else self._collect_affected(rules, statements)
        if new is None:
            # the results of shops that the run no longer covers: the matches, and the differences
            # nobody worked on (the others are kept, archived: see _replace_differences)
            cr.execute(
                SQL(
                    "DELETE FROM ecom_reconcile_match WHERE run_id = %s AND shop_id <> ALL(%s)",
                    self.id,
                    self.shop_ids.ids,
                )
            )
            gone = [
                row[0]
                for row in self.env.execute_query(
                    SQL(
                        """SELECT id FROM ecom_reconcile_difference
                            WHERE run_id = %s AND active AND shop_id <> ALL(%s)""",
                        self.id,
                        self.shop_ids.ids,
                    )
                )
            ]
            self._replace_differences(gone, max(gone, default=0), taken_off=True)
        self.env.invalidate_all()
        if new is None or new:
            # nothing added since (new == []): every result stays
            self._orders_against_payments(rules, only_affected=new is not None)
            self._report_progress(60.0)
            for shop in self.shop_ids:
                self._payouts_against_bank(shop, rules[shop.id])
        self._report_progress(90.0)
        reconciled = self._reconcile_clearing()
        self._report_progress(95.0)
        self._finish(rules, statements, reconciled, started)

    def _input_statements(self):
        """Every import of the run's shops overlapping the period, whoever may read it."""
        start, end, _late = self._period()
        return (
            self.env["ecom.statement"]
            .sudo()
            .search(
                [
                    ("shop_id", "in", self.shop_ids.ids),
                    ("state", "=", "done"),
                    ("period_start", "<", end),
                    ("period_end", ">=", start - timedelta(days=7)),
                ],
                order="id",
            )
        )

    def _collect_affected(self, rules, statements):
        """Fill the temporary table of the (shop, reference) pairs whose results may change since
        the last run and return the ids of the imports added since; ``None`` when the run must
        read everything instead.

        A pair is affected when a line of an import added since names it, or when an import added
        since created or changed its order (a new status or refund in a later order export). An
        import gone since, or rules changed since (their versions), make the whole run go again.
        """
        if self.state != "done" or not self.executed_at:
            return None
        if self.rules_snapshot != [rules[shop.id]._snapshot() for shop in self.shop_ids]:
            return None
        known = {item["id"] for item in self.inputs_snapshot or []}
        if known - set(statements.ids):
            return None
        new = [statement_id for statement_id in statements.ids if statement_id not in known]
        if not new:
            return new
        key, fallback = self._line_key(SQL("r.key1")), self._line_key(SQL("r.key2"))
        cr = self.env.cr
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(AFFECTED_TABLE)))
        cr.execute(
            SQL(
                """
                CREATE TEMPORARY TABLE %(affected)s ON COMMIT DROP AS
                WITH rules (shop_id, key1, key2, memo_regex, tol_abs, tol_pct, window_hours, compare, rule_id)
                     AS (VALUES %(rules)s)
                SELECT l.shop_id, COALESCE(%(key)s, %(fallback)s) AS ref
                  FROM ecom_statement_line l
                  JOIN rules r ON r.shop_id = l.shop_id
                 WHERE l.statement_id = ANY(%(new)s) AND l.line_type IN ('sale', 'refund')
                   AND COALESCE(%(key)s, %(fallback)s) IS NOT NULL
                 UNION
                SELECT o.shop_id, o.name
                  FROM ecom_order o
                 WHERE o.shop_id = ANY(%(shops)s)
                   AND (o.statement_id = ANY(%(new)s) OR o.last_statement_id = ANY(%(new)s))
                """,
                affected=SQL.identifier(AFFECTED_TABLE),
                rules=self._rule_rows(rules),
                key=key,
                fallback=fallback,
                new=new,
                shops=self.shop_ids.ids,
            )
        )
        # its size, for the planner of the joins that read it
        cr.execute(SQL("ANALYZE %s", SQL.identifier(AFFECTED_TABLE)))
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(AFFECTED_LINES_TABLE)))
        if self._keys_indexed(rules):
            # the lines that may name an affected reference, found through the indexes of the key
            # columns rather than by reading every line of the period (one lookup per reference,
            # kept as such by OFFSET 0 whatever the statistics say)
            cr.execute(
                SQL(
                    "CREATE TEMPORARY TABLE %(lines)s ON COMMIT DROP AS %(union)s",
                    lines=SQL.identifier(AFFECTED_LINES_TABLE),
                    union=SQL(" UNION ").join(
                        SQL(
                            """SELECT l.id FROM %(affected)s a
                                 CROSS JOIN LATERAL (
                                       SELECT x.id, x.shop_id FROM ecom_statement_line x
                                        WHERE %(column)s = a.ref
                                       OFFSET 0) l
                                 WHERE l.shop_id = a.shop_id""",
                            affected=SQL.identifier(AFFECTED_TABLE),
                            column=SQL.identifier("x", column),
                        )
                        for column in INDEXED_KEYS
                    ),
                )
            )
            cr.execute(SQL("ANALYZE %s", SQL.identifier(AFFECTED_LINES_TABLE)))
        return new

    @staticmethod
    def _keys_indexed(rules):
        return all(
            key in INDEXED_KEYS
            for rule in rules.values()
            for key in (rule.match_key, rule.fallback_key)
            if key
        )

    def _reconcile_clearing(self):
        """Reconcile in accounting what the run's matched payouts settle; return the items reconciled."""
        self.ensure_one()
        matches = self.env["ecom.reconcile.match"].search([("run_id", "=", self.id), ("kind", "=", "payout")])
        return len(matches._reconcile_clearing(self).filtered("reconciled"))

    def _period(self, timezone="UTC", extra_hours=0):
        """The run's days in ``timezone``, as the naive UTC datetimes stored in the database."""
        tz = ZoneInfo(timezone)

        def utc(day):
            return datetime.combine(day, time.min, tz).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

        start, end = utc(self.date_from), utc(self.date_to + timedelta(days=1))
        return start, end, end + timedelta(hours=extra_hours)

    def _report_progress(self, value):
        # only a queued run (a job runs it) shows progress
        if self.state == "queued":
            self._job_progress(value, 100)

    def _progress_words(self, done, total, started, updated):
        if not total:
            return super()._progress_words(done, total, started, updated)
        return self.env._("%s%% done", done)

    @staticmethod
    def _line_key(which):
        """SQL of the reference of statement line ``l`` that the rule key ``which`` names."""
        return SQL(
            """CASE %s WHEN 'merchant_order_ref' THEN l.merchant_order_ref
                       WHEN 'order_ref' THEN l.order_ref
                       WHEN 'provider_txn_id' THEN l.provider_txn_id
                       WHEN 'memo' THEN substring(l.memo FROM r.memo_regex) END""",
            which,
        )

    @staticmethod
    def _rule_rows(rules):
        """The rules as the rows of a ``VALUES`` list (see the ``rules`` CTEs)."""
        return SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s, %s::numeric, %s::numeric, %s, %s, %s)",
                shop_id,
                rule.match_key,
                rule.fallback_key or None,
                rule.memo_regex or None,
                rule.amount_tolerance,
                rule.amount_tolerance_pct,
                rule.time_window_hours,
                rule.compare,
                rule.id,
            )
            for shop_id, rule in rules.items()
        )

    def _orders_against_payments(self, rules, only_affected=False):
        """Match orders with channel payments (all, or the affected references only)."""
        cr = self.env.cr
        # the days of the run in the time zone of its (first) shop's rule
        start, end, _late = self._period(next(iter(rules.values())).timezone)
        max_window = max(rule.time_window_hours for rule in rules.values())
        key, fallback = self._line_key(SQL("r.key1")), self._line_key(SQL("r.key2"))
        affected = SQL.identifier(AFFECTED_TABLE)
        lines = SQL("ecom_statement_line l")
        pay_filter = pay_having = SQL()
        if only_affected:
            affected_key = SQL(
                "(l.shop_id, COALESCE(%s, %s)) IN (SELECT shop_id, ref FROM %s)", key, fallback, affected
            )
            if self._keys_indexed(rules):
                # from the few candidate lines, not from every line of the period; the references
                # they name besides the affected ones are left out once grouped
                lines = SQL(
                    """%s al CROSS JOIN LATERAL (
                           SELECT * FROM ecom_statement_line x WHERE x.id = al.id OFFSET 0) l""",
                    SQL.identifier(AFFECTED_LINES_TABLE),
                )
                pay_having = SQL("HAVING %s", affected_key)
            else:
                pay_filter = SQL("AND %s", affected_key)
        # the affected orders one by one through the unique (name, shop) index. The lookups are
        # spelled out (LATERAL, OFFSET 0 so that the planner keeps them) because the statistics
        # of a big import just made would make it read every line and order of the period.
        orders = (
            SQL(
                """%s a CROSS JOIN LATERAL (
                       SELECT * FROM ecom_order x
                        WHERE x.shop_id = a.shop_id AND x.name = a.ref OFFSET 0) o""",
                affected,
            )
            if only_affected
            else SQL("ecom_order o")
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
                      FROM %(lines)s
                      JOIN ecom_statement s ON s.id = l.statement_id
                      JOIN rules r ON r.shop_id = l.shop_id
                     WHERE s.fmt = ANY(%(channel_fmts)s)
                       AND l.line_type IN ('sale', 'refund')
                       AND l.occurred_at >= %(start)s - make_interval(hours => %(max_window)s)
                       AND l.occurred_at < %(end)s + make_interval(hours => %(max_window)s + 14 * 24)
                       AND COALESCE(%(key)s, %(fallback)s) IS NOT NULL
                       %(pay_filter)s
                     GROUP BY l.shop_id, 2
                     %(pay_having)s
                ),
                ord AS (
                    SELECT o.id, o.shop_id, o.name AS ref, o.status, o.amount_paid, o.refund_amount,
                           COALESCE(o.paid_time, o.order_time) AS paid_time, o.currency_id
                      FROM %(orders)s
                      JOIN rules r ON r.shop_id = o.shop_id
                     WHERE COALESCE(o.paid_time, o.order_time) >= %(start)s
                       AND COALESCE(o.paid_time, o.order_time) < %(end)s
                )
                SELECT COALESCE(ord.shop_id, pay.shop_id) AS shop_id,
                       COALESCE(ord.ref, pay.ref) AS ref,
                       ord.id AS order_id, ord.status, ord.amount_paid, ord.refund_amount, ord.paid_time,
                       pay.paid, pay.n_sale, pay.refunded, pay.fees, pay.paid_at, pay.line_ids,
                       COALESCE(ord.currency_id, pay.currency_id) AS currency_id,
                       r.rule_id, r.tol_abs, r.tol_pct, r.window_hours, r.compare,
                       CASE WHEN r.compare = 'net' THEN pay.paid - pay.fees ELSE pay.paid END AS compared
                  FROM ord
                  FULL JOIN pay ON pay.shop_id = ord.shop_id AND pay.ref = ord.ref
                  JOIN rules r ON r.shop_id = COALESCE(ord.shop_id, pay.shop_id)
                """,
                pairs=SQL.identifier(PAIRS_TABLE),
                rules=self._rule_rows(rules),
                lines=lines,
                pay_filter=pay_filter,
                pay_having=pay_having,
                orders=orders,
                key=key,
                fallback=fallback,
                channel_fmts=list(CHANNEL_FORMATS),
                start=start,
                end=end,
                max_window=max_window,
            )
        )
        pairs = SQL.identifier(PAIRS_TABLE)
        # Payments of the window whose order lies in another period are that period's business.
        cr.execute(
            SQL(
                """DELETE FROM %(pairs)s p
                    WHERE p.order_id IS NULL
                      AND (p.paid_at IS NULL OR p.paid_at < %(start)s OR p.paid_at >= %(end)s
                           OR EXISTS (SELECT 1 FROM ecom_order o
                                       WHERE o.shop_id = p.shop_id AND o.name = p.ref))""",
                pairs=pairs,
                start=start,
                end=end,
            )
        )
        cr.execute(
            SQL(
                """
                ALTER TABLE %(pairs)s ADD COLUMN kinds varchar[];
                UPDATE %(pairs)s p SET kinds = ARRAY_REMOVE(ARRAY[
                    CASE WHEN p.line_ids IS NULL AND p.status <> 'cancelled' THEN 'missing_payment' END,
                    CASE WHEN p.order_id IS NULL THEN 'missing_order' END,
                    CASE WHEN p.order_id IS NOT NULL AND p.line_ids IS NOT NULL AND p.status = 'cancelled'
                              AND p.paid - p.refunded > p.tol_abs THEN 'status_mismatch' END,
                    CASE WHEN p.order_id IS NOT NULL AND p.status <> 'cancelled' AND p.n_sale > 1
                         THEN 'duplicate_payment' END,
                    CASE WHEN p.order_id IS NOT NULL AND p.line_ids IS NOT NULL AND p.status <> 'cancelled'
                              AND p.n_sale <= 1
                              AND abs(p.compared - p.amount_paid)
                                  > GREATEST(p.tol_abs, abs(p.amount_paid) * p.tol_pct / 100)
                         THEN 'amount_mismatch' END,
                    CASE WHEN p.order_id IS NOT NULL AND p.line_ids IS NOT NULL AND p.status <> 'cancelled'
                              AND abs(p.refunded - p.refund_amount)
                                  > GREATEST(p.tol_abs, abs(p.refund_amount) * p.tol_pct / 100)
                         THEN 'refund_mismatch' END,
                    CASE WHEN p.order_id IS NOT NULL AND p.paid_at IS NOT NULL AND p.status <> 'cancelled'
                              AND (p.paid_at > p.paid_time + make_interval(hours => p.window_hours)
                                   OR p.paid_at >= %(end)s)
                         THEN 'timing' END
                ], NULL)
                """,
                pairs=pairs,
                end=end,
            )
        )
        self._replace_order_results(only_affected)

    def _replace_order_results(self, only_affected):
        """Write the order <-> payment results of the pairs table, replacing the run's own.

        A result found again as it is (same amounts, same lines) is kept as it is, with its
        assignee, state and comments; the others are deleted and the new ones inserted. A
        difference found again with other amounts takes over the assignee, explanation and
        comments of the one it replaces (see ``_replace_differences``).
        """
        cr = self.env.cr
        pairs = SQL.identifier(PAIRS_TABLE)
        kept = SQL.identifier(KEPT_TABLE)
        scope = (
            SQL(
                "AND (x.shop_id, x.reference) IN (SELECT shop_id, ref FROM %s)",
                SQL.identifier(AFFECTED_TABLE),
            )
            if only_affected
            else SQL()
        )
        common = {
            "pairs": pairs,
            "kept": kept,
            "scope": scope,
            "run": self.id,
            "company": self.company_id.id,
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
        before_difference = self._last_difference_id()
        if self._has_order_results():
            # What is found again exactly as it was stays (its lines compared as sorted arrays).
            # The pairs hold the references of the scope only. Each pair looks its results up
            # through the reference index (LATERAL, OFFSET 0): the statistics of results just
            # written in the same transaction would make the planner loop over them instead.
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
            cr.execute(SQL("ANALYZE %s", kept))
            cr.execute(
                SQL(
                    """DELETE FROM ecom_reconcile_match x
                        WHERE x.run_id = %(run)s AND x.kind = 'order_payment' %(scope)s
                          AND NOT EXISTS (SELECT 1 FROM %(kept)s k
                                           WHERE k.id = x.id AND k.model = 'match')""",
                    **common,
                )
            )
        now = SQL("now() AT TIME ZONE 'UTC'")
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
        cr.execute(
            SQL(
                """
                WITH k AS (
                    SELECT p.*, unnest(p.kinds) AS kind FROM %(pairs)s p
                ), new AS (
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
                    RETURNING id, shop_id, reference
                )
                INSERT INTO ecom_reconcile_difference_channel_rel (difference_id, line_id)
                SELECT DISTINCT new.id, unnest(p.line_ids)
                  FROM new JOIN %(pairs)s p ON p.shop_id = new.shop_id AND p.ref = new.reference
                 WHERE p.line_ids IS NOT NULL
                """,
                uid=self.env.uid,
                now=now,
                **common,
            )
        )
        # the differences replaced: those of the scope neither kept nor just inserted
        replaced = self.env.execute_query(
            SQL(
                """SELECT x.id FROM ecom_reconcile_difference x
                    WHERE x.run_id = %(run)s AND x.active AND x.stage = 'order' %(scope)s
                      AND x.id <= %(before)s
                      AND NOT EXISTS (SELECT 1 FROM %(kept)s k
                                       WHERE k.id = x.id AND k.model = 'difference')""",
                before=before_difference,
                **common,
            )
        )
        self._replace_differences([row[0] for row in replaced], before_difference)

    def _has_order_results(self):
        """Whether the run holds order <-> payment results of an earlier run."""
        return bool(
            self.env.execute_query(
                SQL(
                    """SELECT 1 FROM ecom_reconcile_match WHERE run_id = %(run)s AND kind = 'order_payment'
                        UNION ALL
                       SELECT 1 FROM ecom_reconcile_difference
                        WHERE run_id = %(run)s AND active AND stage = 'order'
                        LIMIT 1""",
                    run=self.id,
                )
            )
        )

    def _last_difference_id(self):
        """The highest difference id so far: the differences above it are the ones a pass adds."""
        ((last,),) = self.env.execute_query(SQL("SELECT COALESCE(max(id), 0) FROM ecom_reconcile_difference"))
        return last

    def _replace_differences(self, old_ids, after_id, taken_off=False):
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
        cr = self.env.cr
        Difference = self.env[DIFFERENCE_MODEL]
        worked = {
            row[0]
            for row in self.env.execute_query(
                SQL(
                    "SELECT d.id FROM ecom_reconcile_difference d WHERE d.id = ANY(%s) AND %s",
                    old_ids,
                    self._worked_on_sql(),
                )
            )
        }
        carried = self.env.execute_query(
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
                    "run": self.name,
                    "expected": difference.expected_amount,
                    "old_expected": old_expected,
                    "actual": difference.actual_amount,
                    "old_actual": old_actual,
                }
                bodies[difference.id] = (
                    self.env._(
                        "Found again by %(run)s with other amounts: expected %(expected)s (was "
                        "%(old_expected)s), actual %(actual)s (was %(old_actual)s). The difference it "
                        "replaces, #%(old)s, is kept archived with its comments.",
                        old=old_id,
                        **amounts,
                    )
                    if old_id in worked
                    else self.env._(
                        "Found again by %(run)s with other amounts: expected %(expected)s (was "
                        "%(old_expected)s), actual %(actual)s (was %(old_actual)s).",
                        **amounts,
                    )
                )
            found_again._message_log_batch(bodies=bodies, author_id=self._system_author())
        if worked:
            self._archive_worked_on(sorted(worked), replaced_by, taken_off)
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

    def _archive_worked_on(self, ids, replaced_by, taken_off):
        """Archive the differences ``ids`` that the run no longer finds, as they are, and say why
        in their chatter. ``replaced_by``: {old id: id of the difference found again in its place}."""
        # set-wise, as the run's other results; the workflow and facts stay as they were
        self.env.cr.execute(
            SQL("UPDATE ecom_reconcile_difference SET active = false WHERE id = ANY(%s)", ids)
        )
        Difference = self.env[DIFFERENCE_MODEL]
        Difference.invalidate_model(["active"])
        bodies = {}
        for difference in Difference.browse(ids):
            if difference.id in replaced_by:
                bodies[difference.id] = self.env._(
                    "No longer found by %(run)s as it was: found again with other amounts as #%(new)s. "
                    "Kept, archived, with the work done on it.",
                    run=self.name,
                    new=replaced_by[difference.id],
                )
            elif taken_off:
                bodies[difference.id] = self.env._(
                    "No longer found by %(run)s: shop %(shop)s was taken off the run. Kept, archived, "
                    "with the work done on it.",
                    run=self.name,
                    shop=difference.shop_id.code,
                )
            else:
                bodies[difference.id] = self.env._(
                    "No longer found by %(run)s: the sources agree now. Kept, archived, with the work "
                    "done on it.",
                    run=self.name,
                )
        Difference.browse(ids)._message_log_batch(bodies=bodies, author_id=self._system_author())

    def _payouts_against_bank(self, shop, rule):
        # credits up to two weeks after the window: a late credit of the right amount is "timing"
        start, end, late = self._period(rule.timezone, extra_hours=24 * (rule.payout_window_days + 15))
        tz = ZoneInfo(rule.timezone)
        source = self._settlement_source(shop, rule, start, end)
        groups, signatures = self._settlement_groups(source, tz)
        credits = [
            BankCredit(
                line_id=line_id, day=self._local_day(moment, tz), amount=Decimal(str(gross)), memo=memo or ""
            )
            for line_id, moment, gross, memo in self.env.execute_query(
                SQL(
                    """SELECT l.id, l.occurred_at, l.gross,
                              concat_ws(' ', l.memo, l.provider_txn_id, l.counterparty)
                         FROM ecom_statement_line l JOIN ecom_statement s ON s.id = l.statement_id
                        WHERE l.shop_id = %s AND s.fmt = ANY(%s) AND l.gross > 0
                          AND l.occurred_at >= %s AND l.occurred_at < %s
                        ORDER BY l.occurred_at, l.id""",
                    shop.id,
                    list(BANK_FORMATS),
                    start,
                    late,
                )
            )
        ]
        tolerance = Tolerance(
            absolute=Decimal(str(rule.amount_tolerance)),
            percent=Decimal(str(rule.amount_tolerance_pct)),
            window_days=rule.payout_window_days,
        )
        result = match_payouts(groups, credits, tolerance)
        by_key = {group.key: group for group in groups}
        currency = shop.currency_id
        matches = [
            {
                "run_id": self.id,
                "shop_id": shop.id,
                "company_id": self.company_id.id,
                "kind": "payout",
                "cardinality": cardinality,
                "reference": ", ".join(keys),
                "rule_id": rule.id,
                "currency_id": currency.id,
                "amount": currency.round(float(sum(by_key[k].net for k in keys))),
                "residual": currency.round(float(residual)),
                "bank_line_ids": [(6, 0, sorted(credit_ids))],
            }
            for cardinality, keys, credit_ids, residual in result.matches
        ]
        differences = [
            {
                "run_id": self.id,
                "shop_id": shop.id,
                "company_id": self.company_id.id,
                "stage": "payout",
                "kind": kind,
                "reference": ", ".join(keys),
                "currency_id": currency.id,
                "expected_amount": currency.round(float(expected)),
                "actual_amount": currency.round(float(actual)),
                "date": datetime.combine(by_key[keys[0]].day, time.min),
                "bank_line_ids": [(6, 0, sorted(credit_ids))],
            }
            for kind, keys, credit_ids, expected, actual in result.differences
        ]
        self._replace_payout_results(shop, source, signatures, matches, differences)

    def _replace_payout_results(self, shop, source, signatures, matches, differences):
        """Write the payout <-> bank results of ``shop`` (creation values), replacing the run's own.

        As for the orders (``_replace_order_results``): a result found again as it was (same
        settlements with the same lines, same credits and amounts) stays, with its assignee,
        state and comments; a difference found again with other amounts takes over those of
        the one it replaces.
        """
        Match = self.env["ecom.reconcile.match"].sudo()
        Difference = self.env["ecom.reconcile.difference"].sudo()
        domain = [("run_id", "=", self.id), ("shop_id", "=", shop.id)]
        old_matches = Match.search([*domain, ("kind", "=", "payout")])
        old_differences = Difference.search([*domain, ("stage", "=", "payout")])

        def identity(vals, lines):
            keys = vals["reference"].split(", ")
            amounts = (
                (vals["amount"], vals["residual"])
                if "amount" in vals
                else (vals["expected_amount"], vals["actual_amount"], vals["date"])
            )
            return (
                vals.get("kind"),
                vals.get("cardinality"),
                vals.get("rule_id"),
                tuple(keys),
                vals["currency_id"],
                amounts,
                tuple(vals["bank_line_ids"][0][2]),
                tuple(lines.get(key) for key in keys),
            )

        def kept_of(records, wanted, relation, column, fields_of):
            old_lines = self._linked_signatures(records, relation, column, source)
            todo = {}
            for vals in wanted:
                todo.setdefault(identity(vals, signatures), []).append(vals)
            kept = records.browse()
            for record in records:
                same = todo.get(identity(fields_of(record), old_lines.get(record.id, {})))
                if same:
                    same.pop()
                    kept |= record
            return kept, [vals for group in todo.values() for vals in group]

        def match_fields(match):
            return {
                "kind": match.kind,
                "cardinality": match.cardinality,
                "reference": match.reference or "",
                "currency_id": match.currency_id.id,
                "rule_id": match.rule_id.id,
                "amount": match.currency_id.round(match.amount),
                "residual": match.currency_id.round(match.residual),
                "bank_line_ids": [(6, 0, sorted(match.bank_line_ids.ids))],
            }

        def difference_fields(difference):
            return {
                "kind": difference.kind,
                "reference": difference.reference or "",
                "currency_id": difference.currency_id.id,
                "expected_amount": difference.currency_id.round(difference.expected_amount),
                "actual_amount": difference.currency_id.round(difference.actual_amount),
                "date": difference.date,
                "bank_line_ids": [(6, 0, sorted(difference.bank_line_ids.ids))],
            }

        kept, todo = kept_of(
            old_matches, matches, "ecom_reconcile_match_channel_rel", "match_id", match_fields
        )
        # the run's results are written by the run (its right to run was checked in _execute)
        (old_matches - kept).unlink()
        with approved_change():
            created = Match.create(todo)
        self._link_channel_lines(created, "ecom_reconcile_match_channel_rel", "match_id", source)
        kept, todo = kept_of(
            old_differences,
            differences,
            "ecom_reconcile_difference_channel_rel",
            "difference_id",
            difference_fields,
        )
        before = self._last_difference_id()
        with approved_change():
            # no "created" message: a difference's chatter is for the people working on it (and
            # a message of anyone else would count as work on it, see WORKED_ON)
            created = Difference.with_context(mail_create_nolog=True).create(todo)
        self._link_channel_lines(created, "ecom_reconcile_difference_channel_rel", "difference_id", source)
        self._replace_differences((old_differences - kept).ids, before)

    def _linked_signatures(self, records, relation, column, source):
        """{record id: {settlement key: signature}} of the channel lines linked to ``records``."""
        result = defaultdict(dict)
        if records:
            key, _where = source
            for record_id, group_key, signature in self.env.execute_query(
                SQL(
                    """SELECT r.%(column)s, %(key)s, md5(string_agg(l.id::varchar, ',' ORDER BY l.id))
                         FROM %(relation)s r JOIN ecom_statement_line l ON l.id = r.line_id
                        WHERE r.%(column)s = ANY(%(ids)s)
                        GROUP BY 1, 2""",
                    column=SQL.identifier(column),
                    relation=SQL.identifier(relation),
                    key=key,
                    ids=records.ids,
                )
            ):
                result[record_id][group_key] = signature
        return result

    def _link_channel_lines(self, records, relation, column, source):
        """Link each of ``records`` to the channel lines of its settlements (its reference),
        set-wise in PostgreSQL: a payout of a busy day holds a hundred thousand lines, too many
        for the ORM's many2many or for a list in Python."""
        if not records:
            return
        key, where = source
        pairs = [(record.id, group) for record in records for group in (record.reference or "").split(", ")]
        self.env.cr.execute(
            SQL(
                """INSERT INTO %(relation)s (%(column)s, line_id)
                   SELECT DISTINCT v.record_id, l.id
                     FROM ecom_statement_line l JOIN ecom_statement s ON s.id = l.statement_id
                     JOIN unnest(%(ids)s::int[], %(keys)s::varchar[]) AS v(record_id, key) ON v.key = %(key)s
                    WHERE %(where)s""",
                relation=SQL.identifier(relation),
                column=SQL.identifier(column),
                ids=[pair[0] for pair in pairs],
                keys=[pair[1] for pair in pairs],
                key=key,
                where=where,
            )
        )
        records.invalidate_recordset(["channel_line_ids"])

    @staticmethod
    def _local_day(moment, tz):
        return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz).date()

    def _settlement_source(self, shop, rule, start, end):
        """(key, condition): SQL of the settlement key of channel line ``l`` (of statement
        ``s``) by the rule's payout source, and of the lines of ``shop`` in the period that
        make the settlements."""
        if rule.payout_source == "payout_lines":
            return (
                SQL("COALESCE(l.provider_txn_id, l.payout_ref, l.id::varchar)"),
                SQL(
                    """l.shop_id = %s AND s.fmt = ANY(%s) AND l.line_type = 'payout'
                       AND l.occurred_at >= %s AND l.occurred_at < %s""",
                    shop.id,
                    list(CHANNEL_FORMATS),
                    start,
                    end,
                ),
            )
        key = (
            SQL("l.payout_ref")
            if rule.payout_source == "payout_ref"
            else SQL("to_char(timezone(%s, l.occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')", rule.timezone)
        )
        return key, SQL(
            """l.shop_id = %s AND s.fmt = ANY(%s) AND l.line_type <> 'payout'
               AND l.occurred_at >= %s AND l.occurred_at < %s AND %s IS NOT NULL""",
            shop.id,
            list(CHANNEL_FORMATS),
            start,
            end,
            key,
        )

    def _settlement_groups(self, source, tz):
        """The settlement groups of ``source`` (see ``_settlement_source``), and the signature
        of the lines of each ({key: md5 of their sorted ids})."""
        key, where = source
        rows = self.env.execute_query(
            SQL(
                """SELECT %(key)s,
                          max(l.occurred_at),
                          sum(CASE WHEN l.line_type = 'payout' THEN -l.gross ELSE l.net END),
                          min(COALESCE(l.payout_ref,
                                       CASE WHEN l.line_type = 'payout' THEN l.provider_txn_id END)),
                          md5(string_agg(l.id::varchar, ',' ORDER BY l.id))
                     FROM ecom_statement_line l JOIN ecom_statement s ON s.id = l.statement_id
                    WHERE %(where)s
                    GROUP BY 1 ORDER BY 2, 1""",
                key=key,
                where=where,
            )
        )
        groups, signatures = [], {}
        for group_key, moment, net, payout_ref, signature in rows:
            groups.append(
                SettlementGroup(
                    key=group_key,
                    day=self._local_day(moment, tz),
                    net=Decimal(str(net)),
                    payout_ref=payout_ref,
                )
            )
            signatures[group_key] = signature
        return groups, signatures

    def _finish(self, rules, statements, reconciled=0, started=None):
        inputs = [{"id": s.id, "sha256": s.sha256} for s in statements]
        snapshot = [rules[shop.id]._snapshot() for shop in self.shop_ids]
        digest = hashlib.sha256(
            json.dumps(
                {"inputs": inputs, "rules": snapshot, "period": [str(self.date_from), str(self.date_to)]},
                sort_keys=True,
                separators=(",", ":"),
            ).encode()
        ).hexdigest()
        counts = dict(
            self.env.execute_query(
                SQL(
                    """SELECT kind, count(*) FROM ecom_reconcile_difference
                        WHERE run_id = %s AND active GROUP BY kind""",
                    self.id,
                )
            )
        )
        ((matched,),) = self.env.execute_query(
            SQL("SELECT count(*) FROM ecom_reconcile_match WHERE run_id = %s", self.id)
        )
        self.env.invalidate_all()
        self._write_summary(
            {
                "state": "done",
                "inputs_snapshot": inputs,
                "rules_snapshot": snapshot,
                "inputs_hash": digest,
                "counts": {kind: counts.get(kind, 0) for kind, _label in DIFFERENCE_KINDS},
                "matched_count": matched,
                "difference_count": sum(counts.values()),
                "clearing_reconciled_count": reconciled,
                "executed_at": started or fields.Datetime.now(),
            }
        )

    # ------------------------------------------------------------------
    # Reports
    # ------------------------------------------------------------------

    def _xlsx_content(self):
        """The run as a workbook: a summary, then one sheet per kind of difference."""
        self.ensure_one()
        kinds = dict(self.env["ecom.reconcile.difference"]._fields["kind"]._description_selection(self.env))
        states = dict(self.env["ecom.reconcile.difference"]._fields["state"]._description_selection(self.env))
        summary = [
            (self.env._("Shops"), ", ".join(self.shop_ids.mapped("name"))),
            (self.env._("Period"), f"{self.date_from} .. {self.date_to}"),
            (self.env._("Matched"), self.matched_count),
            (self.env._("Times in"), self.env.context.get("tz") or self.env.user.tz or "UTC"),
        ] + [(kinds[kind], count) for kind, count in (self.counts or {}).items() if count]
        sheets = {}

        def local(moment):
            return fields.Datetime.context_timestamp(self, moment).replace(tzinfo=None)

        for kind, label in kinds.items():
            differences = self.difference_ids.filtered(lambda d, k=kind: d.kind == k)
            if not differences:
                continue
            sheets[kind] = (
                label,
                [
                    {
                        "shop": d.shop_id.code,
                        "reference": d.reference,
                        # the reader's local time, as the web client shows it (stored in UTC)
                        "date": d.date and local(d.date),
                        "expected": d.expected_amount,
                        "actual": d.actual_amount,
                        "difference": d.amount,
                        "currency": d.currency_id.name,
                        "state": states[d.state],
                        "assignee": d.user_id.name or "",
                    }
                    for d in differences.sorted(lambda d: (d.shop_id.code, d.reference or "", d.id))
                ],
            )
        labels = {
            "summary": self.env._("Summary"),
            "shop": self.env._("Shop"),
            "reference": self.env._("Reference"),
            "date": self.env._("Date"),
            "expected": self.env._("Expected"),
            "actual": self.env._("Actual"),
            "difference": self.env._("Difference"),
            "currency": self.env._("Currency"),
            "state": self.env._("State"),
            "assignee": self.env._("Assignee"),
            "total": self.env._("Total"),
        }
        return differences_workbook(self.name, summary, sheets, labels)

    def action_export_xlsx(self):
        self.check_access("read")
        self.ensure_one()
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{self.name}.xlsx".replace("/", "-"),
                "raw": self._xlsx_content(),
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _report_totals_by_kind(self):
        """The printed summary's table: count and amount of the run's differences per kind and
        currency, over the differences the user reads (a Shop Operator's: its shops' only)."""
        self.ensure_one()
        Difference = self.env["ecom.reconcile.difference"]
        kinds = dict(Difference._fields["kind"]._description_selection(self.env))
        groups = Difference._read_group(
            [("run_id", "=", self.id)],
            ["kind", "currency_id"],
            ["__count", "amount:sum"],
            order="kind, currency_id",
        )
        return [
            {"kind": kinds[kind], "currency": currency, "count": count, "amount": amount}
            for kind, currency, count, amount in groups
        ]

    def _report_open_differences(self):
        """The printed summary's list: the differences nobody resolved or wrote off yet."""
        self.ensure_one()
        # searched, not read from difference_ids: the record rules apply whatever is in the cache
        return self.env["ecom.reconcile.difference"].search(
            [("run_id", "=", self.id), ("state", "in", ("open", "assigned"))]
        )
