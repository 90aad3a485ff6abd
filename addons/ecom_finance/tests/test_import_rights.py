# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Who may import what, decided from the file's content; an import's changes to orders are audited;
files and zip archives are read within a size cap."""

import io
import zipfile

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import EcomShopCase
from .test_statement_import import FIXTURES, alipay_file, b64, row

ORDERS_HEAD = (
    "order_ref,order_time,paid_time,status,currency,amount_paid,refund_amount,sku,quantity,unit_price,"
    "buyer_name,buyer_phone,address\n"
)


def orders_file(*orders):
    """A canonical orders CSV: ``orders`` are (order ref, status, refund amount)."""
    return (
        ORDERS_HEAD
        + "".join(
            f"{ref},2024-03-01 10:00:00,2024-03-01 10:01:00,{status},CNY,130.00,{refund},SKU-R,1,130.00,,,\n"
            for ref, status, refund in orders
        )
    ).encode()


def zipped(name, data):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


class ImportCase(EcomShopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.EUR").active = True
        cls.env.ref("base.CNY").active = True
        cls.partner = new_test_user(
            cls.env, login="ecom_rights_partner", groups="base.group_portal,ecom_audit.group_ecom_partner_api"
        )
        cls.shop_own.api_user_ids = cls.partner
        cls.product = cls.env["product.product"].create(
            {"name": "Rights product", "default_code": "SKU-R", "type": "consu", "is_storable": True}
        )
        cls.camt = (FIXTURES / "camt053_balanced.xml").read_bytes()
        cls.profile = cls.env["ecom.bank.csv.profile"].create(
            {
                "name": "ICBC",
                "date_column": "交易日期",
                "date_format": "%Y-%m-%d",
                "debit_column": "借方发生额",
                "credit_column": "贷方发生额",
                "balance_column": "余额",
                "reference_column": "交易流水号",
                "counterparty_column": "对方户名",
                "memo_column": "摘要",
                "currency_id": cls.env.ref("base.CNY").id,
                "footer_prefixes": "合计",
            }
        )
        cls.shop_own.bank_csv_profile_id = cls.profile

    def _import(self, user, data, filename, fmt=False, shop=None):
        shop = shop or self.shop_own
        return self.env["ecom.statement"].with_user(user).import_file(shop.id, filename, b64(data), fmt)

    def _written(self):
        return (
            self.env["ecom.statement"].search_count([]),
            self.env["ecom.statement.line"].search_count([]),
            self.env["ecom.order"].search_count([]),
        )

    def assertRefused(self, user, data, filename, fmt=False, message=None, shop=None):
        """The import is an AccessError (naming ``message``) and writes nothing."""
        before = self._written()
        with self.assertRaises(AccessError) as info:
            self._import(user, data, filename, fmt, shop=shop)
        if message:
            self.assertIn(message, str(info.exception))
        self.assertEqual(self._written(), before)
        return info.exception


@tagged("post_install", "-at_install")
class TestWhoImportsWhat(ImportCase):
    """Bank statements: accounting roles. Channel bills: also the shop's operators and its Partner
    API users, for the shop's own payment channel. Order exports: never over the Partner API."""

    def test_partner_api_imports_its_channel_bills(self):
        result = self._import(self.partner, alipay_file([row(1), row(2)]), "alipay.csv")
        self.assertEqual((result["fmt"], result["lines_created"]), ("alipay", 2))

    def test_partner_api_never_imports_a_bank_statement(self):
        error = self.assertRefused(self.partner, self.camt, "payout.xml", message="CAMT.053")
        self.assertIn("Accountants and Finance Managers", str(error))
        # the format is read from the content: a name, a zip or a format code change nothing
        self.assertRefused(self.partner, self.camt, "alipay.csv", message="CAMT.053")
        self.assertRefused(self.partner, zipped("bill.csv", self.camt), "alipay.zip", message="CAMT.053")
        with self.assertRaises(UserError):
            self._import(self.partner, self.camt, "alipay.csv", "alipay")  # not an Alipay file
        bank_csv = (FIXTURES / "bank_icbc_gbk.csv").read_bytes()
        self.assertRefused(self.partner, bank_csv, "icbc.csv", "bank_csv", message="Bank statement CSV")

    def test_partner_api_never_imports_another_channel_bill(self):
        wechat = (FIXTURES / "wechat_trade_all.csv").read_bytes()
        self.assertRefused(self.partner, wechat, "wechat.csv", message="WeChat Pay trade bill")
        # its own channel on a shop it is not listed on: the shop is refused
        self.assertRefused(self.partner, alipay_file([row(3)]), "a.csv", shop=self.shop_colleague)

    def test_partner_api_never_imports_an_order_export(self):
        self._import(self.users["accountant"], orders_file(("R1", "completed", "0.00")), "o1.csv")
        order = self.env["ecom.order"].search([("shop_id", "=", self.shop_own.id), ("name", "=", "R1")])
        cancel = orders_file(("R1", "cancelled", "130.00"))
        self.assertRefused(self.partner, cancel, "orders.csv", message="Platform orders")
        self.assertRefused(self.partner, cancel, "orders.csv", "orders_csv", message="Platform orders")
        self.assertRefused(self.partner, orders_file(("R2", "paid", "0.00")), "new.csv", message="orders")
        self.assertEqual((order.status, order.refund_amount), ("completed", 0.0))

    def test_a_known_bank_file_is_no_answer_to_the_partner_api(self):
        self._import(self.users["accountant"], self.camt, "camt.xml")
        self.assertRefused(self.partner, self.camt, "camt.xml", message="CAMT.053")

    def test_shop_operator_imports_bills_and_orders_never_bank_statements(self):
        operator = self.users["shop_operator"]
        self.assertEqual(self._import(operator, alipay_file([row(1)]), "a.csv")["lines_created"], 1)
        self.assertEqual(
            self._import(operator, orders_file(("R3", "paid", "0.00")), "o.csv")["fmt"], "orders_csv"
        )
        self.assertRefused(operator, self.camt, "camt.xml", message="CAMT.053")
        bank_csv = (FIXTURES / "bank_icbc_gbk.csv").read_bytes()
        self.assertRefused(operator, bank_csv, "icbc.csv", "bank_csv", message="Bank statement CSV")
        wechat = (FIXTURES / "wechat_trade_all.csv").read_bytes()
        self.assertRefused(operator, wechat, "wechat.csv", message="WeChat Pay trade bill")

    def test_accounting_roles_import_bank_statements(self):
        for role, shop in (("accountant", self.shop_own), ("manager", self.shop_colleague)):
            with self.subTest(role=role):
                result = self._import(self.users[role], self.camt, f"camt-{role}.xml", shop=shop)
                self.assertEqual(result["fmt"], "camt053")
                self.env["ecom.statement"].browse(result["statement_id"]).sudo().unlink()

    def _wizard(self, user, data, name):
        attachment = self.env["ir.attachment"].with_user(user).create({"name": name, "raw": data})
        return (
            self.env["ecom.statement.import.wizard"]
            .with_user(user)
            .create({"shop_id": self.shop_own.id, "attachment_ids": [(6, 0, attachment.ids)]})
        )

    def test_the_import_form_opens_for_a_shop_operator(self):
        """The form's defaults from the shop leave out its bank CSV profile, which is accounting
        setup (bank statements are imported by accounting roles)."""
        form = Form(self.env["ecom.statement.import.wizard"].with_user(self.users["shop_operator"]))
        form.shop_id = self.shop_own
        self.assertEqual(form.order_profile, "tmall")
        self.assertFalse(form.bank_csv_profile_id)
        form = Form(self.env["ecom.statement.import.wizard"].with_user(self.users["accountant"]))
        form.shop_id = self.shop_own
        self.assertEqual(form.bank_csv_profile_id, self.profile)

    def test_the_wizard_and_background_imports_refuse_too(self):
        operator = self.users["shop_operator"]
        before = self._written()
        with self.assertRaisesRegex(AccessError, "CAMT.053"):
            self._wizard(operator, self.camt, "camt.xml").action_preview()
        with self.assertRaisesRegex(AccessError, "CAMT.053"):
            self._wizard(operator, self.camt, "camt.xml").action_import()
        self.env["ir.config_parameter"].set_param("ecom_finance.import_async_bytes", "100")
        with self.assertRaisesRegex(AccessError, "CAMT.053"):
            self._wizard(operator, self.camt, "camt.xml").action_import()
        with self.assertRaisesRegex(AccessError, "CAMT.053"):
            self.env["ecom.statement"].with_user(operator)._enqueue_import(
                self.shop_own, "camt.xml", self.camt
            )
        self.assertEqual(self._written(), before)


@tagged("post_install", "-at_install")
class TestOrderImportAudit(ImportCase):
    """An order export that changes known orders leaves one audit entry per changed order."""

    def _entries(self, order):
        self.env["ecom.audit.log"]._flush_pending()  # what the commit does
        return self.env["ecom.audit.log"].search(
            [("model", "=", "ecom.order"), ("res_ids", "=", str(order.id)), ("operation", "=", "write")]
        )

    def test_status_and_refund_changes_are_audited_old_to_new(self):
        accountant = self.users["accountant"]
        first = self._import(
            accountant, orders_file(("R10", "completed", "0.00"), ("R11", "completed", "0.00")), "o1.csv"
        )
        Order = self.env["ecom.order"]
        changed = Order.search([("shop_id", "=", self.shop_own.id), ("name", "=", "R10")])
        unchanged = Order.search([("shop_id", "=", self.shop_own.id), ("name", "=", "R11")])
        self.assertFalse(self._entries(changed))
        second = self._import(
            accountant, orders_file(("R10", "cancelled", "130.00"), ("R11", "completed", "0.00")), "o2.csv"
        )
        self.assertEqual(changed.status, "cancelled")
        (entry,) = self._entries(changed)
        self.assertEqual(entry.changes["status"], ["completed", "cancelled"])
        self.assertEqual(entry.changes["refund_amount"], [0.0, 130.0])
        self.assertEqual(entry.changes["last_statement_id"], [[], [second["statement_id"]]])
        self.assertNotIn("paid_time", entry.changes)  # the same in both files
        self.assertEqual((entry.login, entry.company_id), (accountant.login, self.shop_own.company_id))
        self.assertFalse(self._entries(unchanged))
        self.assertNotEqual(first["statement_id"], second["statement_id"])
        verdict = self.env["ecom.audit.log"].verify_chain()
        self.assertTrue(verdict["ok"], verdict)


@tagged("post_install", "-at_install")
class TestImportSizeCaps(ImportCase):
    """``ecom_finance.import_max_bytes`` caps a file and what a zip unpacks to."""

    def test_a_file_above_the_cap_is_refused_naming_it_and_the_limit(self):
        data = alipay_file([row(n) for n in range(1, 20)])
        self.env["ir.config_parameter"].set_param("ecom_finance.import_max_bytes", str(len(data) - 1))
        before = self._written()
        with self.assertRaises(UserError) as info:
            self._import(self.users["accountant"], data, "big.csv")
        self.assertIn("big.csv", str(info.exception))
        self.assertIn(str(len(data) - 1), str(info.exception))
        wizard = self._wizard(data, "big.csv")
        for action in (wizard.action_preview, wizard.action_import):
            with self.subTest(action=action.__name__), self.assertRaisesRegex(UserError, "big.csv"):
                action()
        self.assertEqual(self._written(), before)
        self.env["ir.config_parameter"].set_param("ecom_finance.import_max_bytes", str(len(data)))
        self.assertEqual(self._import(self.users["accountant"], data, "big.csv")["lines_created"], 19)

    def test_a_zip_unpacking_above_the_cap_is_refused_naming_the_member(self):
        member = alipay_file([row(n) for n in range(1, 20)])
        archive = zipped("ledger.csv", member + b"\r\n" * 50_000)  # compresses to little
        self.assertLess(len(archive), len(member))
        self.env["ir.config_parameter"].set_param("ecom_finance.import_max_bytes", str(len(member)))
        before = self._written()
        with self.assertRaises(UserError) as info:
            self._import(self.users["accountant"], archive, "bills.zip")
        self.assertIn("bills.zip!ledger.csv", str(info.exception))
        self.assertIn(str(len(member)), str(info.exception))
        with self.assertRaisesRegex(UserError, "bills.zip!ledger.csv"):
            self._wizard(archive, "bills.zip").action_preview()
        self.assertEqual(self._written(), before)

    def _wizard(self, data, name):
        accountant = self.users["accountant"]
        attachment = self.env["ir.attachment"].with_user(accountant).create({"name": name, "raw": data})
        return (
            self.env["ecom.statement.import.wizard"]
            .with_user(accountant)
            .create({"shop_id": self.shop_own.id, "attachment_ids": [(6, 0, attachment.ids)]})
        )
