from datetime import timedelta

import pytz
from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

KINDS = [
    ("off_hours", "Access Outside Working Hours"),
    ("large_export", "Large Export"),
    ("large_read", "Large Read"),
    ("failed_logins", "Repeated Failed Logins"),
]
STATES = [("new", "New"), ("reviewed", "Reviewed")]
# Audited entries that are access to finance data, when a person makes them outside working hours.
ACCESS_OPERATIONS = ("create", "write", "unlink", "export", "read_sensitive", "login")

# Reads of many rows over RPC (``search_read``, ``read``, the web client's lists) are entries of
# the trail like exports (operation ``export``, ``changes.method`` naming the method); only a call
# returning more rows than this is logged, so that ordinary reads cost nothing.
READ_LOG_MIN_ROWS = 1000

# The settings are system parameters ``ecom_audit.anomaly_<name>``; the defaults apply while unset.
PARAM_PREFIX = "ecom_audit.anomaly_"
DEFAULTS = {
    "work_hour_from": 8.0,
    "work_hour_to": 20.0,
    "work_days": "1,2,3,4,5",  # ISO weekdays, Monday = 1
    "export_threshold": 1000,
    "read_threshold": 10000,
    "failed_login_threshold": 5,
    "failed_login_minutes": 15,
    # the time zone of the working hours; empty: each company's (never the user's own, which
    # every user sets in their preferences)
    "timezone": "",
}
# Where the previous scan stopped (a sequence of the chain).
LAST_SEQ_PARAM = "ecom_audit.anomaly_last_seq"
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
)
# What the trail records of a new alert.
LOGGED_COLUMNS = ("kind", "user_id", "login", "company_id", "window_start", "window_end", "count")


# The values the scan accepts (inclusive; None: no bound); work_days: ISO weekdays 1-7.
BOUNDS = {
    "work_hour_from": (0, 24),
    "work_hour_to": (0, 24),
    "export_threshold": (1, None),
    "read_threshold": (1, None),
    "failed_login_threshold": (1, None),
    "failed_login_minutes": (1, 24 * 60),
}


def _parse_days(raw):
    days = sorted({int(day) for day in str(raw).split(",") if day.strip()})
    if not days or not all(1 <= day <= 7 for day in days):
        raise ValueError(raw)
    return days


def _parse(name, raw):
    """The setting ``name`` read from its parameter's text; ValueError when unreadable or out of range."""
    if name == "work_days":
        return _parse_days(raw)
    if name == "timezone":
        if raw and raw not in pytz.all_timezones_set:
            raise ValueError(raw)
        return raw
    value = type(DEFAULTS[name])(raw)
    low, high = BOUNDS[name]
    if value < low or (high is not None and value > high):
        raise ValueError(raw)
    return value


def anomaly_settings(env):
    """The settings of the anomaly scan, each from its system parameter or its default.

    An unreadable or out-of-range value falls back to its default rather than stopping
    the scan.
    """
    # System parameters are for administrators; these thresholds are read by the scan (a
    # scheduled action) and by the Finance Managers' settings form, which checks the group.
    get = env["ir.config_parameter"].sudo().get_param
    values = {}
    for name, default in DEFAULTS.items():
        try:
            values[name] = _parse(name, get(PARAM_PREFIX + name) or default)
        except ValueError:
            values[name] = _parse(name, default)
    if values["work_hour_from"] >= values["work_hour_to"]:
        values.update(work_hour_from=DEFAULTS["work_hour_from"], work_hour_to=DEFAULTS["work_hour_to"])
    return values


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

    @api.depends("kind", "count", "threshold", "operations", "model_names", "timezone", "window_start")
    def _compute_details(self):
        labels = dict(self.env["ecom.audit.log"]._fields["operation"]._description_selection(self.env))
        for alert in self:
            operations = ", ".join(labels.get(op, op) for op in (alert.operations or "").split(",") if op)
            if alert.kind == "off_hours":
                alert.details = self.env._(
                    "%(count)s audited actions (%(operations)s) on %(models)s outside working hours "
                    "(time zone %(tz)s).",
                    count=alert.count,
                    operations=operations,
                    models=alert.model_names,
                    tz=alert.timezone,
                )
            elif alert.kind == "large_export":
                alert.details = self.env._(
                    "%(count)s records of %(models)s exported within one day, above the threshold of "
                    "%(threshold)s.",
                    count=alert.count,
                    models=alert.model_names,
                    threshold=alert.threshold,
                )
            elif alert.kind == "large_read":
                alert.details = self.env._(
                    "%(count)s records of %(models)s read over RPC within one day, above the threshold of "
                    "%(threshold)s.",
                    count=alert.count,
                    models=alert.model_names,
                    threshold=alert.threshold,
                )
            elif alert.kind == "failed_logins" and alert.window_start and alert.window_end:
                minutes = round((alert.window_end - alert.window_start).total_seconds() / 60)
                alert.details = self.env._(
                    "%(count)s failed logins within %(minutes)s minutes (threshold %(threshold)s).",
                    count=alert.count,
                    minutes=minutes,
                    threshold=alert.threshold,
                )
            else:
                alert.details = False

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
        if self.kind == "failed_logins":
            # the failures counted may have begun up to the configured minutes before the window
            start -= self.window_end - self.window_start
            domain = [("operation", "=", "login_failed"), ("login", "=", self.login)]
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
            *self._scan_off_hours(last, head, settings),
            *self._scan_large_exports(last, head, settings),
            *self._scan_large_reads(last, head, settings),
            *self._scan_failed_logins(last, head, settings),
        ]
        alerts = self._raise_alerts(rows)
        params.set_param(LAST_SEQ_PARAM, str(head))
        alerts._notify_auditors()
        return alerts

    @api.model
    def _people_sql(self, settings):
        """CTEs ``zones`` and ``people``: each internal user with the time zone of their working hours.

        The time zone of the settings, else the user's company's, else UTC; a name PostgreSQL
        does not know counts as unset. Never the user's own time zone: every user sets it in
        their preferences, and night work would look like office hours.
        """
        return SQL(
            """zones AS MATERIALIZED (SELECT name FROM pg_timezone_names),
               people AS (
                   SELECT u.id, u.login, u.company_id, COALESCE(sz.name, cz.name, 'UTC') AS tz
                     FROM res_users u
                     LEFT JOIN res_company c ON c.id = u.company_id
                     LEFT JOIN res_partner cp ON cp.id = c.partner_id
                     LEFT JOIN zones sz ON sz.name = %(setting)s
                     LEFT JOIN zones cz ON cz.name = cp.tz
                    WHERE u.id != %(root)s AND NOT u.share
               )""",
            setting=settings["timezone"] or None,
            root=SUPERUSER_ID,  # the system itself, not a person; portal users hold no finance data
        )

    @api.model
    def _day_windows_sql(self, last, head, condition):
        """CTE ``windows``: (user, local day) of the new entries matching ``condition``.

        ``condition`` is evaluated on ``l`` (the entry) and ``local_at`` (its local time);
        the day runs from local midnight to local midnight, in UTC.
        """
        return SQL(
            """entry AS (
                   SELECT l.*, p.login AS person, p.company_id AS person_company, p.tz,
                          (l.logged_at AT TIME ZONE 'UTC') AT TIME ZONE p.tz AS local_at
                     FROM ecom_audit_log l
                     JOIN people p ON p.id = l.user_uid
                    WHERE l.seq > %(last)s AND l.seq <= %(head)s
               ),
               days AS (
                   SELECT DISTINCT l.user_uid, l.person, l.person_company, l.tz, l.local_at::date AS day
                     FROM entry l
                    WHERE %(condition)s
               ),
               windows AS (
                   SELECT d.*, (d.day::timestamp AT TIME ZONE d.tz) AT TIME ZONE 'UTC' AS window_start,
                          ((d.day + 1)::timestamp AT TIME ZONE d.tz) AT TIME ZONE 'UTC' AS window_end
                     FROM days d
               )""",
            last=last,
            head=head,
            condition=condition,
        )

    @api.model
    def _off_hours_sql(self, local_at, settings):
        """True when the local time ``local_at`` is outside the working hours."""
        return SQL(
            """NOT (EXTRACT(ISODOW FROM %(t)s)::int = ANY(%(days)s)
                    AND EXTRACT(HOUR FROM %(t)s) * 60 + EXTRACT(MINUTE FROM %(t)s) >= %(start)s
                    AND EXTRACT(HOUR FROM %(t)s) * 60 + EXTRACT(MINUTE FROM %(t)s) < %(end)s)""",
            t=local_at,
            days=settings["work_days"],
            start=round(settings["work_hour_from"] * 60),
            end=round(settings["work_hour_to"] * 60),
        )

    @api.model
    def _access_sql(self):
        """True when the entry ``l`` is a person's access to finance data (not a scheduled action)."""
        return SQL(
            "l.operation IN %s AND l.origin IS DISTINCT FROM 'cron'",
            ACCESS_OPERATIONS,
        )

    @api.model
    def _scan_off_hours(self, last, head, settings):
        """Per person and local day with new access outside working hours: all such access that day."""
        local_at = SQL("((l.logged_at AT TIME ZONE 'UTC') AT TIME ZONE w.tz)")
        rows = self.env.execute_query(
            SQL(
                """WITH %(people)s, %(windows)s
                   SELECT w.user_uid, w.person, w.person_company, w.window_start, w.window_end,
                          a.n, a.first_at, a.last_at, a.operations, a.models, w.tz
                     FROM windows w
                    CROSS JOIN LATERAL (
                          -- the whole window, one index range per person and day
                          SELECT count(*) AS n, min(l.logged_at) AS first_at, max(l.logged_at) AS last_at,
                                 string_agg(DISTINCT l.operation, ',' ORDER BY l.operation) AS operations,
                                 string_agg(DISTINCT l.model, ', ' ORDER BY l.model) AS models
                            FROM ecom_audit_log l
                           WHERE l.user_uid = w.user_uid
                             AND l.logged_at >= w.window_start AND l.logged_at < w.window_end
                             AND l.seq <= %(head)s AND %(access)s AND %(off_hours)s
                    ) a
                    WHERE a.n > 0""",
                people=self._people_sql(settings),
                windows=self._day_windows_sql(
                    last,
                    head,
                    SQL(
                        "%s AND %s",
                        self._access_sql(),
                        self._off_hours_sql(SQL("l.local_at"), settings),
                    ),
                ),
                head=head,
                access=self._access_sql(),
                off_hours=self._off_hours_sql(local_at, settings),
            )
        )
        return [("off_hours", *row[:6], 0, *row[6:]) for row in rows]

    @api.model
    def _scan_exported_rows(self, last, head, kind, condition, threshold, settings):
        """Per person and local day with new ``export`` entries matching ``condition``: the rows of
        all such entries that day, when more than ``threshold``."""
        exports = SQL("l.operation = 'export' AND %s", condition)
        rows = self.env.execute_query(
            SQL(
                """WITH %(people)s, %(windows)s
                   SELECT w.user_uid, w.person, w.person_company, w.window_start, w.window_end,
                          a.exported, a.first_at, a.last_at, a.models, w.tz
                     FROM windows w
                    CROSS JOIN LATERAL (
                          -- the whole window, one index range per person and day
                          SELECT sum(COALESCE((l.changes->>'count')::int, 0)) AS exported,
                                 min(l.logged_at) AS first_at, max(l.logged_at) AS last_at,
                                 string_agg(DISTINCT l.model, ', ' ORDER BY l.model) AS models
                            FROM ecom_audit_log l
                           WHERE l.user_uid = w.user_uid
                             AND l.logged_at >= w.window_start AND l.logged_at < w.window_end
                             AND l.seq <= %(head)s AND %(exports)s
                    ) a
                    WHERE a.exported > %(threshold)s""",
                people=self._people_sql(settings),
                windows=self._day_windows_sql(last, head, exports),
                head=head,
                exports=exports,
                threshold=threshold,
            )
        )
        return [(kind, *row[:6], threshold, *row[6:8], "export", *row[8:]) for row in rows]

    @api.model
    def _scan_large_exports(self, last, head, settings):
        """Per person and local day with new exports: more records exported that day than the threshold."""
        not_reads = SQL("NOT (l.changes ? 'method')")
        return self._scan_exported_rows(
            last, head, "large_export", not_reads, settings["export_threshold"], settings
        )

    @api.model
    def _scan_large_reads(self, last, head, settings):
        """Per person and local day with new large reads over RPC (``search_read``, ``read``...): more
        rows read that day, in calls of more than ``READ_LOG_MIN_ROWS`` rows, than the threshold."""
        return self._scan_exported_rows(
            last, head, "large_read", SQL("l.changes ? 'method'"), settings["read_threshold"], settings
        )

    @api.model
    def _scan_failed_logins(self, last, head, settings):
        """Per login: the windows in which a new failed login completed ``threshold`` failures within the
        configured minutes (sliding, so a burst across a window boundary counts too).

        Windows are fixed slices of the configured minutes (UTC): one alert per login and slice.
        """
        threshold, minutes = settings["failed_login_threshold"], settings["failed_login_minutes"]
        rows = self.env.execute_query(
            SQL(
                """WITH touched AS (
                       SELECT login, min(logged_at) AS since
                         FROM ecom_audit_log
                        WHERE seq > %(last)s AND seq <= %(head)s
                          AND operation = 'login_failed' AND login IS NOT NULL
                        GROUP BY login
                   ),
                   failure AS (
                       SELECT l.seq, l.login, l.logged_at,
                              count(*) OVER (
                                  PARTITION BY l.login ORDER BY l.logged_at
                                  RANGE BETWEEN %(span)s PRECEDING AND CURRENT ROW
                              ) AS recent
                         FROM ecom_audit_log l
                         JOIN touched t ON t.login = l.login
                        WHERE l.operation = 'login_failed' AND l.seq <= %(head)s
                          AND l.logged_at >= t.since - %(span)s
                   ),
                   hit AS (
                       SELECT login, logged_at, recent,
                              to_timestamp(floor(EXTRACT(EPOCH FROM logged_at) / %(seconds)s) * %(seconds)s)
                                  AT TIME ZONE 'UTC' AS window_start
                         FROM failure
                        WHERE seq > %(last)s AND recent >= %(threshold)s
                   )
                   SELECT u.id, h.login, u.company_id, h.window_start, h.window_start + %(span)s,
                          max(h.recent), min(h.logged_at), max(h.logged_at)
                     FROM hit h
                     LEFT JOIN res_users u ON u.login = h.login
                    GROUP BY u.id, h.login, u.company_id, h.window_start""",
                last=last,
                head=head,
                span=timedelta(minutes=minutes),
                seconds=minutes * 60,
                threshold=threshold,
            )
        )
        return [
            ("failed_logins", *row[:6], threshold, *row[6:], "login_failed", "res.users", "UTC")
            for row in rows
        ]

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
                SQL(", ").join(row),
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

    def _notify_auditors(self):
        """One message on each alert, to the Auditors who may read it (its company's)."""
        auditors = self.env.ref("ecom_audit.group_ecom_auditor").users.filtered(lambda user: not user.share)
        for alert in self:
            recipients = auditors.filtered(
                lambda user, alert=alert: not alert.company_id or alert.company_id in user.company_ids
            )
            alert.message_post(
                body=Markup("<p><strong>%s</strong></p><p>%s</p>") % (alert.display_name, alert.details),
                partner_ids=recipients.partner_id.ids,
                subtype_xmlid="mail.mt_note",
            )
