# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import TransactionCase, tagged

from odoo.addons.ecom_audit.tests.common import untranslated_terms


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_zh_cn_complete(self):
        self.assertEqual(untranslated_terms(self.env, "ecom_finance"), [])
