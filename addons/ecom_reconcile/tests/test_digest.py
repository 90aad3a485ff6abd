# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The Finance Managers' digest e-mail: what is new since the last one, as each may read it."""

from odoo.tests import TransactionCase, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user

from .test_overview import make_overview_fixtures


@tagged("post_install", "-at_install")
class TestDigest(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_overview_fixtures(cls, "dig")
        cls.manager = make_role_user(cls.env, "manager", cls.env.company, login="dig_manager")
        cls.manager.email = "dig.manager@example.com"
        cls.params = cls.env["ir.config_parameter"]

    def digests_to(self, user):
        return self.env["mail.mail"].search(
            [("email_to", "ilike", user.email), ("subject", "=", "E-commerce Finance: what needs you")]
        )

    def test_the_manager_gets_what_is_new(self):
        self.params.set_param("ecom_reconcile.digest_frequency", "daily")
        self.params.set_param("ecom_reconcile.digest_last_sent", "2020-01-01 00:00:00")
        sent_to = self.env["res.users"]._cron_ecom_digest()
        self.assertIn(self.manager, sent_to)
        self.assertNotIn(self.accountant, sent_to)
        [mail] = self.digests_to(self.manager)
        body = mail.body_html
        self.assertIn("Overview Douyin", body)
        self.assertIn("Approvals waiting", body)
        values = self.manager._ecom_digest_values("2020-01-01 00:00:00")
        shops = {line["shop"]: line["count"] for line in values["new_differences"]}
        self.assertEqual(shops["Overview Douyin"], 2)
        self.assertGreaterEqual(values["alerts"], 1)
        # the next digest starts where this one ended: nothing new since
        since = self.params.get_param("ecom_reconcile.digest_last_sent")
        self.assertFalse(self.manager._ecom_digest_values(since)["new_differences"])

    def test_off_sends_nothing(self):
        self.params.set_param("ecom_reconcile.digest_frequency", "off")
        self.assertFalse(self.env["res.users"]._cron_ecom_digest())
        self.assertFalse(self.digests_to(self.manager))
