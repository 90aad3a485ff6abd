# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The settings of the access anomaly scan (``ecom.audit.anomaly``): system parameters with defaults."""

import pytz

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
    # one user changing (create, write, delete) more records of one model within the minutes
    "mass_change_threshold": 100,
    "mass_change_minutes": 10,
    # one user refused (operation ``denied``: an AccessError, a refused approval) this often
    "escalation_threshold": 5,
    "escalation_minutes": 15,
    # a user using (changes, exports of ecom records) a finance role within the minutes after it was given
    "new_role_minutes": 24 * 60,
    # the days before which a user's shops are their usual ones
    "outside_scope_days": 30,
    # the time zone of the working hours; empty: each company's (never the user's own, which
    # every user sets in their preferences)
    "timezone": "",
}
# Where the previous scan stopped (a sequence of the chain).
LAST_SEQ_PARAM = "ecom_audit.anomaly_last_seq"


# The values the scan accepts (inclusive; None: no bound); work_days: ISO weekdays 1-7.
BOUNDS = {
    "work_hour_from": (0, 24),
    "work_hour_to": (0, 24),
    "export_threshold": (1, None),
    "read_threshold": (1, None),
    "failed_login_threshold": (1, None),
    "failed_login_minutes": (1, 24 * 60),
    "mass_change_threshold": (1, None),
    "mass_change_minutes": (1, 24 * 60),
    "escalation_threshold": (1, None),
    "escalation_minutes": (1, 24 * 60),
    "new_role_minutes": (1, 7 * 24 * 60),
    "outside_scope_days": (1, 366),
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


def setting(env, name):
    """One setting of the anomaly scan, from its system parameter or its default."""
    # System parameters are for administrators; these thresholds are read by the scan (a
    # scheduled action), by the audit log's hook and by the Finance Managers' settings form,
    # which checks the group.
    raw = env["ir.config_parameter"].sudo().get_param(PARAM_PREFIX + name)
    try:
        return _parse(name, raw or DEFAULTS[name])
    except ValueError:
        return _parse(name, DEFAULTS[name])


def anomaly_settings(env):
    """The settings of the anomaly scan, each from its system parameter or its default.

    An unreadable or out-of-range value falls back to its default rather than stopping
    the scan.
    """
    values = {name: setting(env, name) for name in DEFAULTS}
    if values["work_hour_from"] >= values["work_hour_to"]:
        values.update(work_hour_from=DEFAULTS["work_hour_from"], work_hour_to=DEFAULTS["work_hour_to"])
    return values
