# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from odoo.addons.base.models.res_partner import _tz_get

from ..anomaly_settings import PARAM_PREFIX, anomaly_settings

WEEKDAYS = (
    "work_monday",
    "work_tuesday",
    "work_wednesday",
    "work_thursday",
    "work_friday",
    "work_saturday",
    "work_sunday",
)

THRESHOLDS = (
    "export_threshold",
    "read_threshold",
    "failed_login_threshold",
    "mass_change_threshold",
    "escalation_threshold",
)
MINUTES = ("failed_login_minutes", "mass_change_minutes", "escalation_minutes")


class EcomAuditAnomalySettings(models.TransientModel):
    """The Finance Managers' form for the settings of the access alerts.

    The values live in system parameters (``ecom_audit.anomaly_*``); saving them writes an
    entry to the audit trail with the old and new values.
    """

    _name = "ecom.audit.anomaly.settings"
    _description = "Access Alert Settings"

    work_hour_from = fields.Float(
        string="Working Hours From",
        required=True,
        help="Local time (the time zone below, else the user's company's) from which access is expected.",
    )
    timezone = fields.Selection(
        _tz_get,
        string="Time Zone",
        help="The time zone of the working hours. Empty: each user's company's time zone (else UTC); "
        "never the user's own, which every user sets in their preferences.",
    )
    work_hour_to = fields.Float(string="Working Hours To", required=True)
    work_monday = fields.Boolean(string="Monday")
    work_tuesday = fields.Boolean(string="Tuesday")
    work_wednesday = fields.Boolean(string="Wednesday")
    work_thursday = fields.Boolean(string="Thursday")
    work_friday = fields.Boolean(string="Friday")
    work_saturday = fields.Boolean(string="Saturday")
    work_sunday = fields.Boolean(string="Sunday")
    export_threshold = fields.Integer(
        required=True,
        help="An alert when one user exports more records than this within one day.",
    )
    read_threshold = fields.Integer(
        required=True,
        help="An alert when one user reads more records than this within one day through the web "
        "client or RPC (search_read, read), counting only reads of more than 1000 records at once.",
    )
    failed_login_threshold = fields.Integer(
        string="Failed Logins",
        required=True,
        help="An alert when a login fails this many times within the minutes below.",
    )
    failed_login_minutes = fields.Integer(string="Within Minutes", required=True)
    mass_change_threshold = fields.Integer(
        string="Mass Modification",
        required=True,
        help="An alert when one user changes (creates, writes, deletes) this many records of one model "
        "within the minutes below.",
    )
    mass_change_minutes = fields.Integer(string="Changes Within Minutes", required=True)
    escalation_threshold = fields.Integer(
        string="Refused Operations",
        required=True,
        help="An alert when one user is refused this many operations (access errors, refused "
        "approvals) within the minutes below.",
    )
    escalation_minutes = fields.Integer(string="Refusals Within Minutes", required=True)
    new_role_minutes = fields.Integer(
        string="New Role Used Within Minutes",
        required=True,
        help="An alert when a user changes or exports e-commerce records within this many minutes "
        "after being given a finance role.",
    )
    outside_scope_days = fields.Integer(
        string="Usual Shops Over Days",
        required=True,
        help="An alert when a user changes records of a shop or warehouse they changed nothing of in "
        "this many days before (users with no change at all in those days are not alerted).",
    )

    @api.model
    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group("ecom_audit.group_ecom_manager"):
            raise AccessError(self.env._("Only Finance Managers change the settings of the access alerts."))

    @api.model
    def default_get(self, fields_list):
        self._check_manager()
        values = super().default_get(fields_list)
        settings = anomaly_settings(self.env)
        values.update(
            {name: settings[name] for name in settings if name not in ("work_days", "timezone")},
            timezone=settings["timezone"] or False,
            **{name: index + 1 in settings["work_days"] for index, name in enumerate(WEEKDAYS)},
        )
        return {name: value for name, value in values.items() if name in fields_list}

    @api.constrains(
        "work_hour_from", "work_hour_to", *THRESHOLDS, *MINUTES, "new_role_minutes", "outside_scope_days"
    )
    def _check_values(self):
        for settings in self:
            if not 0 <= settings.work_hour_from < settings.work_hour_to <= 24:
                raise ValidationError(
                    self.env._("The working hours must start before they end, between 00:00 and 24:00.")
                )
            if min(settings[name] for name in THRESHOLDS) < 1 or not all(
                1 <= settings[name] <= 24 * 60 for name in MINUTES
            ):
                raise ValidationError(
                    self.env._("The thresholds must be at least 1, the minutes between 1 and 1440.")
                )
            if (
                not 1 <= settings.new_role_minutes <= 7 * 24 * 60
                or not 1 <= settings.outside_scope_days <= 366
            ):
                raise ValidationError(
                    self.env._(
                        "A new role is watched for 1 minute to 7 days, the usual shops over 1 to 366 days."
                    )
                )
            if not any(settings[name] for name in WEEKDAYS):
                raise ValidationError(self.env._("Choose at least one working day."))

    def _as_params(self):
        self.ensure_one()
        return {
            "work_hour_from": repr(float(self.work_hour_from)),
            "work_hour_to": repr(float(self.work_hour_to)),
            "work_days": ",".join(str(index + 1) for index, name in enumerate(WEEKDAYS) if self[name]),
            **{
                name: str(self[name])
                for name in (*THRESHOLDS, *MINUTES, "new_role_minutes", "outside_scope_days")
            },
            "timezone": self.timezone or None,  # empty: the parameter is removed
        }

    def action_save(self):
        """Write the settings (Finance Managers) and log what changed."""
        self.ensure_one()
        self._check_manager()
        # System parameters are writable by administrators only; Finance Managers own these
        # thresholds (checked above) and the form writes these keys and no other.
        params = self.env["ir.config_parameter"].sudo()
        changes = {}
        for name, value in self._as_params().items():
            key = PARAM_PREFIX + name
            previous = params.get_param(key) or None
            if previous != value:
                params.set_param(key, value or False)
                changes[key] = [previous, value]
        if changes:
            self.env["ecom.audit.log"].sudo()._append(
                [
                    {
                        "model": "ir.config_parameter",
                        "res_ids": ",".join(map(str, params.search([("key", "in", list(changes))]).ids)),
                        "operation": "write",
                        "changes": changes,
                    }
                ]
            )
        return {"type": "ir.actions.act_window_close"}
