# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import EcomShopCase


@tagged("post_install", "-at_install")
class TestShopAccess(EcomShopCase):
    def _visible(self, role):
        return self.env["ecom.shop"].with_user(self.users[role]).search([])

    def test_shop_operator_sees_only_own_shops(self):
        self.assertEqual(self._visible("shop_operator"), self.shop_own)
        with self.assertRaises(AccessError):
            self.shop_colleague.with_user(self.users["shop_operator"]).read(["name"])

    def test_finance_roles_see_every_shop_of_their_company(self):
        for role in ("accountant", "manager", "auditor"):
            with self.subTest(role=role):
                self.assertEqual(self._visible(role), self.shop_own | self.shop_colleague)
                with self.assertRaises(AccessError):
                    self.shop_other_company.with_user(self.users[role]).read(["name"])

    def test_warehouse_operator_has_no_shop_access(self):
        with self.assertRaises(AccessError):
            self._visible("warehouse_operator")

    def test_forged_allowed_company_ids_is_refused(self):
        accountant = self.users["accountant"]
        Shop = self.env["ecom.shop"].with_user(accountant)
        with self.assertRaises(AccessError):
            Shop.with_context(allowed_company_ids=[self.other_company.id]).search([])

    def test_only_finance_manager_changes_shops(self):
        for role in ("shop_operator", "accountant", "auditor"):
            user = self.users[role]
            with self.subTest(role=role):
                with self.assertRaises(AccessError):
                    self.shop_own.with_user(user).write({"name": "Renamed"})
                with self.assertRaises(AccessError):
                    self.env["ecom.shop"].with_user(user).create({"name": "New", "code": "NEW"})
                with self.assertRaises(AccessError):
                    self.shop_own.with_user(user).unlink()
        self.assertEqual(self.shop_own.name, "Own Tmall Shop")

        manager = self.users["manager"]
        self.shop_own.with_user(manager).write({"name": "Renamed by manager"})
        self.assertEqual(self.shop_own.name, "Renamed by manager")
        shop = self.env["ecom.shop"].with_user(manager).create({"name": "JD shop", "code": "JD1"})
        self.assertEqual(shop.company_id, self.company)
        self.assertEqual(shop.currency_id, self.company.currency_id)
        self.assertFalse(shop.is_foreign_currency)
        foreign = self.env.ref("base.EUR" if self.company.currency_id.name != "EUR" else "base.USD")
        shop.currency_id = foreign
        self.assertTrue(shop.is_foreign_currency)

    def test_code_unique_per_company(self):
        self.env["ecom.shop"].create(
            {"name": "Same code elsewhere", "code": "T-OWN", "company_id": self.other_company.id}
        )
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["ecom.shop"].create({"name": "Duplicate", "code": "T-OWN"})

    def test_warehouse_must_belong_to_shop_company(self):
        foreign_warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.other_company.id)], limit=1
        )
        self.assertTrue(foreign_warehouse)
        with self.assertRaises(UserError):
            self.shop_own.write({"warehouse_id": foreign_warehouse.id})

    def _end_transaction(self):
        """Run what a commit would run: tracking values are written just before it."""
        self.env.flush_all()
        self.cr.precommit.run()

    def test_changes_are_tracked_in_chatter(self):
        self._end_transaction()  # the shops of setUpClass were created by an earlier transaction
        self.shop_own.with_user(self.users["manager"]).write({"payment_channel": "wechat"})
        self._end_transaction()
        self.shop_own.invalidate_recordset(["message_ids"])
        tracked = self.shop_own.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "payment_channel"
        )
        self.assertEqual(tracked.old_value_char, "Alipay")
        self.assertEqual(tracked.new_value_char, "WeChat Pay")
        self.assertEqual(tracked.mail_message_id.author_id, self.users["manager"].partner_id)
