# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from ..anomaly_settings import LAST_SEQ_PARAM, PARAM_PREFIX, anomaly_settings
from .common import EcomRolesCase, make_role_user

# Monday 4 March 2024; the users work in Shanghai (UTC+8), 08:00-20:00 Monday to Friday.
MONDAY_NOON_LOCAL = datetime(2024, 3, 4, 4, 0)  # 12:00 in Shanghai
MONDAY_NIGHT_LOCAL = datetime(2024, 3, 4, 14, 30)  # 22:30 in Shanghai
MONDAY_LATE_NIGHT_LOCAL = datetime(2024, 3, 4, 15, 45)  # 23:45 in Shanghai, the same local day
TUESDAY_EARLY_LOCAL = datetime(2024, 3, 4, 17, 0)  # 01:00 on Tuesday in Shanghai: the next window


@tagged("post_install", "-at_install")
class TestAuditAnomaly(EcomRolesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Log = cls.env["ecom.audit.log"]
        cls.Anomaly = cls.env["ecom.audit.anomaly"]
        cls.worker = make_role_user(
            cls.env,
            "accountant",
            cls.company,
            login="ecom_test_night_worker",
            extra_groups=("base.group_allow_export",),
        )
        cls.company.partner_id.tz = "Asia/Shanghai"  # the company's working hours, never the user's own tz
        cls.auditor = cls.users["auditor"]
        cls.other_auditor = make_role_user(
            cls.env, "auditor", cls.other_company, login="ecom_test_other_auditor"
        )
        cls.groups = cls.env["res.groups"].search([], limit=12, order="id")

    def setUp(self):
        super().setUp()
        params = self.env["ir.config_parameter"]
        for name, value in {
            "work_hour_from": "8.0",
            "work_hour_to": "20.0",
            "work_days": "1,2,3,4,5",
            "export_threshold": "5",
            "failed_login_threshold": "5",
            "failed_login_minutes": "15",
        }.items():
            params.set_param(PARAM_PREFIX + name, value)
        # scan only what the test writes
        self.Log._flush_pending()
        params.set_param(LAST_SEQ_PARAM, str(self.Log._head()["seq"]))

    # ------------------------------------------------------------------

    def _export_at(self, when, count):
        with freeze_time(when):
            self.groups[:count].with_user(self.worker).export_data(["name"])

    def _failed_login_at(self, when, login="intruder@example.com"):
        with freeze_time(when):
            self.Log._append(
                [
                    {
                        "model": "res.users",
                        "res_ids": "",
                        "operation": "login_failed",
                        "uid": 0,
                        "login": login,
                        "company_id": False,
                        "changes": {},
                    }
                ]
            )

    def _scan(self, rescan=False):
        """Chain what is pending (the commit would) and run the scheduled action."""
        if rescan:
            self.env["ir.config_parameter"].set_param(LAST_SEQ_PARAM, "0")
        self.Log._flush_pending()
        alerts = self.Anomaly._cron_detect()
        self.Log._flush_pending()
        return alerts

    def _alerts(self, kind, login):
        return self.Anomaly.search([("kind", "=", kind), ("login", "=", login)])

    def _notified(self, alert, user):
        return alert.message_ids.filtered(lambda message: user.partner_id in message.partner_ids)

    # ------------------------------------------------------------------

    def test_off_hours_access_fires_once_per_person_and_day(self):
        login = self.worker.login
        self._export_at(MONDAY_NOON_LOCAL, 1)
        self.assertFalse(self._scan(), "access within working hours raises nothing")
        self._export_at(MONDAY_NIGHT_LOCAL, 1)
        first = self._scan()
        self.assertEqual(first.mapped("kind"), ["off_hours"])
        self.assertEqual((first.login, first.user_id, first.count), (login, self.worker, 1))
        self.assertEqual(first.timezone, "Asia/Shanghai")
        self.assertEqual(first.window_start, datetime(2024, 3, 3, 16, 0))  # Monday 00:00 in Shanghai
        self.assertEqual(first.window_end, datetime(2024, 3, 4, 16, 0))
        self.assertEqual(first.company_id, self.company)

        self.assertFalse(self._scan(), "the same entries again raise nothing")
        self._export_at(MONDAY_LATE_NIGHT_LOCAL, 1)
        self.assertFalse(self._scan(), "more access in the same window raises nothing")
        self.assertFalse(self._scan(rescan=True), "scanning everything again raises nothing")
        self.assertEqual(self._alerts("off_hours", login), first)

        self._export_at(TUESDAY_EARLY_LOCAL, 1)
        second = self._scan()
        self.assertEqual(second.mapped("kind"), ["off_hours"])
        self.assertEqual(second.window_start, datetime(2024, 3, 4, 16, 0))
        self.assertEqual(len(self._alerts("off_hours", login)), 2)
        self.assertEqual(len(self._notified(first, self.auditor)), 1, "one message per alert")

    def test_weekend_and_scheduled_actions(self):
        saturday_noon_local = datetime(2024, 3, 9, 4, 0)
        with freeze_time(saturday_noon_local):
            self.groups[:1].with_user(self.worker).with_context(ecom_cron=True).export_data(["name"])
        self.assertFalse(self._scan(), "scheduled actions are never outside working hours")
        self._export_at(saturday_noon_local, 1)
        self.assertEqual(self._scan().mapped("kind"), ["off_hours"], "Saturday is not a working day")

    def test_large_export_fires_once_per_person_and_day(self):
        login = self.worker.login
        self._export_at(MONDAY_NOON_LOCAL, 5)
        self.assertFalse(self._scan(), "5 records is not above the threshold of 5")
        self._export_at(MONDAY_NOON_LOCAL + timedelta(hours=1), 3)
        alert = self._scan()
        self.assertEqual(alert.mapped("kind"), ["large_export"], "8 records in one day, in two exports")
        self.assertEqual((alert.count, alert.threshold, alert.model_names), (8, 5, "res.groups"))
        self.assertFalse(self._scan())
        self._export_at(MONDAY_NOON_LOCAL + timedelta(hours=2), 10)
        self.assertFalse(self._scan(), "more exports the same day raise nothing")
        self.assertFalse(self._scan(rescan=True))
        self.assertEqual(self._alerts("large_export", login), alert)
        self.assertEqual(len(self._notified(alert, self.auditor)), 1)

    def test_failed_logins_fire_once_per_login_and_window(self):
        start = datetime(2024, 3, 4, 10, 1)
        for minute in range(4):
            self._failed_login_at(start + timedelta(minutes=minute))
        self.assertFalse(self._scan(), "4 failures are below the threshold")
        self._failed_login_at(start + timedelta(minutes=5))
        alert = self._scan()
        self.assertEqual(alert.mapped("kind"), ["failed_logins"])
        self.assertEqual((alert.login, alert.count, alert.user_id.id), ("intruder@example.com", 5, False))
        self.assertEqual(
            (alert.window_start, alert.window_end),
            (datetime(2024, 3, 4, 10, 0), datetime(2024, 3, 4, 10, 15)),
        )
        self.assertFalse(alert.company_id)
        self.assertFalse(self._scan())
        for minute in (6, 7, 8):
            self._failed_login_at(start + timedelta(minutes=minute))
        self.assertFalse(self._scan(), "more failures in the same window raise nothing")
        self.assertFalse(self._scan(rescan=True))
        self.assertEqual(len(self._alerts("failed_logins", "intruder@example.com")), 1)
        self.assertEqual(len(self._notified(alert, self.auditor)), 1)
        self.assertEqual(len(self._notified(alert, self.other_auditor)), 1, "no company: every Auditor")

    def test_failed_logins_across_a_window_boundary(self):
        # 3 failures before 10:15 and 2 after: 5 within 15 minutes, in no single slice
        for when in ("10:12", "10:13", "10:14", "10:16", "10:17"):
            hour, minute = map(int, when.split(":"))
            self._failed_login_at(datetime(2024, 3, 4, hour, minute), login=self.worker.login)
        alert = self._scan()
        self.assertEqual(alert.mapped("kind"), ["failed_logins"])
        self.assertEqual((alert.user_id, alert.company_id), (self.worker, self.company))
        self.assertEqual(len(self._notified(alert, self.auditor)), 1)
        self.assertFalse(self._notified(alert, self.other_auditor), "the other company's Auditor is not told")

    def test_only_auditors_read_alerts_and_review_them(self):
        self._export_at(MONDAY_NIGHT_LOCAL, 1)
        alert = self._scan()
        self.assertEqual(len(alert), 1)
        for role in ("accountant", "manager", "shop_operator", "warehouse_operator"):
            with self.subTest(role=role):
                with self.assertRaises(AccessError):
                    self.Anomaly.with_user(self.users[role]).search([])
                with self.assertRaises(AccessError):
                    alert.with_user(self.users[role]).read(["kind"])
                with self.assertRaises(AccessError):
                    alert.with_user(self.users[role]).action_mark_reviewed()
        # another company's Auditor does not see it
        self.assertFalse(self.Anomaly.with_user(self.other_auditor).search([("id", "=", alert.id)]))
        with self.assertRaises(AccessError):
            alert.with_user(self.other_auditor).action_mark_reviewed()
        # the company's Auditor reads it, changes nothing of it, and reviews it
        as_auditor = alert.with_user(self.auditor)
        self.assertEqual(as_auditor.read(["kind"])[0]["kind"], "off_hours")
        with self.assertRaises(AccessError):
            as_auditor.write({"count": 0})
        with self.assertRaises(AccessError):
            as_auditor.unlink()
        entries = self.Log.with_user(self.auditor).search(as_auditor.action_open_entries()["domain"])
        self.assertEqual(
            (entries.mapped("user_uid"), entries.mapped("operation")), ([self.worker.id], ["export"])
        )
        as_auditor.message_post(body="Looked at it with the user's manager.")
        as_auditor.action_mark_reviewed()
        self.assertEqual((alert.state, alert.reviewed_uid), ("reviewed", self.auditor))
        self.Log._flush_pending()
        review = self.Log.search(
            [
                ("model", "=", "ecom.audit.anomaly"),
                ("res_ids", "=", str(alert.id)),
                ("operation", "=", "write"),
            ]
        )
        self.assertEqual(review.user_uid, self.auditor.id, "the review is in the audit trail")

    def test_settings_are_for_finance_managers_and_logged(self):
        Settings = self.env["ecom.audit.anomaly.settings"]
        for role in ("accountant", "auditor"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                Settings.with_user(self.users[role]).create({}).action_save()
        form = Form(Settings.with_user(self.users["manager"]))
        self.assertEqual((form.work_hour_from, form.work_hour_to, form.export_threshold), (8.0, 20.0, 5))
        self.assertTrue(form.work_friday)
        self.assertFalse(form.work_saturday)
        form.work_hour_to = 18.5
        form.work_saturday = True
        form.export_threshold = 2000
        form.save().action_save()
        params = self.env["ir.config_parameter"]
        self.assertEqual(params.get_param(PARAM_PREFIX + "work_hour_to"), "18.5")
        self.assertEqual(params.get_param(PARAM_PREFIX + "work_days"), "1,2,3,4,5,6")
        self.Log._flush_pending()
        entry = self.Log.search([("model", "=", "ir.config_parameter")], order="seq desc", limit=1)
        self.assertEqual(entry.user_uid, self.users["manager"].id)
        self.assertEqual(entry.changes[PARAM_PREFIX + "export_threshold"], ["5", "2000"])
        settings = anomaly_settings(self.env)
        self.assertEqual((settings["export_threshold"], settings["work_hour_to"]), (2000, 18.5))
        self.assertEqual(settings["work_days"], [1, 2, 3, 4, 5, 6])
        params.set_param(PARAM_PREFIX + "failed_login_minutes", "not a number")
        self.assertEqual(anomaly_settings(self.env)["failed_login_minutes"], 15, "unreadable: the default")
        with self.assertRaises(ValidationError):
            Settings.with_user(self.users["manager"]).create(
                {"work_hour_from": 20, "work_hour_to": 8, "work_monday": True}
            )
