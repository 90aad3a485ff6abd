# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""A failed, missing or stopped scheduled backup raises an alert for the administrators."""

import json
import tempfile
from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestBackupAlert(TransactionCase):
    def setUp(self):
        super().setUp()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.status = Path(folder.name) / "status.json"
        self.Anomaly = self.env["ecom.audit.anomaly"]

    def write_status(self, **status):
        self.status.write_text(json.dumps(status), encoding="utf-8")

    def configure(self):
        self.env["ir.config_parameter"].set_param("ecom_audit.backup_status_path", str(self.status))

    def test_nothing_without_a_configured_status(self):
        self.env["ir.config_parameter"].set_param("ecom_audit.backup_status_path", False)
        self.assertFalse(self.Anomaly._cron_check_backups())

    def test_a_recent_verified_backup_raises_nothing(self):
        self.configure()
        now = fields.Datetime.now()
        self.write_status(
            ok=True, time=now.isoformat(), last_ok=now.isoformat() + "+00:00", last_ok_file="a.ecb"
        )
        self.assertFalse(self.Anomaly._cron_check_backups())

    def test_a_failed_backup_alerts_the_administrators_once_a_day(self):
        self.configure()
        self.write_status(
            ok=False, time="2026-12-07T02:00:00+00:00", message="restore-verify: bad tag", file="b.ecb"
        )
        alert = self.Anomaly._cron_check_backups()
        self.assertEqual((alert.kind, alert.login), ("backup", "failed"))
        self.assertIn("restore-verify: bad tag", alert.details)
        admin = self.env.ref("base.user_admin")
        notified = alert.message_ids.filtered(lambda message: admin.partner_id in message.partner_ids)
        self.assertTrue(notified, "the administrator was not told")
        # the next hourly check the same day raises no second alert
        self.assertFalse(self.Anomaly._cron_check_backups())

    def test_missing_and_stopped_backups(self):
        self.configure()
        self.assertEqual(self.Anomaly._cron_check_backups().login, "missing")
        self.Anomaly.search([("kind", "=", "backup")]).unlink()
        old = fields.Datetime.now() - timedelta(hours=40)
        self.write_status(ok=True, time="x", last_ok=old.isoformat() + "+00:00", last_ok_file="c.ecb")
        alert = self.Anomaly._cron_check_backups()
        self.assertEqual(alert.login, "stale")
        self.assertIn("older than 26 hours", alert.details)
