from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    ecom_placeholder = fields.Boolean(
        string="Created by an Order Import",
        copy=False,
        help="Created for an unknown SKU by an order import of a shop set to create placeholders: "
        "complete it (name, category, cost) and untick this.",
    )
