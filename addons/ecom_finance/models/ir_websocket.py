# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import re

from odoo import models

# what an open form asks for: the progress of its record's background job
JOB_CHANNEL = re.compile(r"^ecom_job:([a-z0-9_.]+):(\d+)$")
JOB_SUBCHANNEL = "ecom_job"


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        """Replace each ``ecom_job:<model>:<id>`` the client asks for by the record's own job
        channel (``(record, "ecom_job")``, which a client cannot name), when the user may read
        the record and it is worked on by background jobs (``ecom.job.mixin``)."""
        requested = [c for c in channels if isinstance(c, str) and JOB_CHANNEL.match(c)]
        channels = super()._build_bus_channel_list([c for c in channels if c not in requested])
        for channel in requested:
            model, res_id = JOB_CHANNEL.match(channel).groups()
            if model not in self.env or not isinstance(self.env[model], self.pool["ecom.job.mixin"]):
                continue
            record = self.env[model].browse(int(res_id)).exists()
            if record and record.has_access("read"):
                channels.append((record, JOB_SUBCHANNEL))
        return channels
