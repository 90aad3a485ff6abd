from odoo import fields, models, tools
from odoo.tools import SQL

# Settlement line types whose gross is a cost of selling the order (its fee column is one too).
ORDER_COST_TYPES = ("commission", "fee", "shipping", "promotion", "tax")


class EcomOrderMarginReport(models.Model):
    """Margin per platform order line: revenue less platform fees less cost of goods sold.

    Everything in the company currency. Revenue is the line's subtotal less its share of
    the order's refunds; fees are what the payment channel's statements charged against the
    order (fee withheld, commissions, service and shipping fees, promotions, tax), shared
    between the lines by subtotal; COGS comes from the stock valuation layers of the
    deliveries and returns of the line's sale order line (FIFO or average cost).
    """

    _name = "ecom.order.margin.report"
    _description = "Platform Order Margin"
    _auto = False
    _order = "date desc, order_id desc"
    _rec_name = "order_id"
    # what the query reads: flushed before every search of the report
    _depends = {
        "ecom.order": ["shop_id", "company_id", "currency_id", "order_time", "refund_amount", "name"],
        "ecom.order.line": ["order_id", "product_id", "sku", "quantity", "subtotal", "sale_line_id"],
        "ecom.statement.line": ["shop_id", "order_ref", "merchant_order_ref", "line_type", "gross", "fee"],
        "stock.move": ["sale_line_id"],
        "stock.valuation.layer": ["stock_move_id", "value"],
        "res.currency.rate": ["rate", "name", "currency_id", "company_id"],
    }

    order_id = fields.Many2one("ecom.order", readonly=True)
    shop_id = fields.Many2one("ecom.shop", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    sku = fields.Char(string="SKU", readonly=True)
    date = fields.Date(string="Order Date", readonly=True)
    status = fields.Selection(related="order_id.status", readonly=True)
    quantity = fields.Float(readonly=True)
    revenue = fields.Monetary(readonly=True)
    fees = fields.Monetary(string="Platform Fees", readonly=True)
    cogs = fields.Monetary(string="Cost of Goods Sold", readonly=True)
    margin = fields.Monetary(readonly=True)
    is_negative = fields.Boolean(string="Negative Margin", readonly=True)

    @property
    def _table_query(self):
        def rate(currency):
            return SQL(
                """(SELECT r.rate FROM res_currency_rate r
                     WHERE r.currency_id = %s AND (r.company_id = o.company_id OR r.company_id IS NULL)
                       AND r.name <= o.order_time::date
                     ORDER BY r.company_id NULLS LAST, r.name DESC LIMIT 1)""",
                currency,
            )

        # an amount of the order's currency times this is in the company's currency
        to_company = SQL(
            "COALESCE(%s, 1.0) / COALESCE(%s, 1.0)",
            rate(SQL.identifier("c", "currency_id")),
            rate(SQL.identifier("o", "currency_id")),
        )
        return SQL(
            """
            SELECT l.id, l.order_id, o.shop_id, o.company_id, c.currency_id, l.product_id, t.categ_id, l.sku,
                   o.order_time::date AS date, l.quantity,
                   k.revenue, k.fees, COALESCE(cg.cogs, 0.0) AS cogs,
                   k.revenue - k.fees - COALESCE(cg.cogs, 0.0) AS margin,
                   k.revenue - k.fees - COALESCE(cg.cogs, 0.0) < 0 AS is_negative
              FROM ecom_order_line l
              JOIN ecom_order o ON o.id = l.order_id
              JOIN res_company c ON c.id = o.company_id
              JOIN product_product p ON p.id = l.product_id
              JOIN product_template t ON t.id = p.product_tmpl_id
              JOIN LATERAL (SELECT NULLIF(sum(x.subtotal), 0) AS total
                              FROM ecom_order_line x WHERE x.order_id = o.id) tot ON TRUE
              LEFT JOIN LATERAL (
                    SELECT sum(s.fee) + sum(CASE WHEN s.line_type IN %(cost_types)s THEN -s.gross ELSE 0 END)
                           AS amount
                      FROM ecom_statement_line s
                     WHERE s.shop_id = o.shop_id
                       -- the platform's order number, or the merchant's (Alipay 商户订单号, WeChat)
                       AND (s.order_ref = o.name OR s.merchant_order_ref = o.name)) f ON TRUE
              LEFT JOIN LATERAL (
                    SELECT -sum(v.value) AS cogs
                      FROM stock_move m JOIN stock_valuation_layer v ON v.stock_move_id = m.id
                     WHERE m.sale_line_id = l.sale_line_id) cg ON TRUE
              CROSS JOIN LATERAL (SELECT COALESCE(l.subtotal / tot.total, 0) AS share) sh
              CROSS JOIN LATERAL (
                    SELECT ROUND((l.subtotal - COALESCE(o.refund_amount, 0) * sh.share) * %(to_company)s, 2)
                           AS revenue,
                           ROUND(COALESCE(f.amount, 0) * sh.share * %(to_company)s, 2) AS fees) k
            """,
            cost_types=ORDER_COST_TYPES,
            to_company=to_company,
        )

    def init(self):
        # no view of our own to create: _table_query is the table, read on every query
        tools.drop_view_if_exists(self.env.cr, self._table)
