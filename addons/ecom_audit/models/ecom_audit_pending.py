# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class EcomAuditPending(models.Model):
    """Entries of the running transaction, not chained yet.

    Audited changes insert here (cheap, and undone with their savepoint when a change is
    rolled back); just before the transaction commits, ``ecom.audit.log._flush_pending``
    moves them into the chain under the chain's lock, which is therefore held for the
    commit only, not for the whole transaction. Nobody has any right on this model.
    """

    _name = "ecom.audit.pending"
    _description = "Audit Entry Being Written"
    _log_access = False
    _order = "id"

    txid = fields.Char(string="Transaction", required=True, index=True)
    logged_at = fields.Datetime(required=True)
    user_uid = fields.Integer(string="User ID")
    login = fields.Char()
    company_id = fields.Integer()
    origin = fields.Char()
    model = fields.Char()
    res_ids = fields.Char(string="Records")
    operation = fields.Char()
    changes = fields.Json()
