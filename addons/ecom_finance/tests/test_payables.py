# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Payables end to end from a purchase order: receipt, supplier bill, partial and final payment,
the payments matched with the bill, its payment status, the Payables list and the payable aging
and open items of OCA account_financial_report, on the demo company."""

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.ecom_audit.tests.common import make_role_user


@tagged("post_install", "-at_install")
class TestPayables(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_ecom")
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.accountant = make_role_user(cls.env, "accountant", cls.company, login="ap_accountant")
        cls.auditor = make_role_user(cls.env, "auditor", cls.company, login="ap_auditor")
        cls.warehouse = make_role_user(cls.env, "warehouse_operator", cls.company, login="ap_warehouse")
        cls.vendor = cls.env["res.partner"].create(
            {"name": "Ningbo Packaging Co.", "company_id": cls.company.id}
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Gift box", "type": "consu", "is_storable": True, "standard_price": 10.0}
        )
        cls.today = fields.Date.context_today(cls.env.user)
        # the purchase, its receipt and its bill (purchase and stock staff's work, done here as admin)
        cls.order = cls.env["purchase.order"].create(
            {
                "partner_id": cls.vendor.id,
                "company_id": cls.company.id,
                "order_line": [
                    Command.create({"product_id": cls.product.id, "product_qty": 10, "price_unit": 12.0})
                ],
            }
        )
        cls.order.button_confirm()
        receipt = cls.order.picking_ids
        receipt.move_ids.quantity = 10
        receipt.button_validate()
        cls.order.action_create_invoice()
        cls.bill = cls.order.invoice_ids
        cls.bill.invoice_date = cls.today
        cls.bill.action_post()

    def pay(self, amount):
        return (
            self.env["account.payment.register"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=self.bill.ids)
            .create({"amount": amount, "payment_date": self.today})
            ._create_payments()
        )

    def _report(self, wizard_model, report, user, **values):
        """The values of an account_financial_report report on the vendor's payables, as ``user``
        runs it."""
        wizard = (
            self.env[wizard_model]
            .with_user(user)
            .create(
                {
                    "company_id": self.company.id,
                    "payable_accounts_only": True,
                    "partner_ids": [Command.set(self.vendor.ids)],
                    **values,
                }
            )
        )
        wizard.onchange_type_accounts_only()
        data = wizard._prepare_report_data()
        if not isinstance(data["date_at"], str):
            data["date_at"] = fields.Date.to_string(data["date_at"])  # as the web client sends it
        return (
            self.env[f"report.account_financial_report.{report}"]
            .with_user(user)
            ._get_report_values(wizard, data)
        )

    def aging(self, user):
        values = self._report(
            "aged.partner.balance.report.wizard", "aged_partner_balance", user, show_move_line_details=True
        )
        return {
            partner["name"]: (partner["current"], partner["residual"])
            for account in values["aged_partner_balance"]
            for partner in account["partners"]
        }

    def open_items(self, user):
        values = self._report("open.items.report.wizard", "open_items", user)
        return [
            line
            for partners in values["Open_Items"].values()
            for lines in partners.values()
            for line in lines
        ]

    def payables(self, user):
        action = self.env.ref("ecom_finance.action_ecom_payables")
        domain = [*safe_eval(action.domain), ("partner_id", "=", self.vendor.id)]
        return self.env["account.move"].with_user(user).search(domain)

    def test_from_purchase_order_to_paid_bill(self):
        total = self.bill.amount_total
        self.assertEqual(self.order.invoice_status, "invoiced")
        self.assertEqual(self.bill.invoice_origin, self.order.name)
        self.assertEqual(self.bill.payment_state, "not_paid")
        self.assertTrue(self.bill.voucher_number)
        self.assertEqual(self.payables(self.accountant), self.bill)
        self.assertEqual(self.aging(self.accountant)[self.vendor.name], (-total, -total))

        first = self.pay(50.0)
        self.assertEqual(self.bill.payment_state, "partial")
        self.assertAlmostEqual(self.bill.amount_residual, total - 50.0)
        self.assertEqual(self.aging(self.auditor)[self.vendor.name], (-(total - 50.0), -(total - 50.0)))
        [item] = self.open_items(self.accountant)
        self.assertAlmostEqual(item["amount_residual"], -(total - 50.0))
        self.assertEqual(item["move_id"][0], self.bill.id)

        second = self.pay(total - 50.0)
        self.assertIn(self.bill.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.bill._get_reconciled_payments(), first | second)
        self.assertNotIn(self.vendor.name, self.aging(self.accountant))
        self.assertFalse(self.open_items(self.accountant))

    def test_operators_do_not_see_payables(self):
        with self.assertRaises(AccessError):
            self.aging(self.warehouse)
        with self.assertRaises(AccessError):
            self.payables(self.warehouse)
