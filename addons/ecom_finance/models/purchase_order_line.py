# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models

# a change of these voids the budget approval of the line's order (purchase_order.py)
BUDGET_SUBSTANCE_FIELDS = {
    "product_id",
    "name",
    "product_qty",
    "price_unit",
    "discount",
    "date_planned",
    "display_type",
}


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"
    # audited (ecom_audit): what is bought, how many, at which price, discount and taxes
    _ecom_audited_fields = {
        "order_id",
        "product_id",
        "product_qty",
        "product_uom",
        "price_unit",
        "discount",
        "taxes_id",
        "date_planned",
    }

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._ecom_void_stale_approvals()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if BUDGET_SUBSTANCE_FIELDS & vals.keys():
            self.order_id._ecom_void_stale_approvals()
        return result

    def unlink(self):
        orders = self.order_id
        result = super().unlink()
        orders.exists()._ecom_void_stale_approvals()
        return result
