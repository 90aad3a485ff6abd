# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Access grants reach a user's groups only through a real approval (issue 13)."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..approval import approved_change
from .common import EcomRolesCase, make_role_user


@tagged("post_install", "-at_install")
class TestAccessGrantGuard(EcomRolesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.users["manager"]
        cls.manager2 = make_role_user(cls.env, "manager", cls.company, login="ecom_test_grant_manager2")
        cls.manager3 = make_role_user(cls.env, "manager", cls.company, login="ecom_test_grant_manager3")
        cls.clerk = make_role_user(cls.env, "shop_operator", cls.company, login="ecom_test_grant_clerk")
        cls.clerk2 = make_role_user(cls.env, "shop_operator", cls.company, login="ecom_test_grant_clerk2")
        cls.g_accountant = cls.env.ref("ecom_audit.group_ecom_accountant")
        cls.g_auditor = cls.env.ref("ecom_audit.group_ecom_auditor")
        cls.g_manager = cls.env.ref("ecom_audit.group_ecom_manager")
        cls.g_system = cls.env.ref("base.group_system")
        cls.Grant = cls.env["ecom.access.grant"]

    def _vals(self, user, group, **vals):
        return {"user_id": user.id, "group_id": group.id, "reason": "Month-end close", **vals}

    def _active_grant(self, user, group):
        grant = self.Grant.with_user(self.manager).create(self._vals(user, group))
        grant.action_request()
        grant.request_id.with_user(self.manager2).action_approve()
        self.assertEqual(grant.state, "active")
        return grant

    def _groups(self, user):
        user.invalidate_recordset(["groups_id"])
        return user.groups_id

    def test_protected_fields_are_refused_at_creation(self):
        now = fields.Datetime.now()
        past = {"date_from": now - timedelta(days=2), "date_until": now - timedelta(days=1)}
        accountant = self.users["accountant"]
        before = {user: self._groups(user) for user in (self.clerk, accountant)}
        attempts = {
            "approved": self._vals(self.clerk, self.g_auditor, state="approved"),
            "active, to strip a role": self._vals(
                accountant,
                self.g_auditor,
                state="active",
                added_group_ids=[fields.Command.set(self.g_accountant.ids)],
                **past,
            ),
            "revoked_at": self._vals(self.clerk, self.g_auditor, revoked_at=now),
        }
        for name, vals in attempts.items():
            with self.subTest(name), self.assertRaises(AccessError):
                self.Grant.with_user(self.manager).create(vals)
        self.Grant._cron_revoke()
        for user, groups in before.items():
            self.assertEqual(self._groups(user), groups)

    def test_request_of_another_grant_is_refused_at_creation(self):
        grant = self._active_grant(self.clerk, self.g_auditor)
        with self.assertRaises(AccessError):
            self.Grant.with_user(self.manager).create(
                self._vals(self.clerk2, self.g_auditor, request_id=grant.request_id.id)
            )

    def test_copy_and_load_do_not_carry_the_state(self):
        grant = self._active_grant(self.clerk, self.g_auditor)
        copied = grant.with_user(self.manager).copy({"user_id": self.clerk2.id})
        self.assertEqual(copied.state, "draft")
        self.assertFalse(copied.request_id or copied.added_group_ids or copied.revoked_at)
        with self.assertRaises(AccessError):
            grant.with_user(self.manager).copy({"user_id": self.clerk2.id, "state": "approved"})
        try:
            result = self.Grant.with_user(self.manager).load(
                ["user_id/.id", "group_id/.id", "reason", "state"],
                [[str(self.clerk2.id), str(self.g_auditor.id), "Imported", "approved"]],
            )
        except AccessError:
            result = {"ids": False}
        self.assertFalse(result["ids"], result)
        self.assertFalse(self.Grant.search([("reason", "=", "Imported"), ("state", "!=", "draft")]))
        self.Grant._cron_revoke()
        self.assertNotIn(self.g_auditor, self._groups(self.clerk2))

    def test_group_must_be_a_finance_role(self):
        with self.assertRaises(ValidationError):
            self.Grant.with_user(self.manager).create(self._vals(self.clerk, self.g_system))
        grant = self.Grant.with_user(self.manager).create(self._vals(self.clerk, self.g_auditor))
        with self.assertRaises(ValidationError):
            grant.write({"group_id": self.env.ref("base.group_erp_manager").id})

    def test_only_a_real_approval_of_this_grant_activates_it(self):
        approved = self._active_grant(self.clerk, self.g_auditor)
        # a grant brought into the approved state with the request of another grant (a forged
        # row: the guards above refuse to make one)
        with approved_change():
            forged = self.Grant.create(
                self._vals(
                    self.clerk2,
                    self.g_auditor,
                    state="approved",
                    request_id=approved.request_id.id,
                    date_from=fields.Datetime.now() - timedelta(hours=1),
                )
            )
            unapproved = self.Grant.create(self._vals(self.clerk2, self.g_manager, state="approved"))
        with self.assertRaises(AccessError):
            forged._activate()
        with self.assertRaises(AccessError):
            unapproved._activate()
        with self.assertLogs("odoo.addons.ecom_audit.models.ecom_access_grant", "WARNING"):
            self.Grant._cron_revoke()
        self.assertEqual((forged.state, unapproved.state), ("approved", "approved"))
        self.assertFalse((self.g_auditor | self.g_manager) & self._groups(self.clerk2))

    def test_grantee_does_not_approve_their_own_grant(self):
        grant = self.Grant.with_user(self.manager).create(self._vals(self.manager2, self.g_auditor))
        grant.action_request()
        request = grant.request_id
        self.assertFalse(request.with_user(self.manager2).can_decide)
        with self.assertRaises(AccessError):
            request.with_user(self.manager2).action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.manager2).action_reject()
        self.assertNotIn(self.g_auditor, self._groups(self.manager2))
        self.assertNotIn(self.manager2, request._deciders())
        request.with_user(self.manager3).action_approve()
        self.assertEqual(grant.state, "active")
        self.assertIn(self.g_auditor, self._groups(self.manager2))

    def test_approved_grant_still_refuses_edits(self):
        grant = self._active_grant(self.clerk, self.g_auditor)
        with self.assertRaises(UserError):
            grant.with_user(self.manager).write({"reason": "other"})
