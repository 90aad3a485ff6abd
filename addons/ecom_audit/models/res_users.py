# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
from collections import Counter
from datetime import timedelta

from psycopg2 import errors

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessDenied, AccessError
from odoo.http import request
from odoo.tools import SQL

from .. import lockout
from ..approval import in_approved_change

# Groups given only through an approved grant (``ecom.access.grant``), directly or implied.
FINANCE_GROUPS = (
    "ecom_audit.group_ecom_accountant",
    "ecom_audit.group_ecom_manager",
    "ecom_audit.group_ecom_auditor",
)


# Failed logins come from unauthenticated callers: each minute, at most this many entries per
# login and per source address (``ecom_audit.failed_login_log_limit``); the others are counted
# and summed up in one entry per minute once the minute is over.
FAILED_LOGIN_LIMIT = 10
# One summariser of the attempts left out at a time (an advisory lock of its own).
SUMMARY_LOCK = 0x45434F4C  # "ECOL"
# The attempts left out wait in ``ecom_audit_pending`` under this mark (never a transaction id).
THROTTLED = "login_throttled"
# At most this many logins and addresses named in a summary; the others are counted together.
SUMMARY_TOP = 50
# A login is kept to this length in the trail, with its length after it.
LOGIN_MAX = 64
# Who logs in with a second factor (``ecom_audit.totp_required``, on unless set to False): an
# authenticator app (``auth_totp``), else a code sent by e-mail (``auth_totp_mail_enforce``).
TOTP_REQUIRED_GROUPS = ("ecom_audit.group_ecom_manager", "base.group_system")
TOTP_REQUIRED_PARAM = "ecom_audit.totp_required"


def clip_login(login):
    """The login as the trail keeps it: a long one cut, with a mark saying how long it was."""
    login = login if isinstance(login, str) else str(login or "")
    if len(login) <= LOGIN_MAX:
        return login
    return f"{login[:LOGIN_MAX]}...[{len(login)} chars]"


def _top(counter):
    top = dict(counter.most_common(SUMMARY_TOP))
    others = sum(counter.values()) - sum(top.values())
    return {**top, "(others)": others} if others else top


def finance_groups_of(users):
    """{user id: ids of the finance groups the user holds}, implied groups included."""
    env = users.env
    finance = {env.ref(xmlid).id for xmlid in FINANCE_GROUPS}
    users.invalidate_recordset(["groups_id"])
    # the groups of the users concerned, whoever reads them: the check is not a disclosure
    return {user.id: finance & set(user.sudo().groups_id.ids) for user in users}


def check_finance_grants(users, before):
    """Refuse a change that gave ``users`` a finance group, unless made by the superuser (install,
    data files, code that switched to it) or inside an approved grant: a caller's rights or context
    are not enough."""
    env = users.env
    if env.su or in_approved_change():
        return
    after = finance_groups_of(users)
    gained = {uid: after[uid] - before.get(uid, set()) for uid in after}
    gained = {uid: ids for uid, ids in gained.items() if ids}
    if gained:
        names = env["res.groups"].browse(sorted(set().union(*gained.values()))).mapped("full_name")
        raise AccessError(
            env._(
                "Finance groups (%(groups)s) are given through an approved access grant "
                "(E-commerce Finance > Approvals > Access Grants).",
                groups=", ".join(names),
            )
        )


class ResUsers(models.Model):
    _inherit = "res.users"

    ecom_locked_until = fields.Datetime(
        string="Login Locked Until",
        compute="_compute_ecom_locked_until",
        groups="base.group_system",
        help="Too many failed logins: the login is refused until then from the sources it never "
        "logged in from (its usual ones still log in).",
    )

    @api.depends_context("uid")
    def _compute_ecom_locked_until(self):
        # read as the system: the field itself is for administrators only (``groups``)
        locks = (
            self.env["ecom.login.lock"]
            .sudo()
            .search(
                [
                    ("kind", "=", "login"),
                    ("key", "in", [clip_login(login) for login in self.mapped("login")]),
                    ("locked_until", ">", fields.Datetime.now()),
                ]
            )
        )
        until = {lock.key: lock.locked_until for lock in locks}
        for user in self:
            user.ecom_locked_until = until.get(clip_login(user.login), False)

    def action_ecom_unlock_login(self):
        """Lift the lockout of these logins at once (Settings administrators); each lift is an
        entry of the trail (``account_unlocked``)."""
        if not self.env.su and not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("Only an administrator unlocks a login."))
        entries = []
        for user in self:
            # the lock rows are written by SQL of the lockout's own (the right is checked above)
            until = lockout.unlock(self.env, clip_login(user.login))
            entries.append(
                {
                    "model": "res.users",
                    "res_ids": str(user.id),
                    "operation": "account_unlocked",
                    "changes": {
                        "login": user.login,
                        "locked_until": fields.Datetime.to_string(until) if until else False,
                    },
                }
            )
        self.env["ecom.audit.log"]._append(entries)
        self.invalidate_recordset(["ecom_locked_until"])
        return True

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        check_finance_grants(users, {})
        return users

    def write(self, vals):
        if not self or not any(
            name == "groups_id" or name.startswith(("in_group_", "sel_groups_")) for name in vals
        ):
            return super().write(vals)
        before = finance_groups_of(self)
        result = super().write(vals)
        check_finance_grants(self, before)
        return result

    # ------------------------------------------------------------------
    # Two factors for Finance Managers and administrators
    # ------------------------------------------------------------------

    def _ecom_totp_required(self):
        """Whether this user must log in with a second factor: a Finance Manager or an
        administrator, while ``ecom_audit.totp_required`` is on (the default)."""
        self.ensure_one()
        # read as the system: at login, and at the second step whose page runs as the public
        # user, the caller can read neither the parameter nor the groups of the user logging in
        user = self.sudo()
        policy = user.env["ir.config_parameter"].get_param(TOTP_REQUIRED_PARAM, "True")
        if policy.strip().lower() in ("", "0", "false", "no", "off"):
            return False
        return user._is_internal() and user.has_groups(",".join(TOTP_REQUIRED_GROUPS))

    def _mfa_type(self):
        """Without an authenticator app, the e-mail code of ``auth_totp_mail_enforce``: the web
        login of a user for whom two factors are required stops at the second step until the
        code is given; its page invites to set up the app."""
        mfa = super()._mfa_type()
        if mfa is None and self._ecom_totp_required():
            return "totp_mail"
        return mfa

    def _rpc_api_keys_only(self):
        """Over XML-RPC and JSON-RPC, the API key is the second factor: no password alone."""
        return super()._rpc_api_keys_only() or self._ecom_totp_required()

    @classmethod
    def _login(cls, db, credential, user_agent_env):
        """Log every login, successful or failed, in the audit trail; refuse the attempts of a
        locked source or login before their password is even checked (``ecom_audit.lockout``)."""
        login = credential.get("login")
        ip = lockout.source(user_agent_env)
        refused = cls._ecom_lockout_refusal(login, ip)
        if refused:
            cls._ecom_audit_login(login, False, "login_failed", ip, refused=refused)
            raise AccessDenied(refused)
        try:
            auth_info = super()._login(db, credential, user_agent_env)
        except AccessDenied:
            cls._ecom_audit_login(login, False, "login_failed", ip)
            raise
        cls._ecom_audit_login(login, auth_info.get("uid"), "login", ip)
        return auth_info

    @classmethod
    def check(cls, db, uid, passwd):
        """XML-RPC and JSON-RPC calls carry their user's password (or API key) on every call
        (``execute_kw``): a wrong one counts for the lockout as a failed login does, and a call from
        a locked source, or for a locked login from a source it never logged in from, is refused
        before the password is checked (else guesses there would go uncounted)."""
        ip = lockout.source(None)
        login, refused = cls._ecom_check_refusal(uid, ip)
        if refused:
            cls._ecom_audit_login(login, False, "login_failed", ip, refused=refused, via="rpc")
            raise AccessDenied(refused)
        try:
            return super().check(db, uid, passwd)
        except AccessDenied:
            cls._ecom_audit_login(login, False, "login_failed", ip, via="rpc")
            raise

    @classmethod
    def _ecom_check_refusal(cls, uid, ip):
        """``(login, refusal)`` for a call naming user ``uid`` (``check``), in one transaction."""
        with cls.pool.cursor() as cr:
            cr.execute(SQL("SELECT login FROM res_users WHERE id = %s", uid))
            row = cr.fetchone()
            login = row[0] if row else None
            return login, cls._ecom_refusal_in(cr, login, ip)

    @classmethod
    def _ecom_lockout_refusal(cls, login, ip):
        """The message refusing this attempt when its source or its login is locked, else None.
        It says neither which of the two nor anything of the password."""
        with cls.pool.cursor() as cr:
            return cls._ecom_refusal_in(cr, login, ip)

    @classmethod
    def _ecom_refusal_in(cls, cr, login, ip):
        env = api.Environment(cr, SUPERUSER_ID, {"lang": request.best_lang if request else None})
        if not lockout.refusal(env, clip_login(login), ip, fields.Datetime.now()):
            return None
        return env._(
            "Too many failed logins: this account is locked for a while from here. Try again "
            "later or ask an administrator to unlock it."
        )

    @classmethod
    def _ecom_audit_login(cls, login, uid, operation, ip=None, refused=None, via=None):
        # A login runs in a transaction of its own (``_login`` opens and commits it); its
        # entry does too, so that a failed login, whose request is rolled back, is kept.
        # ``via``: where else than the login form the password was given ("rpc", "step_up")
        with cls.pool.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.users"]._ecom_audit_login_entry(login, uid, operation, ip, refused=refused, via=via)

    @api.model
    def _ecom_lockout_count(self, login, uid, operation, ip, refused):
        """Count the attempt for the lockout; the entries of the locks it starts."""
        now = fields.Datetime.now()
        if operation == "login":
            lockout.record_success(self.env, login, ip)
            return []
        if refused:  # an attempt refused by a lock does not lengthen it
            return []
        user = self.with_context(active_test=False).search([("login", "=", login)], limit=1)
        return [
            {
                "model": "res.users",
                "res_ids": str(user.id or "") if scope == "login" else "",
                "operation": "account_locked",
                "uid": 0,
                "login": login,
                "company_id": user.company_id.id or False,
                "changes": {
                    "scope": scope,
                    "ip" if scope == "source" else "login": key,
                    "until": fields.Datetime.to_string(until),
                    "lockouts": count,
                    "failures": failures,
                },
            }
            for scope, key, until, count, failures in lockout.record_failure(self.env, login, ip, now)
        ]

    @api.model
    def _ecom_audit_login_entry(self, login, uid, operation, ip, refused=None, via=None):
        """Chain the entry of a login (as the superuser, in the login's own transaction).

        A failed login over the limit of its minute is not chained on its own: it waits to be
        counted in the summary of its minute. The limit is per login; for a login that is no
        user's, per source address too (unknown over XML-RPC: those share one budget). A flood
        of made-up logins from one address thus cannot push the attempts on a real account out
        of the chain (the access alerts count them), and those are bounded by the number of
        users. The login is cut to 64 characters (``clip_login``).
        """
        log = self.env["ecom.audit.log"]
        login = clip_login(login)
        changes = {"ip": ip} if ip else {}
        if refused:
            changes["refused"] = "locked"
        if via:
            changes["via"] = via
        now = fields.Datetime.now()
        if operation == "login_failed" and self._ecom_audit_login_over_limit(login, ip, now):
            self.env.cr.execute(
                SQL(
                    """INSERT INTO ecom_audit_pending (txid, logged_at, user_uid, login, operation, changes)
                       VALUES (%s, %s, 0, %s, 'login_failed', %s)""",
                    THROTTLED,
                    now,
                    login,
                    json.dumps(changes),
                )
            )
        else:
            user = self.browse(uid) if uid else self.browse()
            log._append(
                [
                    {
                        "model": "res.users",
                        "res_ids": str(uid or ""),
                        "operation": operation,
                        "uid": uid or 0,
                        "login": login,
                        "company_id": user.company_id.id or False,
                        "changes": changes,
                    }
                ]
            )
        log._append(self._ecom_lockout_count(login, uid, operation, ip, refused))
        self._ecom_audit_login_summaries()
        log._flush_pending()

    @api.model
    def _ecom_audit_login_over_limit(self, login, ip, now):
        """Whether this minute already has its entries of failed logins for ``login``, or, for a
        login that is no user's, for the source ``ip``."""
        limit = int(
            self.env["ir.config_parameter"].get_param("ecom_audit.failed_login_log_limit", FAILED_LOGIN_LIMIT)
        )
        known = len(login) <= LOGIN_MAX and self.with_context(active_test=False).search_count(
            [("login", "=", login)], limit=1
        )
        minute = now.replace(second=0, microsecond=0)
        # failed logins have no user (0): the index on (user_uid, logged_at) finds the minute's
        [[by_login, by_ip]] = self.env.execute_query(
            SQL(
                """SELECT count(*) FILTER (WHERE login = %(login)s),
                          count(*) FILTER (WHERE changes->>'ip' IS NOT DISTINCT FROM %(ip)s)
                     FROM ecom_audit_log
                    WHERE user_uid = 0 AND operation = 'login_failed' AND logged_at >= %(minute)s""",
                login=login,
                ip=ip or None,
                minute=minute,
            )
        )
        return by_login >= limit or (not known and by_ip >= limit)

    @api.model
    def _ecom_audit_login_summaries(self, all_windows=False):
        """Chain one entry per past minute summing up the failed logins left out of the chain
        (``all_windows``: the current minute too): how many, by login and by address.

        Run at every login and before an anchor is published. One summariser at a time; another
        running at the same moment leaves the rows to it.
        """
        cr = self.env.cr
        before = fields.Datetime.now() + timedelta(minutes=1) if all_windows else fields.Datetime.now()
        [[locked]] = self.env.execute_query(SQL("SELECT pg_try_advisory_xact_lock(%s)", SUMMARY_LOCK))
        if not locked:
            return
        try:
            with cr.savepoint():
                rows = self.env.execute_query(
                    SQL(
                        """DELETE FROM ecom_audit_pending
                            WHERE txid = %s AND logged_at < date_trunc('minute', %s::timestamp)
                        RETURNING date_trunc('minute', logged_at), login, changes->>'ip'""",
                        THROTTLED,
                        before,
                    )
                )
        except errors.SerializationFailure:
            # a summariser that committed just before this transaction began took them
            return
        windows = {}
        for minute, login, ip in rows:
            logins, sources = windows.setdefault(minute, (Counter(), Counter()))
            logins[login or ""] += 1
            sources[ip or "unknown"] += 1
        self.env["ecom.audit.log"]._append(
            [
                {
                    "model": "res.users",
                    "res_ids": "",
                    "operation": "login_failed",
                    "uid": 0,
                    "login": None,  # NULL, as read back (False would hash otherwise)
                    "company_id": False,
                    "changes": {
                        "summary": True,
                        "window": fields.Datetime.to_string(minute),
                        "count": sum(logins.values()),
                        "logins": _top(logins),
                        "sources": _top(sources),
                    },
                }
                for minute, (logins, sources) in sorted(windows.items())
            ]
        )
