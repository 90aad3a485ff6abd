# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.http import request, route

from odoo.addons.base.controllers.rpc import RPC

from ..lockout import rpc_source


class EcomRPC(RPC):
    """XML-RPC and JSON-RPC calls run with the request hidden from the methods they call
    (``odoo.http.borrow_request``), and a caller names its own address in ``authenticate``: the
    address the connection came from is kept for the login lockout and the trail
    (``ecom_audit.lockout.source``)."""

    def _xmlrpc(self, service):
        with rpc_source(request.httprequest.remote_addr):
            return super()._xmlrpc(service)

    @route()
    def jsonrpc(self, service, method, args):
        with rpc_source(request.httprequest.remote_addr):
            return super().jsonrpc(service, method, args)
