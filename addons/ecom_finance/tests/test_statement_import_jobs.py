# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
import uuid

from psycopg2.errors import LockNotAvailable

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_audit.tests.common import make_role_user
from odoo.addons.queue_job.job import Job

from .common import EcomShopCase
from .test_statement_import import alipay_file, b64, row


@tagged("post_install", "-at_install")
class TestImportWizard(EcomShopCase):
    def _wizard(self, data, name="alipay.csv"):
        accountant = self.users["accountant"]
        attachment = self.env["ir.attachment"].with_user(accountant).create({"name": name, "raw": data})
        return (
            self.env["ecom.statement.import.wizard"]
            .with_user(accountant)
            .create({"shop_id": self.shop_own.id, "attachment_ids": [(6, 0, attachment.ids)]})
        )

    def test_preview_then_import(self):
        wizard = self._wizard(alipay_file([row(1), row(2), row(3, "交易退款", "30.00")]))
        wizard.action_preview()
        self.assertEqual(wizard.state, "preview")
        self.assertIn("T3", wizard.preview)
        self.assertIn("refund", wizard.preview)
        self.assertIn("-30.00", wizard.preview)  # totals per type, before anything is written
        self.assertFalse(self.env["ecom.statement"].search([("shop_id", "=", self.shop_own.id)]))
        action = wizard.action_import()
        self.assertIn("3 new lines", action["params"]["message"])
        statement = self.env["ecom.statement"].browse(action["params"]["next"]["res_id"])
        self.assertEqual((statement.state, statement.line_count), ("done", 3))
        # the same file again: said so, nothing added (it said nothing)
        again = self._wizard(alipay_file([row(1), row(2), row(3, "交易退款", "30.00")])).action_import()
        self.assertIn("already imported", again["params"]["message"])
        self.assertEqual(again["params"]["next"]["res_id"], statement.id)

    def test_preview_reports_bad_files(self):
        wizard = self._wizard(alipay_file([row(1)], income="5.00"))
        with self.assertRaisesRegex(UserError, "alipay.csv"):
            wizard.action_preview()

    def test_preview_escapes_what_the_file_says(self):
        evil = alipay_file(
            [
                (
                    "20240301200040010000000000000001",
                    "<script>alert(1)</script>",
                    "2024-03-01 10:15:22",
                    "1.00",
                    "0.00",
                    "在线支付",
                )
            ]
        )
        wizard = self._wizard(evil)
        wizard.action_preview()
        self.assertNotIn("<script>", wizard.preview)

    def test_large_file_is_imported_by_a_job_with_progress(self):
        self.env["ir.config_parameter"].set_param("ecom_finance.import_async_bytes", "100")
        wizard = self._wizard(alipay_file([row(n) for n in range(1, 11)]))
        wizard.action_preview()
        self.assertIn("background", wizard.preview)
        action = wizard.action_import()
        self.assertIn("background", action["params"]["message"])
        statement = self.env["ecom.statement"].browse(action["params"]["next"]["res_id"])
        self.assertEqual(statement.state, "queued")
        self.assertFalse(statement.line_ids)
        job = self.env["queue.job"].search([("uuid", "=", statement.job_uuid)])
        self.assertEqual((job.state, job.method_name), ("pending", "_job_import"))
        # its own channel, retries spaced out, and the job's button opens the import
        self.assertEqual(job.channel, "root.ecom.imports")
        self.assertEqual(job.job_function_id._parse_retry_pattern(), {1: 10, 3: 60, 5: 300})
        action = job.open_related_action()
        self.assertEqual((action["res_model"], action["res_id"]), ("ecom.statement", statement.id))
        Job.load(self.env, job.uuid).perform()  # what the job runner does
        statement.invalidate_recordset()
        self.assertEqual((statement.state, statement.line_count, statement.progress), ("done", 10, 100.0))
        self.assertEqual(statement.fmt, "alipay")


@tagged("post_install", "-at_install")
class TestParallelImports(TransactionCase):
    """Two sessions importing one file at once leave exactly one import (database constraint).

    Two real database sessions: the first imports and has not committed yet; the second,
    importing the same file, waits on the unique index of the first one's statement
    (until its lock timeout here). Once the first commits, the second finds the import.
    """

    def test_parallel_imports_of_one_file_leave_one_statement(self):
        code = f"PAR-{uuid.uuid4().hex[:8]}"
        with self.registry.cursor() as cr:
            shop_id = (
                api.Environment(cr, SUPERUSER_ID, {})["ecom.shop"].create({"name": code, "code": code}).id
            )
        data = b64(alipay_file([row(1), row(2)]))
        first_cr, second_cr = self.registry.cursor(), self.registry.cursor()
        try:
            first = api.Environment(first_cr, SUPERUSER_ID, {})["ecom.statement"]
            second = api.Environment(second_cr, SUPERUSER_ID, {})["ecom.statement"]
            created = first.import_file(shop_id, "same.csv", data)
            self.assertEqual(created["lines_created"], 2)

            second_cr.execute("SET lock_timeout = '500ms'")
            with mute_logger("odoo.sql_db"), self.assertRaises(LockNotAvailable):
                second.import_file(shop_id, "same.csv", data)
            second_cr.rollback()

            first_cr.commit()
            again = second.import_file(shop_id, "same.csv", data)
            self.assertTrue(again["already_imported"])
            self.assertEqual(again["statement_id"], created["statement_id"])
            second_cr.execute("SELECT count(*) FROM ecom_statement WHERE shop_id = %s", [shop_id])
            self.assertEqual(second_cr.fetchone()[0], 1)
            second_cr.execute("SELECT count(*) FROM ecom_statement_line WHERE shop_id = %s", [shop_id])
            self.assertEqual(second_cr.fetchone()[0], 2)
        finally:
            first_cr.rollback()
            second_cr.rollback()
            first_cr.close()
            second_cr.close()
            with self.registry.cursor() as cr:
                cr.execute("DELETE FROM ecom_statement WHERE shop_id = %s", [shop_id])
                cr.execute("DELETE FROM ecom_shop WHERE id = %s", [shop_id])


@tagged("post_install", "-at_install")
class TestImportOverXmlRpc(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = make_role_user(cls.env, "accountant", cls.env.company, login="ecom_rpc_accountant")
        cls.shop = cls.env["ecom.shop"].create({"name": "RPC shop", "code": "RPC1"})

    def test_import_file_over_xmlrpc(self):
        db, login = self.env.cr.dbname, self.accountant.login
        uid = self.xmlrpc_common.authenticate(db, login, login, {})
        self.assertEqual(uid, self.accountant.id)
        data = b64(alipay_file([row(1), row(2), row(3, "交易退款", "30.00")]))
        result = self.xmlrpc_object.execute_kw(
            db, uid, login, "ecom.statement", "import_file", [self.shop.id, "alipay.csv", data]
        )
        self.assertEqual(result["fmt"], "alipay")
        self.assertEqual((result["lines_created"], result["lines_skipped"]), (3, 0))
        self.assertEqual(result["totals"], {"refund": "-30.00", "sale": "200.00"})
        again = self.xmlrpc_object.execute_kw(
            db, uid, login, "ecom.statement", "import_file", [self.shop.id, "alipay.csv", data]
        )
        self.assertTrue(again["already_imported"])
        with mute_logger("odoo.http"):
            with self.assertRaises(Exception) as info:
                self.xmlrpc_object.execute_kw(
                    db,
                    uid,
                    login,
                    "ecom.statement",
                    "import_file",
                    [self.shop.id, "bad.csv", b64(alipay_file([row(9)], income="1.00"))],
                )
        self.assertIn("bad.csv", str(info.exception))


@tagged("post_install", "-at_install")
class TestPartnerApiOverXmlRpc(HttpCase):
    """A partner's API user pushes files for its own shop and reads their state; nothing else."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner_user = new_test_user(
            cls.env, login="ecom_rpc_partner", groups="base.group_portal,ecom_audit.group_ecom_partner_api"
        )
        cls.shop = cls.env["ecom.shop"].create(
            {
                "name": "Partner shop",
                "code": "PAPI",
                # the key of an Alipay partner pushes Alipay bills (ecom.statement._check_import_format)
                "payment_channel": "alipay",
                "api_user_ids": [(4, cls.partner_user.id)],
            }
        )
        cls.other_shop = cls.env["ecom.shop"].create({"name": "Someone else's shop", "code": "PAPI2"})

    def _call(self, model, method, *args):
        db, login = self.env.cr.dbname, self.partner_user.login
        uid = self.xmlrpc_common.authenticate(db, login, login, {})
        return self.xmlrpc_object.execute_kw(db, uid, login, model, method, list(args))

    def test_partner_pushes_and_reads_its_own_imports_only(self):
        data = b64(alipay_file([row(1), row(2)]))
        result = self._call("ecom.statement", "import_file", self.shop.id, "partner.csv", data)
        self.assertEqual(result["lines_created"], 2)
        statements = self._call(
            "ecom.statement", "search_read", [], ["name", "state", "lines_created", "shop_id"]
        )
        self.assertEqual([s["id"] for s in statements], [result["statement_id"]])
        self.assertEqual(statements[0]["state"], "done")
        with mute_logger("odoo.http"):
            for model, method, args in (
                (
                    "ecom.statement",
                    "import_file",
                    (self.other_shop.id, "other.csv", b64(alipay_file([row(3)]))),
                ),
                ("ecom.statement", "post_entries", ([result["statement_id"]],)),
                ("ecom.statement.line", "search_read", ([], ["gross"])),
                ("ecom.order", "search_read", ([], ["name"])),
                ("ecom.shop", "write", ([self.shop.id], {"name": "hijacked"})),
                ("ecom.statement", "read", ([result["statement_id"]], ["posting_state"])),
            ):
                with self.subTest(method=method, model=model), self.assertRaises(Exception) as info:
                    self._call(model, method, *args)
                self.assertEqual(info.exception.faultCode, 4, str(info.exception))  # AccessError
        self.assertEqual(self.shop.name, "Partner shop")
        self.assertFalse(self.env["ecom.statement"].search([("shop_id", "=", self.other_shop.id)]))


@tagged("post_install", "-at_install")
class TestFailedImportJob(EcomShopCase):
    """A background import whose job failed says why on the import and offers Retry."""

    def _queued(self):
        self.env["ir.config_parameter"].set_param("ecom_finance.import_async_bytes", "100")
        accountant = self.users["accountant"]
        return (
            self.env["ecom.statement"]
            .with_user(accountant)
            ._enqueue_import(self.shop_own, "late.csv", alipay_file([row(n) for n in range(1, 6)]))
        )

    def test_failed_job_is_shown_and_retried(self):
        statement = self._queued()
        self.assertEqual(
            (statement.job_state, statement.job_stuck, statement.progress), ("pending", False, 0.0)
        )
        self.assertEqual(statement.progress_text, "Waiting for the job runner.")
        job = self.env["queue.job"].search([("uuid", "=", statement.job_uuid)])
        job.write({"state": "failed", "exc_message": "late.csv, line 7: the amount is not a number"})
        statement.invalidate_recordset()
        self.assertTrue(statement.job_stuck)
        self.assertIn("line 7", statement.job_error)
        for role in ("auditor", "warehouse_operator"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                statement.with_user(self.users[role]).action_retry_job()
        statement.action_retry_job()
        self.assertEqual(job.state, "pending")
        Job.load(self.env, job.uuid).perform()
        statement.invalidate_recordset()
        self.assertEqual((statement.state, statement.line_count, statement.job_stuck), ("done", 5, False))

    def test_progress_counts_rows(self):
        statement = self._queued()
        statement._job_progress(500, 2000)
        statement.invalidate_recordset()
        # committed by its own transaction: this test's transaction does not see it (its snapshot
        # is older), as a job's own transaction would not; the form reads it in a new one
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT done, total FROM ecom_job_progress WHERE res_model = %s AND res_id = %s",
                ["ecom.statement", statement.id],
            )
            self.assertEqual(cr.fetchone(), (500, 2000))
            # and pushed to the record's job channel at the same commit (test_live_progress)
            cr.execute("SELECT id, channel, message FROM bus_bus ORDER BY id DESC LIMIT 1")
            bus_id, channel, message = cr.fetchone()
            self.assertEqual(json.loads(channel), [cr.dbname, "ecom.statement", statement.id, "ecom_job"])
            message = json.loads(message)
            self.assertEqual((message["type"], message["payload"]["done"]), ("ecom_job/progress", 500))
            cr.execute("DELETE FROM ecom_job_progress WHERE res_id = %s", [statement.id])
            cr.execute("DELETE FROM bus_bus WHERE id = %s", [bus_id])
