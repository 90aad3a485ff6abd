# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.ecom_audit.roles import FINANCE_READERS


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
    sale_line_id = fields.Many2one("sale.order.line", readonly=True, copy=False, index="btree_not_null")
    cogs = fields.Float(
        string="Cost of Goods Sold",
        compute="_compute_cogs",
        digits="Product Price",
        groups=FINANCE_READERS,
        help="In the company currency: value of the stock valuation layers of the line's deliveries "
        "less its returns (FIFO or average cost, as the product's category says).",
    )

    def _compute_cogs(self):
        cogs = self._cogs_by_line()
        for line in self:
            line.cogs = cogs.get(line.id, 0.0)

    def _cogs_by_line(self):
        """Order line id -> cost of goods sold, read from the valuation layers in one query."""
        if not self.ids:
            return {}
        self.flush_recordset(["sale_line_id"])
        self.env["stock.move"].flush_model(["sale_line_id"])
        self.env["stock.valuation.layer"].flush_model(["stock_move_id", "value"])
        rows = self.env.execute_query(
            SQL(
                """SELECT l.id, -sum(v.value)
                     FROM ecom_order_line l
                     JOIN stock_move m ON m.sale_line_id = l.sale_line_id
                     JOIN stock_valuation_layer v ON v.stock_move_id = m.id
                    WHERE l.id = ANY(%s)
                    GROUP BY l.id""",
                self.ids,
            )
        )
        return dict(rows)
