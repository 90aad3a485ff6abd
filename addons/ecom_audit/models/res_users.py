from odoo import SUPERUSER_ID, api, models
from odoo.exceptions import AccessDenied


class ResUsers(models.Model):
    _inherit = "res.users"

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
