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


def scan_repeated(env, last, head, operation, threshold, minutes):
    """Per login: the windows in which a new entry of ``operation`` completed ``threshold`` such
    entries within ``minutes`` (sliding, so a burst across a window boundary counts too).

    Windows are fixed slices of the minutes (UTC): one row per login and slice, (user, login,
    company, window start, window end, count, first, last, models).
    """
    return env.execute_query(
        SQL(
            """WITH touched AS (
                   SELECT login, min(logged_at) AS since
                     FROM ecom_audit_log
                    WHERE seq > %(last)s AND seq <= %(head)s
                      AND operation = %(operation)s AND login IS NOT NULL
                    GROUP BY login
               ),
               repeated AS (
                   SELECT l.seq, l.login, l.logged_at, l.model,
                          count(*) OVER (
                              PARTITION BY l.login ORDER BY l.logged_at
                              RANGE BETWEEN %(span)s PRECEDING AND CURRENT ROW
                          ) AS recent
                     FROM ecom_audit_log l
                     JOIN touched t ON t.login = l.login
                    WHERE l.operation = %(operation)s AND l.seq <= %(head)s
                      AND l.logged_at >= t.since - %(span)s
               ),
               hit AS (
                   SELECT login, logged_at, recent, model,
                          to_timestamp(floor(EXTRACT(EPOCH FROM logged_at) / %(seconds)s) * %(seconds)s)
                              AT TIME ZONE 'UTC' AS window_start
                     FROM repeated
                    WHERE seq > %(last)s AND recent >= %(threshold)s
               )
               SELECT u.id, h.login, u.company_id, h.window_start, h.window_start + %(span)s,
                      max(h.recent), min(h.logged_at), max(h.logged_at),
                      string_agg(DISTINCT h.model, ', ' ORDER BY h.model)
                 FROM hit h
                 LEFT JOIN res_users u ON u.login = h.login
                GROUP BY u.id, h.login, u.company_id, h.window_start""",
            last=last,
            head=head,
            operation=operation,
            span=timedelta(minutes=minutes),
            seconds=minutes * 60,
            threshold=threshold,
        )
    )


def scan_failed_logins(env, last, head, settings):
    """Per login: ``failed_login_threshold`` failed logins within the configured minutes."""
    threshold = settings["failed_login_threshold"]
    rows = scan_repeated(env, last, head, "login_failed", threshold, settings["failed_login_minutes"])
    return [("failed_logins", *row[:6], threshold, *row[6:8], "login_failed", row[8], "UTC") for row in rows]


def scan_escalation(env, last, head, settings):
    """Per login: ``escalation_threshold`` refused operations (``denied`` entries: AccessErrors and
    refused approvals on audited models) within the configured minutes."""
    threshold = settings["escalation_threshold"]
    rows = scan_repeated(env, last, head, "denied", threshold, settings["escalation_minutes"])
    return [("escalation", *row[:6], threshold, *row[6:8], "denied", row[8], "UTC") for row in rows]


# Changes of records by a person, as the mass modification and the scope rules count them.
CHANGE_OPERATIONS = ("create", "write", "unlink")


def person_change_sql():
    """True when the entry ``l`` is a person's change of records (not a scheduled action's)."""
    return SQL("l.operation IN %s AND l.origin IS DISTINCT FROM 'cron'", CHANGE_OPERATIONS)


def distinct_list_sql(column):
    """In a grouped query: the distinct items of the comma-separated lists ``column``, sorted."""
    return SQL(
        """(SELECT string_agg(DISTINCT o, ',' ORDER BY o)
              FROM unnest(string_to_array(string_agg(%s, ','), ',')) AS o)""",
        column,
    )


def scan_mass_change(env, last, head, settings):
    """Per person and fixed slice of the configured minutes (UTC) with new changes: the models of
    which the person changed (created, wrote, deleted) at least ``mass_change_threshold`` distinct
    records in the slice; one row per person and slice, the counts of those models summed.

    A burst that straddles two slices is counted in each slice apart.
    """
    threshold, minutes = settings["mass_change_threshold"], settings["mass_change_minutes"]
    rows = env.execute_query(
        SQL(
            """WITH %(people)s,
               touched AS (
                   SELECT DISTINCT l.user_uid,
                          to_timestamp(floor(EXTRACT(EPOCH FROM l.logged_at) / %(seconds)s) * %(seconds)s)
                              AT TIME ZONE 'UTC' AS window_start
                     FROM ecom_audit_log l
                     JOIN people p ON p.id = l.user_uid
                    WHERE l.seq > %(last)s AND l.seq <= %(head)s AND %(changes)s
               ),
               changed AS (
                   SELECT t.user_uid, t.window_start, c.model, c.n, c.first_at, c.last_at, c.operations
                     FROM touched t
                    CROSS JOIN LATERAL (
                          -- the whole slice, one index range per person and slice
                          SELECT l.model, count(DISTINCT r.id) AS n, min(l.logged_at) AS first_at,
                                 max(l.logged_at) AS last_at,
                                 string_agg(DISTINCT l.operation, ',') AS operations
                            FROM ecom_audit_log l
                           CROSS JOIN LATERAL unnest(string_to_array(l.res_ids, ',')) AS r(id)
                           WHERE l.user_uid = t.user_uid
                             AND l.logged_at >= t.window_start AND l.logged_at < t.window_start + %(span)s
                             AND l.seq <= %(head)s AND %(changes)s
                           GROUP BY l.model
                          HAVING count(DISTINCT r.id) >= %(threshold)s
                    ) c
               )
               SELECT p.id, p.login, p.company_id, c.window_start, c.window_start + %(span)s,
                      sum(c.n)::int, min(c.first_at), max(c.last_at), %(operations)s,
                      string_agg(c.model || ' (' || c.n || ')', ', ' ORDER BY c.model)
                 FROM changed c
                 JOIN people p ON p.id = c.user_uid
                GROUP BY p.id, p.login, p.company_id, c.window_start""",
            people=people_sql(settings),
            last=last,
            head=head,
            changes=person_change_sql(),
            span=timedelta(minutes=minutes),
            seconds=minutes * 60,
            threshold=threshold,
            operations=distinct_list_sql(SQL("c.operations")),
        )
    )
    return [("mass_change", *row[:6], threshold, *row[6:], "UTC", None) for row in rows]


def new_role_use_sql():
    """True when the entry ``l`` is a person's change or export of ``ecom.*`` records."""
    return SQL(
        "l.operation IN %s AND l.model LIKE %s AND l.origin IS DISTINCT FROM 'cron'",
        (*CHANGE_OPERATIONS, "export"),
        "ecom.%",
    )


def added_sql(model, field):
    """``a.value``: each id a ``write`` entry ``l`` of ``model`` added to the many2many ``field``
    (in the new value, not in the old one); to follow ``CROSS JOIN LATERAL``."""
    return SQL(
        """jsonb_array_elements(COALESCE(l.changes -> %(field)s -> 1, '[]'::jsonb)) AS a(value)
            ON l.model = %(model)s AND l.changes ? %(field)s
           AND NOT COALESCE(l.changes -> %(field)s -> 0, '[]'::jsonb) @> a.value""",
        model=model,
        field=field,
    )


def scan_new_role_use(env, last, head, settings, finance_category):
    """Per person and grant: the person's changes and exports of ``ecom.*`` records within the
    configured minutes after they were given a finance group (a group of ``finance_category``).

    A grant is an audited change of groups: a ``res.users`` write adding to ``groups_id`` (an
    access grant's activation, an administrator's edit) or a ``res.groups`` write adding to
    ``users``. A user created with the group is not a grant. The window starts at the grant; one
    row per person and grant, the groups given named (ids) in the last column.
    """
    span = timedelta(minutes=settings["new_role_minutes"])
    rows = env.execute_query(
        SQL(
            """WITH %(people)s,
               used AS (
                   SELECT l.user_uid, min(l.logged_at) AS since
                     FROM ecom_audit_log l
                     JOIN people p ON p.id = l.user_uid
                    WHERE l.seq > %(last)s AND l.seq <= %(head)s AND %(use)s
                    GROUP BY l.user_uid
               ),
               candidate AS (
                   -- the changes of one user's groups or one group's users (one record an entry)
                   SELECT l.*, l.res_ids::int AS record
                     FROM ecom_audit_log l, (SELECT min(since) AS since FROM used) s
                    WHERE l.model IN ('res.users', 'res.groups') AND l.operation = 'write'
                      AND l.res_ids ~ '^[0-9]+$'
                      AND l.seq <= %(head)s AND l.logged_at >= s.since - %(span)s
               ),
               granted AS (
                   SELECT l.record AS user_id, (a.value)::int AS group_id, l.logged_at AS granted_at
                     FROM candidate l JOIN LATERAL %(users_added)s
                   UNION
                   SELECT (a.value)::int, l.record, l.logged_at
                     FROM candidate l JOIN LATERAL %(groups_added)s
               ),
               finance_granted AS (
                   SELECT g.*
                     FROM granted g
                     JOIN used u ON u.user_uid = g.user_id
                     JOIN res_groups rg ON rg.id = g.group_id AND rg.category_id = %(category)s
               ),
               -- a window starts at a grant that no earlier grant's window holds: one change of
               -- groups is often several entries (Odoo writes the implied groups after the group),
               -- a second or more apart
               grant_window AS (
                   SELECT f.user_id, f.granted_at, array_agg(DISTINCT g.group_id) AS groups
                     FROM finance_granted f
                     JOIN finance_granted g ON g.user_id = f.user_id AND g.granted_at >= f.granted_at
                                           AND g.granted_at < f.granted_at + %(span)s
                    WHERE NOT EXISTS (SELECT 1 FROM finance_granted e
                                       WHERE e.user_id = f.user_id AND e.granted_at < f.granted_at
                                         AND e.granted_at >= f.granted_at - %(span)s)
                    GROUP BY f.user_id, f.granted_at
               )
               SELECT p.id, p.login, p.company_id, w.granted_at, w.granted_at + %(span)s,
                      a.n, a.first_at, a.last_at, a.operations, a.models, w.groups
                 FROM grant_window w
                 JOIN people p ON p.id = w.user_id
                CROSS JOIN LATERAL (
                      SELECT count(*) AS n, min(l.logged_at) AS first_at, max(l.logged_at) AS last_at,
                             string_agg(DISTINCT l.operation, ',' ORDER BY l.operation) AS operations,
                             string_agg(DISTINCT l.model, ', ' ORDER BY l.model) AS models,
                             bool_or(l.seq > %(last)s) AS new
                        FROM ecom_audit_log l
                       WHERE l.user_uid = w.user_id
                         AND l.logged_at >= w.granted_at AND l.logged_at < w.granted_at + %(span)s
                         AND l.seq <= %(head)s AND %(use)s
                ) a
                WHERE a.n > 0 AND a.new""",
            people=people_sql(settings),
            last=last,
            head=head,
            use=new_role_use_sql(),
            span=span,
            users_added=added_sql("res.users", "groups_id"),
            groups_added=added_sql("res.groups", "users"),
            category=finance_category,
        )
    )
    return [
        (
            "new_role_use",
            *row[:6],
            0,
            *row[6:10],
            "UTC",
            scope_names(env, ",".join(f"res.groups:{g}" for g in row[10])),
        )
        for row in rows
    ]


# The fields that place a record in a shop or a warehouse: a stored many2one of this name on an
# ``ecom.*`` model (whatever addon defines it), the record's scope being the field's target.
SCOPE_FIELDS = ("shop_id", "warehouse_id")


def scope_fields(env):
    """[(model, table, field, target model)] of the ``ecom.*`` models placed in a shop or warehouse."""
    found = []
    for name in sorted(env.registry):
        model = env[name]
        if not name.startswith("ecom.") or model._abstract or model._transient or not model._auto:
            continue
        for field_name in SCOPE_FIELDS:
            field = model._fields.get(field_name)
            if field and field.type == "many2one" and field.store and field.column_type:
                found.append((name, model._table, field_name, field.comodel_name))
    return found


def scoped_sql(source, fields_found):
    """The rows of the CTE ``source`` (with ``model`` and ``res_ids``), each with the shop or
    warehouse (``scope_model``, ``scope_id``) of its records placed in one: one row per record and
    scope, read from the records as they are now."""
    return SQL(" UNION ALL ").join(
        SQL(
            """SELECT m.*, %(target)s AS scope_model, t.%(field)s AS scope_id
                 FROM %(source)s m
                CROSS JOIN LATERAL unnest(string_to_array(m.res_ids, ',')) AS r(id)
                 JOIN %(table)s t ON t.id = (CASE WHEN r.id ~ '^[0-9]+$' THEN r.id::int END)
                WHERE m.model = %(model)s AND t.%(field)s IS NOT NULL""",
            source=SQL.identifier(source),
            target=target,
            field=SQL.identifier(field),
            table=SQL.identifier(table),
            model=model,
        )
        for model, table, field, target in fields_found
    )


def scan_outside_scope(env, last, head, settings):
    """Per person and local day with new changes (create, write) of records placed in a shop or a
    warehouse: the records of a shop or warehouse the person changed nothing of in the
    ``outside_scope_days`` before the day. A person with no such change at all in those days (a
    newcomer) has no usual scope yet and raises nothing.

    The scope is read from the records as they are now (``SCOPE_FIELDS``); deleted records, and
    models with neither field, are not covered. The count is of records; the last column lists
    ``model:id`` of the shops and warehouses outside the usual ones.
    """
    fields_found = scope_fields(env)
    if not fields_found:
        return []
    models_found = tuple(sorted({model for model, _table, _field, _target in fields_found}))
    changes = SQL(
        "l.model IN %s AND l.operation IN ('create', 'write') AND l.origin IS DISTINCT FROM 'cron'",
        models_found,
    )
    rows = env.execute_query(
        SQL(
            """WITH %(people)s, %(windows)s,
               before AS (
                   SELECT DISTINCT w.user_uid, w.window_start, b.model, b.res_ids
                     FROM windows w
                    CROSS JOIN LATERAL (
                          -- the days before, one index range per person and window
                          SELECT l.model, l.res_ids FROM ecom_audit_log l
                           WHERE l.user_uid = w.user_uid
                             AND l.logged_at >= w.window_start - %(days)s AND l.logged_at < w.window_start
                             AND l.seq <= %(head)s AND %(changes)s
                    ) b
               ),
               day AS (
                   SELECT w.user_uid, w.window_start, l.model, l.res_ids,
                          min(l.logged_at) AS first_at, max(l.logged_at) AS last_at,
                          string_agg(DISTINCT l.operation, ',') AS operations
                     FROM windows w
                     JOIN ecom_audit_log l
                       ON l.user_uid = w.user_uid
                      AND l.logged_at >= w.window_start AND l.logged_at < w.window_end
                    WHERE l.seq <= %(head)s AND %(changes)s
                    GROUP BY w.user_uid, w.window_start, l.model, l.res_ids
               ),
               usual AS (SELECT DISTINCT user_uid, window_start, scope_model, scope_id FROM (%(usual)s) u),
               outside AS (
                   SELECT d.* FROM (%(today)s) d
                    WHERE NOT EXISTS (
                        SELECT 1 FROM usual u
                         WHERE (u.user_uid, u.window_start, u.scope_model, u.scope_id)
                             = (d.user_uid, d.window_start, d.scope_model, d.scope_id)
                    )
               )
               SELECT w.user_uid, w.person, w.person_company, w.window_start, w.window_end,
                      count(DISTINCT (o.model, o.res_ids))::int, min(o.first_at), max(o.last_at),
                      %(operations)s, string_agg(DISTINCT o.model, ', ' ORDER BY o.model), w.tz,
                      string_agg(DISTINCT o.scope_model || ':' || o.scope_id, ',')
                 FROM windows w
                 JOIN outside o ON o.user_uid = w.user_uid AND o.window_start = w.window_start
                WHERE EXISTS (
                      SELECT 1 FROM usual u WHERE u.user_uid = w.user_uid AND u.window_start = w.window_start
                )
                GROUP BY w.user_uid, w.person, w.person_company, w.window_start, w.window_end, w.tz""",
            people=people_sql(settings),
            windows=day_windows_sql(last, head, changes),
            days=timedelta(days=settings["outside_scope_days"]),
            head=head,
            changes=changes,
            usual=scoped_sql("before", fields_found),
            today=scoped_sql("day", fields_found),
            operations=distinct_list_sql(SQL("o.operations")),
        )
    )
    days = settings["outside_scope_days"]
    return [("outside_scope", *row[:6], days, *row[6:11], scope_names(env, row[11])) for row in rows]


def scope_names(env, refs):
    """The names of the records ``refs`` (``"model:id,model:id"``), comma-separated."""
    by_model = {}
    for ref in refs.split(","):
        model, res_id = ref.split(":")
        by_model.setdefault(model, []).append(int(res_id))
    # the names only, for the Auditors' alert text, whoever runs the scan
    return ", ".join(
        name
        for model, ids in by_model.items()
        for name in env[model].sudo().browse(ids).mapped("display_name")
    )
