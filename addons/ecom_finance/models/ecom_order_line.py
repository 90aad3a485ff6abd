from odoo import fields, models


class EcomOrderLine(models.Model):
    """One SKU of a platform order, linked to its product by SKU (internal reference)."""

    _name = "ecom.order.line"
    _description = "Platform Order Line"
    _order = "order_id, line_no, id"
    _check_company_auto = True

    order_id = fields.Many2one("ecom.order", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    line_no = fields.Integer(string="File Line", readonly=True)
    sku = fields.Char(string="SKU", required=True, index=True, readonly=True)
    product_id = fields.Many2one("product.product", required=True, index=True, readonly=True)
    quantity = fields.Float(digits="Product Unit of Measure", readonly=True)
    unit_price = fields.Monetary(readonly=True)
    subtotal = fields.Monetary(readonly=True)
