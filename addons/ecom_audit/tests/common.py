# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Test helpers shared by every ecom addon: role users and translation checks."""

from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, new_test_user
from odoo.tools.translate import TranslationModuleReader

ROLE_GROUPS = {
    "shop_operator": "ecom_audit.group_ecom_shop_operator",
    "warehouse_operator": "ecom_audit.group_ecom_warehouse_operator",
    "accountant": "ecom_audit.group_ecom_accountant",
    "manager": "ecom_audit.group_ecom_manager",
    "auditor": "ecom_audit.group_ecom_auditor",
}


def make_role_user(env, role, company, login=None, extra_groups=()):
    """Create a non-admin user holding exactly one ecom role in ``company``."""
    groups = ",".join(["base.group_user", ROLE_GROUPS[role], *extra_groups])
    return new_test_user(
        env,
        login=login or f"ecom_test_{role}",
        groups=groups,
        company_id=company.id,
        company_ids=[company.id],
    )


def create_approved(env, model, vals, requester, approver):
    """Create a record of a model under approval (``ecom.approval.mixin``): ``requester`` asks,
    ``approver`` approves; returns the record."""
    request_id = env[model].with_user(requester).ecom_request_create(vals)
    request = env["ecom.approval.request"].browse(request_id)
    request.with_user(approver).action_approve()
    return env[model].browse(request.res_id)


class EcomRolesCase(TransactionCase):
    """One user per ecom role in the main test company, and a second company.

    Sub-classes get ``cls.company``, ``cls.other_company`` and ``cls.users[role]``.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "Ecom Test Other Company"})
        cls.users = {role: make_role_user(cls.env, role, cls.company) for role in ROLE_GROUPS}


def untranslated_terms(env, module, lang="zh_CN"):
    """Return the translatable terms of ``module`` missing from its ``i18n/<lang>.po``.

    The terms are read from the installed module exactly as ``--i18n-export``
    reads them, so a new string in Python, XML or JS that nobody translated
    shows up here.
    """
    po_path = Path(get_module_path(module)) / "i18n" / f"{lang}.po"
    translated = set()
    if po_path.exists():
        translated = {
            entry.msgid
            for entry in polib.pofile(str(po_path))
            if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
        }
    reader = TranslationModuleReader(env.cr, modules=[module], lang="en_US")
    sources = {source for _module, _type, _name, _res_id, source, _value, _comments in reader}
    return sorted(sources - translated)
