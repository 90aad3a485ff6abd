# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Lockout after repeated failed logins, per source and per login (issue 22, ``ecom_audit.lockout``)."""

import secrets
import xmlrpc.client
from datetime import timedelta

from odoo.exceptions import AccessDenied, AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL, mute_logger

from ..lockout import lock_duration
from .common import make_role_user

AFTER = 3
KNOWN = "192.0.2.10"  # where the victim logs in from
NEW = "192.0.2.99"  # a source the victim never logged in from


@tagged("post_install", "-at_install")
class TestLoginLockout(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("base.login_cooldown_after", AFTER)
        params.set_param("ecom_audit.lockout_window", 15)
        params.set_param("ecom_audit.lockout_duration", 15)
        params.set_param("ecom_audit.lockout_max_login", 60)
        params.set_param("ecom_audit.lockout_max_source", 24 * 60)
        cls.victim = new_test_user(cls.env, login="ecom_lock_victim", groups="base.group_user")
        # an administrator of Settings who is not the superuser, and a Finance Manager who is none
        cls.admin = new_test_user(
            cls.env, login="ecom_lock_admin", groups="base.group_user,base.group_system"
        )
        cls.manager = make_role_user(cls.env, "manager", cls.env.company, login="ecom_lock_manager")
        cls.Log = cls.env["ecom.audit.log"]
        cls.Lock = cls.env["ecom.login.lock"]

    def setUp(self):
        super().setUp()
        self.start = self.env.cr.now().replace(microsecond=0)

    def _login(self, login, password, ip):
        """The uid, or the AccessDenied refusing the attempt (not in assertRaises: Odoo's
        assertRaises rolls back what happened in its block)."""
        try:
            return self.env["res.users"].authenticate(
                self.env.cr.dbname,
                {"type": "password", "login": login, "password": password},
                {"interactive": False, "REMOTE_ADDR": ip},
            )["uid"]
        except AccessDenied as denied:
            return denied

    def _hammer(self, login, ips):
        for ip in ips:
            self.assertIsInstance(self._login(login, "wrong-" + secrets.token_hex(4), ip), AccessDenied)

    def _entries(self, operation):
        self.Log.invalidate_model()
        return self.Log.search([("operation", "=", operation), ("logged_at", ">=", self.start)], order="seq")

    def _lock(self, kind, key):
        self.Lock.invalidate_model()
        return self.Lock.search([("kind", "=", kind), ("key", "=", key)])

    def _assertEndsAfter(self, lock, minutes):
        self.assertAlmostEqual(
            lock.locked_until, self.start + timedelta(minutes=minutes), delta=timedelta(minutes=1)
        )

    def _message(self, outcome):
        self.assertIsInstance(outcome, AccessDenied)
        return outcome.args[0]

    def test_lock_durations_double_up_to_the_cap(self):
        minutes = [lock_duration(n, timedelta(minutes=15), timedelta(hours=24)) for n in (1, 2, 3, 7, 100)]
        self.assertEqual(minutes, [timedelta(minutes=m) for m in (15, 30, 60, 960, 1440)])

    def test_failures_from_a_source_lock_it_for_every_login(self):
        self._hammer("ecom_nobody_" + secrets.token_hex(4), ["203.0.113.5"] * AFTER)
        # the right password from the locked source: refused, with the message of a lock
        refused = self._login(self.victim.login, self.victim.login, "203.0.113.5")
        wrong = self._login(self.victim.login, "wrong", "203.0.113.5")
        self.assertIn("locked", self._message(refused))
        self.assertEqual(self._message(refused), self._message(wrong), "no hint of the password")
        # another source logs in
        self.assertEqual(self._login(self.victim.login, self.victim.login, "203.0.113.6"), self.victim.id)
        # the source is locked (the made-up login it tried too)
        locked = self._entries("account_locked").filtered(lambda entry: entry.changes["scope"] == "source")
        self.assertEqual(len(locked), 1)
        self.assertEqual(locked.changes["ip"], "203.0.113.5")
        self.assertEqual(locked.changes["lockouts"], 1)
        self.assertTrue(self.Log.verify_chain()["ok"])

    def test_an_outsider_hammering_a_login_does_not_keep_its_owner_out(self):
        self.assertEqual(self._login(self.victim.login, self.victim.login, KNOWN), self.victim.id)
        # failures spread over sources (none is locked): the login is
        self._hammer(self.victim.login, [f"198.51.100.{n}" for n in range(AFTER)])
        self.assertTrue(self._lock("login", self.victim.login).locked_until)
        refused = self._login(self.victim.login, self.victim.login, NEW)
        self.assertEqual(self._message(refused), self._message(self._login(self.victim.login, "wrong", NEW)))
        # the outsider goes on: the attempts refused do not lengthen the lock
        until = self._lock("login", self.victim.login).locked_until
        self._hammer(self.victim.login, [f"198.51.100.{n}" for n in range(10, 10 + AFTER)])
        self.assertEqual(self._lock("login", self.victim.login).locked_until, until)
        # and the owner, from where they logged in before, logs in all the same
        self.assertEqual(self._login(self.victim.login, self.victim.login, KNOWN), self.victim.id)
        (locked,) = self._entries("account_locked")
        self.assertEqual(locked.res_ids, str(self.victim.id))
        self.assertEqual(locked.changes["scope"], "login")
        self.assertEqual(locked.changes["failures"], AFTER)
        refusals = self._entries("login_failed").filtered(lambda entry: entry.changes.get("refused"))
        self.assertEqual(len(refusals), AFTER + 2, "the refused attempts are in the trail too")

    def test_the_lock_ends_with_its_time_and_doubles_when_it_starts_again(self):
        self._hammer(self.victim.login, [f"198.51.100.{n}" for n in range(AFTER)])
        lock = self._lock("login", self.victim.login)
        self._assertEndsAfter(lock, 15)
        self.assertEqual(self.victim.sudo().ecom_locked_until, lock.locked_until)
        # a quarter of an hour later (the lock's end moved back, as time would)
        self.env.cr.execute(
            SQL(
                "UPDATE ecom_login_lock SET locked_until = %s, window_start = %s WHERE id = %s",
                self.start - timedelta(seconds=1),
                self.start - timedelta(minutes=16),
                lock.id,
            )
        )
        self.victim.invalidate_recordset(["ecom_locked_until"])
        self.assertFalse(self.victim.sudo().ecom_locked_until)
        self.assertEqual(self._login(self.victim.login, self.victim.login, NEW), self.victim.id)
        # locked again the same day: twice as long, never longer than the cap
        self._hammer(self.victim.login, [f"198.51.100.{n}" for n in range(AFTER)])
        lock = self._lock("login", self.victim.login)
        self.assertEqual(lock.lock_count, 2)
        self._assertEndsAfter(lock, 30)
        self.env.cr.execute(
            SQL(
                "UPDATE ecom_login_lock SET locked_until = %s, lock_count = 9 WHERE id = %s",
                self.start - timedelta(seconds=1),
                lock.id,
            )
        )
        self._hammer(self.victim.login, [f"198.51.100.{n}" for n in range(AFTER)])
        lock = self._lock("login", self.victim.login)
        self.assertEqual(lock.lock_count, 10)
        self._assertEndsAfter(lock, 60)

    def test_an_administrator_unlocks_a_login(self):
        self._hammer(self.victim.login, [f"198.51.100.{n}" for n in range(AFTER)])
        self.assertIsInstance(self._login(self.victim.login, self.victim.login, NEW), AccessDenied)
        victim = self.victim.with_user(self.manager)
        with self.assertRaises(AccessError):
            victim.action_ecom_unlock_login()
        self.assertTrue(self._lock("login", self.victim.login))
        victim = self.victim.with_user(self.admin)
        self.assertTrue(victim.ecom_locked_until)
        victim.action_ecom_unlock_login()
        self.assertFalse(self._lock("login", self.victim.login))
        self.assertFalse(victim.ecom_locked_until)
        self.env.flush_all()
        self.Log._flush_pending()  # what the commit does
        (unlocked,) = self._entries("account_unlocked")
        self.assertEqual(unlocked.user_uid, self.admin.id)
        self.assertEqual(unlocked.res_ids, str(self.victim.id))
        self.assertEqual(unlocked.changes["login"], self.victim.login)
        self.assertEqual(self._login(self.victim.login, self.victim.login, NEW), self.victim.id)

    def test_lock_rows_are_written_by_the_login_only(self):
        with self.assertRaises(AccessError):
            self.Lock.with_user(self.admin).create({"kind": "login", "key": self.victim.login})
        self._hammer(self.victim.login, [f"198.51.100.{n}" for n in range(AFTER)])
        lock = self._lock("login", self.victim.login).with_user(self.admin)
        self.assertTrue(lock.locked_until)  # administrators read it
        with self.assertRaises(AccessError):
            lock.write({"locked_until": False})
        with self.assertRaises(AccessError):
            lock.with_user(self.manager).read(["locked_until"])

    def test_over_xmlrpc_the_address_is_the_connection_s(self):
        """An RPC caller naming the owner's usual address in ``authenticate`` gets nothing from it."""
        self.assertEqual(self._login(self.victim.login, self.victim.login, KNOWN), self.victim.id)
        db = self.env.cr.dbname
        for _n in range(AFTER):
            self.assertFalse(
                self.xmlrpc_common.authenticate(db, self.victim.login, "wrong", {"REMOTE_ADDR": KNOWN})
            )
        self.assertFalse(
            self.xmlrpc_common.authenticate(db, self.victim.login, self.victim.login, {"REMOTE_ADDR": KNOWN})
        )
        failed = self._entries("login_failed")
        self.assertTrue(failed)
        self.assertNotIn(KNOWN, failed.mapped(lambda entry: entry.changes.get("ip")))
        self.assertTrue(self._lock("source", "127.0.0.1").locked_until)
        # the owner, from their usual address, logs in all the same
        self.assertEqual(self._login(self.victim.login, self.victim.login, KNOWN), self.victim.id)

    def _search_over_xmlrpc(self, user, password):
        """The result, or the fault refusing the call (not in assertRaises, as ``_login``)."""
        try:
            with mute_logger("odoo.http"):
                return self.xmlrpc_object.execute_kw(
                    self.env.cr.dbname, user.id, password, "res.partner", "search", [[]], {"limit": 1}
                )
        except xmlrpc.client.Fault as fault:
            return fault

    def test_guesses_over_execute_kw_count_and_a_locked_source_is_refused(self):
        """XML-RPC calls carry their password on every call: guessing there counts too."""
        for _n in range(AFTER):
            wrong = self._search_over_xmlrpc(self.victim, "guess")
            self.assertIsInstance(wrong, xmlrpc.client.Fault)
            self.assertIn("Access Denied", wrong.faultString)
        # the source is locked: the right password is refused too, before it is checked
        refused = self._search_over_xmlrpc(self.victim, self.victim.login)
        self.assertIsInstance(refused, xmlrpc.client.Fault)
        self.assertIn("locked", refused.faultString)
        failed = self._entries("login_failed")
        self.assertEqual(len(failed), AFTER + 1)
        self.assertEqual(set(failed.mapped("login")), {self.victim.login})
        self.assertEqual({entry.changes.get("via") for entry in failed}, {"rpc"})
        self.assertEqual(failed[-1].changes.get("refused"), "locked")
        self.assertTrue(self._lock("source", "127.0.0.1").locked_until)
        self.assertTrue(self.Log.verify_chain()["ok"])
        # another user from another source is not concerned
        self.assertEqual(self._login(self.admin.login, self.admin.login, "192.0.2.77"), self.admin.id)
