# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Step-up: a decision asks its decider to have confirmed their identity a few minutes ago.

Odoo's own mechanism (``odoo.addons.base.models.res_users.check_identity``): the web client gets
the *Security Control* wizard (``res.users.identitycheck``: the password, or the authenticator
code where the user has one, ``res_users_identitycheck.py``), which records the time in the
session (``identity-check-last``) and runs the decision again. What differs from Odoo's decorator:

- the delay is a setting (``ecom_audit.step_up_minutes``, 5; Odoo's is 10 minutes);
- who may decide is checked first: someone who may not is refused at once, not asked for a password;
- each decision carried out on a confirmed identity is an entry of the trail (``step_up``: who,
  when the identity was confirmed and how, which request, which decision);
- over XML-RPC and JSON-RPC (``/xmlrpc``, ``/jsonrpc``) there is no session to confirm in, and
  every call carries its password or API key, checked for that very call: that is the confirmation
  (``how``: ``rpc``). An API key is made only after confirming the password in the web client, and
  a user who logs in with two factors must use one over RPC;
- without a request at all (scheduled actions, server code, tests calling the method) there is no
  person to ask: the decision goes through with its rights checked and no step-up entry.
"""

import functools
import json
import time

from odoo.http import request

MINUTES_PARAM = "ecom_audit.step_up_minutes"
MINUTES_DEFAULT = 5
# Odoo's wizard runs again only the methods that carry this mark (``CheckIdentity.run_check``).
MARK = "__has_check_identity"


def confirmed(env):
    """How the current caller's identity is confirmed for a decision: ``(how, when)``;
    ``("server", None)`` without a request; ``None`` when it must be confirmed first."""
    # over RPC the request is not exposed (``odoo.http.borrow_request``): the trail's reading of
    # where a call comes from tells
    if env["ecom.audit.log"]._change_origin() == "rpc":
        return "rpc", time.time()
    if not request:
        return "server", None
    try:
        minutes = float(env["ir.config_parameter"].sudo().get_param(MINUTES_PARAM, MINUTES_DEFAULT))
    except (TypeError, ValueError):
        minutes = MINUTES_DEFAULT
    last = request.session.get("identity-check-last", 0)
    if last > time.time() - minutes * 60:
        return "session", last
    return None


def identity_check_action(records, method, args, kwargs):
    """The Security Control wizard that confirms the identity, then calls ``method`` again (as
    ``check_identity`` does)."""
    env = records.env
    context = {key: value for key, value in env.context.items() if _jsonable(value)}
    # the wizard's request is for its own code only (``groups=NO_ACCESS``): written as the system,
    # like Odoo's decorator does
    wizard = (
        env["res.users.identitycheck"]
        .sudo()
        .create({"request": json.dumps([context, records._name, records.ids, method, args, kwargs])})
    )
    return {
        "type": "ir.actions.act_window",
        "res_model": "res.users.identitycheck",
        "res_id": wizard.id,
        "name": env._("Security Control"),
        "target": "new",
        "views": [(False, "form")],
    }


def _jsonable(value):
    try:
        json.dumps(value)
    except TypeError:
        return False
    return True


def required(precheck):
    """Decorate a decision: ``precheck`` (a method name) refuses who may not decide; then the
    identity must be confirmed (``confirmed``) or the wizard is returned instead."""

    def decorate(method):
        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            getattr(self, precheck)()
            how = confirmed(self.env)
            if how is None:
                return identity_check_action(self, method.__name__, args, kwargs)
            if how[0] != "server":
                log(self, method.__name__, *how)
            return method(self, *args, **kwargs)

        setattr(wrapped, MARK, True)
        return wrapped

    return decorate


def log(records, method, how, when):
    """One ``step_up`` entry per record decided on."""
    records.env["ecom.audit.log"]._append(
        [
            {
                "model": records._name,
                "res_ids": str(record.id),
                "operation": "step_up",
                "changes": {
                    "decision": method,
                    "how": how,
                    "confirmed_at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(when)),
                },
            }
            for record in records
        ]
    )
