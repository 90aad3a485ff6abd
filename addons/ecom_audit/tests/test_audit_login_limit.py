# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Failed logins: what an unauthenticated caller adds to the trail is bounded (issue 13)."""

import secrets

from odoo.exceptions import AccessDenied
from odoo.tests import HttpCase, tagged

LIMIT = 3


@tagged("post_install", "-at_install")
class TestAuditLoginLimit(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("ecom_audit.failed_login_log_limit", LIMIT)
        cls.Log = cls.env["ecom.audit.log"]

    def setUp(self):
        super().setUp()
        self.start = self.env.cr.now().replace(microsecond=0)

    def _fail(self, login, ip):
        # not in assertRaises: Odoo's assertRaises rolls back what happened in its block
        denied = False
        try:
            self.env["res.users"].authenticate(
                self.env.cr.dbname,
                {"type": "password", "login": login, "password": "wrong"},
                {"interactive": False, "REMOTE_ADDR": ip},
            )
        except AccessDenied:
            denied = True
        self.assertTrue(denied)

    def _failed(self, domain=()):
        self.Log.invalidate_model()
        return self.Log.search([("operation", "=", "login_failed"), *domain], order="seq")

    def _summarise(self):
        self.env["res.users"]._ecom_audit_login_summaries(all_windows=True)
        self.Log._flush_pending()  # what the commit does

    def _per_minute(self, entries):
        minutes = {}
        for entry in entries:
            minute = entry.logged_at.replace(second=0)
            minutes[minute] = minutes.get(minute, 0) + 1
        return minutes

    def test_failed_logins_of_one_login_are_limited_and_summed_up(self):
        login = "ecom_nobody_" + secrets.token_hex(4)
        for n in range(10):
            self._fail(login, f"198.51.100.{n}")
        individual = self._failed([("login", "=", login)])
        self.assertTrue(individual)
        self.assertLessEqual(max(self._per_minute(individual).values()), LIMIT)
        self.assertEqual(individual[0].changes.get("ip"), "198.51.100.0")
        # once the minute is over, the attempts left out are chained in one summary entry
        self._summarise()
        summaries = self._failed().filtered(lambda e: e.changes.get("summary"))
        counted = sum(s.changes["logins"].get(login, 0) for s in summaries)
        self.assertEqual(len(individual) + counted, 10)
        self.assertLessEqual(len(summaries), 2, "one summary per minute")
        verified = self.Log.verify_chain()
        self.assertTrue(verified["ok"], verified)

    def test_attempts_on_a_real_account_are_not_pushed_out_by_a_flood(self):
        user = self.env["res.users"].search([("login", "=", "admin")], limit=1)
        for _n in range(2 * LIMIT):
            self._fail("ecom_nobody_" + secrets.token_hex(4), "203.0.113.77")
        self._fail(user.login, "203.0.113.77")
        self.assertEqual(len(self._failed([("login", "=", user.login), ("logged_at", ">=", self.start)])), 1)

    def test_failed_logins_from_one_address_are_limited(self):
        for _n in range(8):
            self._fail("ecom_nobody_" + secrets.token_hex(4), "203.0.113.9")
        individual = self._failed().filtered(lambda e: e.changes.get("ip") == "203.0.113.9")
        self.assertLessEqual(max(self._per_minute(individual).values()), LIMIT)
        self._summarise()
        summaries = self._failed().filtered(lambda e: e.changes.get("summary"))
        counted = sum(s.changes["sources"].get("203.0.113.9", 0) for s in summaries)
        self.assertEqual(len(individual) + counted, 8)

    def test_over_long_login_still_leaves_an_entry(self):
        login = secrets.token_hex(20_000)  # 40,000 characters that do not compress
        self._fail(login, "192.0.2.1")
        entries = self._failed([("login", "=like", login[:64] + "%")])
        self.assertEqual(len(entries), 1)
        self.assertLess(len(entries.login), 100)
        self.assertIn("40000", entries.login)
        verified = self.Log.verify_chain()
        self.assertTrue(verified["ok"], verified)
