# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta
from xmlrpc.client import Fault

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import EcomRolesCase, make_role_user

INJECTED = {
    "tracking_disable": True,
    "check_move_validity": False,
    "ecom_approved": True,
    "install_mode": True,
    "mail_notrack": True,
}


def grant_for(env, user, group, requester, **vals):
    return (
        env["ecom.access.grant"]
        .with_user(requester)
        .create({"user_id": user.id, "group_id": group.id, "reason": "Month-end close", **vals})
    )


@tagged("post_install", "-at_install")
class TestApproval(EcomRolesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.users["manager"]
        cls.manager2 = make_role_user(cls.env, "manager", cls.company, login="ecom_test_manager2")
        cls.manager3 = make_role_user(cls.env, "manager", cls.company, login="ecom_test_manager3")
        cls.accountant = cls.users["accountant"]
        cls.clerk = make_role_user(cls.env, "shop_operator", cls.company, login="ecom_test_clerk")
        cls.g_accountant = cls.env.ref("ecom_audit.group_ecom_accountant")
        cls.g_manager = cls.env.ref("ecom_audit.group_ecom_manager")
        # an administrator of users who is not the superuser
        cls.user_admin = make_role_user(
            cls.env,
            "manager",
            cls.company,
            login="ecom_test_user_admin",
            extra_groups=("base.group_erp_manager",),
        )

    def _requested(self, grant):
        grant.with_user(self.manager).action_request()
        return grant.request_id

    def test_grant_needs_another_finance_manager(self):
        grant = grant_for(self.env, self.clerk, self.g_accountant, self.manager)
        request = self._requested(grant)
        self.assertEqual((request.state, request.levels_required), ("pending", 1))
        with self.assertRaisesRegex(AccessError, "someone else"):
            request.with_user(self.manager).action_approve()
        with self.assertRaisesRegex(AccessError, "Finance Manager"):
            request.with_user(self.accountant).action_approve()
        self.assertNotIn(self.g_accountant, self.clerk.groups_id)
        request.with_user(self.manager2).action_approve()
        self.assertEqual((request.state, grant.state), ("applied", "active"))
        self.assertIn(self.g_accountant, self.clerk.groups_id)
        self.assertEqual(request.line_ids.mapped("user_id"), self.manager2)
        # requests, decisions and the change of the user's groups are in the audit trail
        self.env["ecom.audit.log"]._flush_pending()
        logged = self.env["ecom.audit.log"].search([("model", "in", ("ecom.approval.request", "res.users"))])
        self.assertTrue(
            logged.filtered(lambda e: e.model == "ecom.approval.request" and e.operation == "create")
        )
        self.assertTrue(
            logged.filtered(
                lambda e: e.model == "ecom.approval.request"
                and e.operation == "write"
                and e.changes.get("state") == ["approved", "applied"]
            )
        )
        self.assertTrue(logged.filtered(lambda e: e.model == "res.users" and e.res_ids == str(self.clerk.id)))

    def test_two_levels_need_two_people_and_a_manager(self):
        self.env["ecom.approval.threshold"].with_user(self.manager).create(
            {"operation": "group_grant", "two_levels_always": True}
        )
        request = self._requested(grant_for(self.env, self.clerk, self.g_accountant, self.manager))
        self.assertEqual(request.levels_required, 2)
        request.with_user(self.manager2).action_approve()
        self.assertEqual((request.state, request.levels_approved), ("pending", 1))
        with self.assertRaisesRegex(AccessError, "already decided"):
            request.with_user(self.manager2).action_approve()
        request.with_user(self.manager3).action_approve()
        self.assertEqual(request.state, "applied")
        self.assertEqual(request.line_ids.mapped("level"), [1, 2])

    def test_deciders_get_a_todo_and_the_requester_the_outcome(self):
        self.env["ecom.approval.threshold"].with_user(self.manager).create(
            {"operation": "group_grant", "two_levels_always": True}
        )
        request = self._requested(grant_for(self.env, self.clerk, self.g_accountant, self.manager))

        def todo_users():
            return request.activity_ids.filtered(lambda a: a.summary.startswith("Approve or reject")).user_id

        level_one = todo_users()
        self.assertLessEqual(self.manager2 | self.manager3, level_one)
        self.assertNotIn(self.manager, level_one)  # the requester
        self.assertNotIn(self.accountant, level_one)  # not a Finance Manager
        self.assertEqual(len(request.activity_ids), len(level_one))  # one to-do each
        request.with_user(self.manager2).action_approve()
        level_two = todo_users()
        self.assertIn(self.manager3, level_two)
        self.assertNotIn(self.manager2, level_two)  # already decided
        self.assertEqual(level_two, level_one - self.manager2)
        request.with_user(self.manager3).action_approve()
        self.assertFalse(request.activity_ids)
        notified = self.env["mail.notification"].search(
            [
                ("mail_message_id", "in", request.message_ids.ids),
                ("res_partner_id", "=", self.manager.partner_id.id),
            ]
        )
        self.assertEqual(len(notified), 1)
        self.assertIn("Approved by", notified.mail_message_id.body)

    def test_rejected_grant_gives_nothing(self):
        grant = grant_for(self.env, self.clerk, self.g_accountant, self.manager)
        request = self._requested(grant)
        request.with_user(self.manager2).action_reject(comment="Not before the audit")
        self.assertEqual((request.state, grant.state), ("rejected", "rejected"))
        with self.assertRaises(UserError):
            request.with_user(self.manager3).action_approve()
        self.assertNotIn(self.g_accountant, self.clerk.groups_id)

    def test_edit_after_request_voids_it(self):
        grant = grant_for(self.env, self.clerk, self.g_accountant, self.manager)
        request = self._requested(grant)
        grant.with_user(self.manager).write({"date_until": fields.Datetime.now() + timedelta(days=30)})
        self.assertEqual((request.state, grant.state), ("cancelled", "draft"))
        self.assertEqual(request.line_ids.decision, "void")
        with self.assertRaises(UserError):
            request.with_user(self.manager2).action_approve()
        self.assertNotIn(self.g_accountant, self.clerk.groups_id)
        # asked again, approved, then changed: an active grant is not edited
        request = self._requested(grant)
        request.with_user(self.manager2).action_approve()
        with self.assertRaises(UserError):
            grant.with_user(self.manager).write({"date_until": fields.Datetime.now() + timedelta(days=60)})

    def test_temporary_grant_is_revoked_by_the_cron(self):
        now = fields.Datetime.now()
        grant = grant_for(
            self.env,
            self.clerk,
            self.g_manager,
            self.manager,
            date_from=now - timedelta(hours=2),
            date_until=now + timedelta(hours=1),
        )
        before = self.clerk.groups_id
        self._requested(grant).with_user(self.manager2).action_approve()
        self.assertEqual(grant.state, "active")
        self.assertIn(self.g_manager, self.clerk.groups_id)
        self.assertIn(self.g_accountant, self.clerk.groups_id, "implied by Finance Manager")
        self.assertLessEqual(self.g_manager | self.g_accountant, grant.added_group_ids)
        self.assertFalse(grant.added_group_ids & before, "only what the clerk did not have")
        self.env["ecom.access.grant"]._cron_revoke()
        self.assertEqual(grant.state, "active", "not yet due")
        # month-end is over: the cron takes back what the grant gave, and only that
        self.env.cr.execute(
            "UPDATE ecom_access_grant SET date_until = %s WHERE id = %s",
            (now - timedelta(minutes=1), grant.id),
        )
        grant.invalidate_recordset()
        self.env["ecom.access.grant"]._cron_revoke()
        self.assertEqual(grant.state, "revoked")
        self.clerk.invalidate_recordset(["groups_id"])
        self.assertEqual(self.clerk.groups_id, before)

    def test_finance_groups_only_through_a_grant(self):
        admin = self.user_admin
        system = self.env.ref("base.group_system")
        attempts = {
            "user groups": lambda ctx: self.clerk.with_user(admin)
            .with_context(**ctx)
            .write({"groups_id": [(4, self.g_accountant.id)]}),
            "group users": lambda ctx: self.g_manager.with_user(admin)
            .with_context(**ctx)
            .write({"users": [(4, self.clerk.id)]}),
            "new user": lambda ctx: self.env["res.users"]
            .with_user(admin)
            .with_context(**ctx)
            .create(
                {"name": "New", "login": "ecom_new_auditor", "groups_id": [(6, 0, [self.g_accountant.id])]}
            ),
            # Settings implies Finance Manager: giving it is a finance grant too
            "settings": lambda ctx: self.clerk.with_user(admin)
            .with_context(**ctx)
            .write({"groups_id": [(4, system.id)]}),
        }
        for context in ({}, INJECTED):
            for name, attempt in attempts.items():
                with self.subTest(context=context, attempt=name):
                    # assertRaises (not ...Regex) rolls the attempt back to a savepoint
                    with self.assertRaises(AccessError) as info:
                        attempt(context)
                    self.assertIn("approved access grant", str(info.exception))
        self.assertNotIn(self.g_accountant, self.clerk.groups_id)
        # other groups are not concerned, and taking a finance group away needs no approval
        self.clerk.with_user(admin).write({"groups_id": [(4, self.env.ref("base.group_partner_manager").id)]})
        self.accountant.with_user(admin).write({"groups_id": [(3, self.g_accountant.id)]})

    def test_requests_and_decisions_are_not_written_directly(self):
        request = self._requested(grant_for(self.env, self.clerk, self.g_accountant, self.manager))
        for user in (self.manager, self.manager2):
            for vals in (
                {"state": "approved"},
                {"levels_required": 0},
                {"requester_id": self.manager2.id},
                {"substance_hash": "x"},
            ):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError):
                    request.with_user(user).with_context(**INJECTED).write(vals)
        with self.assertRaises(AccessError):
            self.env["ecom.approval.line"].with_user(self.manager2).create(
                {"request_id": request.id, "user_id": self.manager2.id, "level": 1, "decision": "approve"}
            )
        with self.assertRaises(AccessError):
            self.env["ecom.approval.request"].with_user(self.manager2).with_context(**INJECTED).create(
                {
                    "operation": "group_grant",
                    "res_model": "ecom.access.grant",
                    "res_id": request.res_id,
                    "company_id": self.company.id,
                    "requester_id": self.manager2.id,
                    "state": "approved",
                }
            )
        with self.assertRaises(AccessError):
            request.with_user(self.manager).unlink()
        grant = request._target()
        with self.assertRaises(AccessError):
            grant.with_user(self.manager).with_context(**INJECTED).write({"state": "active"})
        self.assertEqual(request.state, "pending")


@tagged("post_install", "-at_install")
class TestApprovalOverXmlRpc(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.manager = make_role_user(cls.env, "manager", company, login="ecom_rpc_manager")
        cls.manager2 = make_role_user(cls.env, "manager", company, login="ecom_rpc_manager2")
        cls.clerk = make_role_user(cls.env, "shop_operator", company, login="ecom_rpc_clerk")
        cls.user_admin = make_role_user(
            cls.env, "manager", company, login="ecom_rpc_user_admin", extra_groups=("base.group_erp_manager",)
        )
        cls.group = cls.env.ref("ecom_audit.group_ecom_accountant")

    def _call(self, user, model, method, args):
        db = self.env.cr.dbname
        uid = self.xmlrpc_common.authenticate(db, user.login, user.login, {})
        return self.xmlrpc_object.execute_kw(db, uid, user.login, model, method, args, {"context": INJECTED})

    def _refused(self, *args, **kwargs):
        with mute_logger("odoo.http"), self.assertRaises(Fault):
            self._call(*args, **kwargs)

    def test_context_flags_bypass_nothing(self):
        grant_id = self._call(
            self.manager,
            "ecom.access.grant",
            "create",
            [{"user_id": self.clerk.id, "group_id": self.group.id, "reason": "close"}],
        )
        self._call(self.manager, "ecom.access.grant", "action_request", [[grant_id]])
        grant = self.env["ecom.access.grant"].browse(grant_id)
        request = grant.request_id
        # self-approval, direct writes of state and decisions, direct grants: all refused
        self._refused(self.manager, "ecom.approval.request", "action_approve", [request.ids])
        self._refused(self.manager, "ecom.approval.request", "write", [request.ids, {"state": "approved"}])
        self._refused(self.manager2, "ecom.approval.request", "write", [request.ids, {"levels_required": 0}])
        self._refused(self.manager, "ecom.access.grant", "write", [[grant_id], {"state": "active"}])
        self._refused(
            self.manager,
            "ecom.approval.line",
            "create",
            [{"request_id": request.id, "user_id": self.manager2.id, "level": 1, "decision": "approve"}],
        )
        self._refused(
            self.user_admin, "res.users", "write", [self.clerk.ids, {"groups_id": [(4, self.group.id)]}]
        )
        request.invalidate_recordset()
        self.assertEqual(request.state, "pending")
        self.clerk.invalidate_recordset(["groups_id"])
        self.assertNotIn(self.group, self.clerk.groups_id)
        # a second Finance Manager approves: the grant applies
        self._call(self.manager2, "ecom.approval.request", "action_approve", [request.ids])
        request.invalidate_recordset()
        self.clerk.invalidate_recordset(["groups_id"])
        self.assertEqual(request.state, "applied")
        self.assertIn(self.group, self.clerk.groups_id)
