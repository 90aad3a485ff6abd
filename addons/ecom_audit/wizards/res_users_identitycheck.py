# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import re

from odoo import api, fields, models
from odoo.exceptions import AccessDenied, UserError

from .. import lockout


class ResUsersIdentitycheck(models.TransientModel):
    """Odoo's *Security Control* (``res.users.identitycheck``), which the step-up of decisions uses
    (``ecom_audit.step_up``), also takes the code of the authenticator app (``auth_totp``): it is
    asked first of a user who has one; the password stays possible, as in Odoo."""

    _inherit = "res.users.identitycheck"

    auth_method = fields.Selection(selection_add=[("totp", "Authenticator App")])
    totp_code = fields.Char(string="Authentication Code")

    @api.model
    def _get_default_auth_method(self):
        if self.env.user.totp_enabled:
            return "totp"
        return super()._get_default_auth_method()

    def _check_identity(self):
        """The password or code given here is a login attempt like any other: refused while its
        source or login is locked, and a wrong one counts towards the lockout (``ecom_audit.lockout``)
        and is logged, so that someone at an unattended session cannot guess on here."""
        Users = self.env["res.users"]
        login = self.create_uid.login
        ip = lockout.source(None)
        refused = Users._ecom_lockout_refusal(login, ip)
        if refused:
            Users._ecom_audit_login(login, False, "login_failed", ip, refused=refused, via="step_up")
            raise UserError(refused)
        try:
            return self._ecom_check_identity()
        except UserError:
            Users._ecom_audit_login(login, False, "login_failed", ip, via="step_up")
            raise

    def _ecom_check_identity(self):
        if self.auth_method != "totp":
            return super()._check_identity()
        try:
            self.create_uid._totp_check(int(re.sub(r"\s", "", self.totp_code or "") or 0))
        except (AccessDenied, ValueError) as error:
            raise UserError(
                self.env._("Incorrect code: try again, or confirm with your password.")
            ) from error
        finally:
            self.totp_code = False
