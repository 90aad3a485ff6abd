# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user

MARCH = "2024-03-15 10:00:00"


@tagged("post_install", "-at_install")
class TestBudgetControl(TransactionCase):
    """A purchase order or a manual entry beyond its budget waits for a Finance Manager's approval
    (someone other than its requester); the budget's remaining counts confirmed orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_ecom")
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.tmall = cls.env.ref("ecom_finance.demo_shop_tmall")
        company = cls.company

        def purchaser(login, *roles):
            return new_test_user(
                cls.env,
                login=login,
                groups=",".join(["base.group_user", "purchase.group_purchase_user", *roles]),
                company_id=company.id,
                company_ids=[company.id],
            )

        cls.purchaser = purchaser("ecom_bc_purchaser")
        # a Finance Manager who also buys: confirming beyond the budget still needs someone else
        cls.buying_manager = purchaser("ecom_bc_buying_manager", "ecom_audit.group_ecom_manager")
        cls.accountant = make_role_user(cls.env, "accountant", company, login="ecom_bc_accountant")
        cls.manager = make_role_user(cls.env, "manager", company, login="ecom_bc_manager")
        cls.shop_operator = make_role_user(cls.env, "shop_operator", company, login="ecom_bc_shop")
        cls.account = cls.env["account.account"].create(
            {
                "name": "Marketing services (budget test)",
                "code": "660999",
                "account_type": "expense",
                "company_ids": [Command.link(company.id)],
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Influencer campaign", "type": "service", "purchase_method": "purchase"}
        )
        cls.product.with_company(company).property_account_expense_id = cls.account
        cls.vendor = cls.env["res.partner"].create({"name": "Hangzhou Media Agency"})
        cls.budget = cls.env["ecom.budget"].create(
            {
                "name": "Marketing",
                "company_id": company.id,
                "account_ids": [Command.set(cls.account.ids)],
                "date_from": date(2024, 3, 1),
                "amount": 1000.0,
                "user_id": cls.manager.id,
            }
        )

    def _order(self, amount, user=None):
        return (
            self.env["purchase.order"]
            .with_user(user or self.purchaser)
            .create(
                {
                    "partner_id": self.vendor.id,
                    "company_id": self.company.id,
                    "currency_id": self.company.currency_id.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_qty": 1.0,
                                "price_unit": amount,
                                "date_planned": MARCH,
                                "taxes_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )

    def _entry(self, amount):
        return (
            self.env["account.move"]
            .with_user(self.accountant)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": self.tmall.journal_id.id,
                    "date": "2024-03-31",
                    "ref": "Campaign accrual",
                    "line_ids": [
                        Command.create({"account_id": self.account.id, "debit": amount}),
                        Command.create({"account_id": self.tmall.clearing_account_id.id, "credit": amount}),
                    ],
                }
            )
        )

    def _requests(self, record):
        return self.env["ecom.approval.request"].search(
            [
                ("operation", "=", "budget_overrun"),
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
            ]
        )

    def _budget(self, user=None):
        self.env.invalidate_all()
        return self.budget.with_user(user or self.manager)

    def test_remaining_counts_confirmed_orders_not_yet_billed(self):
        self.assertEqual(self._budget().remaining, 1000.0)
        draft = self._order(250.0)
        self.assertEqual(self._budget().committed, 0.0, "a draft order commits nothing")
        self._order(600.0).button_confirm()
        budget = self._budget(self.accountant)
        self.assertEqual((budget.consumed, budget.committed, budget.remaining), (0.0, 600.0, 400.0))
        # the draft order shows the budget it counts in, what remains and what would remain
        self.assertFalse(draft.ecom_budget_overrun)
        self.assertIn("Marketing", draft.ecom_budget_html)
        self.assertIn("400.00", draft.ecom_budget_html)
        self.assertIn("150.00", draft.ecom_budget_html)
        # another month or another account commits nothing here
        other = self._order(300.0)
        other.order_line.date_planned = "2024-04-02 10:00:00"
        other.button_confirm()
        self.assertEqual(self._budget().committed, 600.0)

    def test_a_posted_bill_moves_the_order_from_committed_to_consumed(self):
        order = self._order(600.0)
        order.button_confirm()
        action = self.env["purchase.order"].browse(order.id).action_create_invoice()
        bill = self.env["account.move"].browse(action["res_id"])
        bill.invoice_date = date(2024, 3, 20)
        budget = self._budget()
        self.assertEqual((budget.consumed, budget.committed), (0.0, 600.0), "a draft bill books nothing yet")
        bill.with_user(self.accountant).action_post()
        budget = self._budget(self.accountant)
        self.assertEqual((budget.consumed, budget.committed, budget.remaining), (600.0, 0.0, 400.0))

    def test_order_beyond_the_budget_waits_for_a_finance_manager(self):
        self._order(600.0).button_confirm()
        order = self._order(500.0)
        self.assertTrue(order.ecom_budget_overrun)
        with self.assertRaises(UserError) as refused:
            order.button_confirm()
        message = str(refused.exception)
        self.assertIn("Marketing", message)
        self.assertIn("400.00", message, "the remaining budget")
        self.assertIn("100.00", message, "the overrun")
        self.assertEqual(order.state, "draft")
        # a shop operator neither asks for an order's approval nor confirms it
        with self.assertRaises(AccessError):
            order.with_user(self.shop_operator).action_ecom_request_budget_approval()
        with self.assertRaises(AccessError):
            order.with_user(self.shop_operator).button_confirm()
        order.action_ecom_request_budget_approval()
        request = self._requests(order)
        self.assertEqual((request.state, request.requester_id), ("pending", self.purchaser))
        self.assertAlmostEqual(request.amount, 100.0)
        # the approver sees what they approve: the order's lines
        self.assertIn("Influencer campaign", request.with_user(self.manager).substance_html)
        with self.assertRaises(AccessError):
            request.with_user(self.accountant).action_approve()  # a Finance Manager's decision
        with self.assertRaises(UserError):
            order.button_confirm()  # not approved yet
        # nor past Confirm Order: Odoo's second step called on a draft, or the state written
        with self.assertRaises(UserError):
            order.button_approve()
        with self.assertRaises(UserError):
            order.write({"state": "purchase"})
        self.assertEqual(order.state, "draft")
        # nor created confirmed (RPC): nothing is left behind
        orders = self.env["purchase.order"].search_count([])
        with self.assertRaises(UserError):
            self.env["purchase.order"].with_user(self.purchaser).create(
                {
                    "partner_id": self.vendor.id,
                    "company_id": self.company.id,
                    "state": "purchase",
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_qty": 1.0,
                                "price_unit": 500.0,
                                "date_planned": MARCH,
                                "taxes_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        self.assertEqual(self.env["purchase.order"].search_count([]), orders)
        request.with_user(self.manager).action_approve()
        self.assertEqual(request.state, "approved")
        order.button_confirm()
        self.assertEqual(order.state, "purchase")
        self.assertEqual(request.state, "applied", "confirming consumed the approval")
        budget = self._budget()
        self.assertEqual((budget.committed, budget.remaining), (1100.0, -100.0))

    def test_a_change_after_the_approval_voids_it(self):
        self._order(600.0).button_confirm()
        order = self._order(500.0)
        order.action_ecom_request_budget_approval()
        request = self._requests(order)
        request.with_user(self.manager).action_approve()
        order.write({"order_line": [Command.update(order.order_line.id, {"price_unit": 520.0})]})
        self.assertEqual(request.state, "cancelled")
        with self.assertRaises(UserError):
            order.button_confirm()
        self.assertEqual(order.state, "draft")
        # a change of the line itself, the same
        order.action_ecom_request_budget_approval()
        request = self._requests(order).filtered(lambda r: r.state == "pending")
        request.with_user(self.manager).action_approve()
        # (Odoo sets the price and date of a line again from the vendor's prices on a new quantity)
        order.order_line.with_user(self.purchaser).write(
            {"product_qty": 2.0, "price_unit": 260.0, "date_planned": MARCH}
        )
        self.assertEqual(request.state, "cancelled")
        with self.assertRaises(UserError):
            order.button_confirm()

    def test_the_requester_never_approves_their_own_overrun(self):
        self._order(900.0).button_confirm()
        order = self._order(300.0, self.buying_manager)
        with self.assertRaises(UserError):
            order.button_confirm()  # a Finance Manager is refused too
        order.action_ecom_request_budget_approval()
        request = self._requests(order)
        with self.assertRaises(AccessError):
            request.with_user(self.buying_manager).action_approve()
        with self.assertRaises(UserError):
            order.button_confirm()
        request.with_user(self.manager).action_approve()
        order.button_confirm()
        self.assertEqual(order.state, "purchase")

    def test_within_the_budget_nothing_is_asked(self):
        order = self._order(1000.0)
        self.assertFalse(order.ecom_budget_overrun)
        with self.assertRaises(UserError):
            order.action_ecom_request_budget_approval()
        order.button_confirm()
        self.assertEqual(order.state, "purchase")
        self.assertFalse(self._requests(order))

    def test_manual_entry_beyond_the_budget_waits_for_a_finance_manager(self):
        self._order(600.0).button_confirm()
        entry = self._entry(500.0)
        self.assertTrue(entry.ecom_budget_overrun)
        self.assertIn("400.00", entry.ecom_budget_html)
        # the manual entry's own approval (an Accountant's) is not enough beyond the budget
        entry.action_ecom_request_post()
        self.env["ecom.approval.request"].search(
            [
                ("operation", "=", "manual_entry"),
                ("res_model", "=", "account.move"),
                ("res_id", "=", entry.id),
            ]
        ).with_user(self.manager).action_approve()
        with self.assertRaises(UserError) as refused:
            entry.action_post()
        self.assertIn("400.00", str(refused.exception))
        self.assertIn("100.00", str(refused.exception))
        self.assertEqual(entry.state, "draft")
        with self.assertRaises(AccessError):
            entry.with_user(self.shop_operator).action_ecom_request_budget_approval()
        entry.action_ecom_request_budget_approval()
        request = self._requests(entry)
        self.assertEqual((request.state, request.requester_id), ("pending", self.accountant))
        with self.assertRaises(AccessError):
            request.with_user(self.accountant).action_approve()  # their own request
        other_accountant = make_role_user(self.env, "accountant", self.company, login="ecom_bc_accountant2")
        with self.assertRaises(AccessError):
            request.with_user(other_accountant).action_approve()  # a Finance Manager's decision
        request.with_user(self.manager).action_approve()
        entry.action_post()
        self.assertEqual(entry.state, "posted")
        self.assertEqual(request.state, "applied")
        budget = self._budget()
        self.assertEqual((budget.consumed, budget.committed, budget.remaining), (500.0, 600.0, -100.0))

    def test_manual_entry_changed_after_the_approval(self):
        self._order(600.0).button_confirm()
        entry = self._entry(500.0)
        entry.action_ecom_request_post()
        entry.action_ecom_request_budget_approval()
        requests = self.env["ecom.approval.request"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", entry.id)]
        )
        self.assertEqual(sorted(requests.mapped("operation")), ["budget_overrun", "manual_entry"])
        for request in requests:
            request.with_user(self.manager).action_approve()
        debit = entry.line_ids.filtered(lambda line: line.account_id == self.account)
        credit = entry.line_ids - debit
        entry.write(
            {
                "line_ids": [
                    Command.update(debit.id, {"debit": 550.0}),
                    Command.update(credit.id, {"credit": 550.0}),
                ]
            }
        )
        self.assertEqual(set(requests.mapped("state")), {"cancelled"})
        with self.assertRaises(UserError):
            entry.action_post()
        # within the budget, the manual entry's own approval is all it needs
        entry.write(
            {
                "line_ids": [
                    Command.update(debit.id, {"debit": 300.0}),
                    Command.update(credit.id, {"credit": 300.0}),
                ]
            }
        )
        self.assertFalse(entry.ecom_budget_overrun)
        entry.action_ecom_request_post()
        self.env["ecom.approval.request"].search(
            [("operation", "=", "manual_entry"), ("res_id", "=", entry.id), ("state", "=", "pending")]
        ).with_user(self.manager).action_approve()
        entry.action_post()
        self.assertEqual(entry.state, "posted")

    def test_the_budget_fields_are_the_control_s_own(self):
        """What the forms show is computed each time: neither create, write nor copy sets it."""
        self._order(900.0).button_confirm()
        order = self._order(300.0)
        order.write({"ecom_budget_overrun": False, "ecom_budget_html": "<p>within</p>"})
        self.env.invalidate_all()
        self.assertTrue(order.ecom_budget_overrun)
        self.assertNotIn("within", order.ecom_budget_html)
        copied = order.copy({"ecom_budget_overrun": False})
        # (a copy's lines take today's prices and dates: put them back in March)
        copied.order_line.write({"price_unit": 300.0, "date_planned": MARCH})
        self.env.invalidate_all()
        self.assertTrue(copied.ecom_budget_overrun)
        entry = self._entry(500.0)
        entry.write({"ecom_budget_overrun": False})
        self.env.invalidate_all()
        self.assertTrue(entry.ecom_budget_overrun)
