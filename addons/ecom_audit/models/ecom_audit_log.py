# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import io
import json
import logging
import threading
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.http import request
from odoo.tools import SQL
from odoo.tools.sql import create_index

from ecomfin.hashchain import GENESIS, chain_copy_lines, changes_text, sign_anchor, storable, verify

from ..audit_anchors import (
    PUBLISHED_PARAM,
    anchor_max_age,
    anchor_path,
    bad_ranges_text,
    hmac_key,
    read_anchors,
)
from ..audit_entries import AuthorCache, by_record_company
from ..denied import summarise

_logger = logging.getLogger(__name__)

# One lock for every writer of the chain: entries get their sequence one transaction at a time.
CHAIN_LOCK = 0x45434F4D  # "ECOM"
OPERATIONS = [
    ("create", "Create"),
    ("write", "Write"),
    ("unlink", "Delete"),
    ("login", "Login"),
    ("login_failed", "Failed Login"),
    ("export", "Export"),
    ("read_sensitive", "Sensitive Read"),
    # refused: an AccessError or a refused approval on an audited model (who, what, why)
    ("denied", "Refused Operation"),
    # the login policy: a login locked after repeated failures, unlocked by time or by an administrator
    ("account_locked", "Login Locked"),
    ("account_unlocked", "Login Unlocked"),
    # an approver confirmed their identity (password or TOTP) before deciding
    ("step_up", "Identity Confirmed"),
]
ORIGINS = [("web", "Web Client"), ("rpc", "RPC"), ("cron", "Scheduled Action"), ("system", "System")]
COPY_CHUNK = 50_000


class UncheckedMany2one(fields.Many2one):
    """A many2one without a foreign key in the database.

    The trail's company is filed by the trail's own code (the record's company, else the
    author's): a foreign key would check it again, row by row, at each commit (a fourth of what
    chaining an entry costs, ``bench/README.md``), and would forbid deleting a company that has
    entries, or else lose them; an entry keeps the company it was filed under, as it keeps its
    author's login.
    """

    def update_db_foreign_key(self, model, column):
        return None


class EcomAuditLog(models.Model):
    """Append-only, hash-chained log of what happened to finance data.

    Entries are written in the transaction of the change (a rolled-back change leaves
    none): pending first, chained just before the commit under one advisory lock, each
    hash covering the previous one (``ecomfin.hashchain``). The database refuses UPDATE,
    DELETE and TRUNCATE on the table (trigger created in ``init``); the chain and the
    anchors published outside the database catch what someone with more rights might
    still do.
    """

    _name = "ecom.audit.log"
    _description = "Audit Log Entry"
    _order = "seq desc"
    _log_access = False

    seq = fields.Integer(string="Sequence", required=True, readonly=True)
    logged_at = fields.Datetime(required=True, readonly=True)
    user_uid = fields.Integer(string="User ID", readonly=True)
    login = fields.Char(readonly=True)
    company_id = UncheckedMany2one("res.company", readonly=True)
    origin = fields.Selection(ORIGINS, readonly=True)
    model = fields.Char(readonly=True, index=True)
    res_ids = fields.Char(string="Records", readonly=True)
    operation = fields.Selection(OPERATIONS, readonly=True, index=True)
    changes = fields.Json(readonly=True)
    hash = fields.Char(readonly=True)

    _sql_constraints = [("seq_uniq", "unique(seq)", "Two audit entries cannot share a sequence.")]

    def init(self):
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE FUNCTION ecom_audit_log_append_only() RETURNS trigger AS $$
                BEGIN
                    RAISE EXCEPTION USING
                        MESSAGE = 'ecom_audit_log is append-only: ' || TG_OP || ' refused',
                        ERRCODE = 'insufficient_privilege';
                END $$ LANGUAGE plpgsql;
                DROP TRIGGER IF EXISTS ecom_audit_log_append_only ON ecom_audit_log;
                CREATE TRIGGER ecom_audit_log_append_only BEFORE UPDATE OR DELETE ON ecom_audit_log
                    FOR EACH ROW EXECUTE FUNCTION ecom_audit_log_append_only();
                DROP TRIGGER IF EXISTS ecom_audit_log_no_truncate ON ecom_audit_log;
                -- the company is not checked by a foreign key (``UncheckedMany2one``)
                ALTER TABLE ecom_audit_log DROP CONSTRAINT IF EXISTS ecom_audit_log_company_id_fkey;
                CREATE TRIGGER ecom_audit_log_no_truncate BEFORE TRUNCATE ON ecom_audit_log
                    FOR EACH STATEMENT EXECUTE FUNCTION ecom_audit_log_append_only();
                """
            )
        )
        # what the anomaly scan looks up: a user's entries in a window, failed logins per login
        create_index(self.env.cr, "ecom_audit_log_user_time_idx", self._table, ["user_uid", "logged_at"])
        create_index(
            self.env.cr,
            "ecom_audit_log_failed_login_idx",
            self._table,
            ["login", "logged_at"],
            where="operation = 'login_failed'",
        )

    @api.model
    def _entry(self, row):
        """The hashed content of an entry, rebuilt from its columns."""
        seq, logged_at, uid, login, company_id, origin, model, res_ids, operation, changes = row
        return {
            "seq": seq,
            "at": fields.Datetime.to_string(logged_at),
            "uid": uid,
            "login": login,
            "company": company_id,
            "origin": origin,
            "model": model,
            "ids": res_ids,
            "op": operation,
            "changes": changes,
        }

    @api.model
    def _append(self, records):
        """Record entries (dicts with model, res_ids, operation, changes) for this transaction.

        They are kept with the transaction's pre-commit data and chained just before the commit
        (``_flush_pending``), in one statement. Odoo runs the pre-commit hooks when a savepoint
        opens and drops the pending ones when it rolls back, so a change rolled back, even to
        a savepoint, leaves no entry; and no SQL statement is added to the audited write.
        """
        if not records:
            return
        data = self.env.cr.precommit.data
        buffer = data.get("ecom_audit_buffer")
        if buffer is None:
            buffer = data["ecom_audit_buffer"] = []
            data["ecom_audit_authors"] = AuthorCache()
            self.env.cr.precommit.add(self._flush_pending)
        # who and from where: the same for every entry of one environment in one transaction
        authors = data["ecom_audit_authors"]
        author = authors.get(self.env)
        if author is None:
            user = self.env.user
            author = authors[self.env] = (
                user.id,
                user.login,
                self.env.company.id or None,
                self._change_origin(),
            )
        uid, login, company_id, origin = author
        now = fields.Datetime.now()
        buffer.extend(
            (
                now,
                record.get("uid", uid),
                record.get("login", login),
                record.get("company_id", company_id) or None,
                origin,
                record["model"],
                record["res_ids"],
                record["operation"],
                # as the database will give it back to the verifier (NaN and infinities as text:
                # jsonb refuses them), already as the canonical text the commit chains (a string
                # waiting for the commit is no work for the garbage collector, a dict is)
                changes_text(storable(changes)),
            )
            for record in by_record_company(self.env, records, company_id)
            for changes in (record.get("changes") or {},)
        )
        # an event an access alert rule watches: the scan runs now, not at its next hour
        self.env["ecom.audit.anomaly"]._scan_soon(records)

    @api.model
    def _flush_pending(self):
        """Chain the entries of this transaction (run just before it commits)."""
        cr = self.env.cr
        buffered = cr.precommit.data.pop("ecom_audit_buffer", [])
        cr.precommit.data.pop("ecom_audit_authors", None)
        # entries parked in ecom.audit.pending by an older version of this addon
        cr.execute(
            SQL(
                """DELETE FROM ecom_audit_pending WHERE txid = txid_current()::varchar
                   RETURNING id, logged_at, user_uid, login, company_id, origin, model, res_ids, operation,
                             changes"""
            )
        )
        pending = [
            (*values[:-1], changes_text(values[-1])) for _id, *values in sorted(cr.fetchall())
        ] + buffered
        if not pending:
            return
        # one writer of the chain at a time, for the length of this commit
        cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", CHAIN_LOCK))
        seq, previous = self._chain_head()
        copy = SQL(
            """COPY ecom_audit_log
                   (seq, logged_at, user_uid, login, company_id, origin, model, res_ids, operation, changes,
                    hash)
               FROM STDIN"""
        )
        at_text = {}
        rows = (
            (at_text.get(at) or at_text.setdefault(at, fields.Datetime.to_string(at)), *values)
            for at, *values in pending
        )
        lines = []
        for _seq, _hash, line in chain_copy_lines(previous, seq, rows):
            lines.append(line)
            if len(lines) == COPY_CHUNK:
                cr.copy_expert(copy.code, io.StringIO("\n".join(lines) + "\n"))
                lines = []
        if lines:
            cr.copy_expert(copy.code, io.StringIO("\n".join(lines) + "\n"))
        self.invalidate_model()

    @api.model
    def _chain_head(self):
        """The last (sequence, hash) of the chain, as committed by now (call under the chain lock).

        The transaction reads with the snapshot it took at its first query (REPEATABLE READ):
        the entries another transaction committed since are not in it, and continuing the chain
        from it would reuse their sequences. A new transaction, begun once the lock is held,
        sees them; this transaction's own entries (an earlier flush) only this one sees.
        """
        query = SQL("SELECT seq, hash FROM ecom_audit_log ORDER BY seq DESC LIMIT 1")
        own = self.env.execute_query(query)
        # This transaction may hold the table exclusively (a module install or upgrade changing
        # it): then nobody else can have chained since, and a second transaction reading it would
        # wait for this one forever.
        exclusive = self.env.execute_query(
            SQL(
                """SELECT 1 FROM pg_locks
                    WHERE pid = pg_backend_pid() AND granted AND mode = 'AccessExclusiveLock'
                      AND relation = to_regclass(%s)""",
                self._table,
            )
        )
        if exclusive:
            return max(own, default=(0, GENESIS))
        committed = []
        with self.env.registry.cursor() as fresh:
            # while the addon is being installed, the table exists in this transaction only
            fresh.execute(SQL("SELECT to_regclass(%s) IS NOT NULL", self._table))
            if fresh.fetchone()[0]:
                fresh.execute(query)
                committed = fresh.fetchall()
        return max([*own, *committed], default=(0, GENESIS))

    @api.model
    def _change_origin(self):
        """Where the change comes from: the request first, the context only when there is none.

        XML-RPC and JSON-RPC calls run with the request unexposed (``odoo.http.borrow_request``),
        so their URL is read from the thread; a caller's context cannot pass them off as a
        scheduled action.
        """
        if request:
            path = request.httprequest.path or ""
        else:
            path = urlsplit(getattr(threading.current_thread(), "url", "") or "").path
        if path:
            return "rpc" if path.startswith(("/xmlrpc", "/jsonrpc", "/json/")) else "web"
        context = self.env.context
        if context.get("ir_cron_progress_id") or context.get("cron_id") or context.get("ecom_cron"):
            return "cron"
        return "system"

    # ------------------------------------------------------------------
    # Verification and anchors
    # ------------------------------------------------------------------

    @api.model
    def verify_chain(self):
        """XML-RPC (Auditors): check the chain and the anchors.

        A missing or stale anchor file is a failure once anchors were published: the anchors end
        before the newest one published (the file was removed, or replaced by an older copy), or
        entries older than ``ecom_audit_anchor_max_age_hours`` (3) are covered by none.

        :returns: ``{'ok': bool, 'first_bad_id': id or False, 'reason': str, 'checked': n,
            'bad_ranges': [{'first_id', 'last_id', 'first_seq', 'last_seq', 'reason'}, ...],
            'warnings': [str, ...]}``: every bad range, the first one also in ``first_bad_id`` and
            ``reason``; the warnings say what could not be checked (anchors not configured, none
            published yet)
        """
        self._check_auditor()
        self._flush_pending()
        key, path = hmac_key(), anchor_path()
        warnings = []
        if not key or not path:
            warnings.append(
                "audit anchors are not configured (ecom_audit_hmac_key, ecom_audit_anchor_path): "
                "a recomputed chain or a removed tail cannot be detected"
            )
        anchors = read_anchors()
        published = self._published_anchor() if path else None
        uncovered_before = None
        if anchors or published:
            uncovered_before = fields.Datetime.now() - anchor_max_age()
        elif path:
            warnings.append(f"no audit anchor has been published to {path} yet")
        result = verify(
            self._chain_rows(), anchors, key, published=published, uncovered_before=uncovered_before
        )
        result["warnings"] = warnings
        return result

    @api.model
    def _published_anchor(self):
        # a system parameter, read for the check only (Auditors have no right on the parameters)
        value = self.env["ir.config_parameter"].sudo().get_param(PUBLISHED_PARAM)
        return json.loads(value) if value else None

    @api.model
    def _action_verify(self):
        """The Auditors' menu entry: verify, and show the result (every bad range) in a dialog."""
        result = self.verify_chain()
        ranges = bad_ranges_text(result)
        message = (
            self.env._("The audit trail is intact: %s entries checked.", result["checked"])
            if result["ok"]
            else self.env._(
                "The audit trail is broken at entry %(id)s: %(reason)s",
                id=result["first_bad_id"],
                reason=ranges.replace("\n", "; "),
            )
        )
        verification = self.env["ecom.audit.verification"].create(
            {
                "ok": result["ok"],
                "checked": result["checked"],
                "message": message,
                "bad_ranges": ranges,
                "warnings": "\n".join(result["warnings"]),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Audit trail"),
            "res_model": verification._name,
            "res_id": verification.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def _check_auditor(self):
        if not self.env.su and not self.env.user.has_group("ecom_audit.group_ecom_auditor"):
            raise AccessError(self.env._("Only Auditors verify the audit trail."))

    def _chain_rows(self):
        cr = self.env.cr
        cr.execute(
            SQL(
                """SELECT id, seq, hash, logged_at, user_uid, login, company_id, origin, model, res_ids,
                          operation, changes
                     FROM ecom_audit_log ORDER BY seq, id"""
            )
        )
        while batch := cr.fetchmany(5000):
            for row in batch:
                yield row[0], row[1], row[2], self._entry((row[1], *row[3:]))

    @api.model
    def _head(self):
        self._flush_pending()
        self.env.cr.execute(SQL("SELECT seq, hash FROM ecom_audit_log ORDER BY seq DESC LIMIT 1"))
        seq, last_hash = self.env.cr.fetchone() or (0, GENESIS)
        self.env.cr.execute(SQL("SELECT count(*) FROM ecom_audit_log"))
        return {"seq": seq, "hash": last_hash, "count": self.env.cr.fetchone()[0]}

    @api.model
    def _cron_publish_anchor(self):
        """Append the signed head of the chain to the anchor file (outside the database)."""
        key, path = hmac_key(), anchor_path()
        if not key or not path:
            _logger.info("audit anchors are not configured (ecom_audit_hmac_key, ecom_audit_anchor_path)")
            return False
        # the failed logins left out of the chain are summed up first, so the anchor covers them
        self.env["res.users"]._ecom_audit_login_summaries()
        # and the refused operations left out
        summarise(self.env, all_windows=True)
        # ``at`` is for the reader, outside the signature (the verifier dates entries, not anchors)
        anchor = {**sign_anchor(self._head(), key), "at": fields.Datetime.to_string(fields.Datetime.now())}
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as sink:
            sink.write(json.dumps(anchor, sort_keys=True) + "\n")
        # the database remembers the newest anchor, so that a file removed or put back older is seen
        # (a system parameter: nobody but the system writes it)
        self.env["ir.config_parameter"].sudo().set_param(
            PUBLISHED_PARAM, json.dumps({"seq": anchor["seq"], "at": anchor["at"]})
        )
        return anchor
