# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Every public method of every ecom model, called by a portal user and by a Partner API user.

The methods are found, not listed: each callable of an ``ecom.*`` model whose name does not
start with ``_`` and that one of our addons defines (its own or an override). Each is called on
records of the model (the demo data's) or, for model methods, with the arguments below, and
must raise ``AccessError``. A new public method needs no new test, only arguments here when it
takes some (the test says which).
"""

import inspect

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_audit.tests.common import make_role_user

# ORM methods whose refusal other tests cover with real values, and the ORM's and the web
# client's read paths, which return only what the caller may read (overridden by us only to
# take read/write cursors; test_read_paths tries each of them on what a role may not read)
READ_PATHS = {
    "check_field_access_rights",
    "default_get",
    "init",
    "read",
    "read_group",
    "search_count",
    "search_read",
    "web_read",
    "web_read_group",
    "web_search_read",
}
SKIPPED = READ_PATHS


@tagged("post_install", "-at_install")
class TestPublicMethods(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.demo_company_ecom", raise_if_not_found=False)
        cls.company = company
        if not company:
            return
        cls.portal = new_test_user(
            cls.env, login="ecom_methods_portal", groups="base.group_portal,base.group_allow_export"
        )
        cls.partner_api = new_test_user(
            cls.env,
            login="ecom_methods_api",
            groups="base.group_portal,base.group_allow_export,ecom_audit.group_ecom_partner_api",
        )
        cls.tmall = cls.env.ref("ecom_finance.demo_shop_tmall")
        # a wizard to call the methods of (wizards have no demo record)
        cls.env["ecom.voucher.export.wizard"].create({"company_id": company.id})
        cls.tmall.api_user_ids = [Command.set(cls.partner_api.ids)]
        cls.shop_ids = cls.env["ecom.shop"].search([("company_id", "=", company.id)]).ids
        cls.args = {
            "run_reconciliation": lambda: (cls.shop_ids, "2024-03-01", "2024-03-07"),
            "post_entries": lambda: (cls.env["ecom.statement"].search([], limit=3).ids,),
            "fulfil_orders": lambda: (cls.env["ecom.order"].search([], limit=3).ids,),
            "pull": lambda: (cls.env["ecom.connector.backend"].search([], limit=3).ids,),
            # another shop than the Partner API user's own (its own is allowed: test_role_sessions)
            "import_file": lambda: (cls.env.ref("ecom_finance.demo_shop_douyin").id, "x.csv", "eA=="),
            "ecom_request_create": lambda: ({"company_id": company.id},),
            "ecom_request_write": lambda: ({"active": False},),
            "write": lambda: ({"active": False},),
            "create": lambda: ({},),
            "export_data": lambda: (["id"],),
            "run_check": lambda: ("2024-03-31",),
            "web_save": lambda: ({"active": False}, {}),
            "suggest": lambda: (cls.env["ecom.reconcile.difference"].search([], limit=3).ids,),
            "accept_suggestion": lambda: (cls.env["ecom.reconcile.difference"].search([], limit=1).id, 0),
            "reject_suggestion": lambda: (cls.env["ecom.reconcile.difference"].search([], limit=1).id, 0),
        }

    def _public_methods(self, model):
        """Names of the public methods our addons define on ``model``."""
        names = []
        for name, _member in inspect.getmembers(type(model), inspect.isfunction):
            if name.startswith("_") or name in SKIPPED:
                continue
            # any class of the model's hierarchy from one of our addons defines it
            owners = [
                cls.__module__
                for cls in type(model).__mro__
                if name in vars(cls) and cls.__module__.startswith("odoo.addons.ecom_")
            ]
            if owners:
                names.append(name)
        return names

    def _call(self, model, name, user):
        method = getattr(model.with_user(user), name)
        signature = inspect.signature(getattr(type(model), name))
        required = [
            p
            for p in list(signature.parameters.values())[1:]
            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        args = self.args[name]() if name in self.args else ()
        self.assertGreaterEqual(
            len(args), len(required), f"{model._name}.{name}: give its arguments in TestPublicMethods.args"
        )
        return method(*args)

    def test_every_public_method_refuses_portal_and_partner_api_users(self):
        if not self.company:
            self.skipTest("ecom_finance was installed without demo data")
        checked = 0
        for model_name in sorted(self.env.registry):
            Model = self.env[model_name]
            if not model_name.startswith("ecom.") or Model._abstract:
                continue
            records = Model.search([], limit=3)
            for name in self._public_methods(Model):
                api_model = getattr(getattr(type(Model), name), "_api", None) == "model"
                if not records and not api_model:
                    continue  # nothing to call it on
                target = Model if api_model else records
                for user in (self.portal, self.partner_api):
                    with (
                        self.subTest(model=model_name, method=name, user=user.login),
                        mute_logger("odoo.models", "odoo.addons.ecom_audit"),
                        self.assertRaises(AccessError),
                        self.env.cr.savepoint(),
                    ):
                        self._call(target, name, user)
                    checked += 1
        # the methods of the run, the import, the orders, rules, approvals, the trail ... were found
        self.assertGreater(checked, 80)

    def test_imports_are_made_by_importing_only(self):
        """Importers may import, not create an import record by hand (an import of nothing, done)."""
        if not self.company:
            self.skipTest("ecom_finance was installed without demo data")
        accountant = make_role_user(self.env, "accountant", self.company, login="ecom_methods_accountant")
        vals = {
            "name": "FAKE",
            "shop_id": self.tmall.id,
            "filename": "x.csv",
            "sha256": "f" * 64,
            "state": "done",
        }
        for user in (accountant, self.partner_api):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["ecom.statement"].with_user(user).create(vals)

    def test_budget_control_refuses_portal_and_partner_api_users(self):
        """The budget control's methods on Odoo's models (issue 17), which the loop above (``ecom.*``
        models) does not reach: asking for a budget overrun, confirming an order."""
        if not self.company:
            self.skipTest("ecom_finance was installed without demo data")
        calls = [
            (
                self.env["account.move"].search([("state", "=", "draft")], limit=1),
                "action_ecom_request_budget_approval",
            ),
            (
                self.env["purchase.order"].search([("state", "=", "draft")], limit=1),
                "action_ecom_request_budget_approval",
            ),
            (self.env["purchase.order"].search([("state", "=", "draft")], limit=1), "button_confirm"),
        ]
        checked = 0
        for records, name in calls:
            if not records:
                continue
            for user in (self.portal, self.partner_api):
                with (
                    self.subTest(model=records._name, method=name, user=user.login),
                    mute_logger("odoo.models", "odoo.addons.ecom_audit"),
                    self.assertRaises(AccessError),
                    self.env.cr.savepoint(),
                ):
                    self._call(records, name, user)
                checked += 1
        self.assertGreaterEqual(checked, 4)
