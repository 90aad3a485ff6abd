# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
import xmlrpc.client
from collections import Counter

from odoo import api
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..denied import LIMIT_PARAM, summarise
from .common import make_role_user


@mute_logger("odoo.http")
def call_kw(case, model, method, args, kwargs=None):
    """A web client call (JSON-RPC ``/web/dataset/call_kw``) in the session of ``case``; the
    refusal's WARNING of ``odoo.http`` is muted."""
    response = case.url_open(
        f"/web/dataset/call_kw/{model}/{method}",
        data=json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
            }
        ),
        headers={"Content-Type": "application/json"},
    )
    return response.json()


def denied_entries(env, user, model=None):
    Log = env["ecom.audit.log"]
    Log._flush_pending()
    domain = [("operation", "=", "denied"), ("user_uid", "=", user.id)]
    return Log.search(domain + ([("model", "=", model)] if model else []), order="seq")


@tagged("post_install", "-at_install")
class TestAuditDenied(HttpCase):
    """An operation refused on an audited model is in the trail (operation ``denied``): who,
    which records, which method, and why; chained like every entry; a flood of refusals is
    rate-limited. The calls are real requests of a non-admin user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = make_role_user(cls.env, "shop_operator", cls.env.company, login="ecom_denied_op")
        # Shop Operators have no right on the approval thresholds (an ecom.* model: audited)
        cls.threshold = cls.env["ecom.approval.threshold"].create(
            {"company_id": cls.env.company.id, "operation": "group_grant", "min_value": 1000}
        )

    def test_access_error_is_logged_with_who_what_why(self):
        self.authenticate("ecom_denied_op", "ecom_denied_op")
        reply = call_kw(self, self.threshold._name, "write", [[self.threshold.id], {"min_value": 1}])
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.assertEqual(self.threshold.min_value, 1000)  # the write itself is rolled back
        entry = denied_entries(self.env, self.operator, self.threshold._name)
        self.assertEqual(len(entry), 1)
        self.assertEqual(
            (entry.login, entry.res_ids, entry.origin, entry.changes["method"]),
            ("ecom_denied_op", str(self.threshold.id), "web", "write"),
        )
        # the right refused (the model's rights are checked for reading before writing)
        self.assertIn(entry.changes["operation"], ("read", "write"))
        self.assertIn("Approval Threshold", entry.changes["error"])
        self.assertNotIn("min_value", entry.changes)  # the values asked for are not the point
        self.assertTrue(self.env["ecom.audit.log"].verify_chain()["ok"])

    @mute_logger("odoo.http", "odoo.service.model")
    def test_xmlrpc_refusal_is_logged(self):
        # not assertRaises: it would roll the test's savepoint back, and the entry with it
        try:
            self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                self.operator.id,
                "ecom_denied_op",
                self.threshold._name,
                "unlink",
                [[self.threshold.id]],
            )
        except xmlrpc.client.Fault as fault:
            self.assertEqual(fault.faultCode, 4)  # an AccessError
        else:
            self.fail("the operator deleted a threshold")
        self.assertTrue(self.threshold.exists())
        entry = denied_entries(self.env, self.operator, self.threshold._name)
        self.assertEqual(len(entry), 1)
        self.assertEqual(
            (entry.res_ids, entry.origin, entry.changes["method"]), (str(self.threshold.id), "rpc", "unlink")
        )
        # the password of the call is nowhere in the trail
        self.assertNotIn("ecom_denied_op", json.dumps(entry.changes))

    def test_refusal_on_a_model_not_audited_is_not_logged(self):
        self.authenticate("ecom_denied_op", "ecom_denied_op")
        company = self.env.company
        reply = call_kw(self, "res.company", "write", [[company.id], {"name": "Renamed"}])
        self.assertIn("error", reply)
        self.assertFalse(denied_entries(self.env, self.operator))

    def test_flood_is_rate_limited(self):
        limit = 5
        self.env["ir.config_parameter"].set_param(LIMIT_PARAM, limit)
        self.authenticate("ecom_denied_op", "ecom_denied_op")
        for _ in range(200):
            call_kw(self, self.threshold._name, "write", [[self.threshold.id], {"min_value": 1}])
        one_by_one = denied_entries(self.env, self.operator, self.threshold._name)
        # a flood within a minute (or straddling two): the limit per minute, the rest left out
        minutes = Counter(entry.logged_at.replace(second=0, microsecond=0) for entry in one_by_one)
        self.assertLessEqual(max(minutes.values()), limit)
        self.assertLessEqual(len(one_by_one), limit * len(minutes))
        # the refusals left out are summed up, one entry per minute
        summarise(self.env(user=api.SUPERUSER_ID), all_windows=True)
        entries = denied_entries(self.env, self.operator, self.threshold._name)
        summaries = entries.filtered(lambda entry: entry.changes.get("summary"))
        self.assertEqual(len(summaries), len(minutes))
        self.assertLessEqual(len(entries), (limit + 1) * len(minutes))
        self.assertEqual(len(entries - summaries) + sum(summaries.mapped(lambda e: e.changes["count"])), 200)
        self.assertEqual(
            (summaries[0].changes["method"], summaries[0].res_ids, summaries[0].login),
            ("write", str(self.threshold.id), "ecom_denied_op"),
        )
        self.assertTrue(self.env["ecom.audit.log"].verify_chain()["ok"])
