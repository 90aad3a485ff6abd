# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import os
from datetime import timezone

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, format_datetime

from ecomfin.backup import backup_problem

from .. import anomaly_rules
from ..anomaly_rules import ACCESS_OPERATIONS
from ..anomaly_settings import LAST_SEQ_PARAM, anomaly_settings, setting
from ..notify import notify_people

KINDS = [
    ("off_hours", "Access Outside Working Hours"),
    ("large_export", "Large Export"),
    ("large_read", "Large Read"),
    ("failed_logins", "Repeated Failed Logins"),
    ("mass_change", "Mass Modification"),
    ("escalation", "Escalation Attempts"),
    ("new_role_use", "First Use of a Newly Granted Role"),
    ("outside_scope", "Change Outside Usual Shops/Warehouses"),
    ("backup", "Backup Failed or Missing"),
]
# Where the scheduled backups write their status (scripts/backup_scheduled.sh), and how old the last
# verified backup may be: system parameters, or the environment (the Docker stack's).
BACKUP_STATUS_PARAM = "ecom_audit.backup_status_path"
BACKUP_MAX_AGE_PARAM = "ecom_audit.backup_max_age_hours"
BACKUP_MAX_AGE_HOURS = 26
# Web-client notifications of one scan for one Auditor; more alerts are told in one more notification.
BUS_NOTICES_PER_SCAN = 5
# The logged events that run the scan at once rather than at its next scheduled run.
WATCHED_OPERATIONS = ("login_failed", "export", "denied")
STATES = [("new", "New"), ("reviewed", "Reviewed")]
# What a scan finds, in this order: the columns of an alert.
COLUMNS = (
    "kind",
    "user_id",
    "login",
    "company_id",
    "window_start",
    "window_end",
    "count",
    "threshold",
    "first_seen",
    "last_seen",
    "operations",
    "model_names",
    "timezone",
    "scope",
)
# What the trail records of a new alert.
LOGGED_COLUMNS = ("kind", "user_id", "login", "company_id", "window_start", "window_end", "count")


class EcomAuditAnomaly(models.Model):
    """An access anomaly found in the audit trail, for the Auditors.

    A scheduled action scans the entries chained since its previous run, set-wise in SQL,
    for access outside working hours, large exports, large reads over RPC and repeated failed
    logins. Each
    condition raises one alert per person (login) and window: a unique key drops the
    repeats, so scanning the same entries again, or more entries of the same window,
    raises nothing new. Each new alert notifies the Auditors once, by a message on it.
    """

    _name = "ecom.audit.anomaly"
    _description = "Access Alert"
    _inherit = ["mail.thread"]
    _order = "window_start desc, id desc"
    _rec_names_search = ["login"]
    # Auditors write nothing but the review: they comment in the chatter with read access
    _mail_post_access = "read"

    kind = fields.Selection(KINDS, required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", readonly=True, index=True, ondelete="set null")
    login = fields.Char(
        required=True, readonly=True, help="The user's login, or the login tried for failed logins."
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    window_start = fields.Datetime(required=True, readonly=True)
    window_end = fields.Datetime(required=True, readonly=True)
    count = fields.Integer(
        readonly=True,
        help="Audited actions outside working hours, records exported, or failed logins within the "
        "configured minutes, as found by the scan that raised the alert.",
    )
    threshold = fields.Integer(readonly=True, help="The threshold in force when the alert was raised.")
    first_seen = fields.Datetime(readonly=True)
    last_seen = fields.Datetime(readonly=True)
    operations = fields.Char(readonly=True)
    model_names = fields.Char(string="Models", readonly=True)
    timezone = fields.Char(
        string="Time Zone", readonly=True, help="The time zone the working hours were read in."
    )
    scope = fields.Char(
        readonly=True,
        help="The finance groups newly given (first use of a role), or the shops and warehouses outside "
        "the user's usual ones.",
    )
    details = fields.Text(compute="_compute_details")
    state = fields.Selection(STATES, default="new", required=True, readonly=True, index=True, tracking=True)
    reviewed_uid = fields.Many2one("res.users", string="Reviewed By", readonly=True)
    reviewed_at = fields.Datetime(string="Reviewed On", readonly=True)

    _sql_constraints = [
        (
            "kind_login_window_uniq",
            "unique(kind, login, window_start)",
            "This alert was already raised for this person and window.",
        ),
    ]

    @api.depends("kind", "login")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for alert in self:
            alert.display_name = f"{kinds.get(alert.kind, '')}: {alert.login or ''}"

    @api.depends(
        "kind",
        "login",
        "count",
        "threshold",
        "operations",
        "model_names",
        "timezone",
        "window_start",
        "window_end",
        "first_seen",
        "scope",
    )
    def _compute_details(self):
        labels = dict(self.env["ecom.audit.log"]._fields["operation"]._description_selection(self.env))
        for alert in self:
            if not (alert.kind and alert.window_start and alert.window_end):
                alert.details = False
                continue
            facts = {
                "login": alert.login,
                "count": alert.count,
                "threshold": alert.threshold,
                "models": alert.model_names,
                "scope": alert.scope,
                "tz": alert.timezone or "UTC",
                "operations": ", ".join(
                    labels.get(op, op) for op in (alert.operations or "").split(",") if op
                ),
                "minutes": round((alert.window_end - alert.window_start).total_seconds() / 60),
                "start": format_datetime(self.env, alert.window_start, tz=alert.timezone or "UTC"),
                "first": format_datetime(self.env, alert.first_seen, tz=alert.timezone or "UTC")
                if alert.first_seen
                else "",
            }
            alert.details = self._details_text(alert.kind, facts)

    @api.model
    def _cron_check_backups(self):
        """Raise a *Backup Failed or Missing* alert (once a day) when the scheduled backups' status
        says the last run failed, none has run, or the last verified backup is too old; told to
        the administrators (and Finance Managers through them) and the Auditors. Does nothing where
        no status path is configured (``ecom_audit.backup_status_path`` or ``ECOM_BACKUP_STATUS``).
        """
        # system parameters, set by administrators: read (and only read) as the system
        params = self.env["ir.config_parameter"].sudo()
        path = params.get_param(BACKUP_STATUS_PARAM) or os.environ.get("ECOM_BACKUP_STATUS")
        if not path:
            return self.browse()
        try:
            max_age = float(params.get_param(BACKUP_MAX_AGE_PARAM) or BACKUP_MAX_AGE_HOURS)
        except ValueError:
            max_age = BACKUP_MAX_AGE_HOURS
        now = fields.Datetime.now()
        problem = backup_problem(path, now.replace(tzinfo=timezone.utc), max_age)
        if not problem:
            return self.browse()
        code, facts = problem
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        # kind, user, login, company, window, count, threshold, first and last seen, operations
        # (the problem), model_names (the file or the failure's message)
        what = facts.get("message") or facts.get("file") or path
        alerts = self._raise_alerts(
            [("backup", None, code, None, day, now, 1, int(max_age), now, now, code, what[:500])]
        )
        alerts._notify_auditors(self.env.ref("base.group_system").users)
        return alerts

    def _backup_text(self, facts):
        """What a backup alert says; ``login`` holds its problem (``ecomfin.backup.backup_problem``)."""
        if facts["login"] == "failed":
            return self.env._("The last scheduled backup failed: %(models)s.", **facts)
        if facts["login"] == "stale":
            return self.env._(
                "The last verified backup is older than %(threshold)s hours (%(models)s): backups have "
                "stopped.",
                **facts,
            )
        return self.env._("No backup has run yet, or its status cannot be read: %(models)s.", **facts)

    def _details_text(self, kind, facts):
        """What an alert of ``kind`` says, from its ``facts`` (who, what, how many, window, threshold)."""
        texts = {
            "off_hours": lambda: self.env._(
                "%(count)s audited actions (%(operations)s) on %(models)s outside working hours "
                "(time zone %(tz)s).",
                **facts,
            ),
            "large_export": lambda: self.env._(
                "%(count)s records of %(models)s exported within one day, above the threshold of "
                "%(threshold)s.",
                **facts,
            ),
            "large_read": lambda: self.env._(
                "%(count)s records of %(models)s read over RPC within one day, above the threshold "
                "of %(threshold)s.",
                **facts,
            ),
            "failed_logins": lambda: self.env._(
                "%(count)s failed logins within %(minutes)s minutes (threshold %(threshold)s).", **facts
            ),
            "mass_change": lambda: self.env._(
                "%(login)s changed (%(operations)s) %(count)s records within %(minutes)s minutes from "
                "%(start)s (%(tz)s): %(models)s; the threshold is %(threshold)s records of one model.",
                **facts,
            ),
            "escalation": lambda: self.env._(
                "%(login)s was refused %(count)s operations on %(models)s within %(minutes)s minutes "
                "from %(start)s (%(tz)s); the threshold is %(threshold)s.",
                **facts,
            ),
            "new_role_use": lambda: self.env._(
                "%(login)s was given %(scope)s on %(start)s (%(tz)s) and used it within %(minutes)s "
                "minutes: %(count)s changes or exports (%(operations)s) of %(models)s, the first on "
                "%(first)s.",
                **facts,
            ),
            "backup": lambda: self._backup_text(facts),
            "outside_scope": lambda: self.env._(
                "%(login)s changed (%(operations)s) %(count)s records of %(models)s on the day from "
                "%(start)s (%(tz)s) in %(scope)s, where they changed nothing in the %(threshold)s days "
                "before.",
                **facts,
            ),
        }
        return texts[kind]() if kind in texts else False

    # ------------------------------------------------------------------
    # Auditors
    # ------------------------------------------------------------------

    def action_mark_reviewed(self):
        """Auditors: mark the alerts reviewed (who and when are kept)."""
        if not self.env.su and not self.env.user.has_group("ecom_audit.group_ecom_auditor"):
            raise AccessError(self.env._("Only Auditors review access alerts."))
        self.check_access("read")  # the record rules: alerts of the Auditor's companies only
        to_review = self.filtered(lambda alert: alert.state == "new")
        # Auditors have no write access on alerts, so that nothing the scan found can be
        # changed; the review, checked just above, is the one change they make.
        to_review.sudo().write(
            {"state": "reviewed", "reviewed_uid": self.env.uid, "reviewed_at": fields.Datetime.now()}
        )
        return True

    def action_open_entries(self):
        """The audit entries behind the alert: its person's, in its window."""
        self.ensure_one()
        start = self.window_start
        if self.kind in ("failed_logins", "escalation"):
            # the entries counted may have begun up to the configured minutes before the window
            start -= self.window_end - self.window_start
            operation = "login_failed" if self.kind == "failed_logins" else "denied"
            domain = [("operation", "=", operation), ("login", "=", self.login)]
        elif self.kind in ("mass_change", "new_role_use", "outside_scope"):
            domain = [("user_uid", "=", self.user_id.id), ("operation", "in", self.operations.split(","))]
            if self.kind == "new_role_use":
                domain.append(("model", "=like", "ecom.%"))
        else:
            exports = self.kind in ("large_export", "large_read")
            operations = ["export"] if exports else list(ACCESS_OPERATIONS)
            domain = [("user_uid", "=", self.user_id.id), ("operation", "in", operations)]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Audit Trail"),
            "res_model": "ecom.audit.log",
            "view_mode": "list,form",
            "domain": [*domain, ("logged_at", ">=", start), ("logged_at", "<", self.window_end)],
        }

    # ------------------------------------------------------------------
    # The scan (scheduled action)
    # ------------------------------------------------------------------

    @api.model
    def _init_scan_marker(self):
        """At installation: the first scan starts at the end of the chain as it is now."""
        ((head,),) = self.env.execute_query(SQL("SELECT COALESCE(max(seq), 0) FROM ecom_audit_log"))
        self.env["ir.config_parameter"].sudo().set_param(LAST_SEQ_PARAM, str(head))

    @api.model
    def _cron_detect(self):
        """Scan the entries chained since the previous run and raise the alerts they call for.

        :returns: the alerts raised by this run (the Auditors were notified of each)
        """
        # the scan's own bookkeeping: a system parameter nobody else writes
        params = self.env["ir.config_parameter"].sudo()
        last = params.get_param(LAST_SEQ_PARAM) or ""
        ((head,),) = self.env.execute_query(SQL("SELECT COALESCE(max(seq), 0) FROM ecom_audit_log"))
        if not last.isdigit():  # installed before the marker existed: start at the end of the chain
            params.set_param(LAST_SEQ_PARAM, str(head))
            return self.browse()
        last = int(last)
        if head <= last:
            return self.browse()
        settings = anomaly_settings(self.env)
        # The planner cannot know how few windows the new entries open and estimates the scans
        # far too high; compiling them (JIT) would then cost more than running them.
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        rows = [
            *anomaly_rules.scan_off_hours(self.env, last, head, settings),
            *anomaly_rules.scan_large_exports(self.env, last, head, settings),
            *anomaly_rules.scan_large_reads(self.env, last, head, settings),
            *anomaly_rules.scan_failed_logins(self.env, last, head, settings),
            *anomaly_rules.scan_mass_change(self.env, last, head, settings),
            *anomaly_rules.scan_escalation(self.env, last, head, settings),
            *anomaly_rules.scan_new_role_use(
                self.env, last, head, settings, self.env.ref("ecom_audit.module_category_ecom_finance").id
            ),
            *anomaly_rules.scan_outside_scope(self.env, last, head, settings),
        ]
        alerts = self._raise_alerts(rows)
        params.set_param(LAST_SEQ_PARAM, str(head))
        alerts._notify_auditors()
        return alerts

    @api.model
    def _raise_alerts(self, rows):
        """Insert the alerts not raised yet (the unique key drops the others); return the new ones.

        The trail records their creation like any other ecom record's.
        """
        if not rows:
            return self.browse()
        now = fields.Datetime.now()
        columns = SQL(", ").join(SQL.identifier(column) for column in COLUMNS)
        values = SQL(", ").join(
            SQL(
                "(%s, 'new', %s, %s, %s, %s)",
                # the rules that name no scope end before it
                SQL(", ").join((*row, *(None,) * (len(COLUMNS) - len(row)))),
                self.env.uid,
                now,
                self.env.uid,
                now,
            )
            for row in rows
        )
        inserted = self.env.execute_query(
            SQL(
                """INSERT INTO ecom_audit_anomaly (%s, state, create_uid, create_date, write_uid, write_date)
                   VALUES %s
                   ON CONFLICT (kind, login, window_start) DO NOTHING
                   RETURNING id, %s""",
                columns,
                values,
                columns,
            )
        )
        if not inserted:
            return self.browse()
        self.env["ecom.audit.log"].sudo()._append(
            [
                {
                    "model": self._name,
                    "res_ids": str(row[0]),
                    "operation": "create",
                    "changes": {
                        column: [
                            None,
                            fields.Datetime.to_string(value) if column.startswith("window") else value,
                        ]
                        for column, value in zip(COLUMNS, row[1:], strict=True)
                        if column in LOGGED_COLUMNS
                    },
                }
                for row in inserted
            ]
        )
        return self.browse(sorted(row[0] for row in inserted))

    def _notify_auditors(self, also=None):
        """One message on each alert, to the Auditors who may read it (its company's) and the users
        ``also`` given: by e-mail or in Odoo as each prefers; and a notification in their web
        client at once (at most ``BUS_NOTICES_PER_SCAN`` a scan for each, then one saying how many
        more)."""
        auditors = self.env.ref("ecom_audit.group_ecom_auditor").users
        auditors = (auditors | (also or auditors.browse())).filtered(lambda user: not user.share)
        told = dict.fromkeys(auditors.partner_id.ids, 0)
        for alert in self:
            recipients = auditors.filtered(
                lambda user, alert=alert: not alert.company_id or alert.company_id in user.company_ids
            ).partner_id
            alert.message_post(
                body=Markup("<p><strong>%s</strong></p><p>%s</p>") % (alert.display_name, alert.details),
                partner_ids=recipients.ids,
                subtype_xmlid="mail.mt_note",
            )
            for partner in recipients:
                told[partner.id] += 1
            notify_people(
                self.env,
                recipients.filtered(lambda partner: told[partner.id] <= BUS_NOTICES_PER_SCAN),
                self.env._("Access alert: %s", alert.display_name),
                alert.details or "",
            )
        for partner_id, count in told.items():
            if count > BUS_NOTICES_PER_SCAN:
                notify_people(
                    self.env,
                    self.env["res.partner"].browse(partner_id),
                    self.env._("Access alerts"),
                    self.env._("%s more access alerts: see Access Alerts.", count - BUS_NOTICES_PER_SCAN),
                )

    @api.model
    def _scan_soon(self, entries):
        """Run the scan now (as soon as a scheduled-action worker is free) when ``entries`` (the
        audit entries being logged, dicts as for ``ecom.audit.log._append``) hold an event a rule
        watches: a failed login, an export or large read, a refused operation, or a batch of
        changes as large as the mass modification threshold.

        One trigger per transaction at most. The events themselves are rate-limited where they are
        logged (failed logins, refused operations), and each run of the scan removes the triggers
        it was started by; a trigger is not skipped because another is pending, since that one may
        be the run in progress, which read the trail before this event.
        """
        # a read-only cursor (a read served by Odoo 18 on one, in tests) cannot queue a trigger
        data = self.env.cr.precommit.data
        if data.get("ecom_audit_scan_soon") or self.env.cr.readonly or not self._watched(entries):
            return False
        data["ecom_audit_scan_soon"] = True
        cron = self.env.ref("ecom_audit.ir_cron_detect_anomalies", raise_if_not_found=False)
        if not cron:  # during the installation, before the scheduled action is loaded
            return False
        # the trigger is the scan's own bookkeeping, whoever's action is being logged
        cron.sudo()._trigger()
        return True

    @api.model
    def _watched(self, entries):
        changed = 0
        for entry in entries:
            operation = entry.get("operation")
            if operation in WATCHED_OPERATIONS:
                return True
            if operation in anomaly_rules.CHANGE_OPERATIONS:
                changed += (entry.get("res_ids") or "").count(",") + 1
        # only a batch of changes reads its threshold: most logged entries are ordinary writes
        return bool(changed) and changed >= setting(self.env, "mass_change_threshold")
