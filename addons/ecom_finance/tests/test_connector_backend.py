# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.queue_job.job import Job

from ecomfin.connectors.fake import FakeServer, FakeShop
from ecomfin.connectors.fake.stripe import FakeStripe

from ..pulling import LOCK_CLASS, lock_backend
from .common import EcomShopCase


@tagged("post_install", "-at_install")
class TestConnectorBackend(EcomShopCase):
    """A backend pulling Stripe's balance transactions from the bundled fake server on loopback."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env["res.users"])
        cls.fake_shop = FakeShop(120, seed=7, days=3, today=today, currency="USD")
        cls.server = FakeServer(FakeStripe(cls.fake_shop)).start()
        cls.addClassCleanup(cls.server.stop)
        cls.expected = {
            f"txn_{row['id']}"
            for offset in range(3, 0, -1)
            for row in cls.fake_shop.bill_rows(today - timedelta(days=offset))
        }
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("ecom_finance.connector_backoff", "0.001")
        params.set_param("ecom_finance.connector_attempts", "3")
        cls.shop = cls.env["ecom.shop"].create(
            {
                "name": "Stripe Web Shop",
                "code": "W-STR",
                "company_id": cls.company.id,
                "currency_id": cls.env.ref("base.USD").id,
                "platform": "shopify",
                "payment_channel": "stripe",
                "create_placeholder_products": True,
            }
        )
        cls.env.ref("base.USD").active = True
        cls.backend = (
            cls.env["ecom.connector.backend"]
            .with_user(cls.users["manager"])
            .create(
                {
                    "name": "Stripe",
                    "shop_id": cls.shop.id,
                    "platform": "stripe",
                    "base_url": cls.server.url,
                    "since": today - timedelta(days=3),
                    "rate_limit": 1000,
                    "credentials": json.dumps(FakeStripe.credentials),
                }
            )
        )

    def setUp(self):
        super().setUp()
        self.server.faults.clear()
        self.addCleanup(self.server.faults.clear)

    def _pull(self, role="accountant"):
        return self.env["ecom.connector.backend"].with_user(self.users[role]).pull([self.backend.id])

    def _stored_ids(self):
        lines = self.env["ecom.statement.line"].search([("shop_id", "=", self.shop.id)])
        return lines.mapped("provider_txn_id")

    def test_pull_lands_pages_as_imports_and_again_adds_nothing(self):
        result = self._pull()
        self.assertEqual(result["errors"], [])
        self.assertEqual(result["lines_created"], len(self.expected))
        stored = self._stored_ids()
        self.assertEqual(sorted(stored), sorted(self.expected), "every transaction once")
        statements = self.env["ecom.statement"].browse(result["statement_ids"])
        self.assertEqual(set(statements.mapped("fmt")), {"stripe_balance"})
        self.assertEqual(statements.connector_backend_id, self.backend)
        self.assertEqual(self.backend.statement_count, len(statements))
        cursor = self.backend.cursor_ids
        self.assertEqual(
            (cursor.stream, cursor.lines_created, cursor.last_error), ("balance", len(self.expected), False)
        )
        self.assertEqual(self.backend.health, "ok")

        again = self._pull()
        self.assertEqual(
            (again["lines_created"], again["statement_ids"], again["errors"]),
            (0, [], []),
            "nothing new: nothing made",
        )
        self.assertEqual(self.backend.statement_count, len(statements))
        self.assertEqual(len(self._stored_ids()), len(self.expected))

    def test_rate_limits_server_errors_and_cut_bodies_are_retried(self):
        self.server.faults.add(
            {"kind": "status", "status": 429, "retry_after": 0},
            {"kind": "status", "status": 502},
            {"kind": "truncate", "after": 1},
        )
        result = self._pull()
        self.assertEqual(result["errors"], [])
        self.assertEqual(sorted(self._stored_ids()), sorted(self.expected))
        self.assertFalse(self.server.faults.pending)

    def test_a_pull_cut_half_way_resumes_and_stores_every_line_once(self):
        self.server.faults.add({"kind": "reset", "after": 1, "times": 99})
        cut = self._pull()
        self.assertEqual(len(cut["errors"]), 1)
        self.assertIn("gave up after 3 attempts", cut["errors"][0])
        half = self._stored_ids()
        self.assertTrue(0 < len(half) < len(self.expected), "the first page is kept, the rest is not there")
        self.assertEqual(self.backend.health, "error")
        self.assertIn("gave up", self.backend.last_error)

        self.server.faults.clear()
        resumed = self._pull()
        self.assertEqual(resumed["errors"], [])
        stored = self._stored_ids()
        self.assertEqual(sorted(stored), sorted(self.expected), "every line exactly once")
        self.assertEqual(self.backend.health, "ok")

    def test_a_second_pull_of_the_backend_waits_for_the_first(self):
        lock_backend(self.backend)
        with self.env.registry.cursor() as other:
            other.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", LOCK_CLASS, self.backend.id))
            self.assertFalse(other.fetchone()[0], "the other transaction cannot take the backend")
            other.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", LOCK_CLASS, self.backend.id + 1))
            self.assertTrue(other.fetchone()[0], "another backend is free")

    def test_pull_now_queues_a_job_on_the_platform_channel(self):
        backend = self.backend.with_user(self.users["accountant"])
        backend.action_pull_now()
        self.assertEqual(backend.state, "queued")
        job = self.env["queue.job"].search([("uuid", "=", backend.job_uuid)])
        self.assertEqual(job.channel, "root.ecom.connectors.stripe")
        self.assertEqual(job.user_id, self.users["accountant"])
        Job.load(self.env, job.uuid).perform()  # what the job runner does
        backend.invalidate_recordset()
        self.assertEqual(backend.state, "idle")
        self.assertEqual(sorted(self._stored_ids()), sorted(self.expected))
        self.assertEqual(backend.last_result["lines_created"], len(self.expected))

    def test_each_backend_has_its_own_schedule(self):
        cron = self.backend.sudo().cron_id
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (60, "minutes"))
        self.assertEqual(cron.code, f"model.browse({self.backend.id})._cron_pull()")
        self.assertEqual(self.backend.next_run, cron.nextcall)
        backend = self.backend.with_user(self.users["manager"])
        backend.write({"interval_minutes": 15})
        self.assertEqual(cron.interval_number, 15)
        backend.action_archive()
        self.assertFalse(cron.active)
        backend.action_unarchive()
        # what the cron runs, as its user (the Finance Manager who set the backend up)
        self.assertEqual(cron.user_id, self.users["manager"])
        cron.ir_actions_server_id.with_user(cron.user_id).run()
        self.assertEqual(self.backend.state, "queued", "the schedule queued a pull")
        backend.unlink()
        self.assertFalse(cron.exists())

    def test_a_schedule_set_up_by_the_system_pulls(self):
        # the demo data's backends are made by the superuser: their cron runs as OdooBot
        backend = self.env["ecom.connector.backend"].create(
            {
                "name": "Stripe (system)",
                "shop_id": self.shop.id,
                "platform": "stripe",
                "base_url": self.server.url,
                "since": self.backend.since,
                "rate_limit": 1000,
                "credentials": json.dumps(FakeStripe.credentials),
            }
        )
        cron = backend.cron_id
        self.assertEqual(cron.user_id, self.env.ref("base.user_root"))
        cron.ir_actions_server_id.with_user(cron.user_id).run()
        job = self.env["queue.job"].search([("uuid", "=", backend.job_uuid)])
        Job.load(self.env, job.uuid).perform()
        backend.invalidate_recordset()
        self.assertEqual((backend.state, backend.health), ("idle", "ok"))
        self.assertEqual(sorted(self._stored_ids()), sorted(self.expected))

    def test_a_backend_without_credentials_waits_for_them(self):
        backend = (
            self.env["ecom.connector.backend"]
            .with_user(self.users["manager"])
            .create(
                {
                    "name": "No key yet",
                    "shop_id": self.shop.id,
                    "platform": "stripe",
                    "base_url": self.server.url,
                }
            )
        )
        # its schedule has nothing to pull with: no job, no failure
        backend.cron_id.ir_actions_server_id.with_user(backend.cron_id.user_id).run()
        self.assertEqual((backend.state, backend.job_uuid), ("idle", False))
        # pulled by hand, it says why on the backend, as a platform's refusal is
        result = self.env["ecom.connector.backend"].with_user(self.users["accountant"]).pull(backend.ids)
        self.assertEqual(result["lines_created"], 0)
        self.assertIn("missing credential(s) secret_key", result["errors"][0])
        self.assertEqual(backend.health, "error")
        self.assertIn("secret_key", backend.last_error)

    def test_who_may_pull_configure_and_read_credentials(self):
        Backend = self.env["ecom.connector.backend"]
        for role in ("auditor", "shop_operator", "warehouse_operator"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self._pull(role)
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.backend.with_user(self.users[role]).action_pull_now()
        self.assertEqual(self._stored_ids(), [])
        with self.assertRaises(AccessError):
            Backend.with_user(self.users["accountant"]).create(
                {"name": "x", "shop_id": self.shop.id, "platform": "stripe", "base_url": self.server.url}
            )
        with self.assertRaises(AccessError):
            self.backend.with_user(self.users["accountant"]).write({"base_url": "http://127.0.0.1:1"})
        with self.assertRaises(AccessError):
            self.backend.with_user(self.users["accountant"]).read(["credentials"])
        self.assertTrue(self.backend.with_user(self.users["auditor"]).credentials_set)
        self.assertEqual(
            json.loads(self.backend.with_user(self.users["manager"]).credentials), FakeStripe.credentials
        )
        token = self.backend.sudo().credentials_token
        self.assertNotIn("sk_test_fake", token, "stored encrypted")

    def test_protected_fields_are_refused(self):
        manager = self.users["manager"]
        Backend = self.env["ecom.connector.backend"].with_user(manager)
        base = {"name": "x", "shop_id": self.shop.id, "platform": "stripe", "base_url": self.server.url}
        for values in (
            {"state": "queued"},
            {"cron_id": self.backend.sudo().cron_id.id},
            {"last_result": {"lines_created": 1}},
        ):
            with self.subTest(values=values):
                with self.assertRaises(AccessError):
                    Backend.create({**base, **values})
                with self.assertRaises(AccessError):
                    self.backend.with_user(manager).write(values)
        self._pull()
        cursor = self.backend.cursor_ids.with_user(manager)
        for values in ({"cursor": False}, {"lines_created": 0}, {"last_error": False}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                cursor.write(values)
        with self.assertRaises(AccessError):
            self.env["ecom.connector.cursor"].with_user(manager).create(
                {"backend_id": self.backend.id, "stream": "x"}
            )
        with self.assertRaises(AccessError):
            cursor.with_user(self.users["accountant"]).action_reset()
        cursor.action_reset()
        self.assertFalse(cursor.cursor)
        again = self._pull()
        self.assertEqual(again["lines_created"], 0, "a reset stream adds only what is new")

    def test_credentials_are_checked_when_written(self):
        backend = self.backend.with_user(self.users["manager"])
        with self.assertRaisesRegex(UserError, "not valid JSON"):
            backend.credentials = "{secret"
        with self.assertRaisesRegex(UserError, "miss secret_key"):
            backend.credentials = json.dumps({"other": "x"})
        backend.credentials = json.dumps({"secret_key": "sk_wrong"})
        result = self._pull()
        self.assertEqual(len(result["errors"]), 1)
        self.assertIn("refused the credentials", result["errors"][0])
        self.assertEqual(self.server.api.stats["bad_signatures"] >= 1, True)
