# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo import http
from odoo.tests import HttpCase, tagged

from .common import EcomRolesCase, make_role_user

# What a caller may put in the context hoping to skip the trail, or to pass for a scheduled
# action (whose entries are never access outside working hours).
SKIP_FLAGS = {
    "tracking_disable": True,
    "mail_notrack": True,
    "ecom_audit_skip": True,
    "install_mode": True,
    "ecom_cron": True,
    "cron_id": 1,
    "ir_cron_progress_id": 1,
}


@tagged("post_install", "-at_install")
class TestAuditExport(EcomRolesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Log = cls.env["ecom.audit.log"]
        cls.exporter = make_role_user(
            cls.env,
            "accountant",
            cls.company,
            login="ecom_test_exporter",
            extra_groups=("base.group_allow_export",),
        )
        cls.groups = cls.env["res.groups"].search([], limit=3, order="id")

    def _exports(self, model):
        self.Log._flush_pending()  # what the commit does
        return self.Log.search([("operation", "=", "export"), ("model", "=", model)], order="seq")

    def test_export_is_logged_with_records_and_fields(self):
        before = self._exports("res.groups")
        rows = self.groups.with_user(self.exporter).export_data(["name", "category_id/name"])["datas"]
        self.assertEqual(len(rows), 3)
        entry = self._exports("res.groups") - before
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.user_uid, self.exporter.id)
        self.assertEqual(entry.res_ids, ",".join(map(str, self.groups.ids)))
        self.assertEqual(entry.changes, {"fields": ["name", "category_id/name"], "count": 3})
        self.assertNotIn(self.groups[0].name, json.dumps(entry.changes), "values are never logged")
        self.assertTrue(entry.hash.startswith("v1$"))

    def test_context_flags_do_not_skip_the_export_entry(self):
        before = self._exports("res.groups")
        self.groups.with_user(self.exporter).with_context(**SKIP_FLAGS).export_data(["name"])
        self.assertEqual(len(self._exports("res.groups") - before), 1)

    def test_exports_of_the_trail_are_logged_too(self):
        auditor = make_role_user(
            self.env,
            "auditor",
            self.company,
            login="ecom_test_exporting_auditor",
            extra_groups=("base.group_allow_export",),
        )
        entries = self.Log.with_user(auditor).search([], limit=2)
        self.assertTrue(entries)
        before = self._exports("ecom.audit.log")
        entries.export_data(["seq", "hash"])
        entry = self._exports("ecom.audit.log") - before
        self.assertEqual((len(entry), entry.user_uid), (1, auditor.id))

    def test_exports_of_models_outside_the_audit_are_not_logged(self):
        before = self._exports("res.country")
        self.env["res.country"].search([], limit=2).with_user(self.exporter).export_data(["name"])
        self.assertEqual(self._exports("res.country"), before)


@tagged("post_install", "-at_install")
class TestAuditExportOverRpc(HttpCase):
    """The web client's export and RPC calls, with skip flags in the context, are logged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = make_role_user(
            cls.env,
            "accountant",
            cls.env.company,
            login="ecom_test_rpc_exporter",
            extra_groups=("base.group_allow_export",),
        )
        cls.groups = cls.env["res.groups"].search([], limit=2, order="id")

    def _exports(self):
        Log = self.env["ecom.audit.log"]
        Log.invalidate_model()
        Log._flush_pending()
        return Log.search(
            [("operation", "=", "export"), ("model", "=", "res.groups"), ("user_uid", "=", self.user.id)]
        )

    def test_xmlrpc_export_with_skip_flags_is_logged(self):
        login = self.user.login
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, login, {})
        rows = self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            uid,
            login,
            "res.groups",
            "export_data",
            [self.groups.ids, ["name"]],
            {"context": SKIP_FLAGS},
        )
        self.assertEqual(len(rows["datas"]), 2)
        entries = self._exports()
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries.origin, "rpc")
        self.assertEqual(entries.changes["count"], 2)

    def test_json_rpc_export_with_skip_flags_is_logged(self):
        self.authenticate(self.user.login, self.user.login)
        self.make_jsonrpc_request(
            "/web/dataset/call_kw/res.groups/export_data",
            {
                "model": "res.groups",
                "method": "export_data",
                "args": [self.groups.ids, ["name"]],
                "kwargs": {"context": SKIP_FLAGS},
            },
        )
        entries = self._exports()
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries.origin, "web")

    def test_web_client_csv_export_with_skip_flags_is_logged(self):
        self.authenticate(self.user.login, self.user.login)
        response = self.url_open(
            "/web/export/csv",
            data={
                "data": json.dumps(
                    {
                        "model": "res.groups",
                        "fields": [{"name": "name", "label": "Name"}],
                        "ids": self.groups.ids,
                        "domain": [],
                        "groupby": [],
                        "import_compat": False,
                        "context": SKIP_FLAGS,
                    }
                ),
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        entries = self._exports()
        self.assertEqual(len(entries), 1)
        self.assertEqual((entries.origin, entries.changes["fields"]), ("web", ["name"]))
