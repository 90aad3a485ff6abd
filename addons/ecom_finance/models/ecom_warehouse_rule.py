# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class EcomWarehouseRule(models.Model):
    """Which warehouse ships a shop's orders to a region: the first rule whose region matches.

    Orders matching no rule ship from the shop's warehouse.
    """

    _name = "ecom.warehouse.rule"
    _description = "E-commerce Shipping Warehouse Rule"
    _order = "shop_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    shop_id = fields.Many2one("ecom.shop", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    regions = fields.Char(
        required=True,
        help="Comma-separated words looked for in the delivery address, e.g. 上海,江苏,浙江",
    )
    warehouse_id = fields.Many2one("stock.warehouse", required=True, check_company=True)

    def _matches(self, address):
        self.ensure_one()
        address = address or ""
        return any(word.strip() and word.strip() in address for word in self.regions.split(","))
