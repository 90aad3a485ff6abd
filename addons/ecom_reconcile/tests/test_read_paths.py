# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from odoo.addons.ecom_audit.tests.common import make_role_user


@tagged("post_install", "-at_install")
class TestMatchReadPaths(TransactionCase):
    """The clearing items and payout entries of a match are finance data: a Shop Operator sees the
    matches of its shops, but finds, groups and reads them by those on no path."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.demo_company_ecom")
        tmall = cls.env.ref("ecom_finance.demo_shop_tmall")
        cls.operator = make_role_user(cls.env, "shop_operator", company, login="ecom_match_paths_shop")
        cls.accountant = make_role_user(cls.env, "accountant", company, login="ecom_match_paths_accountant")
        tmall.user_ids = [Command.set(cls.operator.ids)]
        cls.env.ref("ecom_finance.demo_shop_douyin").user_ids = [Command.clear()]
        cls.match = cls.env["ecom.reconcile.match"].search(
            [("shop_id", "=", tmall.id), ("clearing_line_ids", "!=", False)], limit=1
        )

    def test_restricted_relations_are_read_on_no_path(self):
        self.assertTrue(self.match.clearing_line_ids, "the demo reconciliation settled a Tmall payout")
        Match = self.env["ecom.reconcile.match"].with_user(self.operator)
        match = self.match.with_user(self.operator)
        self.assertEqual(match.read(["reference"])[0]["reference"], self.match.reference)
        self.assertIn(self.match, Match.search([("reference", "=", self.match.reference)]))
        items = self.match.clearing_line_ids
        calls = {
            "read": lambda: match.read(["clearing_line_ids"]),
            "web_read": lambda: match.web_read({"payout_move_ids": {"fields": {"name": {}}}}),
            "search set": lambda: Match.search([("clearing_line_ids", "!=", False)]),
            "search ids": lambda: Match.search([("clearing_line_ids", "in", items.ids)]),
            "search count": lambda: Match.search_count([("payout_move_ids", "=", False)]),
            "search under a negation": lambda: Match.search(["!", ("clearing_line_ids", "=", False)]),
            "search_read": lambda: Match.search_read([("clearing_line_ids", "!=", False)], ["reference"]),
            "read_group by": lambda: Match.read_group([], ["__count"], ["clearing_line_ids"]),
            "web_read_group by": lambda: Match.web_read_group([], ["__count"], ["payout_move_ids"]),
            "search through the run": lambda: self.env["ecom.reconcile.run"]
            .with_user(self.operator)
            .search([("match_ids.clearing_line_ids", "!=", False)]),
        }
        for path, call in calls.items():
            with self.subTest(path=path), self.assertRaises(AccessError):
                call()
        self.assertFalse({"clearing_line_ids", "payout_move_ids"} & set(Match.fields_get()))
        # the accountant's business
        as_accountant = self.env["ecom.reconcile.match"].with_user(self.accountant)
        self.assertIn(self.match, as_accountant.search([("clearing_line_ids", "in", items.ids)]))
        groups = as_accountant.read_group([("id", "=", self.match.id)], ["__count"], ["clearing_line_ids"])
        self.assertEqual({group["clearing_line_ids"][0] for group in groups}, set(items.ids))
