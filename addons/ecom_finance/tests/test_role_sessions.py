# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""One real XML-RPC session per role against the running server: what each may do, and what not.

Every call goes through ``xmlrpc/2/common`` (authenticate, password = login) and
``xmlrpc/2/object`` (execute_kw), as a partner's script or an integration would.
"""

from xmlrpc.client import Fault

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_audit.tests.common import make_role_user

from .test_statement_import import FIXTURES, alipay_file, b64, row

ACCESS_ERROR = 4  # the fault code of an odoo.exceptions.AccessError over XML-RPC
SECRET = "sk-role-sessions-canary"


@tagged("post_install", "-at_install")
class TestRoleSessions(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_ecom")
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.other_company = cls.env["res.company"].create({"name": "Ecom Sessions Other Company"})
        cls.tmall = cls.env.ref("ecom_finance.demo_shop_tmall")
        cls.douyin = cls.env.ref("ecom_finance.demo_shop_douyin")
        cls.users = {
            role: make_role_user(cls.env, role, cls.company, login=f"ecom_rpc_{role}")
            for role in ("shop_operator", "accountant", "manager", "auditor")
        }
        cls.users["warehouse_operator"] = make_role_user(
            cls.env,
            "warehouse_operator",
            cls.company,
            login="ecom_rpc_warehouse_operator",
            extra_groups=("stock.group_stock_user",),
        )
        cls.users["partner_api"] = new_test_user(
            cls.env,
            login="ecom_rpc_partner_api",
            groups="base.group_portal,ecom_audit.group_ecom_partner_api",
        )
        cls.users["portal"] = new_test_user(cls.env, login="ecom_rpc_portal", groups="base.group_portal")
        cls.tmall.write(
            {
                "user_ids": [Command.set(cls.users["shop_operator"].ids)],
                "api_user_ids": [Command.set(cls.users["partner_api"].ids)],
                "api_secret": SECRET,
            }
        )
        cls.douyin.user_ids = [Command.clear()]
        cls.tmall_orders = cls.env["ecom.order"].search([("shop_id", "=", cls.tmall.id)])
        cls.douyin_order = cls.env["ecom.order"].search([("shop_id", "=", cls.douyin.id)], limit=1)
        cls.rule = cls.env["ecom.posting.rule"].search([("company_id", "=", cls.company.id)], limit=1)

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def call(self, role, model, method, *args, **kwargs):
        user = self.users[role]
        db = self.env.cr.dbname
        uid = self.xmlrpc_common.authenticate(db, user.login, user.login, {})
        self.assertEqual(uid, user.id)
        return self.xmlrpc_object.execute_kw(db, uid, user.login, model, method, list(args), kwargs)

    def assertRefused(self, role, model, method, *args, message=None, **kwargs):
        """The call fails with an AccessError (its fault code; ``message`` in its text, if given)."""
        with (
            self.subTest(role=role, model=model, method=method),
            mute_logger("odoo.http"),
            self.assertRaises(Fault) as info,
        ):
            self.call(role, model, method, *args, **kwargs)
        fault = info.exception
        self.assertEqual(fault.faultCode, ACCESS_ERROR, fault.faultString)
        if message:
            self.assertIn(message, fault.faultString)

    def _alipay(self, first_row):
        return b64(alipay_file([row(first_row), row(first_row + 1)]))

    # ------------------------------------------------------------------
    # roles
    # ------------------------------------------------------------------

    def test_shop_operator(self):
        orders = self.call("shop_operator", "ecom.order", "search_read", [], ["name", "shop_id"])
        self.assertEqual({o["id"] for o in orders}, set(self.tmall_orders.ids))
        self.assertEqual({o["shop_id"][0] for o in orders}, {self.tmall.id})
        shops = self.call("shop_operator", "ecom.shop", "search_read", [], ["name"])
        self.assertEqual([s["id"] for s in shops], self.tmall.ids)
        self.assertRefused("shop_operator", "ecom.order", "read", self.douyin_order.ids, ["name"])
        self.assertRefused(
            "shop_operator", "ecom.order", "read", self.tmall_orders[:1].ids, ["cogs"], message="cogs"
        )
        self.assertRefused("shop_operator", "ecom.order", "search_read", [], ["name", "cogs"])
        self.assertRefused("shop_operator", "ecom.shop", "read", self.tmall.ids, ["api_secret"])
        self.assertRefused("shop_operator", "ecom.shop", "read", self.tmall.ids, ["clearing_account_id"])
        # bank statements are for accounting roles; the shop's channel bills are the operator's too
        camt = b64((FIXTURES / "camt053_balanced.xml").read_bytes())
        self.assertRefused(
            "shop_operator", "ecom.statement", "import_file", self.tmall.id, "b.xml", camt, message="CAMT.053"
        )
        result = self.call(
            "shop_operator", "ecom.statement", "import_file", self.tmall.id, "op.csv", self._alipay(760)
        )
        self.assertEqual(result["lines_created"], 2)
        self.assertRefused("shop_operator", "ecom.posting.rule", "write", self.rule.ids, {"name": "hijacked"})
        self.assertRefused("shop_operator", "ecom.posting.rule", "search_read", [], ["account_id"])
        self.assertRefused("shop_operator", "ecom.order", "fulfil_orders", self.tmall_orders[:1].ids)
        self.assertRefused("shop_operator", "ecom.order.margin.report", "search_read", [], [])
        self.assertRefused("shop_operator", "ecom.audit.log", "verify_chain")

    def test_lockouts_are_for_settings_administrators_only(self):
        # issue 22: unlocking a login and reading the lockouts, over XML-RPC, as each role
        for role in ("shop_operator", "warehouse_operator", "accountant", "manager", "auditor"):
            self.assertRefused(role, "res.users", "action_ecom_unlock_login", self.users["accountant"].ids)
            self.assertRefused(role, "ecom.login.lock", "search_read", [], ["key", "locked_until"])

    def test_warehouse_operator(self):
        self.assertIsInstance(self.call("warehouse_operator", "stock.quant", "search_count", []), int)
        for model in ("ecom.order", "ecom.shop", "ecom.statement", "ecom.order.margin.report"):
            self.assertRefused("warehouse_operator", model, "search_read", [], [])
        self.assertRefused(
            "warehouse_operator", "ecom.statement", "import_file", self.tmall.id, "w.csv", self._alipay(700)
        )
        self.assertRefused("warehouse_operator", "ecom.order", "fulfil_orders", self.tmall_orders[:1].ids)

    def test_accountant(self):
        result = self.call(
            "accountant", "ecom.statement", "import_file", self.tmall.id, "sessions.csv", self._alipay(710)
        )
        self.assertEqual(result["lines_created"], 2)
        moves = self.call("accountant", "ecom.statement", "post_entries", [result["statement_id"]])
        self.assertTrue(moves)
        self.assertEqual(self.env["account.move"].browse(moves).mapped("state"), ["posted"] * len(moves))
        self.assertEqual(
            self.call("accountant", "ecom.statement", "post_entries", [result["statement_id"]]), []
        )
        # a manual entry on the shop's journal needs someone else's approval
        rules = self.env["ecom.posting.rule"]._rules_for(self.tmall)
        move_id = self.call(
            "accountant",
            "account.move",
            "create",
            {
                "move_type": "entry",
                "journal_id": self.tmall.journal_id.id,
                "date": "2024-03-31",
                "ref": "Manual correction over RPC",
                "line_ids": [
                    (0, 0, {"account_id": rules["commission"].account_id.id, "debit": 50.0}),
                    (0, 0, {"account_id": self.tmall.clearing_account_id.id, "credit": 50.0}),
                ],
            },
        )
        self.call("accountant", "account.move", "action_ecom_request_post", [move_id])
        (request,) = self.call(
            "accountant",
            "ecom.approval.request",
            "search_read",
            [("res_model", "=", "account.move"), ("res_id", "=", move_id)],
            ["state"],
        )
        self.assertEqual(request["state"], "pending")
        self.assertRefused(
            "accountant", "ecom.approval.request", "action_approve", [request["id"]], message="someone else"
        )
        self.assertTrue(self.call("manager", "ecom.approval.request", "action_approve", [request["id"]]))
        self.assertEqual(self.env["ecom.approval.request"].browse(request["id"]).state, "approved")
        self.assertRefused("accountant", "ecom.shop", "read", self.tmall.ids, ["api_secret"])
        self.assertRefused("accountant", "ecom.posting.rule", "write", self.rule.ids, {"name": "hijacked"})
        self.assertRefused("accountant", "ecom.audit.log", "verify_chain")
        self.assertRefused(
            "accountant",
            "ecom.shop",
            "search_read",
            [],
            ["name"],
            context={"allowed_company_ids": [self.other_company.id]},
        )

    def test_finance_manager(self):
        (shop,) = self.call("manager", "ecom.shop", "read", self.tmall.ids, ["api_secret"])
        self.assertEqual(shop["api_secret"], SECRET)
        self.assertTrue(
            self.call("manager", "ecom.shop", "write", self.douyin.ids, {"name": "Douyin renamed"})
        )
        self.assertEqual(self.douyin.name, "Douyin renamed")
        other_account = self.env["ecom.posting.rule"]._rules_for(self.tmall)["refund"].account_id
        request_ids = self.call(
            "manager",
            "ecom.posting.rule",
            "ecom_request_write",
            self.rule.ids,
            {"account_id": other_account.id},
        )
        self.assertEqual(len(request_ids), 1)
        self.assertRefused(
            "manager", "ecom.approval.request", "action_approve", request_ids, message="someone else"
        )
        self.assertRefused("manager", "ecom.audit.log", "search_read", [], ["model"])
        self.assertRefused(
            "manager",
            "ecom.shop",
            "write",
            self.tmall.ids,
            {"name": "x"},
            context={"allowed_company_ids": [self.other_company.id]},
        )

    def test_auditor(self):
        entries = self.call("auditor", "ecom.audit.log", "search_read", [], ["model", "operation"], limit=5)
        self.assertTrue(entries)
        self.assertIsInstance(
            self.call("auditor", "ecom.approval.request", "search_read", [], ["state"]), list
        )
        chain = self.call("auditor", "ecom.audit.log", "verify_chain")
        self.assertTrue(chain["ok"], chain)
        self.assertGreater(chain["checked"], 0)
        orders = self.call(
            "auditor", "ecom.order", "search_read", [("shop_id", "=", self.tmall.id)], ["cogs"]
        )
        self.assertEqual(len(orders), len(self.tmall_orders))
        entry_id = entries[0]["id"]
        for model, method, args in (
            ("ecom.audit.log", "write", ([entry_id], {"model": "forged"})),
            ("ecom.audit.log", "unlink", ([entry_id],)),
            ("ecom.audit.log", "create", ({"model": "forged"},)),
            ("ecom.shop", "write", (self.tmall.ids, {"name": "x"})),
            ("ecom.posting.rule", "write", (self.rule.ids, {"name": "x"})),
            ("ecom.order", "fulfil_orders", (self.tmall_orders[:1].ids,)),
            ("ecom.statement", "import_file", (self.tmall.id, "auditor.csv", self._alipay(720))),
            ("ecom.statement", "post_entries", (self.env["ecom.statement"].search([], limit=1).ids,)),
        ):
            self.assertRefused("auditor", model, method, *args)

    def test_partner_api_user(self):
        shops = self.call("partner_api", "ecom.shop", "search_read", [], ["name"])
        self.assertEqual([s["id"] for s in shops], self.tmall.ids)
        result = self.call(
            "partner_api", "ecom.statement", "import_file", self.tmall.id, "p.csv", self._alipay(730)
        )
        self.assertEqual(result["lines_created"], 2)
        statements = self.call("partner_api", "ecom.statement", "search_read", [], ["shop_id"])
        self.assertEqual({s["shop_id"][0] for s in statements}, {self.tmall.id})
        self.assertRefused(
            "partner_api", "ecom.statement", "import_file", self.douyin.id, "other.csv", self._alipay(740)
        )
        # its own shop, but not its channel's bill: a bank statement, an order export
        camt = b64((FIXTURES / "camt053_balanced.xml").read_bytes())
        orders = b64((FIXTURES / "orders_canonical.csv").read_bytes())
        for name, data, fmt in (("payout.xml", camt, "CAMT.053"), ("orders.csv", orders, "Platform orders")):
            self.assertRefused(
                "partner_api", "ecom.statement", "import_file", self.tmall.id, name, data, message=fmt
            )
        calls = [
            ("ecom.order", "fulfil_orders", (self.tmall_orders[:1].ids,)),
            ("ecom.order", "search_read", ([], ["name"])),
            ("ecom.statement", "post_entries", ([result["statement_id"]],)),
            ("ecom.statement", "read", ([result["statement_id"]], ["account"])),
            ("ecom.shop", "read", (self.tmall.ids, ["api_secret"])),
            ("ecom.shop", "read", (self.tmall.ids, ["journal_id"])),
            ("ecom.shop", "read", (self.tmall.ids, ["refund_approval_amount"])),
            ("ecom.shop", "write", (self.tmall.ids, {"name": "hijacked"})),
            ("ecom.audit.log", "verify_chain", ()),
            ("ecom.audit.log", "search_read", ([], ["model"])),
            ("ecom.approval.request", "search_read", ([], ["state"])),
            ("ecom.posting.rule", "search_read", ([], ["name"])),
        ]
        if "ecom.reconcile.run" in self.env:
            calls.append(
                ("ecom.reconcile.run", "run_reconciliation", (self.tmall.ids, "2024-03-01", "2024-03-07"))
            )
        for model, method, args in calls:
            self.assertRefused("partner_api", model, method, *args)
        self.assertEqual(self.tmall.name, "Yunshang Tmall Flagship Store")

    def test_portal_user(self):
        calls = [
            ("ecom.shop", "search_read", ([], ["name"])),
            ("ecom.statement", "search_read", ([], ["name"])),
            ("ecom.statement", "import_file", (self.tmall.id, "portal.csv", self._alipay(750))),
            ("ecom.order", "search_read", ([], ["name"])),
            ("ecom.order", "fulfil_orders", (self.tmall_orders[:1].ids,)),
            ("ecom.audit.log", "verify_chain", ()),
            ("ecom.approval.request", "search_read", ([], ["state"])),
        ]
        if "ecom.reconcile.run" in self.env:
            calls.append(
                ("ecom.reconcile.run", "run_reconciliation", (self.tmall.ids, "2024-03-01", "2024-03-07"))
            )
        for model, method, args in calls:
            self.assertRefused("portal", model, method, *args)

    def test_opening_bank_lines_and_fulfilment_orders(self):
        # the lines a bank import fed to Odoo's bank statements, and the orders of a background
        # fulfilment: the finance readers open them, nobody else
        camt = b64((FIXTURES / "camt053_balanced.xml").read_bytes())
        result = self.call("accountant", "ecom.statement", "import_file", self.tmall.id, "bank.xml", camt)
        statement_id = result["statement_id"]
        for role in ("accountant", "manager", "auditor"):
            action = self.call(role, "ecom.statement", "action_open_bank_statement_lines", [statement_id])
            self.assertEqual(action["res_model"], "account.bank.statement.line")
        for role in ("shop_operator", "warehouse_operator", "partner_api", "portal"):
            self.assertRefused(role, "ecom.statement", "action_open_bank_statement_lines", [statement_id])

        fulfilment = (
            self.env["ecom.fulfilment"].with_user(self.users["accountant"])._start(self.tmall_orders[:2], 50)
        )
        for role in ("accountant", "manager", "auditor"):
            action = self.call(role, "ecom.fulfilment", "action_open_orders", fulfilment.ids)
            self.assertEqual(action["domain"], [["id", "in", self.tmall_orders[:2].ids]])
        for role in ("shop_operator", "warehouse_operator", "partner_api", "portal"):
            self.assertRefused(role, "ecom.fulfilment", "action_open_orders", fulfilment.ids)

    def test_books_over_rpc(self):
        # issue 17 over XML-RPC: the stock check, the period's vouchers printed and exported, the
        # budgets' remaining; the finance readers may, the operators and outsiders not
        company = self.company.id
        for role in ("accountant", "manager", "auditor"):
            action = self.call(role, "ecom.stock.ledger.check", "run_check", "2031-01-31", company)
            self.assertEqual(action["res_model"], "ecom.stock.ledger.check")
            wizard = self.call(
                role,
                "ecom.voucher.export.wizard",
                "create",
                {"company_id": company, "date_from": "2020-01-01", "date_to": "2031-12-31"},
            )
            self.assertEqual(
                self.call(role, "ecom.voucher.export.wizard", "action_print", [wizard])["report_name"],
                "ecom_finance.report_voucher",
            )
            self.assertEqual(
                self.call(role, "ecom.voucher.export.wizard", "action_export", [wizard])["type"],
                "ir.actions.act_url",
            )
            self.call(role, "ecom.budget", "search_read", [], ["remaining", "committed"])
        for role in ("shop_operator", "warehouse_operator", "partner_api", "portal"):
            self.assertRefused(role, "ecom.stock.ledger.check", "run_check", "2031-01-31", company)
            self.assertRefused(
                role,
                "ecom.voucher.export.wizard",
                "create",
                {"company_id": company, "date_from": "2020-01-01", "date_to": "2031-12-31"},
            )
            self.assertRefused(role, "ecom.budget", "search_read", [], ["remaining"])
