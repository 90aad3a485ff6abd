# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestDeviceTokenUi(HttpCase):
    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_manager = new_test_user(
            cls.env,
            login="ecom_dev_tour_manager",
            groups="base.group_user,stock.group_stock_manager",
        )
        warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        cls.device = cls.env["ecom.device"].create(
            {"name": "Tour Handheld", "serial": "TOUR-01", "warehouse_id": warehouse.id}
        )

    def test_issue_a_token_on_a_phone(self):
        self.start_tour(
            f"/odoo/action-ecom_devices.ecom_device_action/{self.device.id}",
            "ecom_devices_token_tour",
            login=self.stock_manager.login,
        )
        self.assertEqual(self.device.token_state, "active")
        self.assertTrue(self.device.token_prefix)
        # shown in a dialog that was never saved: the token is nowhere
        self.assertFalse(self.env["ecom.device.token.wizard"].search([]))
