# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import HttpCase, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user
from odoo.addons.ecom_audit.tests.test_audit_denied import call_kw, denied_entries


@tagged("post_install", "-at_install")
class TestAuditDeniedApproval(HttpCase):
    """A Warehouse Operator validating, from the web client, a scrap above the threshold without
    an approval is refused: the refusal is in the trail, and a cost change refused to an operator
    too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_ecom")
        # the cost is per company: set in the demo company's
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id), ("code", "=", "HZ")]
        )
        cls.operator = make_role_user(cls.env, "warehouse_operator", cls.company, login="ecom_denied_wh")
        cls.operator.ecom_warehouse_ids = cls.warehouse
        cls.product = cls.env["product.product"].create(
            {
                "name": "Refused Vase",
                "is_storable": True,
                "standard_price": 30.0,
                "company_id": cls.company.id,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(cls.product, cls.warehouse.lot_stock_id, 100)
        cls.env["ecom.approval.threshold"].create(
            {"company_id": cls.company.id, "operation": "scrap", "min_value": 100, "min_quantity": 20}
        )
        cls.scrap = (
            cls.env["stock.scrap"]
            .with_user(cls.operator)
            .create(
                {
                    "product_id": cls.product.id,
                    "scrap_qty": 5,  # 150.00: above the threshold
                    "location_id": cls.warehouse.lot_stock_id.id,
                    "company_id": cls.company.id,
                }
            )
        )

    def test_refused_approval_is_logged(self):
        self.authenticate("ecom_denied_wh", "ecom_denied_wh")
        reply = call_kw(self, "stock.scrap", "action_validate", [[self.scrap.id]])
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.UserError")
        self.assertEqual(self.scrap.state, "draft")
        entry = denied_entries(self.env, self.operator, "stock.scrap")
        self.assertEqual(len(entry), 1)
        self.assertEqual(
            (entry.res_ids, entry.changes["method"], entry.changes["operation"]),
            (str(self.scrap.id), "action_validate", "approval"),
        )
        self.assertIn("above the approval threshold", entry.changes["error"])

    def test_cost_refused_to_operator_is_logged(self):
        self.authenticate("ecom_denied_wh", "ecom_denied_wh")
        reply = call_kw(self, "product.product", "write", [[self.product.id], {"standard_price": 1.0}])
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError")
        entry = denied_entries(self.env, self.operator, "product.product")
        self.assertEqual(len(entry), 1)
        self.assertEqual((entry.res_ids, entry.changes["method"]), (str(self.product.id), "write"))
        # what was asked for (the cost) is not in the trail, only that it was refused
        self.assertNotIn("1.0", str(entry.changes))
