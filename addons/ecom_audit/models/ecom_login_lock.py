# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError

SCOPES = [("source", "Source Address"), ("login", "Login")]


class EcomLoginLock(models.Model):
    """The failed logins of a source address or a login, and its lockout (``ecom_audit.lockout``).

    Written only by the login's own code, as the superuser (SQL of ``ecom_audit.lockout``);
    administrators read it (Settings), and unlock a login from the user's form.
    """

    _name = "ecom.login.lock"
    _description = "Login Lockout"
    _log_access = False
    _order = "locked_until desc nulls last, id desc"
    _rec_name = "key"

    kind = fields.Selection(SCOPES, string="Scope", required=True, readonly=True)
    key = fields.Char(string="Login or Address", required=True, readonly=True)
    failures = fields.Integer(readonly=True, help="Failures in the current window.")
    window_start = fields.Datetime(readonly=True)
    last_failure = fields.Datetime(readonly=True, index=True)
    lock_count = fields.Integer(string="Lockouts", readonly=True, help="Lockouts in a row (each doubles).")
    locked_until = fields.Datetime(readonly=True)

    _sql_constraints = [("kind_key_unique", "unique(kind, key)", "One row per login and per source.")]

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Lockouts are recorded by the login itself."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("Lockouts are recorded by the login itself."))
        return super().write(vals)
