# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.ecom_audit.approval import OwnFields
from odoo.addons.ecom_audit.roles import MANAGER

# Written by the pull only (and reset by its button): refused in create, write, copy and import.
OWN_FIELDS = OwnFields(
    "ecom_connector_cursor_write",
    {
        "backend_id",
        "stream",
        "cursor",
        "last_success",
        "last_error",
        "last_error_at",
        "missing_day",
        "lines_created",
        "pages",
    },
)


class EcomConnectorCursor(models.Model):
    """Where a backend's stream stands: the cursor of the last page stored, advanced in the same
    transaction as the page (a pull killed half-way resumes there), and how the last pull went."""

    _name = "ecom.connector.cursor"
    _description = "Connector Stream Cursor"
    _order = "backend_id, stream"

    backend_id = fields.Many2one(
        "ecom.connector.backend", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, readonly=True)
    stream = fields.Char(required=True, readonly=True)
    cursor = fields.Char(
        readonly=True,
        copy=False,
        help="Where the next pull starts: the next day of a daily bill, the platform's page token "
        "and window of a paged stream. Empty: the backend's first day.",
    )
    last_success = fields.Datetime(readonly=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False)
    last_error_at = fields.Datetime(readonly=True, copy=False)
    missing_day = fields.Date(
        readonly=True, copy=False, help="A day the platform had no bill for at the last pull."
    )
    lines_created = fields.Integer(readonly=True, copy=False, help="Lines this stream has brought in.")
    pages = fields.Integer(readonly=True, copy=False, help="Pages stored.")

    _sql_constraints = [
        ("backend_stream_uniq", "unique(backend_id, stream)", "A backend has one cursor per stream."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        # copy() and load() create through here too
        self._check_own_fields(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_own_fields([vals])
        return super().write(vals)

    def _check_own_fields(self, vals_list, creating=False):
        OWN_FIELDS.refuse(
            vals_list,
            lambda names: self.env._("A stream's cursor is written by its pulls only: %s.", names),
            creating=creating,
        )

    def action_reset(self):
        """Start the stream again from the backend's first day (Finance Managers): what was
        imported stays, and pulling it again adds only what is new."""
        if not self.env.user.has_group(MANAGER):
            raise AccessError(self.env._("Only Finance Managers reset a stream's cursor."))
        self.check_access("read")
        with OWN_FIELDS.writing():
            # the cursor's own bookkeeping, by a Finance Manager (checked above)
            self.sudo().write({"cursor": False, "missing_day": False, "last_error": False})
        for cursor in self:
            cursor.backend_id._message_log(
                body=self.env._("Cursor of stream %s reset: the next pull starts again.", cursor.stream)
            )
        return True

    def _record(self, **values):
        """The pull's bookkeeping of this cursor (in the pull's transaction)."""
        with OWN_FIELDS.writing():
            # the stream's own cursor, moved by the pull whose caller's rights were checked
            self.sudo().write(values)
