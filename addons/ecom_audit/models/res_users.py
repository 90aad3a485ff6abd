from odoo import SUPERUSER_ID, api, models
from odoo.exceptions import AccessDenied, AccessError

from ..approval import in_approved_change

# Groups given only through an approved grant (``ecom.access.grant``), directly or implied.
FINANCE_GROUPS = (
    "ecom_audit.group_ecom_accountant",
    "ecom_audit.group_ecom_manager",
    "ecom_audit.group_ecom_auditor",
)


def finance_groups_of(users):
    """{user id: ids of the finance groups the user holds}, implied groups included."""
    env = users.env
    finance = {env.ref(xmlid).id for xmlid in FINANCE_GROUPS}
    users.invalidate_recordset(["groups_id"])
    # the groups of the users concerned, whoever reads them: the check is not a disclosure
    return {user.id: finance & set(user.sudo().groups_id.ids) for user in users}


def check_finance_grants(users, before):
    """Refuse a change that gave ``users`` a finance group, unless made by the superuser (install,
    data files, code that switched to it) or inside an approved grant: a caller's rights or context
    are not enough."""
    env = users.env
    if env.su or in_approved_change():
        return
    after = finance_groups_of(users)
    gained = {uid: after[uid] - before.get(uid, set()) for uid in after}
    gained = {uid: ids for uid, ids in gained.items() if ids}
    if gained:
        names = env["res.groups"].browse(sorted(set().union(*gained.values()))).mapped("full_name")
        raise AccessError(
            env._(
                "Finance groups (%(groups)s) are given through an approved access grant "
                "(E-commerce Finance > Approvals > Access Grants).",
                groups=", ".join(names),
            )
        )


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        check_finance_grants(users, {})
        return users

    def write(self, vals):
        if not self or not any(
            name == "groups_id" or name.startswith(("in_group_", "sel_groups_")) for name in vals
        ):
            return super().write(vals)
        before = finance_groups_of(self)
        result = super().write(vals)
        check_finance_grants(self, before)
        return result

    @classmethod
    def _login(cls, db, credential, user_agent_env):
        """Log every login, successful or failed, in the audit trail."""
        login = credential.get("login")
        try:
            auth_info = super()._login(db, credential, user_agent_env)
        except AccessDenied:
            cls._ecom_audit_login(login, False, "login_failed")
            raise
        cls._ecom_audit_login(login, auth_info.get("uid"), "login")
        return auth_info

    @classmethod
    def _ecom_audit_login(cls, login, uid, operation):
        # A login runs in a transaction of its own (``_login`` opens and commits it); its
        # entry does too, so that a failed login, whose request is rolled back, is kept.
        with cls.pool.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            user = env["res.users"].browse(uid) if uid else env["res.users"]
            log = env["ecom.audit.log"]
            log._append(
                [
                    {
                        "model": "res.users",
                        "res_ids": str(uid or ""),
                        "operation": operation,
                        "uid": uid or 0,
                        "login": login,
                        "company_id": user.company_id.id or False,
                        "changes": {},
                    }
                ]
            )
            log._flush_pending()
