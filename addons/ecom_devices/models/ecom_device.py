# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.ecom_audit.approval import OwnFields

from ecomfin.device_events import VerifiedTokens, hash_token, new_token, token_prefix

# Who manages devices (registers them, binds an operator, rotates and revokes their tokens).
DEVICE_MANAGER = "stock.group_stock_manager"
# Written by the token actions and the event endpoint only; refused in create, write and copy.
PROTECTED_FIELDS = frozenset(
    {"token_prefix", "token_hash", "token_state", "token_rotated_at", "token_last_used_at"}
)
# How often the endpoint records a token's last use (seconds): not at every request.
LAST_USED_RESOLUTION = 60
# tokens that passed their check in this process (a device posting each second skips the stretching)
_VERIFIED = VerifiedTokens()
# Set by this file's code while it writes the token fields (a context variable: RPC cannot
# reach it, unlike a context key)
TOKEN_FIELDS = OwnFields("ecom_device_token_write", PROTECTED_FIELDS, defaults={"token_state": "none"})


class EcomDevice(models.Model):
    """A device that scans or reads in a warehouse: handheld, scanner, RFID reader or IoT box.

    A device sends its scans to ``POST /ecom/device/events`` with a bearer token (controllers/
    device_events.py). Only a salted hash of the token is stored; the token itself is shown once,
    by ``action_rotate_token``.
    """

    _name = "ecom.device"
    _description = "Warehouse Device"
    _inherit = ["mail.thread", "bus.listener.mixin"]
    _order = "warehouse_id, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    serial = fields.Char(
        string="Serial Number",
        required=True,
        tracking=True,
        help="Serial number of the device; unique per company.",
    )
    device_type = fields.Selection(
        [
            ("handheld", "Handheld"),
            ("scanner", "Barcode Scanner"),
            ("rfid_reader", "RFID Reader"),
            ("iot_box", "IoT Box"),
        ],
        string="Type",
        required=True,
        default="handheld",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        tracking=True,
    )
    location_id = fields.Many2one(
        "stock.location",
        compute="_compute_location_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        tracking=True,
        domain="[('usage', '=', 'internal'), ('warehouse_id', '=', warehouse_id)]",
        help="Where the device scans: a stock location of its warehouse (its stock by default).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Bound Operator",
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="The user whose handheld screen receives this device's scans, live.",
    )
    active = fields.Boolean(default=True, tracking=True)
    note = fields.Text()
    token_prefix = fields.Char(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The first part of the device's token: not secret, it finds the device.",
    )
    token_hash = fields.Char(readonly=True, copy=False, groups="base.group_system")
    token_state = fields.Selection(
        [("none", "No Token"), ("active", "Active"), ("revoked", "Revoked")],
        string="Token",
        required=True,
        default="none",
        readonly=True,
        copy=False,
        tracking=True,
    )
    token_rotated_at = fields.Datetime(string="Token Issued On", readonly=True, copy=False)
    token_last_used_at = fields.Datetime(string="Token Last Used On", readonly=True, copy=False)
    scan_event_count = fields.Integer(string="Scans", compute="_compute_scan_event_count")

    _sql_constraints = [
        (
            "serial_company_uniq",
            "unique(company_id, serial)",
            "A device with this serial number already exists in this company.",
        ),
        ("token_prefix_uniq", "unique(token_prefix)", "Two devices cannot share a token prefix."),
    ]

    @api.depends("warehouse_id")
    def _compute_location_id(self):
        for device in self:
            if device.location_id.warehouse_id != device.warehouse_id or not device.location_id:
                device.location_id = device.warehouse_id.lot_stock_id

    @api.constrains("location_id", "warehouse_id")
    def _check_location_in_warehouse(self):
        for device in self:
            if device.location_id and device.location_id.warehouse_id != device.warehouse_id:
                raise ValidationError(
                    self.env._(
                        "The location %(location)s of device %(device)s is not in its warehouse "
                        "%(warehouse)s.",
                        location=device.location_id.display_name,
                        device=device.name,
                        warehouse=device.warehouse_id.display_name or "-",
                    )
                )

    def _compute_scan_event_count(self):
        Event = self.env["ecom.scan.event"]
        counts = {}
        if Event.has_access("read"):
            counts = {
                device.id: count
                for device, count in Event._read_group(
                    [("device_id", "in", self.ids)], ["device_id"], ["__count"]
                )
            }
        for device in self:
            device.scan_event_count = counts.get(device.id, 0)

    # ------------------------------------------------------------------
    # Audit: the token's hash is logged as changed, never with its value; its last use not at all
    # ------------------------------------------------------------------

    @api.model
    def _ecom_audit_fields(self):
        audited = super()._ecom_audit_fields()
        if audited is True:
            return {name for name, field in self._fields.items() if field.store} - {"token_last_used_at"}
        return audited

    def _ecom_audit_masked(self):
        # masked like the other secrets: a rotation shows in its entry by the new prefix and
        # issue date (not secret), a revocation as the hash going from *** to empty; the hash,
        # salted, is never written to the trail
        return super()._ecom_audit_masked() | {"token_hash"}

    # ------------------------------------------------------------------
    # Protected fields
    # ------------------------------------------------------------------

    def _check_protected(self, vals_list, creating=False):
        TOKEN_FIELDS.refuse(
            vals_list,
            lambda names: self.env._(
                "A device's token changes with its Rotate Token and Revoke Token buttons only: %s.", names
            ),
            creating=creating,
        )

    @api.model_create_multi
    def create(self, vals_list):
        # copy() and load() create through here too
        self._check_protected(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_protected([vals])
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_scanned(self):
        # every scan counts, also those of warehouses the deleting user does not see
        if self.env["ecom.scan.event"].sudo().search_count([("device_id", "in", self.ids)], limit=1):
            raise UserError(
                self.env._("A device that has sent scans cannot be deleted (its scans are kept): archive it.")
            )

    # ------------------------------------------------------------------
    # Token actions (XML-RPC too)
    # ------------------------------------------------------------------

    def _check_device_manager(self):
        if not self.env.su and not self.env.user.has_group(DEVICE_MANAGER):
            raise AccessError(
                self.env._("Only Inventory Administrators manage the tokens of warehouse devices.")
            )
        self.check_access("write")

    def action_rotate_token(self):
        """Issue a new token and return it, once: ``{"token": "..."}``. The previous token, if
        any, stops working at once; only a salted hash of the new one is stored."""
        self._check_device_manager()
        self.ensure_one()
        token, prefix = new_token()
        # the hash is the system's only (its field's groups): written as such, rights checked above
        with TOKEN_FIELDS.writing():
            self.sudo().write(
                {
                    "token_prefix": prefix,
                    "token_hash": hash_token(token),
                    "token_state": "active",
                    "token_rotated_at": fields.Datetime.now(),
                    "token_last_used_at": False,
                }
            )
        return {"token": token}

    def action_rotate_token_dialog(self):
        """The Rotate Token button: a new token, shown once in a dialog (never saved)."""
        self._check_device_manager()
        self.ensure_one()
        token = self.action_rotate_token()["token"]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Device Token"),
            "res_model": "ecom.device.token.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_device_id": self.id, "default_token": token},
        }

    def action_revoke_token(self):
        """Revoke the devices' tokens: they are refused from now on, until a new one is issued."""
        self._check_device_manager()
        # the hash is the system's only (its field's groups): written as such, rights checked above
        with TOKEN_FIELDS.writing():
            self.sudo().write({"token_prefix": False, "token_hash": False, "token_state": "revoked"})
        return True

    # ------------------------------------------------------------------
    # The endpoint's side (controllers/device_events.py): superuser, the token is the credential
    # ------------------------------------------------------------------

    @api.model
    def _authenticate_token(self, token):
        """The active device whose token is ``token``, or an empty recordset.

        The hashes are compared in constant time; an unknown prefix costs a hash as well. A token
        that passed against the same stored hash before is recognised from this process's memory.
        """
        prefix = token_prefix(token)
        device = self.browse()
        if prefix:
            device = self.sudo().search(
                [("token_prefix", "=", prefix), ("token_state", "=", "active")], limit=1
            )
        if not _VERIFIED.verify(token, device.sudo().token_hash if device else None) or not device:
            return self.browse()
        return device

    def _touch_token(self):
        """Record the token's use, at most once a minute (not audited: see _ecom_audit_fields)."""
        now = fields.Datetime.now()
        stale = self.filtered(
            lambda d: not d.token_last_used_at
            or (now - d.token_last_used_at).total_seconds() >= LAST_USED_RESOLUTION
        )
        if stale:
            with TOKEN_FIELDS.writing():
                stale.write({"token_last_used_at": now})
