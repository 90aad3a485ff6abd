# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Lockout after repeated failed logins, per source address and per login (``ecom.login.lock``).

Functions taking an environment of the superuser, called by ``res.users`` in the login's own
transaction. The source lock is the defence against guessing: a source (IP address) with too many
failures is refused whatever login it tries, for a time that doubles with each lockout of the day,
up to ``lockout_max_source``. The login lock is the second line, against guessing spread over many
sources; it cannot keep the owner out: it refuses only sources from which the login never logged in
successfully (the trail's ``login`` entries), and it is capped lower (``lockout_max_login``). An
administrator unlocks a login at once (``res.users.action_ecom_unlock_login``).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import NamedTuple

from odoo.http import request
from odoo.tools import SQL

# How many failures lock: Odoo's own setting of its (in-memory, per-worker) login cooldown, so that
# one number says it; 0 turns both off.
AFTER_PARAM = "base.login_cooldown_after"
AFTER_DEFAULT = 5
# ``ecom_audit.<name>``: minutes
PARAMS = {
    "lockout_window": 15,  # the failures counted are those within this window
    "lockout_duration": 15,  # the first lockout; each next one of the day doubles it
    "lockout_max_source": 24 * 60,  # the longest lockout of a source
    "lockout_max_login": 60,  # the longest lockout of a login (for sources it never logged in from)
}
# A lockout counts as a repeat while the previous one ended less than this long ago; rows quiet for
# longer are deleted.
MEMORY = timedelta(days=1)


# The address an XML-RPC or JSON-RPC call came from (``controllers/rpc.py``): set by the server for
# the length of the call, out of any caller's reach.
_RPC_SOURCE = ContextVar("ecom_audit_rpc_source", default=None)


@contextmanager
def rpc_source(address):
    token = _RPC_SOURCE.set(address)
    try:
        yield
    finally:
        _RPC_SOURCE.reset(token)


def source(user_agent_env):
    """The address a login attempt comes from: the request's; over RPC, the connection's (the
    ``REMOTE_ADDR`` an RPC caller gives ``authenticate`` is its own say, never trusted); without
    either (a call inside the server), the one its caller gives."""
    if request:
        return request.httprequest.remote_addr
    return _RPC_SOURCE.get() or (user_agent_env or {}).get("REMOTE_ADDR") or None


class Policy(NamedTuple):
    after: int
    window: timedelta
    duration: timedelta
    max_source: timedelta
    max_login: timedelta


def policy(env):
    """The lockout settings (system parameters); ``after`` 0: no lockout."""
    get = env["ir.config_parameter"].sudo().get_param

    def number(key, default):
        try:
            return max(int(get(key, default)), 0)
        except (TypeError, ValueError):
            return default

    minutes = {name: timedelta(minutes=number(f"ecom_audit.{name}", value)) for name, value in PARAMS.items()}
    return Policy(
        after=number(AFTER_PARAM, AFTER_DEFAULT),
        window=minutes["lockout_window"],
        duration=minutes["lockout_duration"],
        max_source=minutes["lockout_max_source"],
        max_login=minutes["lockout_max_login"],
    )


def lock_duration(count, duration, cap):
    """The ``count``-th lockout in a row (from 1): ``duration`` doubled each time, at most ``cap``."""
    return min(duration * 2 ** min(max(count - 1, 0), 32), cap)


def keys(login, ip):
    """The rows an attempt counts on: its source, if known, and its login."""
    return [("source", ip)] * bool(ip) + [("login", login)] * bool(login)


def known_source(env, login, ip):
    """Whether ``login`` logged in successfully from ``ip`` before (an entry of the trail)."""
    if not ip:
        return False
    [[found]] = env.execute_query(
        SQL(
            """SELECT EXISTS (
                   SELECT 1 FROM ecom_audit_log log JOIN res_users u ON u.id = log.user_uid
                    WHERE u.login = %(login)s AND log.operation = 'login' AND log.changes->>'ip' = %(ip)s)""",
            login=login,
            ip=ip,
        )
    )
    return found


def refusal(env, login, ip, now):
    """``(scope, until)`` of the lock refusing this attempt, or ``None``. A locked source is refused
    whatever login it tries; a locked login only from a source it never logged in from."""
    locks = dict(
        env.execute_query(
            SQL(
                """SELECT kind, locked_until FROM ecom_login_lock
                    WHERE locked_until > %(now)s
                      AND ((kind = 'source' AND key = %(ip)s) OR (kind = 'login' AND key = %(login)s))""",
                now=now,
                ip=ip or None,
                login=login,
            )
        )
    )
    if "source" in locks:
        return "source", locks["source"]
    if "login" in locks and not known_source(env, login, ip):
        return "login", locks["login"]
    return None


def record_failure(env, login, ip, now):
    """Count a failed attempt on its source and its login; the locks it starts, as
    ``[(scope, key, until, count, failures)]``. An attempt refused by a lock is not counted: it
    cannot lengthen the lock."""
    config = policy(env)
    if not config.after:
        return []
    env.cr.execute(
        SQL(
            """DELETE FROM ecom_login_lock
                WHERE last_failure < %(old)s AND coalesce(locked_until, %(old)s) <= %(old)s""",
            old=now - MEMORY,
        )
    )
    started = []
    for kind, key in keys(login, ip):
        # one statement: concurrent failures on one key are counted one after the other
        [[row_id, failures, count, until]] = env.execute_query(
            SQL(
                """INSERT INTO ecom_login_lock AS lock
                          (kind, key, failures, window_start, last_failure, lock_count)
                   VALUES (%(kind)s, %(key)s, 1, %(now)s, %(now)s, 0)
                   ON CONFLICT (kind, key) DO UPDATE
                      SET failures = CASE WHEN lock.window_start < %(since)s THEN 1
                                          ELSE lock.failures + 1 END,
                          window_start = CASE WHEN lock.window_start < %(since)s THEN %(now)s
                                              ELSE lock.window_start END,
                          last_failure = %(now)s
                RETURNING id, failures, lock_count, locked_until""",
                kind=kind,
                key=key,
                now=now,
                since=now - config.window,
            )
        )
        if failures < config.after or (until and until > now):
            continue
        count = count + 1 if until and until > now - MEMORY else 1
        cap = config.max_source if kind == "source" else config.max_login
        until = now + lock_duration(count, config.duration, cap)
        env.cr.execute(
            SQL(
                "UPDATE ecom_login_lock SET failures = 0, lock_count = %s, locked_until = %s WHERE id = %s",
                count,
                until,
                row_id,
            )
        )
        started.append((kind, key, until, count, failures))
    env["ecom.login.lock"].invalidate_model()
    return started


def record_success(env, login, ip):
    """A successful login starts its login's and its source's counts afresh (their locks stay: the
    other sources of a hammered login stay refused)."""
    for kind, key in keys(login, ip):
        env.cr.execute(
            SQL(
                "UPDATE ecom_login_lock SET failures = 0 WHERE kind = %s AND key = %s AND failures > 0",
                kind,
                key,
            )
        )
    env["ecom.login.lock"].invalidate_model()


def unlock(env, login):
    """Lift the lock of ``login`` and forget its lockouts; the end it had (``None``: not locked)."""
    rows = env.execute_query(
        SQL(
            """DELETE FROM ecom_login_lock WHERE kind = 'login' AND key = %s
            RETURNING locked_until""",
            login,
        )
    )
    env["ecom.login.lock"].invalidate_model()
    return rows[0][0] if rows else None
