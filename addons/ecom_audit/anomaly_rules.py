# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What the access anomaly scan looks for in the audit trail, set-wise in SQL.

Each ``scan_*`` function returns the rows of the alerts it finds among the entries chained
after sequence ``last`` up to ``head`` (in ``ecom.audit.anomaly``'s ``COLUMNS`` order); the
long queries are composed from small named fragments (``people_sql``, ``day_windows_sql``...).
"""

from datetime import timedelta

from odoo import SUPERUSER_ID
from odoo.tools import SQL

# Audited entries that are access to finance data, when a person makes them outside working hours.
ACCESS_OPERATIONS = ("create", "write", "unlink", "export", "read_sensitive", "login")


def people_sql(settings):
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


def day_windows_sql(last, head, condition):
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


def off_hours_sql(local_at, settings):
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


def access_sql():
    """True when the entry ``l`` is a person's access to finance data (not a scheduled action)."""
    return SQL(
        "l.operation IN %s AND l.origin IS DISTINCT FROM 'cron'",
        ACCESS_OPERATIONS,
    )


def scan_off_hours(env, last, head, settings):
    """Per person and local day with new access outside working hours: all such access that day."""
    local_at = SQL("((l.logged_at AT TIME ZONE 'UTC') AT TIME ZONE w.tz)")
    rows = env.execute_query(
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
            people=people_sql(settings),
            windows=day_windows_sql(
                last,
                head,
                SQL(
                    "%s AND %s",
                    access_sql(),
                    off_hours_sql(SQL("l.local_at"), settings),
                ),
            ),
            head=head,
            access=access_sql(),
            off_hours=off_hours_sql(local_at, settings),
        )
    )
    return [("off_hours", *row[:6], 0, *row[6:]) for row in rows]


def scan_exported_rows(env, last, head, kind, condition, threshold, settings):
    """Per person and local day with new ``export`` entries matching ``condition``: the rows of
    all such entries that day, when more than ``threshold``."""
    exports = SQL("l.operation = 'export' AND %s", condition)
    rows = env.execute_query(
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
            people=people_sql(settings),
            windows=day_windows_sql(last, head, exports),
            head=head,
            exports=exports,
            threshold=threshold,
        )
    )
    return [(kind, *row[:6], threshold, *row[6:8], "export", *row[8:]) for row in rows]


def scan_large_exports(env, last, head, settings):
    """Per person and local day with new exports: more records exported that day than the threshold."""
    not_reads = SQL("NOT (l.changes ? 'method')")
    return scan_exported_rows(
        env, last, head, "large_export", not_reads, settings["export_threshold"], settings
    )


def scan_large_reads(env, last, head, settings):
    """Per person and local day with new large reads over RPC (``search_read``, ``read``...): more
    rows read that day, in calls of more than ``READ_LOG_MIN_ROWS`` rows, than the threshold."""
    return scan_exported_rows(
        env, last, head, "large_read", SQL("l.changes ? 'method'"), settings["read_threshold"], settings
    )


def scan_failed_logins(env, last, head, settings):
    """Per login: the windows in which a new failed login completed ``threshold`` failures within the
    configured minutes (sliding, so a burst across a window boundary counts too).

    Windows are fixed slices of the configured minutes (UTC): one alert per login and slice.
    """
    threshold, minutes = settings["failed_login_threshold"], settings["failed_login_minutes"]
    rows = env.execute_query(
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
        ("failed_logins", *row[:6], threshold, *row[6:], "login_failed", "res.users", "UTC") for row in rows
    ]
