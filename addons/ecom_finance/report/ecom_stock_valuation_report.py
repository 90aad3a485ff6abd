# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models
from odoo.tools import SQL

DATE_KEY = "ecom_valuation_date"


class EcomStockValuationReport(models.Model):
    """Inventory valuation per warehouse and product at a date (today unless the context says).

    Odoo values stock per company; this splits it by warehouse: the quantity each warehouse
    holds at the date (done stock moves into and out of its internal locations) at the
    product's unit value at that date (its valuation layers up to the date: FIFO or average).
    """

    _name = "ecom.stock.valuation.report"
    _description = "Inventory Valuation by Warehouse"
    _auto = False
    _order = "warehouse_id, product_id"
    _rec_name = "product_id"
    _depends = {
        "stock.move": ["state", "date", "product_id", "product_qty", "location_id", "location_dest_id"],
        "stock.valuation.layer": ["value", "quantity", "product_id", "company_id", "create_date"],
    }

    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    quantity = fields.Float(readonly=True, digits="Product Unit of Measure")
    unit_value = fields.Float(readonly=True, digits="Product Price", aggregator=None)
    value = fields.Monetary(readonly=True)

    @property
    def _table_query(self):
        at = self.env.context.get(DATE_KEY) or fields.Date.context_today(self)
        # end of the day, in UTC like the stored dates
        until = SQL("(%s::date + 1)::timestamp", at)
        return SQL(
            """
            WITH moves AS (
                SELECT m.product_id, m.company_id, ld.warehouse_id, m.product_qty AS qty
                  FROM stock_move m JOIN stock_location ld ON ld.id = m.location_dest_id
                 WHERE m.state = 'done' AND m.date < %(until)s AND ld.usage = 'internal'
                UNION ALL
                SELECT m.product_id, m.company_id, ls.warehouse_id, -m.product_qty
                  FROM stock_move m JOIN stock_location ls ON ls.id = m.location_id
                 WHERE m.state = 'done' AND m.date < %(until)s AND ls.usage = 'internal'
            ), stock AS (
                SELECT product_id, company_id, warehouse_id, sum(qty) AS quantity
                  FROM moves WHERE warehouse_id IS NOT NULL
                 GROUP BY product_id, company_id, warehouse_id
                HAVING sum(qty) <> 0
            ), unit AS (
                SELECT product_id, company_id, sum(value) / NULLIF(sum(quantity), 0) AS unit_value
                  FROM stock_valuation_layer WHERE create_date < %(until)s
                 GROUP BY product_id, company_id
            )
            SELECT row_number() OVER (ORDER BY s.warehouse_id, s.product_id) AS id,
                   s.warehouse_id, s.company_id, c.currency_id, s.product_id, t.categ_id, s.quantity,
                   COALESCE(u.unit_value, 0) AS unit_value,
                   ROUND(s.quantity * COALESCE(u.unit_value, 0), 2) AS value
              FROM stock s
              JOIN res_company c ON c.id = s.company_id
              JOIN product_product p ON p.id = s.product_id
              JOIN product_template t ON t.id = p.product_tmpl_id
              LEFT JOIN unit u ON u.product_id = s.product_id AND u.company_id = s.company_id
            """,
            until=until,
        )
