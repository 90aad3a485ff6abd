# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user


@tagged("post_install", "-at_install")
class TestStockLevels(TransactionCase):
    """Low- and over-stock warnings from Odoo's reordering rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.operator = make_role_user(
            cls.env,
            "warehouse_operator",
            cls.company,
            login="ecom_levels_operator",
            extra_groups=("stock.group_stock_user",),
        )
        cls.operator.ecom_warehouse_ids = cls.warehouse
        cls.responsible = make_role_user(cls.env, "manager", cls.company, login="ecom_levels_manager")
        cls.product = cls.env["product.product"].create(
            {
                "name": "Level test tea",
                "default_code": "LVL-T",
                "is_storable": True,
                "type": "consu",
                "responsible_id": cls.responsible.id,
            }
        )
        cls.rule = cls.env["stock.warehouse.orderpoint"].create(
            {
                "product_id": cls.product.id,
                "warehouse_id": cls.warehouse.id,
                "location_id": cls.warehouse.lot_stock_id.id,
                "product_min_qty": 5,
                "product_max_qty": 10,
            }
        )

    def _on_hand(self, quantity):
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": self.product.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "inventory_quantity": quantity,
            }
        ).action_apply_inventory()
        self.rule.invalidate_recordset()

    def _warnings(self):
        return self.product.product_tmpl_id.activity_ids

    def test_levels_filters_and_one_warning_per_level(self):
        Rule = self.env["stock.warehouse.orderpoint"]
        self._on_hand(3)
        self.assertEqual(self.rule.ecom_stock_level, "low")
        self.assertIn(self.rule, Rule.search([("ecom_stock_level", "=", "low")]))
        self.assertNotIn(self.rule, Rule.search([("ecom_stock_level", "=", "over")]))

        Rule._cron_ecom_stock_levels()
        warning = self._warnings()
        self.assertEqual(len(warning), 1)
        self.assertEqual(warning.user_id, self.responsible)
        self.assertIn("below its minimum", warning.summary)
        Rule._cron_ecom_stock_levels()
        self.assertEqual(len(self._warnings()), 1, "once while the level stays")

        self._on_hand(25)
        self.assertEqual(self.rule.ecom_stock_level, "over")
        Rule._cron_ecom_stock_levels()
        self.assertEqual(len(self._warnings()), 2)
        self.assertEqual(
            sorted("above" in summary for summary in self._warnings().mapped("summary")), [False, True]
        )

        self._on_hand(7)
        self.assertEqual(self.rule.ecom_stock_level, "ok")
        Rule._cron_ecom_stock_levels()
        self.assertFalse(self.rule.ecom_level_alerted)
        self.assertEqual(len(self._warnings()), 2)

    def test_the_operator_sees_the_level_and_cannot_silence_it(self):
        self._on_hand(3)
        rule = self.rule.with_user(self.operator)
        self.assertEqual(rule.ecom_stock_level, "low")
        for user in (self.operator, self.responsible):
            with self.assertRaises(AccessError):
                self.rule.with_user(user).write({"ecom_level_alerted": "low"})
