# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The handheld screen's methods over XML-RPC, as each role (like test_device_rpc)."""

from xmlrpc.client import Fault

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import PRODUCT_BARCODE
from .handheld_common import keys_of, make_handheld_fixtures

ACCESS_ERROR = 4  # the fault code of an odoo.exceptions.AccessError over XML-RPC
OTHER_ROLES = ("shop_operator", "accountant", "manager", "auditor")


@tagged("post_install", "-at_install")
class TestHandheldRpc(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_handheld_fixtures(cls)
        cls.users["operator_b"] = cls.operator_b

    def call(self, role, model, method, *args):
        user = self.users[role]
        db = self.env.cr.dbname
        uid = self.xmlrpc_common.authenticate(db, user.login, user.login, {})
        return self.xmlrpc_object.execute_kw(db, uid, user.login, model, method, list(args))

    def assertRefused(self, role, model, method, *args):
        with (
            self.subTest(role=role, method=method),
            mute_logger("odoo.http", "odoo.addons.ecom_audit", "odoo.models"),
            self.assertRaises(Fault) as info,
        ):
            self.call(role, model, method, *args)
        self.assertEqual(info.exception.faultCode, ACCESS_ERROR, info.exception.faultString)

    def test_the_warehouse_operator_receives_and_counts_over_rpc(self):
        stock = self.warehouse_a.lot_stock_id.id
        answers = [
            self.call("warehouse_operator", "stock.picking", "ecom_handheld_pickings", "incoming"),
            self.call(
                "warehouse_operator", "stock.picking", "ecom_handheld_scan", self.receipt.ids, PRODUCT_BARCODE
            ),
            self.call(
                "warehouse_operator", "stock.quant", "ecom_handheld_count_scan", stock, PRODUCT_BARCODE
            ),
        ]
        self.assertEqual(answers[1]["status"], "ok")
        self.assertEqual(answers[2]["view"]["lines"][0]["counted"], 1)
        for answer in answers:
            self.assertFalse(
                {key for key in keys_of(answer) if "cost" in key or "price" in key or "value" in key}
            )

    def test_the_other_roles_and_warehouses_are_refused(self):
        stock = self.warehouse_a.lot_stock_id.id
        for role in OTHER_ROLES:
            self.assertRefused(role, "stock.picking", "ecom_handheld_pickings", False)
            self.assertRefused(role, "stock.quant", "ecom_handheld_count_view", stock)
        self.assertRefused(
            "operator_b", "stock.picking", "ecom_handheld_scan", self.receipt.ids, PRODUCT_BARCODE
        )
        self.assertRefused("operator_b", "stock.quant", "ecom_handheld_count_scan", stock, PRODUCT_BARCODE)
        self.assertFalse(any(self.receipt.move_ids.mapped("picked")))
