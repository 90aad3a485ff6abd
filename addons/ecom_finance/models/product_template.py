# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models

from .product_product import COST_GROUPS


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "ecom.cost.fields.mixin"]
    # audited (ecom_audit): the category (its valuation method), what is stocked, the sale price;
    # the cost and the barcode are written on the variants (product.product), audited there
    _ecom_audited_fields = {"name", "categ_id", "type", "is_storable", "uom_id", "list_price", "active"}

    standard_price = fields.Float(groups=COST_GROUPS)
    ecom_placeholder = fields.Boolean(
        string="Created by an Order Import",
        copy=False,
        help="Created for an unknown SKU by an order import of a shop set to create placeholders: "
        "complete it (name, category, cost) and untick this.",
    )
