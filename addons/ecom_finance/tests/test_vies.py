# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The VIES check of a partner's EU VAT number, against the fake VIES on loopback."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_audit.tests.common import EcomRolesCase

from ecomfin.soap.fake_vies import FakeViesServer

from ..models.res_partner import VIES_TIMEOUT_PARAM, VIES_URL_PARAM

FINANCE = ("accountant", "manager")
OTHERS = ("shop_operator", "warehouse_operator", "auditor")


@tagged("post_install", "-at_install")
class TestVies(EcomRolesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = FakeViesServer().start()
        cls.addClassCleanup(cls.server.stop)
        params = cls.env["ir.config_parameter"]
        params.set_param(VIES_URL_PARAM, cls.server.url)
        # one number: Odoo's test harness compares a request's timeout with a number (no tuple)
        params.set_param(VIES_TIMEOUT_PARAM, "10")
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Beispiel Handels GmbH", "is_company": True, "vat": "DE811569869"}
        )
        cls.accountant = cls.users["accountant"]

    def _check(self, partner, role="accountant", lang="en_US"):
        return partner.with_user(self.users[role]).with_context(lang=lang).action_ecom_check_vies()

    def _notes(self, partner):
        return partner.message_ids.filtered(lambda m: "VIES" in (m.body or ""))

    # ------------------------------------------------------------------
    # Answers
    # ------------------------------------------------------------------

    def test_valid_number_recorded_and_posted(self):
        self.assertEqual(self.buyer.ecom_vies_state, "unchecked")
        self.assertTrue(self.buyer.ecom_vies_applicable)
        self._check(self.buyer)
        self.assertEqual(self.buyer.ecom_vies_state, "valid")
        self.assertEqual(self.buyer.ecom_vies_number, "DE811569869")
        self.assertEqual(self.buyer.ecom_vies_name, "Beispiel Handels GmbH")
        self.assertIn("10115 Berlin", self.buyer.ecom_vies_address)
        self.assertTrue(self.buyer.ecom_vies_checked_at)
        self.assertFalse(self.buyer.ecom_vies_consultation)  # the company has no EU VAT number
        note = self._notes(self.buyer)
        self.assertEqual(len(note), 1)
        self.assertIn("DE811569869 is valid", note.body)
        self.assertEqual(note.author_id, self.accountant.partner_id)

    def test_consultation_number_with_the_company_vat(self):
        """With the company's own EU VAT number, VIES gives a consultation number: the proof."""
        self.company.partner_id.vat = "FR40303265045"
        greek = self.env["res.partner"].create(
            {"name": "Greek buyer", "vat": "094014201", "country_id": self.env.ref("base.gr").id}
        )
        self._check(greek)
        self.assertEqual(greek.ecom_vies_state, "valid")
        self.assertEqual(greek.ecom_vies_number, "EL094014201")
        self.assertTrue(greek.ecom_vies_consultation.startswith("FAKE"))
        self.assertIn(greek.ecom_vies_consultation, self._notes(greek).body)

    def test_invalid_number(self):
        partner = self.env["res.partner"].create({"name": "Nobody", "vat": "DE 999 999 999"})
        self._check(partner, "manager")
        self.assertEqual(partner.ecom_vies_state, "invalid")
        self.assertFalse(partner.ecom_vies_name)
        self.assertIn("NOT valid", self._notes(partner).body)

    def test_fault_is_a_translated_user_error(self):
        partner = self.env["res.partner"].create({"name": "Italian buyer", "vat": "IT301"})
        with self.assertRaises(UserError) as caught:
            self._check(partner)
        self.assertIn(
            "the tax administration of IT does not answer VIES now (MS_UNAVAILABLE)", str(caught.exception)
        )
        with self.assertRaises(UserError) as caught_zh:
            self._check(partner, lang="zh_CN")
        self.assertIn("MS_UNAVAILABLE", str(caught_zh.exception))
        self.assertNotIn("does not answer VIES now", str(caught_zh.exception))
        self.assertEqual(partner.ecom_vies_state, "unchecked")

    def test_no_eu_vat_number_is_not_sent(self):
        before = self.server.requests
        for vat in (False, "CN91330100MA27XL0E2Y", "GB123456789"):
            partner = self.env["res.partner"].create({"name": f"Buyer {vat}", "vat": vat})
            self.assertFalse(partner.ecom_vies_applicable)
            with self.assertRaises(UserError):
                self._check(partner)
        self.assertEqual(self.server.requests, before)

    def test_a_new_vat_number_is_unchecked(self):
        self._check(self.buyer)
        self.buyer.with_user(self.users["manager"]).vat = "FR40303265045"
        self.assertEqual(self.buyer.ecom_vies_state, "unchecked")
        self.assertFalse(self.buyer.ecom_vies_number)

    # ------------------------------------------------------------------
    # Rights and protected fields
    # ------------------------------------------------------------------

    def test_only_the_finance_roles_check(self):
        before = self.server.requests
        for role in OTHERS:
            with self.subTest(role=role), self.assertRaises(AccessError):
                self._check(self.buyer, role)
        self.assertEqual(self.server.requests, before)
        self.assertEqual(self.buyer.ecom_vies_state, "unchecked")
        for role in FINANCE:
            with self.subTest(role=role):
                self._check(self.buyer, role)
                self.assertEqual(self.buyer.ecom_vies_state, "valid")
        self.assertEqual(self.server.requests, before + len(FINANCE))

    def test_the_button_is_the_finance_roles(self):
        for role in (*FINANCE, *OTHERS):
            arch = self.env["res.partner"].with_user(self.users[role]).get_views([(False, "form")])
            with self.subTest(role=role):
                self.assertEqual("action_ecom_check_vies" in arch["views"]["form"]["arch"], role in FINANCE)

    def test_answer_fields_refused_in_create_write_copy_and_load(self):
        manager = self.users["manager"]  # may edit partners (Contact Creation)
        Partner = self.env["res.partner"].with_user(manager)
        forged = {
            "ecom_vies_state": "valid",
            "ecom_vies_number": "DE811569869",
            "ecom_vies_consultation": "WAPIFORGED",
            "ecom_vies_checked_at": "2026-01-01 00:00:00",
        }
        for name, value in forged.items():
            with self.subTest(field=name):
                with self.assertRaises(AccessError):
                    Partner.create({"name": "Forged", "vat": "DE811569869", name: value})
                with self.assertRaises(AccessError):
                    self.buyer.with_user(manager).write({name: value})
                with self.assertRaises(AccessError):
                    self.buyer.with_user(manager).copy({name: value})
        result = Partner.load([".id", "ecom_vies_state"], [[str(self.buyer.id), "valid"]])
        self.assertFalse(result["ids"])
        self.assertEqual(self.buyer.ecom_vies_state, "unchecked")
        # the default, as the web client sends it, is accepted; a copy is not checked
        self.assertTrue(Partner.create({"name": "New", "ecom_vies_state": "unchecked"}))
        self._check(self.buyer)
        self.assertEqual(self.buyer.copy().ecom_vies_state, "unchecked")

    def test_company_of_the_caller(self):
        """A user of another company checks the partners it may read only."""
        other = self.env["res.partner"].create(
            {"name": "Other's buyer", "vat": "DE811569869", "company_id": self.other_company.id}
        )
        with self.assertRaises(AccessError), mute_logger("odoo.addons.ecom_audit"):
            self._check(other)
        self.users["accountant"].company_ids = [Command.link(self.other_company.id)]
        self._check(other.with_context(allowed_company_ids=[self.other_company.id]))
        self.assertEqual(other.ecom_vies_state, "valid")
