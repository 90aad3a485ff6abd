from odoo import api, fields, models

ORDER_STATUSES = [
    ("paid", "Paid"),
    ("shipped", "Shipped"),
    ("completed", "Completed"),
    ("refunded", "Refunded"),
    ("partially_refunded", "Partially Refunded"),
    ("cancelled", "Cancelled"),
]


class EcomOrder(models.Model):
    """An order as the selling platform reports it, imported from its order export."""

    _name = "ecom.order"
    _description = "Platform Order"
    _order = "order_time desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Order Reference", required=True, index=True, readonly=True)
    shop_id = fields.Many2one("ecom.shop", required=True, index=True, readonly=True, check_company=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    statement_id = fields.Many2one(
        "ecom.statement", string="Imported By", index=True, readonly=True, ondelete="set null"
    )
    status = fields.Selection(ORDER_STATUSES, required=True, index=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount_paid = fields.Monetary(readonly=True)
    refund_amount = fields.Monetary(readonly=True)
    order_time = fields.Datetime(required=True, index=True, readonly=True)
    paid_time = fields.Datetime(readonly=True)
    buyer_name = fields.Char(readonly=True)
    buyer_phone = fields.Char(readonly=True)
    address = fields.Char(readonly=True)
    line_ids = fields.One2many("ecom.order.line", "order_id", string="Lines", readonly=True)
    amount_lines = fields.Monetary(compute="_compute_amount_lines", string="Lines Total")

    _sql_constraints = [
        ("name_shop_uniq", "unique(shop_id, name)", "This order already exists in this shop."),
    ]

    @api.depends("line_ids.subtotal")
    def _compute_amount_lines(self):
        for order in self:
            order.amount_lines = sum(order.line_ids.mapped("subtotal"))
