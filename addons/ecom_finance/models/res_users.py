# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models


class ResUsers(models.Model):
    """The warehouses a Warehouse Operator works in.

    Record rules (``security/ecom_finance_security.xml``) show a Warehouse Operator the
    warehouses, locations, operation types, transfers, moves, quants and scraps of these
    warehouses only; without any, the operator sees no stock. Only user administrators set
    them, and every change is an entry of the audit trail.
    """

    _inherit = "res.users"

    ecom_warehouse_ids = fields.Many2many(
        "stock.warehouse",
        "ecom_user_warehouse_rel",
        "user_id",
        "warehouse_id",
        string="E-commerce Warehouses",
        help="Warehouse Operators see and move the stock of these warehouses only.",
    )

    @api.model
    def _ecom_audit_fields(self):
        return {*super()._ecom_audit_fields(), "ecom_warehouse_ids"}

    def write(self, vals):
        result = super().write(vals)
        if "ecom_warehouse_ids" in vals:
            # the record rules read the user's warehouses: cached rule domains are stale
            self.env.registry.clear_cache()
        return result
