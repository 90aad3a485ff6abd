# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class EcomDeviceTokenWizard(models.TransientModel):
    """Shows a device's new token once (``ecom.device.action_rotate_token_dialog``).

    The token reaches the dialog in the action's context only: the dialog is closed, never saved,
    and the token is not kept anywhere.
    """

    _name = "ecom.device.token.wizard"
    _description = "New Device Token"

    device_id = fields.Many2one("ecom.device", readonly=True)
    token = fields.Char(readonly=True, store=False)
