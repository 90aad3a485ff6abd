# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models
from odoo.exceptions import UserError

from ..denied import mark
from ..roles import ACCOUNTANT


class EcomApprovalGateMixin(models.AbstractModel):
    """An operation on a record that waits for an approval: ask, a second person approves, consume.

    A model names its operation and says who approves it and when it is carried out, in class
    attributes: ``_ecom_approval_operation`` (a value it adds to ``ecom.approval.request``'s
    ``operation`` with ``selection_add``), ``_ecom_approval_level_one_group`` (the first level's
    approvers; the second level is always a Finance Manager's) and
    ``_ecom_approval_applied_on_approval`` (True: the last approval carries it out through
    ``_ecom_apply_approval``; False: someone carries it out later, which consumes the approval).

    The model computes what is approved in ``_ecom_approval_substance(request)``; the request
    keeps its hash, and a change of the record afterwards voids it (``_ecom_void_stale_approvals``).

    A model may guard more operations than its own: each other one is named in
    ``_ecom_approval_level_one_groups`` (``{operation: group}``, its first level's approvers), and
    asked for, consumed or required with ``operation=`` (its substance: the request's operation
    tells ``_ecom_approval_substance`` which).
    """

    _name = "ecom.approval.gate.mixin"
    _description = "Operation under Approval"
    _ecom_approval_operation = None
    _ecom_approval_level_one_group = ACCOUNTANT
    _ecom_approval_level_one_groups = {}
    _ecom_approval_applied_on_approval = False

    def _ecom_approval_requests(self, as_system=False):
        """The requests' model; ``as_system``: for callers who ask or consume without reading the
        requests (finance data), who still are the requesters."""
        requests = self.env["ecom.approval.request"]
        return requests.sudo() if as_system else requests

    def _ecom_approval_substance(self, request):
        """What ``request`` approves, as it would be now for this record (``request`` None: now)."""
        raise NotImplementedError

    def _ecom_ask_approval(self, description, substance=None, as_system=False, operation=None, **values):
        """Ask for the operation (``operation``: another of the model's) on this record (empty: a
        creation); returns the request, the open one of the same substance if there is one.
        ``values``: amount, currency, reason, company of ``ecom.approval.request._create_request``."""
        if substance is None:
            substance = self._ecom_approval_substance(None)
        return self._ecom_approval_requests(as_system)._create_request(
            operation or self._ecom_approval_operation, self, substance, description, **values
        )

    def _ecom_consume_approval(self, as_system=False, operation=None):
        """The approved request for the record as it is now, marked applied; empty when none."""
        return self._ecom_approval_requests(as_system)._consume(
            operation or self._ecom_approval_operation, self
        )

    def _ecom_require_approval(self, refusal, as_system=False, operation=None):
        """Consume the approval of each record, or refuse: ``refusal(record)`` says why."""
        for record in self:
            if not record._ecom_consume_approval(as_system, operation):
                # noted as refused: a call of the web client or RPC refused here is logged (denied)
                raise mark(UserError(refusal(record)), self.env, record._name, record.ids, "approval")

    def _ecom_void_stale_approvals(self):
        """Void the open requests on these records whose substance changed (after a change)."""
        self.env["ecom.approval.request"]._void_stale(self)
