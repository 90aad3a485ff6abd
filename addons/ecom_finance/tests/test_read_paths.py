# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Restricted fields and report models stay closed on every path the ORM and the web client offer.

A field with ``groups=`` is removed from ``fields_get`` and the views of the users outside the
groups, and reading it raises ``AccessError``; these tests try each way of reading around that
(search, export, grouping, a relation path, a nested specification) as a non-admin user.
"""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_audit.tests.common import make_role_user

ACCOUNT = "6222029999888877776"
SECRET = "sk-live-canary-0123456789"
PHONE = "13912345678"
REPORT_MODELS = (
    "ecom.order.margin.report",
    "ecom.receivable.aging.report",
    "ecom.stock.valuation.report",
    "ecom.stock.ledger.report",
)


@tagged("post_install", "-at_install")
class TestRestrictedReadPaths(TransactionCase):
    """A Shop Operator of the demo Tmall shop tries every read path on what is not for it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_ecom")
        cls.tmall = cls.env.ref("ecom_finance.demo_shop_tmall")
        cls.douyin = cls.env.ref("ecom_finance.demo_shop_douyin")
        # exporting is a right of its own: given, so that only the field's groups stand in the way
        export = ("base.group_allow_export",)
        cls.operator = make_role_user(
            cls.env, "shop_operator", cls.company, login="ecom_paths_shop", extra_groups=export
        )
        cls.accountant = make_role_user(
            cls.env, "accountant", cls.company, login="ecom_paths_accountant", extra_groups=export
        )
        cls.warehouse = make_role_user(
            cls.env,
            "warehouse_operator",
            cls.company,
            login="ecom_paths_warehouse",
            extra_groups=("stock.group_stock_user", *export),
        )
        cls.tmall.user_ids = [Command.set(cls.operator.ids)]
        cls.douyin.user_ids = [Command.clear()]
        Order = cls.env["ecom.order"]
        cls.costed = Order.search([("shop_id", "=", cls.tmall.id)]).filtered(lambda o: o.cogs > 0)[:1]
        cls.costed.buyer_phone = PHONE
        cls.uncosted = Order.create(
            {
                "name": "PATHS-NO-COST",
                "shop_id": cls.tmall.id,
                "company_id": cls.company.id,
                "status": "paid",
                "currency_id": cls.tmall.currency_id.id,
                "order_time": "2024-03-01 10:00:00",
            }
        )
        cls.colleague_order = Order.search([("shop_id", "=", cls.douyin.id)], limit=1)
        cls.colleague_order.buyer_phone = "13700001111"
        cls.statement = cls.env["ecom.statement"].search(
            [("shop_id", "=", cls.tmall.id), ("fmt", "=", "bank_csv")], limit=1
        )
        cls.statement.account = ACCOUNT
        cls.costed.statement_id = cls.statement
        cls.tmall.api_secret = SECRET

    def setUp(self):
        super().setUp()
        self.env.invalidate_all()

    def as_user(self, model, user=None):
        return self.env[model].with_user(user or self.operator)

    def assertRefused(self, call):
        """``call`` raises AccessError, or the ValueError of a field that is not stored (so cannot be
        grouped or aggregated at all): neither returns a value."""
        # (Odoo's assertRaises takes one exception class, not a tuple)
        try:
            with self.env.cr.savepoint():
                result = call()
        except AccessError:
            return
        except ValueError as error:
            self.assertIn("not stored", str(error))
            return
        self.fail(f"no error; returned {result!r}")

    def assertArchHides(self, model, field_name, user, view_types=("form", "list")):
        views = self.env[model].with_user(user).get_views([(False, view_type) for view_type in view_types])
        for view_type, view in views["views"].items():
            self.assertNotIn(f'name="{field_name}"', view["arch"], f"{model} {view_type} view")
        self.assertNotIn(field_name, views["models"][model]["fields"])

    def assertArchShows(self, model, field_name, user, view_type="form"):
        views = self.env[model].with_user(user).get_views([(False, view_type)])
        self.assertIn(f'name="{field_name}"', views["views"][view_type]["arch"])

    # ------------------------------------------------------------------
    # Cost of goods sold
    # ------------------------------------------------------------------

    def test_cost_of_goods_sold_is_read_on_no_path(self):
        self.assertTrue(self.costed, "the demo Tmall shop has a delivered order")
        self.assertGreater(self.costed.with_user(self.accountant).cogs, 0)
        Order, Line = self.as_user("ecom.order"), self.as_user("ecom.order.line")
        order, lines = self.costed.with_user(self.operator), self.costed.line_ids.with_user(self.operator)
        self.assertEqual(order.read(["name"])[0]["name"], self.costed.name, "the order itself is readable")
        calls = {
            "read": lambda: order.read(["name", "cogs"]),
            "line read": lambda: lines.read(["cogs"]),
            "search_read": lambda: Order.search_read([("id", "=", order.id)], ["cogs"]),
            "line search_read": lambda: Line.search_read([], ["cogs"]),
            "web_search_read": lambda: Order.web_search_read([], {"name": {}, "cogs": {}}),
            "web_read": lambda: order.web_read({"cogs": {}}),
            "web_read of the lines": lambda: order.web_read({"line_ids": {"fields": {"cogs": {}}}}),
            "web_read from a line": lambda: lines.web_read({"order_id": {"fields": {"cogs": {}}}}),
            "export_data": lambda: order.export_data(["name", "cogs"]),
            "export_data of the lines": lambda: order.export_data(["name", "line_ids/cogs"]),
            "export_data from a line": lambda: lines.export_data(["sku", "order_id/cogs"]),
            "read_group sum": lambda: Order.read_group([], ["cogs:sum"], ["shop_id"]),
            "read_group by": lambda: Order.read_group([], ["amount_paid:sum"], ["cogs"]),
            "web_read_group": lambda: Order.web_read_group([], ["cogs:sum"], ["status"]),
            "line read_group": lambda: Line.read_group([], ["cogs:sum"], ["product_id"]),
            "order by": lambda: Order.search([], order="cogs desc"),
        }
        for path, call in calls.items():
            with self.subTest(path=path):
                self.assertRefused(call)
        self.assertNotIn("cogs", Order.fields_get())
        self.assertNotIn("cogs", Line.fields_get())
        self.assertArchHides("ecom.order", "cogs", self.operator)
        self.assertArchShows("ecom.order", "cogs", self.accountant)

    def test_searching_by_cost_is_refused(self):
        """A domain on ``cogs`` is refused outright (``ecom_audit`` checks the fields a domain of an
        ecom model reads), directly or through the order of a line."""
        Order, Line = self.as_user("ecom.order"), self.as_user("ecom.order.line")
        self.assertIn(self.uncosted, Order.search([]))
        for model, domain in (
            (Order, [("cogs", ">", 0)]),
            (Order, [("cogs", "=", 0)]),
            (Line, [("order_id", "any", [("cogs", ">", 0)])]),
            (Line, [("order_id.cogs", ">", 0)]),
            (Line, [("cogs", ">", 1e9)]),
        ):
            with self.subTest(domain=domain):
                self.assertRefused(lambda model=model, domain=domain: model.search(domain))
        # a finance reader may ask (Odoo drops the condition on this computed field, as before)
        with mute_logger("odoo.osv.expression"):
            self.assertTrue(self.as_user("ecom.order", self.accountant).search([("cogs", ">", 0)]))

    # ------------------------------------------------------------------
    # Bank account of a statement
    # ------------------------------------------------------------------

    def test_bank_account_is_read_on_no_path(self):
        self.assertEqual(self.statement.with_user(self.accountant).account, ACCOUNT)
        Statement = self.as_user("ecom.statement")
        statement = self.statement.with_user(self.operator)
        self.assertEqual(statement.read(["name"])[0]["name"], self.statement.name, "the import is readable")
        order = self.costed.with_user(self.operator)
        statement_lines = self.as_user("ecom.statement.line")
        calls = {
            "read": lambda: statement.read(["account"]),
            "read the blind index": lambda: statement.read(["account_index"]),
            "search_read": lambda: Statement.search_read([], ["name", "account"]),
            "web_search_read": lambda: Statement.web_search_read([], {"account": {}}),
            "web_read": lambda: statement.web_read({"account": {}}),
            "web_read from an order": lambda: order.web_read({"statement_id": {"fields": {"account": {}}}}),
            "export_data": lambda: statement.export_data(["name", "account"]),
            "export_data from an order": lambda: order.export_data(["name", "statement_id/account"]),
            "search": lambda: Statement.search([("account", "=", ACCOUNT)]),
            "search the blind index": lambda: Statement.search([("account_index", "!=", False)]),
            "search through a line": lambda: statement_lines.search([("statement_id.account", "=", ACCOUNT)]),
            "search through an order": lambda: self.as_user("ecom.order").search(
                [("statement_id.account", "=", ACCOUNT)]
            ),
            "read_group by index": lambda: Statement.read_group([], ["__count"], ["account_index"]),
            "web_read_group by account": lambda: Statement.web_read_group([], ["__count"], ["account"]),
            "order by index": lambda: Statement.search([], order="account_index"),
        }
        for path, call in calls.items():
            with self.subTest(path=path):
                self.assertRefused(call)
        self.assertFalse({"account", "account_index", "account_token"} & set(Statement.fields_get()))
        self.assertArchHides("ecom.statement", "account", self.operator)
        self.assertArchShows("ecom.statement", "account", self.accountant)

    # ------------------------------------------------------------------
    # API secret of a shop: Finance Managers only
    # ------------------------------------------------------------------

    def test_api_secret_is_read_on_no_path(self):
        self.assertEqual(self.tmall.api_secret, SECRET)
        for user in (self.operator, self.accountant):
            Shop = self.as_user("ecom.shop", user)
            shop = self.tmall.with_user(user)
            order = self.costed.with_user(user)
            calls = {
                "read": lambda shop=shop: shop.read(["api_secret"]),
                "read the token": lambda shop=shop: shop.read(["api_secret_token"]),
                "search_read": lambda Shop=Shop: Shop.search_read([], ["api_secret"]),
                "web_search_read": lambda Shop=Shop: Shop.web_search_read([], {"api_secret": {}}),
                "web_read": lambda shop=shop: shop.web_read({"api_secret": {}}),
                "web_read from an order": lambda order=order: order.web_read(
                    {"shop_id": {"fields": {"api_secret": {}}}}
                ),
                "export_data": lambda shop=shop: shop.export_data(["name", "api_secret"]),
                "export_data from an order": lambda order=order: order.export_data(["shop_id/api_secret"]),
                "search the token": lambda Shop=Shop: Shop.search([("api_secret_token", "!=", False)]),
                "read_group by token": lambda Shop=Shop: Shop.read_group(
                    [], ["__count"], ["api_secret_token"]
                ),
                "web_read_group": lambda Shop=Shop: Shop.web_read_group([], ["__count"], ["api_secret"]),
            }
            for path, call in calls.items():
                with self.subTest(user=user.login, path=path):
                    self.assertRefused(call)
            self.assertFalse({"api_secret", "api_secret_token"} & set(Shop.fields_get()))
            self.assertArchHides("ecom.shop", "api_secret", user, view_types=("form",))
            for value in (SECRET, "wrong"):
                with self.subTest(user=user.login, search=value):
                    self.assertRefused(
                        lambda Shop=Shop, value=value: Shop.search([("api_secret", "=", value)])
                    )

    # ------------------------------------------------------------------
    # Buyer data: Shop Operators of the order's shop and finance roles, never Warehouse Operators
    # ------------------------------------------------------------------

    def test_buyer_data_of_another_shop_is_not_found(self):
        Order, Line = self.as_user("ecom.order"), self.as_user("ecom.order.line")
        self.assertEqual(Order.search([("buyer_phone", "=", PHONE)]), self.costed, "its own shop's buyer")
        phone = "137 0000 1111"
        self.assertEqual(
            self.as_user("ecom.order", self.accountant).search([("buyer_phone", "=", phone)]),
            self.colleague_order,
        )
        self.assertFalse(Order.search([("buyer_phone", "=", phone)]))
        self.assertFalse(Line.search([("order_id.buyer_phone", "=", phone)]))
        self.assertFalse(Order.search_read([("buyer_phone", "=", phone)], ["buyer_name"]))
        with self.assertRaises(AccessError):
            self.colleague_order.with_user(self.operator).read(["buyer_phone"])
        with self.assertRaises(AccessError):
            self.colleague_order.with_user(self.operator).export_data(["buyer_phone"])

    def test_warehouse_operator_reads_no_buyer_data(self):
        Order = self.as_user("ecom.order", self.warehouse)
        order = self.costed.with_user(self.warehouse)
        calls = {
            "read": lambda: order.read(["buyer_name", "buyer_phone", "address"]),
            "attribute": lambda: order.address,
            "search_read": lambda: Order.search_read([], ["buyer_phone"]),
            "web_search_read": lambda: Order.web_search_read([], {"buyer_name": {}}),
            "web_read": lambda: order.web_read({"address": {}}),
            "export_data": lambda: order.export_data(["buyer_name", "address"]),
            "search": lambda: Order.search([("buyer_phone", "=", PHONE)]),
            "search the blind index": lambda: Order.search([("buyer_phone_index", "!=", False)]),
            "search through a line": lambda: self.as_user("ecom.order.line", self.warehouse).search(
                [("order_id.buyer_phone", "=", PHONE)]
            ),
            "read_group by index": lambda: Order.read_group([], ["__count"], ["buyer_phone_index"]),
        }
        for path, call in calls.items():
            with self.subTest(path=path):
                self.assertRefused(call)
        self.assertFalse(
            {"buyer_name", "buyer_phone", "address", "buyer_phone_index"} & set(Order.fields_get())
        )

    # ------------------------------------------------------------------
    # Report models: no access right for operators
    # ------------------------------------------------------------------

    def test_reports_are_closed_to_operators(self):
        for user in (self.operator, self.warehouse):
            for model in REPORT_MODELS:
                Report = self.as_user(model, user)
                calls = {
                    "search": lambda Report=Report: Report.search([]),
                    "search_count": lambda Report=Report: Report.search_count([]),
                    "search_read": lambda Report=Report: Report.search_read([], []),
                    "web_search_read": lambda Report=Report: Report.web_search_read([], {"id": {}}),
                    "read": lambda model=model, user=user: self.env[model]
                    .search([], limit=1)
                    .with_user(user)
                    .read([]),
                    "read_group": lambda Report=Report: Report.read_group([], ["__count"], []),
                    "web_read_group": lambda Report=Report: Report.web_read_group([], ["__count"], []),
                    "export_data": lambda model=model, user=user: self.env[model]
                    .search([], limit=1)
                    .with_user(user)
                    .export_data(["company_id"]),
                    "get_views": lambda Report=Report: Report.get_views([(False, "list")]),
                }
                for path, call in calls.items():
                    with self.subTest(user=user.login, model=model, path=path):
                        with self.assertRaises(AccessError):
                            call()
        margin = self.as_user("ecom.order.margin.report", self.accountant)
        self.assertTrue(margin.search_read([], ["cogs"], limit=1), "the accountant reads the margins")

    # ------------------------------------------------------------------
    # Relations to finance data, which have no column of their own
    # ------------------------------------------------------------------

    def test_imports_are_not_found_by_their_journal_entries(self):
        posted = self.env["ecom.statement"].search(
            [("shop_id", "=", self.tmall.id), ("move_ids", "!=", False)]
        )
        self.assertTrue(posted, "the demo data posts the Tmall settlements")
        Statement = self.as_user("ecom.statement")
        for domain in (
            [("move_ids", "!=", False)],
            [("move_ids", "in", posted.move_ids.ids)],
            [("move_ids.ref", "ilike", "%")],
        ):
            with self.subTest(domain=domain):
                self.assertRefused(lambda domain=domain: Statement.search(domain))
        self.assertRefused(lambda: Statement.read_group([], ["sha256:count"], ["move_ids"]))
        # a finance reader finds them; the operator still lists the imports of its shop
        self.assertEqual(
            self.as_user("ecom.statement", self.accountant).search(
                [("id", "in", posted.ids), ("move_ids", "!=", False)]
            ),
            posted,
        )
        self.assertIn(posted[0], Statement.search([("shop_id", "=", self.tmall.id)]))

    def test_margin_alert_flag_is_finance_data(self):
        self.assertRefused(lambda: self.costed.with_user(self.operator).read(["margin_alerted"]))
        self.assertRefused(lambda: self.as_user("ecom.order").search([("margin_alerted", "=", True)]))
        self.assertNotIn("margin_alerted", self.as_user("ecom.order").fields_get())

    # ------------------------------------------------------------------
    # A shop's accounting setup and the bank side of statement lines
    # ------------------------------------------------------------------

    def test_shop_accounting_setup_is_read_on_no_path(self):
        self.assertTrue(self.tmall.journal_id)
        Shop, shop = self.as_user("ecom.shop"), self.tmall.with_user(self.operator)
        order = self.costed.with_user(self.operator)
        calls = {
            "read": lambda: shop.read(["journal_id"]),
            "attribute": lambda: shop.clearing_account_id,
            "search_read": lambda: Shop.search_read([], ["refund_approval_amount"]),
            "web_read": lambda: shop.web_read({"clearing_account_id": {}}),
            "web_read from an order": lambda: order.web_read({"shop_id": {"fields": {"journal_id": {}}}}),
            "export_data": lambda: shop.export_data(["name", "journal_id/name"]),
            "export_data from an order": lambda: order.export_data(["shop_id/clearing_account_id/code"]),
            "search": lambda: Shop.search([("journal_id", "=", self.tmall.journal_id.id)]),
            "search through an order": lambda: self.as_user("ecom.order").search(
                [("shop_id.refund_approval_amount", ">", 0)]
            ),
            "read_group by": lambda: Shop.read_group([], ["__count"], ["clearing_account_id"]),
        }
        for path, call in calls.items():
            with self.subTest(path=path):
                self.assertRefused(call)
        self.assertArchHides("ecom.shop", "journal_id", self.operator, view_types=("form",))
        self.assertArchShows("ecom.shop", "journal_id", self.accountant)

    def test_bank_counterparty_of_lines_is_read_on_no_path(self):
        line = self.env["ecom.statement.line"].search(
            [("statement_id", "=", self.statement.id), ("counterparty", "!=", False)], limit=1
        )
        self.assertTrue(line, "the demo bank statement names its counterparties")
        Line, mine = self.as_user("ecom.statement.line"), line.with_user(self.operator)
        statement = self.statement.with_user(self.operator)
        calls = {
            "read": lambda: mine.read(["counterparty"]),
            "read the raw row": lambda: mine.read(["raw"]),
            "search_read": lambda: Line.search_read([], ["counterparty"]),
            "web_search_read": lambda: Line.web_search_read([], {"raw": {}}),
            "web_read from the import": lambda: statement.web_read(
                {"line_ids": {"fields": {"counterparty": {}}}}
            ),
            "export_data": lambda: mine.export_data(["gross", "counterparty"]),
            "export_data from the import": lambda: statement.export_data(["line_ids/counterparty"]),
            "search": lambda: Line.search([("counterparty", "=", line.counterparty)]),
            "read_group by": lambda: Line.read_group([], ["gross:sum"], ["counterparty"]),
        }
        for path, call in calls.items():
            with self.subTest(path=path):
                self.assertRefused(call)
        self.assertEqual(mine.read(["gross"])[0]["gross"], line.gross, "the line itself is readable")
        self.assertArchHides("ecom.statement.line", "counterparty", self.operator)
        self.assertArchShows("ecom.statement.line", "counterparty", self.accountant)
