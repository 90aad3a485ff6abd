# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Where the access alerts read their facts from: the time zone of the working hours (never the
user's own) and large reads over RPC (a scraper's ``search_read`` is an export by another name)."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..anomaly_settings import LAST_SEQ_PARAM, PARAM_PREFIX, READ_LOG_MIN_ROWS
from .common import EcomRolesCase, make_role_user

# Monday 4 March 2024, 22:30 in Shanghai: 09:30 in New York, office hours there.
MONDAY_NIGHT_SHANGHAI = datetime(2024, 3, 4, 14, 30)


class AnomalySourcesMixin:
    def _set_params(self, **values):
        params = self.env["ir.config_parameter"]
        defaults = {
            "work_hour_from": "8.0",
            "work_hour_to": "20.0",
            "work_days": "1,2,3,4,5",
            "export_threshold": "1000000",
            "read_threshold": "1000000",
        }
        for name, value in {**defaults, **values}.items():
            params.set_param(PARAM_PREFIX + name, value)

    def _start_scan_here(self):
        Log = self.env["ecom.audit.log"]
        Log._flush_pending()
        self.env["ir.config_parameter"].set_param(LAST_SEQ_PARAM, str(Log._head()["seq"]))

    def _scan(self):
        """What a commit would do (write the pending changes, chain the entries), then the scan."""
        self.env.flush_all()
        Log = self.env["ecom.audit.log"]
        Log._flush_pending()
        alerts = self.env["ecom.audit.anomaly"]._cron_detect()
        Log._flush_pending()
        return alerts


@tagged("post_install", "-at_install")
class TestAnomalyTimeZone(AnomalySourcesMixin, EcomRolesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Asia/Shanghai"
        cls.worker = make_role_user(
            cls.env,
            "accountant",
            cls.company,
            login="ecom_test_tz_worker",
            extra_groups=("base.group_allow_export",),
        )
        cls.groups = cls.env["res.groups"].search([], limit=3, order="id")

    def setUp(self):
        super().setUp()
        self._set_params()
        self.env["ir.config_parameter"].set_param(PARAM_PREFIX + "timezone", False)
        self._start_scan_here()

    def _night_export(self):
        with freeze_time(MONDAY_NIGHT_SHANGHAI):
            self.groups.with_user(self.worker).export_data(["name"])

    def test_own_time_zone_does_not_hide_night_work(self):
        # the user moves their own time zone (Preferences) to where 22:30 is office hours
        self.worker.with_user(self.worker).write({"tz": "America/New_York"})
        self.assertEqual(self.worker.tz, "America/New_York")
        self._night_export()
        alerts = self._scan().filtered(lambda alert: alert.kind == "off_hours")
        self.assertEqual(alerts.login, self.worker.login, "22:30 in the company's time zone is off hours")
        self.assertEqual(alerts.timezone, "Asia/Shanghai")

    def test_settings_time_zone_comes_first(self):
        self.worker.with_user(self.worker).write({"tz": "Asia/Shanghai"})
        # the Finance Managers' setting: 14:30 in London is office hours
        self.env["ir.config_parameter"].set_param(PARAM_PREFIX + "timezone", "Europe/London")
        self._night_export()
        self.assertFalse(self._scan().filtered(lambda alert: alert.kind == "off_hours"))

    def test_settings_form_sets_the_time_zone(self):
        manager = self.users["manager"]
        wizard = (
            self.env["ecom.audit.anomaly.settings"]
            .with_user(manager)
            .create(
                {
                    "work_hour_from": 8.0,
                    "work_hour_to": 20.0,
                    "work_monday": True,
                    "export_threshold": 1000,
                    "read_threshold": 5000,
                    "failed_login_threshold": 5,
                    "failed_login_minutes": 15,
                    "timezone": "Europe/Paris",
                }
            )
        )
        wizard.action_save()
        get = self.env["ir.config_parameter"].get_param
        self.assertEqual(get(PARAM_PREFIX + "timezone"), "Europe/Paris")
        self.assertEqual(get(PARAM_PREFIX + "read_threshold"), "5000")


@tagged("post_install", "-at_install")
class TestAnomalyLargeReads(AnomalySourcesMixin, HttpCase):
    """A real XML-RPC ``search_read`` and ``read`` of the audit trail by an Auditor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reader = make_role_user(cls.env, "auditor", cls.env.company, login="ecom_test_bulk_reader")
        cls.key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.reader)
            ._generate("rpc", "scraper", fields.Datetime.now() + timedelta(days=1))
        )
        # enough entries to read more than READ_LOG_MIN_ROWS at once
        Log = cls.env["ecom.audit.log"]
        Log._append(
            [
                {"model": "res.partner", "res_ids": "", "operation": "write", "changes": {"n": index}}
                for index in range(READ_LOG_MIN_ROWS + 200)
            ]
        )
        Log._flush_pending()

    def setUp(self):
        super().setUp()
        self._set_params(read_threshold=str(READ_LOG_MIN_ROWS + 500))
        self._start_scan_here()

    def _rpc(self, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, self.reader.id, self.key, "ecom.audit.log", method, list(args), kwargs
        )

    def _read_entries(self):
        self.env["ecom.audit.log"].invalidate_model()
        return self.env["ecom.audit.log"].search(
            [("login", "=", self.reader.login), ("operation", "=", "export")], order="seq"
        )

    def test_large_reads_over_rpc_raise_one_alert_per_day(self):
        rows = self._rpc("search_read", [], fields=["seq"], limit=READ_LOG_MIN_ROWS + 100)
        self.assertEqual(len(rows), READ_LOG_MIN_ROWS + 100)
        entries = self._read_entries()
        self.assertEqual(len(entries), 1, "one entry for one large read")
        self.assertEqual(entries.changes["method"], "search_read")
        self.assertEqual(entries.changes["count"], READ_LOG_MIN_ROWS + 100)
        self.assertEqual(entries.origin, "rpc")
        self.assertFalse(
            self._scan().filtered(lambda alert: alert.kind == "large_read"), "below the threshold"
        )

        # small reads are not logged
        self._rpc("search_read", [], fields=["seq"], limit=10)
        self.assertEqual(len(self._read_entries()), 1)

        # a plain read of many ids crosses the day's threshold
        ids = [row["id"] for row in rows]
        self._rpc("read", ids, fields=["seq"])
        self.assertEqual(self._read_entries()[-1].changes["method"], "read")
        alerts = self._scan().filtered(lambda alert: alert.kind == "large_read")
        self.assertEqual(alerts.login, self.reader.login)
        self.assertEqual(alerts.count, 2 * (READ_LOG_MIN_ROWS + 100))
        self.assertEqual(alerts.model_names, "ecom.audit.log")
        self.assertIn("read over RPC", alerts.details)
        # no export alert for reads, and more reads the same day raise nothing new
        self.assertFalse(
            self.env["ecom.audit.anomaly"].search(
                [("kind", "=", "large_export"), ("login", "=", self.reader.login)]
            )
        )
        self._rpc("search_read", [], fields=["seq"], limit=READ_LOG_MIN_ROWS + 100)
        self.assertFalse(self._scan().filtered(lambda alert: alert.kind == "large_read"))
