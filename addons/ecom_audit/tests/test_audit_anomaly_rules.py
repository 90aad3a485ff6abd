# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The rules of issue 22 (mass modification, escalation attempts, first use of a newly granted
role) and the alerts' real-time delivery (the scan run at once, a bus notification, an e-mail),
on real entries of the trail. Changes outside the usual shops: ``ecom_finance``'s tests (shops)."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.bus.models.bus import channel_with_db, json_dump

from ..anomaly_settings import LAST_SEQ_PARAM, PARAM_PREFIX
from .common import EcomRolesCase, make_role_user

MONDAY = datetime(2024, 3, 4, 10, 1)  # in the 10:00-10:10 slice (UTC)


def bus_notices(env, partner):
    """The web-client notifications queued on the bus for ``partner`` (as the commit would)."""
    env.cr.precommit.run()
    channel = json_dump(channel_with_db(env.cr.dbname, partner))
    messages = env["bus.bus"].sudo().search([("channel", "=", channel)], order="id").mapped("message")
    return [message for message in messages if '"simple_notification"' in message]


class AnomalyRulesMixin:
    """Settings, a scan of what the test logs only, and entries logged as a user would."""

    def _set_params(self, **values):
        params = self.env["ir.config_parameter"]
        for name, value in values.items():
            params.set_param(PARAM_PREFIX + name, str(value))

    def _start_scan_here(self):
        Log = self.env["ecom.audit.log"]
        Log._flush_pending()
        self.env["ir.config_parameter"].set_param(LAST_SEQ_PARAM, str(Log._head()["seq"]))

    def _scan(self, kind=None, rescan=False):
        """What a commit would do (chain the pending entries), then the scheduled action."""
        if rescan:
            self.env["ir.config_parameter"].set_param(LAST_SEQ_PARAM, "0")
        self.env.flush_all()
        Log = self.env["ecom.audit.log"]
        Log._flush_pending()
        alerts = self.env["ecom.audit.anomaly"]._cron_detect()
        Log._flush_pending()
        return alerts.filtered(lambda alert: alert.kind == kind) if kind else alerts

    def _log_as(self, user, entries, when=None):
        """Entries of ``user`` through the trail's own API (``_append``), at ``when``."""
        # as the audited code logs: the trail as the system, the entries in the user's name
        Log = self.env["ecom.audit.log"].with_user(user).sudo()
        if when is None:
            Log._append(entries)
            return
        with freeze_time(when):
            Log._append(entries)


@tagged("post_install", "-at_install")
class TestAnomalyRules(AnomalyRulesMixin, EcomRolesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.worker = make_role_user(cls.env, "accountant", cls.company, login="ecom_test_rules_worker")
        cls.newcomer = make_role_user(cls.env, "shop_operator", cls.company, login="ecom_test_rules_newcomer")
        cls.auditor = cls.users["auditor"]

    def setUp(self):
        super().setUp()
        self._set_params(
            mass_change_threshold=5,
            mass_change_minutes=10,
            escalation_threshold=3,
            escalation_minutes=15,
            new_role_minutes=60,
        )
        self._start_scan_here()

    # ------------------------------------------------------------------
    # Mass modification
    # ------------------------------------------------------------------

    def _changes(self, operation, ids, when, model="ecom.approval.threshold"):
        entries = (
            [{"model": model, "res_ids": ",".join(map(str, ids)), "operation": operation, "changes": {}}]
            if operation == "unlink"
            else [
                {"model": model, "res_ids": str(res_id), "operation": operation, "changes": {"x": [1, 2]}}
                for res_id in ids
            ]
        )
        self._log_as(self.worker, entries, when)

    def test_mass_change_once_per_window(self):
        # 4 distinct records, one of them written three times: below the threshold of 5
        self._changes("write", [1, 2, 3, 4, 4, 4], MONDAY)
        self._changes("write", [9] * 3, MONDAY, model="ecom.access.grant")
        self.assertFalse(self._scan("mass_change"), "4 records of one model are below 5")
        # a delete of two more records (one entry naming both) in the same slice: 6 records
        self._changes("unlink", [5, 6], MONDAY + timedelta(minutes=3))
        alert = self._scan("mass_change")
        self.assertEqual(len(alert), 1)
        self.assertEqual(
            (alert.login, alert.user_id, alert.company_id), (self.worker.login, self.worker, self.company)
        )
        self.assertEqual((alert.count, alert.threshold), (6, 5))
        self.assertEqual(alert.model_names, "ecom.approval.threshold (6)", "the other model is not counted")
        self.assertEqual(alert.operations, "unlink,write")
        self.assertEqual(
            (alert.window_start, alert.window_end),
            (datetime(2024, 3, 4, 10, 0), datetime(2024, 3, 4, 10, 10)),
        )
        for text in (
            self.worker.login,
            "6 records",
            "10 minutes",
            "ecom.approval.threshold (6)",
            "5 records",
        ):
            self.assertIn(text, alert.details)
        # more changes in the same window, or the same entries again: nothing new
        self._changes("write", [7, 8], MONDAY + timedelta(minutes=5))
        self.assertFalse(self._scan("mass_change"))
        self.assertFalse(self._scan("mass_change", rescan=True))
        # the next window is another alert
        self._changes("write", range(10, 15), MONDAY + timedelta(minutes=10))
        self.assertEqual(self._scan("mass_change").window_start, datetime(2024, 3, 4, 10, 10))
        entries = self.env["ecom.audit.log"].search(alert.action_open_entries()["domain"])
        self.assertEqual(len(entries), 12, "the worker's change entries of the window, every model")

    def test_scheduled_changes_are_no_mass_change(self):
        Log = self.env["ecom.audit.log"].with_user(self.worker).sudo().with_context(ecom_cron=True)
        with freeze_time(MONDAY):
            Log._append(
                [
                    {
                        "model": "ecom.approval.threshold",
                        "res_ids": str(i),
                        "operation": "write",
                        "changes": {},
                    }
                    for i in range(20)
                ]
            )
        self.assertFalse(self._scan("mass_change"))

    # ------------------------------------------------------------------
    # Escalation attempts
    # ------------------------------------------------------------------

    def _denied(self, when, model="ecom.access.grant"):
        self._log_as(
            self.worker,
            [
                {
                    "model": model,
                    "res_ids": "7",
                    "operation": "denied",
                    "changes": {"method": "write", "error": "AccessError"},
                }
            ],
            when,
        )

    def test_escalation_once_per_window(self):
        self._denied(MONDAY)
        self._denied(MONDAY + timedelta(minutes=1), model="ecom.approval.request")
        self.assertFalse(self._scan("escalation"), "2 refusals are below 3")
        self._denied(MONDAY + timedelta(minutes=2))
        alert = self._scan("escalation")
        self.assertEqual(len(alert), 1)
        self.assertEqual(
            (alert.login, alert.user_id, alert.count, alert.threshold), (self.worker.login, self.worker, 3, 3)
        )
        self.assertEqual(alert.model_names, "ecom.access.grant")
        self.assertEqual(alert.operations, "denied")
        self.assertEqual(
            (alert.window_start, alert.window_end),
            (datetime(2024, 3, 4, 10, 0), datetime(2024, 3, 4, 10, 15)),
        )
        for text in (self.worker.login, "refused 3 operations", "15 minutes", "threshold is 3"):
            self.assertIn(text, alert.details)
        self._denied(MONDAY + timedelta(minutes=4))
        self.assertFalse(self._scan("escalation"), "more refusals in the same window raise nothing")
        self.assertFalse(self._scan("escalation", rescan=True))
        entries = self.env["ecom.audit.log"].search(alert.action_open_entries()["domain"])
        self.assertEqual(len(entries), 4)
        self.assertEqual(set(entries.mapped("operation")), {"denied"})

    # ------------------------------------------------------------------
    # First use of a newly granted role
    # ------------------------------------------------------------------

    def _use(self, user, when=None):
        self._log_as(
            user,
            [
                {
                    "model": "ecom.approval.threshold",
                    "res_ids": "1",
                    "operation": "write",
                    "changes": {"x": [1, 2]},
                }
            ],
            when,
        )

    def test_new_role_use_once_per_grant(self):
        manager_group = self.env.ref("ecom_audit.group_ecom_manager")
        self._use(self.newcomer, fields.Datetime.now() - timedelta(minutes=5))
        self.assertFalse(self._scan("new_role_use"), "no role was given")
        # an administrator gives the Finance Manager role: a res.users write of groups_id, logged
        self.newcomer.write({"groups_id": [Command.link(manager_group.id)]})
        self.env.flush_all()
        granted_at = fields.Datetime.now()
        self.assertFalse(self._scan("new_role_use"), "given, not used yet")
        self._use(self.newcomer)
        alert = self._scan("new_role_use")
        self.assertEqual(len(alert), 1)
        self.assertEqual((alert.login, alert.user_id, alert.count), (self.newcomer.login, self.newcomer, 1))
        self.assertLessEqual(abs((alert.window_start - granted_at).total_seconds()), 2)
        self.assertEqual(alert.window_end - alert.window_start, timedelta(minutes=60))
        self.assertIn(manager_group.name, alert.scope)
        self.assertNotIn("Internal User", alert.scope, "only the finance groups are named")
        for text in (self.newcomer.login, manager_group.name, "60 minutes", "ecom.approval.threshold"):
            self.assertIn(text, alert.details)
        self._use(self.newcomer)
        self.assertFalse(self._scan("new_role_use"), "more use after the same grant raises nothing")
        self.assertFalse(self._scan("new_role_use", rescan=True))
        # after the window, use is ordinary
        self._use(self.newcomer, fields.Datetime.now() + timedelta(minutes=61))
        self.assertFalse(self._scan("new_role_use"))

    def test_one_change_of_groups_logged_as_several_entries_is_one_grant(self):
        # Odoo writes the implied groups after the group: two entries, which may be seconds apart
        manager, accountant = (self.env.ref(f"ecom_audit.group_ecom_{g}") for g in ("manager", "accountant"))
        before = sorted(self.newcomer.groups_id.ids)
        start = fields.Datetime.now().replace(microsecond=0)
        admin = self.env.ref("base.user_admin")
        first = sorted({*before, manager.id})
        second = sorted({*first, accountant.id})
        for when, old, new in ((start, before, first), (start + timedelta(seconds=3), first, second)):
            entry = {"model": "res.users", "res_ids": str(self.newcomer.id), "operation": "write"}
            self._log_as(admin, [{**entry, "changes": {"groups_id": [old, new]}}], when)
        self._use(self.newcomer, start + timedelta(seconds=10))
        alert = self._scan("new_role_use")
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.window_start, start)
        self.assertIn(manager.name, alert.scope)
        self.assertIn(accountant.name, alert.scope)

    def test_role_given_through_the_group_counts_too(self):
        self.env.ref("ecom_audit.group_ecom_accountant").write({"users": [Command.link(self.newcomer.id)]})
        self._use(self.newcomer)
        alert = self._scan("new_role_use")
        self.assertEqual(alert.login, self.newcomer.login)
        self.assertIn(self.env.ref("ecom_audit.group_ecom_accountant").name, alert.scope)

    def test_other_groups_and_other_users_are_no_new_role(self):
        self.newcomer.write({"groups_id": [Command.link(self.env.ref("base.group_allow_export").id)]})
        self.worker.write({"groups_id": [Command.link(self.env.ref("ecom_audit.group_ecom_manager").id)]})
        self._use(self.newcomer)
        self.assertFalse(self._scan("new_role_use"), "a group outside finance; another user's role")

    # ------------------------------------------------------------------
    # Real time: the scan at once, the web client and e-mail
    # ------------------------------------------------------------------

    def _triggers(self):
        cron = self.env.ref("ecom_audit.ir_cron_detect_anomalies")
        return self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])

    def test_watched_events_run_the_scan_at_once(self):
        Anomaly = self.env["ecom.audit.anomaly"]
        self._triggers().unlink()
        write = {"model": "ecom.approval.threshold", "res_ids": "1", "operation": "write", "changes": {}}
        self.assertFalse(Anomaly._scan_soon([write]), "one ordinary write waits for the next run")
        self.assertFalse(self._triggers())
        denied = {"model": "ecom.access.grant", "res_ids": "7", "operation": "denied", "changes": {}}
        self.assertTrue(Anomaly._scan_soon([denied]))
        self.assertEqual(len(self._triggers()), 1)
        self.assertLessEqual(self._triggers().call_at, fields.Datetime.now())
        for operation in ("login_failed", "export", "denied"):
            self.assertFalse(
                Anomaly._scan_soon([{**denied, "operation": operation}]), "one trigger per transaction"
            )
        self.assertEqual(len(self._triggers()), 1)
        # another transaction (this one's flag gone) triggers again: the pending trigger may be the
        # run in progress, which read the trail before this event
        self.env.cr.precommit.data.pop("ecom_audit_scan_soon")
        self.assertTrue(Anomaly._scan_soon([{**denied, "operation": "login_failed"}]))
        self.assertEqual(len(self._triggers()), 2)
        # a batch of changes as large as the mass modification threshold
        self._triggers().unlink()
        self.env.cr.precommit.data.pop("ecom_audit_scan_soon")
        self.assertFalse(Anomaly._scan_soon([{**write, "res_ids": "1,2,3,4"}]))
        self.assertTrue(Anomaly._scan_soon([{**write, "res_ids": "1,2,3,4"}, write]))
        self.assertEqual(len(self._triggers()), 1)

    def test_alert_reaches_auditors_in_web_client_and_by_email(self):
        self.auditor.notification_type = "email"
        other_auditor = make_role_user(
            self.env, "auditor", self.other_company, login="ecom_test_rules_other_aud"
        )
        for minute in range(3):
            self._denied(MONDAY + timedelta(minutes=minute))
        alert = self._scan("escalation")
        self.assertEqual(len(alert), 1)
        notices = bus_notices(self.env, self.auditor.partner_id)
        self.assertEqual(len(notices), 1)
        self.assertIn(self.worker.login, notices[0])
        self.assertIn("refused 3 operations", notices[0])
        self.assertFalse(bus_notices(self.env, other_auditor.partner_id), "not the other company's Auditor")
        notification = self.env["mail.notification"].search(
            [
                ("mail_message_id", "in", alert.message_ids.ids),
                ("res_partner_id", "=", self.auditor.partner_id.id),
            ]
        )
        self.assertEqual(
            notification.notification_type, "email", "the Auditor who handles by e-mail gets one"
        )
        self.assertIn(notification.notification_status, ("ready", "sent"), "an e-mail is sent")

    def test_many_alerts_of_one_scan_are_summed_up_in_the_web_client(self):
        for slice_index in range(7):
            self._changes("write", range(5), MONDAY + timedelta(minutes=10 * slice_index))
        alerts = self._scan("mass_change")
        self.assertEqual(len(alerts), 7, "one alert per slice")
        notices = bus_notices(self.env, self.auditor.partner_id)
        self.assertEqual(len(notices), 5 + 1)
        self.assertIn("2 more access alerts", notices[-1])
        self.assertTrue(all(len(alert.message_ids) >= 1 for alert in alerts), "every alert has its message")
