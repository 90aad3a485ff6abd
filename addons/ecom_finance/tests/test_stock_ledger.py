# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user

PERIOD = {"ecom_ledger_date_from": "2025-05-01", "ecom_ledger_date_to": "2025-05-31"}


@tagged("post_install", "-at_install")
class TestStockLedger(TransactionCase):
    """进销存 of a FIFO and an average-cost product over May 2025, in two warehouses.

    Before May: 10 received at 5 in Hangzhou. In May: 5 received at 6, 8 delivered, 2 sent to
    Shanghai. Then the stock is checked against the valuation account, before and after a
    manual entry on it.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_ecom")
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.hangzhou = cls.env.ref("ecom_finance.demo_shop_tmall").warehouse_id
        cls.shanghai = cls.env.ref("base.demo_warehouse_ecom_shanghai")
        cls.accountant = make_role_user(cls.env, "accountant", cls.company, login="ecom_sl_accountant")
        cls.auditor = make_role_user(cls.env, "auditor", cls.company, login="ecom_sl_auditor")
        cls.warehouse_user = make_role_user(
            cls.env,
            "warehouse_operator",
            cls.company,
            login="ecom_sl_warehouse",
            extra_groups=("stock.group_stock_user",),
        )
        cls.manager = make_role_user(cls.env, "manager", cls.company, login="ecom_sl_manager")
        cls.fifo = cls._product("SL-FIFO", "fifo")
        cls.avco = cls._product("SL-AVCO", "average")
        customers = cls.env.ref("stock.stock_location_customers")
        suppliers = cls.env.ref("stock.stock_location_suppliers")
        for product in (cls.fifo, cls.avco):
            with freeze_time("2025-04-15 02:00:00"):
                cls._move(product, 10, suppliers, cls.hangzhou.lot_stock_id, cost=5.0)
            with freeze_time("2025-05-05 02:00:00"):
                cls._move(product, 5, suppliers, cls.hangzhou.lot_stock_id, cost=6.0)
            with freeze_time("2025-05-10 02:00:00"):
                cls._move(product, 8, cls.hangzhou.lot_stock_id, customers)
            with freeze_time("2025-05-20 02:00:00"):
                # within Hangzhou (neither in nor out), then to Shanghai
                shelf = cls.env["stock.location"].create(
                    {"name": "SL shelf", "location_id": cls.hangzhou.lot_stock_id.id, "usage": "internal"}
                )
                cls._move(product, 1, cls.hangzhou.lot_stock_id, shelf)
                cls._move(product, 1, shelf, cls.hangzhou.lot_stock_id)
                cls._move(product, 2, cls.hangzhou.lot_stock_id, cls.shanghai.lot_stock_id)
        cls.account = cls.fifo.categ_id.with_company(cls.company).property_stock_valuation_account_id

    @classmethod
    def _product(cls, code, cost_method):
        category = cls.env["product.category"].create(
            {
                "name": f"{code} category",
                "property_cost_method": cost_method,
                "property_valuation": "real_time",
            }
        )
        return cls.env["product.product"].create(
            {
                "name": code,
                "default_code": code,
                "is_storable": True,
                "type": "consu",
                "categ_id": category.id,
                "company_id": cls.company.id,
            }
        )

    @classmethod
    def _move(cls, product, quantity, source, destination, cost=0.0):
        move = cls.env["stock.move"].create(
            {
                "name": f"{product.default_code} {source.name} -> {destination.name}",
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": quantity,
                "price_unit": cost,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "company_id": cls.company.id,
            }
        )
        move._action_confirm()
        move._action_assign()
        move.quantity = quantity
        move.picked = True
        move._action_done()
        return move

    def _ledger(self, product, user=None):
        Report = (
            self.env["ecom.stock.ledger.report"].with_user(user or self.accountant).with_context(**PERIOD)
        )
        rows = Report.search([("product_id", "=", product.id)])
        return {
            row.warehouse_id: (
                (row.opening_qty, row.in_qty, row.out_qty, row.closing_qty),
                tuple(
                    round(v, 2) for v in (row.opening_value, row.in_value, row.out_value, row.closing_value)
                ),
            )
            for row in rows
        }

    def test_fifo_ledger_per_warehouse(self):
        ledger = self._ledger(self.fifo)
        self.assertEqual(set(ledger), {self.hangzhou, self.shanghai})
        # 8 delivered at FIFO 5; the 2 transferred at the company's unit value then: 40 / 7
        self.assertEqual(ledger[self.hangzhou], ((10, 5, 10, 5), (50.0, 30.0, 51.43, 28.57)))
        self.assertEqual(ledger[self.shanghai], ((0, 2, 0, 2), (0.0, 11.43, 0.0, 11.43)))
        # the warehouses add up to the product's value
        layers = self.env["stock.valuation.layer"].search([("product_id", "=", self.fifo.id)])
        self.assertAlmostEqual(sum(layers.mapped("value")), 28.57 + 11.43, places=2)

    def test_average_ledger_per_warehouse(self):
        ledger = self._ledger(self.avco)
        # average 80 / 15: 8 delivered for 42.67; the 2 transferred at 37.33 / 7
        self.assertEqual(ledger[self.hangzhou], ((10, 5, 10, 5), (50.0, 30.0, 53.34, 26.66)))
        self.assertEqual(ledger[self.shanghai], ((0, 2, 0, 2), (0.0, 10.67, 0.0, 10.67)))

    def test_period_before_and_warehouse_filter(self):
        # April: only the first receipt, in Hangzhou
        Report = self.env["ecom.stock.ledger.report"].with_user(self.accountant)
        april = Report.with_context(
            ecom_ledger_date_from="2025-04-01", ecom_ledger_date_to="2025-04-30"
        ).search([("product_id", "=", self.fifo.id)])
        self.assertEqual(
            [(r.warehouse_id, r.opening_qty, r.in_qty, r.in_value, r.closing_value) for r in april],
            [(self.hangzhou, 0, 10, 50.0, 50.0)],
        )
        # the wizard: last month by default, the warehouse as a filter
        wizard = self.env["ecom.stock.ledger.wizard"].with_user(self.accountant).create({})
        self.assertEqual(wizard.date_from.day, 1)
        self.assertEqual((wizard.date_to - wizard.date_from).days + 1, wizard.date_to.day)
        self.assertLess(wizard.date_to, date.today().replace(day=1))
        wizard.write({"date_from": "2025-05-01", "date_to": "2025-05-31", "warehouse_id": self.shanghai.id})
        action = wizard.action_open()
        rows = Report.with_context(**action["context"]).search(
            action["domain"] + [("product_id", "=", self.fifo.id)]
        )
        self.assertEqual(rows.warehouse_id, self.shanghai)
        self.assertEqual(rows.in_qty, 2)

    def test_check_against_the_books(self):
        Check = self.env["ecom.stock.ledger.check"]
        wizard = (
            self.env["ecom.stock.ledger.wizard"]
            .with_user(self.accountant)
            .create({"date_from": "2025-05-01", "date_to": "2025-05-31"})
        )
        check = Check.browse(wizard.action_check()["res_id"])
        self.assertEqual(check.result, "ok")
        line = check.line_ids.filtered(lambda line: line.account_id == self.account)
        # both products' stock at the end of May: FIFO 40, average 37.33
        self.assertAlmostEqual(line.stock_value, 40.0 + 37.33, places=2)
        self.assertAlmostEqual(line.difference, 0.0, places=2)
        self.assertFalse(line.flagged)
        # a manual entry on the valuation account, in May
        journal = self.env["account.journal"].search(
            [("company_id", "=", self.company.id), ("type", "=", "general"), ("code", "!=", "ECOM")], limit=1
        )
        other = self.env["account.account"].search(
            [("company_ids", "in", self.company.ids), ("account_type", "=", "expense")], limit=1
        )
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "date": "2025-05-20",
                "line_ids": [
                    Command.create({"account_id": self.account.id, "debit": 123.45}),
                    Command.create({"account_id": other.id, "credit": 123.45}),
                ],
            }
        )
        entry.action_post()
        action = Check.with_user(self.auditor).run_check("2025-05-31", self.company.id)
        check = Check.browse(action["res_id"])
        self.assertEqual(check.result, "difference")
        line = check.line_ids.filtered(lambda line: line.account_id == self.account)
        self.assertAlmostEqual(line.difference, -123.45, places=2)
        self.assertTrue(line.flagged)
        self.assertAlmostEqual(check.difference, -123.45, places=2)
        # at the end of April the entry is not there yet
        april = Check.browse(Check.with_user(self.accountant).run_check("2025-04-30")["res_id"])
        self.assertEqual(april.result, "ok")

    def test_monthly_schedule_tells_the_finance_managers(self):
        Check = self.env["ecom.stock.ledger.check"]
        cron = self.env.ref("ecom_finance.ir_cron_stock_ledger_check")
        self.assertTrue(cron.active)
        journal = self.env["account.journal"].search(
            [("company_id", "=", self.company.id), ("type", "=", "general"), ("code", "!=", "ECOM")], limit=1
        )
        other = self.env["account.account"].search(
            [("company_ids", "in", self.company.ids), ("account_type", "=", "expense")], limit=1
        )
        with freeze_time("2025-06-01 08:00:00"):
            Check._cron_check()
            ok = Check.search([("company_id", "=", self.company.id), ("scheduled", "=", True)])
            self.assertEqual(ok.date_to, date(2025, 5, 31))
            self.assertEqual(ok.result, "ok")
            self.assertFalse(ok.activity_ids)
            ok.unlink()
            self.env["account.move"].create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": "2025-05-31",
                    "line_ids": [
                        Command.create({"account_id": self.account.id, "credit": 7.0}),
                        Command.create({"account_id": other.id, "debit": 7.0}),
                    ],
                }
            ).action_post()
            Check._cron_check()
            found = Check.search([("company_id", "=", self.company.id), ("scheduled", "=", True)])
            self.assertEqual(found.result, "difference")
            self.assertAlmostEqual(found.difference, 7.0, places=2)
            self.assertIn(self.manager, found.activity_ids.user_id)
            self.assertNotIn(self.accountant, found.activity_ids.user_id)
            # once a month: the schedule run again does not check again
            Check._cron_check()
            self.assertEqual(
                Check.search_count([("company_id", "=", self.company.id), ("scheduled", "=", True)]), 1
            )

    def test_rights(self):
        # Warehouse Operators and Shop Operators neither read the ledger nor check the books
        with self.assertRaises(AccessError):
            self.env["ecom.stock.ledger.report"].with_user(self.warehouse_user).with_context(**PERIOD).search(
                []
            )
        with self.assertRaises(AccessError):
            self.env["ecom.stock.ledger.check"].with_user(self.warehouse_user).run_check("2025-05-31")
        with self.assertRaises(AccessError):
            self.env["ecom.stock.ledger.wizard"].with_user(self.warehouse_user).create({})
        # the Accountant checks; nobody writes a check by hand
        action = self.env["ecom.stock.ledger.check"].with_user(self.accountant).run_check("2025-05-31")
        check = self.env["ecom.stock.ledger.check"].with_user(self.accountant).browse(action["res_id"])
        self.assertEqual(check.result, "ok")
        for user in (self.accountant, self.manager, self.auditor):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                check.with_user(user).write({"result": "ok", "difference": 0.0})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["ecom.stock.ledger.check"].with_user(user).create(
                    {"company_id": self.company.id, "date_to": "2025-05-31", "result": "ok"}
                )
