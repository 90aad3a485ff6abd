# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_audit.tests.common import EcomRolesCase


@tagged("post_install", "-at_install")
class TestDeviceAccess(EcomRolesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_manager = new_test_user(
            cls.env,
            login="ecom_test_stock_manager",
            groups="base.group_user,stock.group_stock_manager",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        Device = cls.env["ecom.device"]
        cls.handheld = Device.create(
            {"name": "Handheld 01", "serial": "HH-0001", "warehouse_id": cls.warehouse.id}
        )
        cls.foreign_reader = Device.create(
            {
                "name": "RFID gate",
                "serial": "RF-0001",
                "device_type": "rfid_reader",
                "company_id": cls.other_company.id,
            }
        )

    def test_warehouse_operator_reads_devices_of_own_company(self):
        operator = self.users["warehouse_operator"]
        self.assertTrue(operator.has_group("stock.group_stock_user"))
        self.assertEqual(self.env["ecom.device"].with_user(operator).search([]), self.handheld)
        with self.assertRaises(AccessError):
            self.foreign_reader.with_user(operator).read(["name"])

    def test_only_stock_managers_register_devices(self):
        for role in ("warehouse_operator", "auditor", "shop_operator", "accountant"):
            user = self.users[role]
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.env["ecom.device"].with_user(user).create({"name": "Scanner", "serial": "SC-9"})
        device = (
            self.env["ecom.device"]
            .with_user(self.stock_manager)
            .create({"name": "Scanner", "serial": "SC-9", "device_type": "scanner"})
        )
        self.assertEqual(device.company_id, self.company)

    def test_auditor_reads_but_never_writes(self):
        auditor = self.users["auditor"]
        self.assertEqual(self.handheld.with_user(auditor).serial, "HH-0001")
        with self.assertRaises(AccessError):
            self.handheld.with_user(auditor).write({"note": "moved"})
        with self.assertRaises(AccessError):
            self.handheld.with_user(auditor).unlink()

    def test_shop_operator_and_accountant_see_no_devices(self):
        for role in ("shop_operator", "accountant"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.env["ecom.device"].with_user(self.users[role]).search([])

    def test_serial_unique_per_company(self):
        self.env["ecom.device"].create(
            {"name": "Same serial elsewhere", "serial": "HH-0001", "company_id": self.other_company.id}
        )
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["ecom.device"].create({"name": "Clone", "serial": "HH-0001"})
