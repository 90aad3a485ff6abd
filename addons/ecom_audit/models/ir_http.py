# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models
from odoo.http import request

from ..denied import log_refusal, loggable, web_call


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _dispatch(cls, endpoint):
        """Log the refusals (AccessError, refused approval) on audited models that reach the
        caller: every request of the web client comes through here (RPC: ``denied.patch_rpc``)."""
        try:
            return super()._dispatch(endpoint)
        except Exception as error:
            if loggable(error):
                # The request's transaction is lost with the error: rolled back now, before the
                # entry is committed in a transaction of its own (which would otherwise be nested
                # in it under the test cursors).
                if not request.env.cr.closed:
                    request.env.cr.rollback()
                log_refusal(request.env.registry, error, web_call(), request.httprequest.path)
            raise
