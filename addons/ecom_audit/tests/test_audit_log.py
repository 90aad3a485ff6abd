# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
import re
import tempfile
from pathlib import Path

from psycopg2 import errors

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import SQL, config, mute_logger

from ecomfin.hashchain import entry_hash, verify

from .common import EcomRolesCase

KEY = "test-anchor-key-not-in-the-database"


@tagged("post_install", "-at_install")
class TestAuditLog(EcomRolesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Log = cls.env["ecom.audit.log"]
        cls.anchor_dir = tempfile.TemporaryDirectory()
        cls.anchor_file = Path(cls.anchor_dir.name) / "anchors.jsonl"
        cls.saved = {k: config.get(k) for k in ("ecom_audit_hmac_key", "ecom_audit_anchor_path")}
        config["ecom_audit_hmac_key"] = KEY
        config["ecom_audit_anchor_path"] = str(cls.anchor_file)

    @classmethod
    def tearDownClass(cls):
        for key, value in cls.saved.items():
            config[key] = value
        cls.anchor_dir.cleanup()
        super().tearDownClass()

    def _last(self, n=1):
        self.Log._flush_pending()  # what the commit would do
        return self.Log.search([], order="seq desc", limit=n)

    def _count(self):
        self.Log._flush_pending()
        return self.Log.search_count([])

    def _grant(self, user, xmlid, **context):
        group = self.env.ref(xmlid)
        user.with_context(**context).write({"groups_id": [(4, group.id)]})
        return group

    def test_group_change_is_logged_with_old_and_new(self):
        user = self.users["shop_operator"]
        seq = self._last().seq
        group = self._grant(user, "ecom_audit.group_ecom_auditor")
        self.Log._flush_pending()  # what the commit does
        entries = self.Log.search(
            [("seq", ">", seq), ("model", "=", "res.users"), ("res_ids", "=", str(user.id))]
        )
        granted = [
            e
            for e in entries
            if group.id in e.changes["groups_id"][1] and group.id not in e.changes["groups_id"][0]
        ]
        self.assertEqual(len(granted), 1, entries.mapped("changes"))
        entry = granted[0]
        self.assertEqual(entry.operation, "write")
        self.assertEqual(entry.login, self.env.user.login)
        self.assertTrue(entry.hash.startswith("v1$"))

    def test_rolled_back_change_leaves_no_entry(self):
        before = self._count()
        with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint():
            self._grant(self.users["accountant"], "ecom_audit.group_ecom_auditor")
            raise ZeroDivisionError("the change fails after being made")
        self.assertEqual(self._count(), before)
        self._grant(self.users["accountant"], "ecom_audit.group_ecom_auditor")
        self.assertEqual(self._count(), before + 1)

    def test_undone_non_flushing_savepoint_takes_exactly_its_entries(self):
        Threshold = self.env["ecom.approval.threshold"]
        before = self._count()
        kept = Threshold.create({"operation": "scrap", "min_value": 10})  # before the savepoint
        savepoint = self.env.cr.savepoint(flush=False)
        Threshold.create({"operation": "refund"})
        self.env.cr.flush()  # chained inside the savepoint: the rollback undoes the chaining too
        Threshold.create({"operation": "write_off"})
        savepoint.close(rollback=True)
        self.env.invalidate_all()
        entries = self._last(self._count() - before)
        self.assertEqual(entries.mapped("res_ids"), [str(kept.id)])
        self.assertEqual(entries.operation, "create")
        # load() (RPC imports, the web client's import test run) rolls a failed import back whole
        with mute_logger("odoo.sql_db"):
            result = Threshold.load(
                ["operation", "min_value"], [["manual_entry", "1"], ["no_such_operation", "2"]]
            )
        self.assertTrue(result["messages"])
        self.assertFalse(Threshold.search([("operation", "=", "manual_entry")]))
        self.assertEqual(self._count(), before + 1)
        # the chain goes on unbroken (anchors of other tests aside)
        verified = verify(self.Log._chain_rows(), [], None)
        self.assertTrue(verified["ok"], verified)

    def test_context_flags_do_not_skip_the_log(self):
        before = self._count()
        self._grant(
            self.users["accountant"],
            "ecom_audit.group_ecom_auditor",
            tracking_disable=True,
            mail_notrack=True,
            ecom_audit_skip=True,
            install_mode=True,
        )
        self.assertEqual(self._count(), before + 1)

    def test_database_refuses_update_delete_truncate(self):
        self._grant(self.users["accountant"], "ecom_audit.group_ecom_auditor")
        entry = self._last()
        for statement in (
            "UPDATE ecom_audit_log SET login = 'someone else' WHERE id = %s",
            "DELETE FROM ecom_audit_log WHERE id = %s",
            "TRUNCATE ecom_audit_log",
        ):
            with self.subTest(statement=statement.split()[0]):
                with mute_logger("odoo.sql_db"), self.assertRaises(errors.InsufficientPrivilege):
                    with self.env.cr.savepoint():
                        self.env.cr.execute(statement, [entry.id] if "%s" in statement else None)
        with self.assertRaises(AccessError):
            entry.with_user(self.users["auditor"]).write({"login": "x"})
        with self.assertRaises(AccessError):
            entry.with_user(self.users["auditor"]).unlink()

    def _tamper(self, sql, params=None):
        """Do what an attacker with the table owner's rights could: switch the guard off."""
        cr = self.env.cr
        cr.execute("ALTER TABLE ecom_audit_log DISABLE TRIGGER ecom_audit_log_append_only")
        cr.execute(sql, params)
        cr.execute("ALTER TABLE ecom_audit_log ENABLE TRIGGER ecom_audit_log_append_only")
        self.Log.invalidate_model()

    def _verify_after(self, sql, params=None):
        cr = self.env.cr
        cr.execute("SAVEPOINT tamper")
        try:
            self._tamper(sql, params)
            return self.Log.with_user(self.users["auditor"]).verify_chain()
        finally:
            cr.execute("ROLLBACK TO SAVEPOINT tamper")
            self.Log.invalidate_model()

    def test_tampering_is_detected_and_the_first_bad_entry_named(self):
        for xmlid in (
            "ecom_audit.group_ecom_auditor",
            "ecom_audit.group_ecom_manager",
            "base.group_partner_manager",
        ):
            self._grant(self.users["shop_operator"], xmlid)
        last3 = self._last(3)  # newest first
        newest, middle, oldest = last3
        intact = self.Log.with_user(self.users["auditor"]).verify_chain()
        self.assertTrue(intact["ok"], intact)
        self.assertGreaterEqual(intact["checked"], 3)

        edited = self._verify_after("UPDATE ecom_audit_log SET login = 'mallory' WHERE id = %s", [middle.id])
        self.assertEqual((edited["ok"], edited["first_bad_id"]), (False, middle.id))

        deleted = self._verify_after("DELETE FROM ecom_audit_log WHERE id = %s", [middle.id])
        self.assertEqual((deleted["ok"], deleted["first_bad_id"]), (False, newest.id))
        self.assertIn("missing", deleted["reason"])

        swapped = self._verify_after(
            """UPDATE ecom_audit_log SET seq = -seq WHERE id IN (%(a)s, %(b)s);
               UPDATE ecom_audit_log SET seq = CASE id WHEN %(a)s THEN %(sb)s ELSE %(sa)s END
                WHERE id IN (%(a)s, %(b)s)""",
            {"a": oldest.id, "b": middle.id, "sa": oldest.seq, "sb": middle.seq},
        )
        self.assertFalse(swapped["ok"])
        self.assertIn(swapped["first_bad_id"], (oldest.id, middle.id))

        anchor = self.Log._cron_publish_anchor()
        self.assertEqual(anchor["seq"], newest.seq)
        self.assertEqual(json.loads(self.anchor_file.read_text().splitlines()[-1])["hash"], newest.hash)

        truncated = self._verify_after("DELETE FROM ecom_audit_log WHERE seq >= %s", [middle.seq])
        self.assertEqual((truncated["ok"], truncated["first_bad_id"]), (False, oldest.id))
        self.assertIn("tail", truncated["reason"])

        # edit the middle entry and recompute every hash after it: only the anchor can tell
        entry = self.Log._entry(
            (
                middle.seq,
                middle.logged_at,
                middle.user_uid,
                "mallory",
                middle.company_id.id,
                middle.origin,
                middle.model,
                middle.res_ids,
                middle.operation,
                middle.changes,
            )
        )
        middle_hash = entry_hash(oldest.hash, entry)
        newest_entry = self.Log._entry(
            (
                newest.seq,
                newest.logged_at,
                newest.user_uid,
                newest.login,
                newest.company_id.id,
                newest.origin,
                newest.model,
                newest.res_ids,
                newest.operation,
                newest.changes,
            )
        )
        recomputed = self._verify_after(
            """UPDATE ecom_audit_log SET login = CASE WHEN id = %(m)s THEN 'mallory' ELSE login END,
                      hash = CASE WHEN id = %(m)s THEN %(mh)s ELSE %(nh)s END
                WHERE id IN (%(m)s, %(n)s)""",
            {"m": middle.id, "n": newest.id, "mh": middle_hash, "nh": entry_hash(middle_hash, newest_entry)},
        )
        self.assertEqual((recomputed["ok"], recomputed["first_bad_id"]), (False, newest.id))
        self.assertIn("recomputed", recomputed["reason"])

    def test_only_auditors_verify_and_read_the_trail(self):
        for role in ("accountant", "manager", "shop_operator", "warehouse_operator"):
            with self.subTest(role=role):
                with self.assertRaises(AccessError):
                    self.Log.with_user(self.users[role]).verify_chain()
                with self.assertRaises(AccessError):
                    self.Log.with_user(self.users[role]).search([])
        action = self.Log.with_user(self.users["auditor"])._action_verify()
        verification = self.env[action["res_model"]].browse(action["res_id"])
        self.assertTrue(verification.ok)
        self.assertIn("intact", verification.message)


@tagged("post_install", "-at_install")
class TestAuditTrailScreens(EcomRolesCase):
    """The Auditor's Audit Trail list and form load (a method ``_origin`` on the model shadowed
    Odoo's ``BaseModel._origin`` and the web client's read crashed with a server error)."""

    def test_auditor_opens_the_trail_list_and_an_entry(self):
        auditor = self.users["auditor"]
        self.env.flush_all()
        self.env["ecom.audit.log"]._flush_pending()  # what the commit does
        Log = self.env["ecom.audit.log"].with_user(auditor)
        self.assertEqual(Log.new({})._origin._name, Log._name)  # the ORM's _origin, not a method of ours
        views = Log.get_views([(False, "list"), (False, "form")])["views"]

        def shown(view):
            return {name: {} for name in re.findall(r'<field name="([^"]+)"', views[view]["arch"])}

        fields = shown("list")
        page = Log.web_search_read([], fields, limit=80)
        self.assertTrue(page["records"])
        record = Log.browse(page["records"][0]["id"]).web_read(shown("form"))
        self.assertEqual(record[0]["id"], page["records"][0]["id"])


@tagged("post_install", "-at_install")
class TestAuditLogCompany(EcomRolesCase):
    def test_an_entry_keeps_its_company_without_a_foreign_key(self):
        """The trail files each entry under its company itself: the database checks no foreign key
        (row by row at each commit), and an entry outlives the company it was filed under."""
        [[constraints]] = self.env.execute_query(
            SQL(
                """SELECT count(*) FROM pg_constraint
                    WHERE conrelid = 'ecom_audit_log'::regclass AND contype = 'f'"""
            )
        )
        self.assertEqual(constraints, 0)
        field = self.env["ecom.audit.log"]._fields["company_id"]
        self.assertEqual((field.type, field.comodel_name), ("many2one", "res.company"))
        # a grant of the main company asked for while working in the second one: filed under
        # the record's company, not the author's
        grant = (
            self.env["ecom.access.grant"]
            .with_company(self.other_company)
            .create(
                {
                    "user_id": self.users["shop_operator"].id,
                    "group_id": self.env.ref("ecom_audit.group_ecom_auditor").id,
                    "reason": "Filed under its company",
                    "company_id": self.company.id,
                }
            )
        )
        self.env["ecom.audit.log"]._flush_pending()
        entry = self.env["ecom.audit.log"].search(
            [("model", "=", grant._name), ("res_ids", "=", str(grant.id)), ("operation", "=", "create")]
        )
        self.assertEqual(entry.company_id, self.company)
