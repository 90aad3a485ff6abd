# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Weaknesses of the audit trail found in issue 13: numbers jsonb re-encodes, every bad range,
the company of an entry, missing or stale anchor files."""

import json
import tempfile
from pathlib import Path

from odoo.tests import new_test_user, tagged
from odoo.tools import config

from .common import EcomRolesCase, make_role_user

KEY = "test-anchor-key-not-in-the-database"


@tagged("post_install", "-at_install")
class TestAuditIntegrity(EcomRolesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Log = cls.env["ecom.audit.log"]
        cls.anchor_dir = tempfile.TemporaryDirectory()
        cls.anchor_file = Path(cls.anchor_dir.name) / "anchors.jsonl"
        cls.saved = {
            k: config.get(k)
            for k in ("ecom_audit_hmac_key", "ecom_audit_anchor_path", "ecom_audit_anchor_max_age_hours")
        }
        config["ecom_audit_hmac_key"] = KEY
        config["ecom_audit_anchor_path"] = str(cls.anchor_file)
        cls.auditor = cls.users["auditor"]
        cls.other_auditor = make_role_user(cls.env, "auditor", cls.other_company, login="ecom_test_auditor_b")
        # an administrator working in both companies, the first one active
        cls.admin = new_test_user(
            cls.env,
            login="ecom_test_multi_admin",
            groups="base.group_user,base.group_system",
            company_id=cls.company.id,
            company_ids=[cls.company.id, cls.other_company.id],
        )

    @classmethod
    def tearDownClass(cls):
        for key, value in cls.saved.items():
            config[key] = value
        cls.anchor_dir.cleanup()
        super().tearDownClass()

    def _verify(self):
        return self.Log.with_user(self.auditor).verify_chain()

    def _newest(self, n=1):
        self.Log._flush_pending()  # what the commit does
        return self.Log.search([], order="seq desc", limit=n)

    def _tamper(self, sql, params):
        cr = self.env.cr
        cr.execute("ALTER TABLE ecom_audit_log DISABLE TRIGGER ecom_audit_log_append_only")
        cr.execute(sql, params)
        cr.execute("ALTER TABLE ecom_audit_log ENABLE TRIGGER ecom_audit_log_append_only")
        self.Log.invalidate_model()

    # ------------------------------------------------------------------
    # Numbers
    # ------------------------------------------------------------------

    def test_large_and_tiny_floats_keep_the_chain_intact(self):
        threshold = self.env["ecom.approval.threshold"].create({"operation": "scrap"})
        for value in (1e20, 1e-7, 0.1 + 0.2, -0.0, 1.2345678901234567e30, 12.5):
            threshold.write({"min_quantity": value})
        # and values no audited field holds today, straight into the trail
        self.Log._append(
            [
                {
                    "model": "ecom.approval.threshold",
                    "res_ids": str(threshold.id),
                    "operation": "write",
                    "changes": {"x": [2**80, float("nan")], "y": [float("inf"), float("-inf")]},
                }
            ]
        )
        newest = self._newest()
        self.assertEqual(newest.changes, {"x": [2**80, "NaN"], "y": ["Infinity", "-Infinity"]})
        result = self._verify()
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["bad_ranges"], [])

    def test_every_bad_range_is_reported(self):
        threshold = self.env["ecom.approval.threshold"].create({"operation": "scrap"})
        for quantity in range(1, 7):
            threshold.write({"min_quantity": quantity})
        entries = self._newest(6).sorted("seq")
        self.env.cr.execute("SAVEPOINT tamper")
        try:
            self._tamper(
                "UPDATE ecom_audit_log SET login = 'mallory' WHERE id IN %s",
                [(entries[1].id, entries[2].id, entries[4].id)],
            )
            result = self._verify()
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT tamper")
            self.Log.invalidate_model()
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_bad_id"], entries[1].id)
        self.assertEqual(
            [(r["first_id"], r["last_id"]) for r in result["bad_ranges"]],
            [(entries[1].id, entries[2].id), (entries[4].id, entries[4].id)],
        )
        self.assertIn("hash mismatch", result["bad_ranges"][1]["reason"])
        # the Auditors' notification names every range
        self.env.cr.execute("SAVEPOINT tamper")
        try:
            self._tamper("UPDATE ecom_audit_log SET login = 'mallory' WHERE id IN %s", [(entries[4].id,)])
            action = self.Log.with_user(self.auditor)._action_verify()
            verification = self.env[action["res_model"]].browse(action["res_id"])
            ok, message, ranges = verification.ok, verification.message, verification.bad_ranges
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT tamper")
            self.Log.invalidate_model()
        self.assertFalse(ok)
        self.assertIn(str(entries[4].seq), message)
        self.assertIn(str(entries[4].seq), ranges)

    # ------------------------------------------------------------------
    # Company of an entry
    # ------------------------------------------------------------------

    def test_entry_carries_the_company_of_the_record(self):
        Threshold = self.env["ecom.approval.threshold"]
        theirs = Threshold.create({"operation": "refund", "company_id": self.other_company.id})
        ours = Threshold.create({"operation": "refund", "company_id": self.company.id})
        admin_env = Threshold.with_user(self.admin).with_context(
            allowed_company_ids=[self.company.id, self.other_company.id]
        )
        self.assertEqual(admin_env.env.company, self.company)
        (admin_env.browse(theirs.id) | admin_env.browse(ours.id)).write({"two_levels_above": 500})
        # lowered: needs no approval (deleting a threshold does)
        admin_env.browse([theirs.id, ours.id]).write({"two_levels_above": 400})
        self.Log._flush_pending()
        found = self.Log.with_user(self.other_auditor).search(
            [("model", "=", "ecom.approval.threshold"), ("login", "=", self.admin.login)]
        )
        self.assertEqual(
            sorted((e.operation, e.res_ids) for e in found),
            [("write", str(theirs.id)), ("write", str(theirs.id))],
        )
        self.assertEqual(found.company_id, self.other_company)
        mine = self.Log.with_user(self.auditor).search(
            [("model", "=", "ecom.approval.threshold"), ("login", "=", self.admin.login)]
        )
        self.assertEqual(sorted(mine.mapped("res_ids")), sorted([str(ours.id)] * 2))
        self.assertTrue(self._verify()["ok"])

    def test_entry_of_a_model_without_company_keeps_the_author_company(self):
        group = self.env.ref("base.group_partner_manager")
        group.with_user(self.admin).with_context(
            allowed_company_ids=[self.other_company.id, self.company.id]
        ).write({"users": [(4, self.users["shop_operator"].id)]})
        self.assertEqual(self._newest().company_id, self.other_company)

    # ------------------------------------------------------------------
    # Anchors
    # ------------------------------------------------------------------

    def test_missing_anchor_file_is_reported(self):
        self.env["ecom.approval.threshold"].create({"operation": "scrap"})
        self.Log._cron_publish_anchor()
        self.assertTrue(self._verify()["ok"])
        self.anchor_file.unlink()
        result = self._verify()
        self.assertFalse(result["ok"])
        self.assertIn("missing or stale", result["reason"])

    def test_stale_anchor_file_is_reported(self):
        self.env["ecom.approval.threshold"].create({"operation": "scrap"})
        self.Log._cron_publish_anchor()
        old = self.anchor_file.read_text()
        self.env["ecom.approval.threshold"].create({"operation": "refund"})
        newest = self.Log._cron_publish_anchor()
        self.assertTrue(self._verify()["ok"])
        self.anchor_file.write_text(old)  # an older copy of the file put back
        result = self._verify()
        self.assertFalse(result["ok"])
        self.assertIn(f"sequence {newest['seq']}", result["reason"])
        self.assertIn("stale", result["reason"])

    def test_unconfigured_anchors_are_reported(self):
        config["ecom_audit_anchor_path"] = None
        try:
            result = self._verify()
        finally:
            config["ecom_audit_anchor_path"] = str(self.anchor_file)
        self.assertTrue(result["ok"], result)
        self.assertTrue(any("not configured" in warning for warning in result["warnings"]), result)

    def test_anchor_records_its_time(self):
        anchor = self.Log._cron_publish_anchor()
        self.assertTrue(anchor["at"])
        self.assertEqual(json.loads(self.anchor_file.read_text().splitlines()[-1])["seq"], anchor["seq"])
