# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        """Add the channels of the devices bound to the user: their scans reach the user's open
        screens (``ecom.scan.event._notify``)."""
        channels = super()._build_bus_channel_list(channels)
        channels.extend(self._ecom_device_channels())
        return channels

    def _ecom_device_channels(self):
        """The devices bound to the user (``ecom.device.user_id``). A device's channel is its
        record, which a client cannot subscribe to by naming it: only its bound user listens."""
        if not self.env.uid or self.env.user._is_public():
            return self.env["ecom.device"]
        # the binding is the permission, whatever the user may read of the devices
        return self.env["ecom.device"].sudo().search([("user_id", "=", self.env.uid)])
