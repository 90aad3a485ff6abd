# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Refused operations in the audit trail (operation ``denied``): who, what and why.

An AccessError on an audited model, or a refused approval (``_ecom_require_approval``), that
reaches the caller is logged: the web client's calls by ``ir.http._dispatch``
(``models/ir_http.py``), XML-RPC's and JSON-RPC's by ``odoo.service.model.execute`` (patched by
``patch_rpc`` at load). Where it is raised, ``mark`` notes on the error the model, the refused
records and the operation; the call names the method. The call's transaction is rolled back, so
the entry is chained in a transaction of its own, like a failed login's.

A loop of refused calls cannot flood the trail: per user, model and minute, at most
``ecom_audit.denied_log_limit`` (20) entries; the others wait in ``ecom_audit_pending`` and are
summed up in one entry per user, model and minute once the minute is over (``summarise``).

Plain functions over an environment or a registry; no model is defined here.
"""

import json
from collections import Counter

from psycopg2 import errors

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError, UserError
from odoo.http import request
from odoo.modules.registry import Registry
from odoo.service import model as service_model
from odoo.tools import SQL

LIMIT_PARAM = "ecom_audit.denied_log_limit"
DENIED_LIMIT = 20
# The refusals over the limit wait in ``ecom_audit_pending`` under this mark (never a transaction id).
THROTTLED = "denied_throttled"
# One summariser of the refusals left out at a time (an advisory lock of its own).
SUMMARY_LOCK = 0x45434F44  # "ECOD"
# The error's message is kept to this length; ids to this many.
ERROR_MAX = 500
IDS_MAX = 200


def mark(error, env, model, ids, operation):
    """Note on ``error`` what was refused (the first mark wins: the innermost refusal); returns it."""
    if getattr(error, "ecom_denied", None) is None:
        error.ecom_denied = {"uid": env.uid, "model": model, "ids": list(ids), "operation": operation}
    return error


def _ids(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, list | tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return list(value)
    return []


def loggable(error):
    """Whether ``error`` may be a refusal to log: an AccessError, or a refused approval (a
    UserError marked as such), not logged yet."""
    if getattr(error, "ecom_denied_logged", False):
        return False
    return isinstance(error, AccessError) or (
        isinstance(error, UserError) and getattr(error, "ecom_denied", None) is not None
    )


def web_call():
    """(model, method, ids, uid) of the web client's ORM call in the current request
    (``/web/dataset/call_kw``, ``call_button``); None for other routes."""
    params = request.params or {}
    if "model" not in params or "method" not in params:
        return None
    args = params.get("args") or []
    return str(params["model"]), str(params["method"]), _ids(args[0] if args else None), request.session.uid


def log_refusal(registry, error, call, path=None):
    """Chain the ``denied`` entry of ``error`` if it is one (a refusal on an audited model), in a
    transaction of its own: the caller's is rolled back. ``call``: (model, method, ids, uid) of the
    ORM call refused, or None (``path``: the route then)."""
    if not loggable(error):
        return
    error.ecom_denied_logged = True
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        noted = getattr(error, "ecom_denied", None)
        if noted is None or (not noted["ids"] and call and call[0] == noted["model"]):
            # raised by a model's own code, or before any record was looked at (the model's
            # rights): the records called are the ones refused
            if call is None or call[0] not in env or env[call[0]]._ecom_audit_fields() is None:
                return
            noted = {**(noted or {"operation": call[1]}), "uid": call[3], "model": call[0], "ids": call[2]}
        uid = noted["uid"] or (call[3] if call else None)
        if not uid:
            return
        message = str(error.args[0] if error.args else error)
        changes = {
            "method": call[1] if call else path,
            "operation": noted["operation"],
            "error": message[:ERROR_MAX],
        }
        _chain(env(user=uid, su=True), noted["model"], noted["ids"][:IDS_MAX], changes)


def _chain(env, model, ids, changes):
    """Chain the entry, or park it when its user already has the minute's entries for the model."""
    now = fields.Datetime.now()
    res_ids = ",".join(map(str, ids))
    if _over_limit(env, env.uid, model, now):
        env.cr.execute(
            SQL(
                """INSERT INTO ecom_audit_pending
                          (txid, logged_at, user_uid, login, model, res_ids, operation, changes)
                   VALUES (%s, %s, %s, %s, %s, %s, 'denied', %s)""",
                THROTTLED,
                now,
                env.uid,
                env.user.login,
                model,
                res_ids,
                json.dumps(changes),
            )
        )
    else:
        env["ecom.audit.log"]._append(
            [{"model": model, "res_ids": res_ids, "operation": "denied", "changes": changes}]
        )
    summarise(env)
    env["ecom.audit.log"]._flush_pending()


def patch_rpc():
    """XML-RPC and JSON-RPC (``/xmlrpc``, ``/jsonrpc``) call the ORM through
    ``odoo.service.model.execute``, with or without a database in the request (without one,
    ``ir.http`` is never reached): their refusals are logged there, once the call's transaction
    is rolled back."""
    if getattr(service_model.execute, "_ecom_denied_patched", False):
        return
    execute = service_model.execute

    def logged_execute(db, uid, obj, method, *args, **kw):
        try:
            return execute(db, uid, obj, method, *args, **kw)
        except (AccessError, UserError) as error:
            log_refusal(Registry(db), error, (obj, method, _ids(args[0] if args else None), uid))
            raise

    logged_execute._ecom_denied_patched = True
    service_model.execute = logged_execute


def _over_limit(env, uid, model, now):
    limit = int(env["ir.config_parameter"].get_param(LIMIT_PARAM, DENIED_LIMIT))
    # the index on (user_uid, logged_at) finds the minute's entries of the user
    [[count]] = env.execute_query(
        SQL(
            """SELECT count(*) FROM ecom_audit_log
                WHERE user_uid = %s AND logged_at >= %s AND operation = 'denied' AND model = %s""",
            uid,
            now.replace(second=0, microsecond=0),
            model,
        )
    )
    return count >= limit


def summarise(env, all_windows=False):
    """Append one entry per user, model and past minute (``all_windows``: the current one too)
    summing up the refusals left out: how many, by method, the records, the first error.
    ``env``: the superuser's; one summariser at a time, another leaves the rows to it."""
    cr = env.cr
    before = fields.Datetime.now()
    [[locked]] = env.execute_query(SQL("SELECT pg_try_advisory_xact_lock(%s)", SUMMARY_LOCK))
    if not locked:
        return
    cutoff = SQL("%s::timestamp", before)
    if all_windows:
        cutoff = SQL("%s + interval '1 minute'", cutoff)
    try:
        with cr.savepoint():
            rows = env.execute_query(
                SQL(
                    """DELETE FROM ecom_audit_pending
                        WHERE txid = %s AND logged_at < date_trunc('minute', %s)
                    RETURNING date_trunc('minute', logged_at), user_uid, login, model, res_ids, changes""",
                    THROTTLED,
                    cutoff,
                )
            )
    except errors.SerializationFailure:
        return  # a summariser that committed just before this transaction began took them
    windows = {}
    for minute, uid, login, model, res_ids, changes in sorted(rows, key=lambda row: row[:4]):
        window = windows.setdefault((minute, uid, login, model), {"methods": Counter(), "ids": set()})
        window["methods"][changes.get("method") or ""] += 1
        window["ids"].update(int(part) for part in (res_ids or "").split(",") if part.isdigit())
        window.setdefault("error", changes.get("error") or "")
    env["ecom.audit.log"]._append(
        [
            {
                "model": model,
                "res_ids": ",".join(map(str, sorted(window["ids"])[:IDS_MAX])),
                "operation": "denied",
                "uid": uid,
                "login": login,
                "changes": {
                    "summary": True,
                    "window": fields.Datetime.to_string(minute),
                    "count": sum(window["methods"].values()),
                    "method": window["methods"].most_common(1)[0][0],
                    "methods": dict(window["methods"]),
                    "error": window["error"],
                },
            }
            for (minute, uid, login, model), window in windows.items()
        ]
    )
