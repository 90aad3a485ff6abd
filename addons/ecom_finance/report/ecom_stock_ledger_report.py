# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.tools import SQL

DATE_FROM_KEY = "ecom_ledger_date_from"
DATE_TO_KEY = "ecom_ledger_date_to"


def last_month(today):
    """The first and the last day of the month before ``today``."""
    first = today.replace(day=1) - relativedelta(months=1)
    return first, first + relativedelta(day=31)


def layers_sql():
    """The valuation layers with the day they count from and the move that gives their warehouse.

    A layer counts from the date of its journal entry when it has one (a count or a receipt
    booked in a past period counts in that period, as in the books), else from the day it was
    made. Its move is its own, else that of the layer it adjusts (landed costs, price
    differences). Shared by the ledger and by its check against the books, so that both take
    the same layers on the same days.
    """
    return SQL(
        """SELECT v.id, v.company_id, v.product_id, v.quantity, v.value,
                  COALESCE(am.date, v.create_date::date) AS day,
                  COALESCE(v.stock_move_id, parent.stock_move_id) AS move_id
             FROM stock_valuation_layer v
             LEFT JOIN stock_valuation_layer parent ON parent.id = v.stock_valuation_layer_id
             LEFT JOIN account_move am ON am.id = v.account_move_id"""
    )


class EcomStockLedgerReport(models.Model):
    """The stock ledger (进销存): per company, warehouse and product over a period, the opening
    stock, what came in, what went out and the closing stock, in quantity and in value.

    The period is ``[date_from, date_to]`` of the context (``ecom_ledger_date_from`` /
    ``ecom_ledger_date_to``, set by the wizard; the current month up to today when absent).

    * **Quantities**: done stock moves into and out of the internal locations of a warehouse (in
      the product's unit, by the move's date in UTC, like the valuation by warehouse; in the
      company of the warehouse). A move between two locations of one warehouse is neither in nor
      out; a move between two warehouses is out of the one and in of the other.
    * **Values**: the stock valuation layers (their day: the date of their journal entry, else
      the day they were made). A layer goes to the warehouse of its move: the source warehouse
      for a layer taking stock out (negative quantity), else the destination one; it is *in* when
      that warehouse is the move's destination, *out* when it is the source. Adjustments of a
      move without quantity (landed costs, price differences, FIFO vacuum) follow their move
      (a landed cost is in-value of the receipt's warehouse, with zero quantity).
    * **Transfers between warehouses** make no layer in Odoo (the company's value does not
      change): the ledger values each at the company's unit value of the product on its day
      (value over quantity of its layers up to that day), out-value of the one warehouse and the
      same in-value of the other. Per warehouse this is an average even for FIFO products (FIFO
      is kept per company); the company's total is exact.
    * **Layers without any move** (a cost change of an average-cost product) belong to no
      warehouse: they show on a row without warehouse as in-value with zero quantity.

    So the closing values of a company's rows add up to the value of its layers at ``date_to``,
    which the valuation accounts must show (see *Check against the books*,
    ``ecom.stock.ledger.check``).
    """

    _name = "ecom.stock.ledger.report"
    _description = "Stock Ledger"
    _auto = False
    _order = "company_id, warehouse_id, product_id"
    _rec_name = "product_id"
    _depends = {
        "stock.move": ["state", "date", "product_id", "product_qty", "location_id", "location_dest_id"],
        "stock.valuation.layer": [
            "value",
            "quantity",
            "product_id",
            "company_id",
            "create_date",
            "stock_move_id",
            "stock_valuation_layer_id",
            "account_move_id",
        ],
        "account.move": ["date"],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    opening_qty = fields.Float(string="Opening Quantity", readonly=True, digits="Product Unit of Measure")
    opening_value = fields.Monetary(readonly=True)
    in_qty = fields.Float(string="Quantity In", readonly=True, digits="Product Unit of Measure")
    in_value = fields.Monetary(string="Value In", readonly=True)
    out_qty = fields.Float(string="Quantity Out", readonly=True, digits="Product Unit of Measure")
    out_value = fields.Monetary(string="Value Out", readonly=True)
    closing_qty = fields.Float(string="Closing Quantity", readonly=True, digits="Product Unit of Measure")
    closing_value = fields.Monetary(readonly=True)

    def _period(self):
        """The context's period; else the current month up to today (the wizard proposes last month)."""
        today = fields.Date.context_today(self)
        date_from = fields.Date.to_date(self.env.context.get(DATE_FROM_KEY)) or today.replace(day=1)
        date_to = fields.Date.to_date(self.env.context.get(DATE_TO_KEY)) or today
        return date_from, date_to

    @property
    def _table_query(self):
        date_from, date_to = self._period()
        return SQL(
            """
            WITH located AS (
                SELECT m.id, m.company_id, m.product_id, m.product_qty, m.date,
                       ls.company_id AS cs, ld.company_id AS cd,
                       CASE WHEN ls.usage = 'internal' THEN ls.warehouse_id END AS ws,
                       CASE WHEN ld.usage = 'internal' THEN ld.warehouse_id END AS wd
                  FROM stock_move m
                  JOIN stock_location ls ON ls.id = m.location_id
                  JOIN stock_location ld ON ld.id = m.location_dest_id
                 WHERE m.state = 'done'
            ), layers AS (%(layers)s
            ), quantities AS (
                SELECT cd AS company_id, wd AS warehouse_id, product_id, date < %(start)s AS before,
                       product_qty AS qty_in, 0 AS qty_out, 0 AS value_in, 0 AS value_out
                  FROM located
                 WHERE date < %(until)s AND wd IS NOT NULL AND wd IS DISTINCT FROM ws
                UNION ALL
                SELECT cs, ws, product_id, date < %(start)s, 0, product_qty, 0, 0
                  FROM located
                 WHERE date < %(until)s AND ws IS NOT NULL AND ws IS DISTINCT FROM wd
            ), valued AS (
                SELECT l.company_id, l.product_id, l.value, l.day,
                       CASE WHEN l.quantity < 0 THEN COALESCE(mv.ws, mv.wd) ELSE COALESCE(mv.wd, mv.ws) END
                           AS warehouse_id,
                       CASE WHEN l.quantity < 0 THEN mv.ws IS NOT NULL
                            ELSE mv.wd IS NULL AND mv.ws IS NOT NULL END AS is_out
                  FROM layers l LEFT JOIN located mv ON mv.id = l.move_id
                 WHERE l.day <= %(date_to)s
            ), daily AS (
                SELECT company_id, product_id, day, sum(value) AS value, sum(quantity) AS quantity
                  FROM layers WHERE day <= %(date_to)s
                 GROUP BY company_id, product_id, day
            ), unit AS (
                -- the company's unit value of each product from each day on (until the next)
                SELECT company_id, product_id, day,
                       lead(day) OVER w AS next_day,
                       sum(value) OVER w / NULLIF(sum(quantity) OVER w, 0) AS unit_value
                  FROM daily
                WINDOW w AS (PARTITION BY company_id, product_id ORDER BY day)
            ), transfers AS (
                SELECT mv.company_id, mv.product_id, mv.ws, mv.wd, mv.date < %(start)s AS before,
                       ROUND(mv.product_qty * COALESCE(u.unit_value, 0), 2) AS value
                  FROM located mv
                  LEFT JOIN unit u ON u.company_id = mv.company_id AND u.product_id = mv.product_id
                                  AND u.day <= mv.date::date
                                  AND (u.next_day IS NULL OR u.next_day > mv.date::date)
                 WHERE mv.date < %(until)s AND mv.ws <> mv.wd AND mv.cs = mv.cd
                   AND NOT EXISTS (SELECT 1 FROM layers l WHERE l.move_id = mv.id)
            ), flows AS (
                SELECT * FROM quantities
                UNION ALL
                SELECT company_id, warehouse_id, product_id, day < %(date_from)s, 0, 0,
                       CASE WHEN is_out THEN 0 ELSE value END, CASE WHEN is_out THEN -value ELSE 0 END
                  FROM valued
                UNION ALL
                SELECT company_id, ws, product_id, before, 0, 0, 0, value FROM transfers
                UNION ALL
                SELECT company_id, wd, product_id, before, 0, 0, value, 0 FROM transfers
            ), totals AS (
                SELECT company_id, warehouse_id, product_id,
                       sum(CASE WHEN before THEN qty_in - qty_out ELSE 0 END) AS opening_qty,
                       sum(CASE WHEN before THEN value_in - value_out ELSE 0 END) AS opening_value,
                       sum(CASE WHEN before THEN 0 ELSE qty_in END) AS in_qty,
                       sum(CASE WHEN before THEN 0 ELSE value_in END) AS in_value,
                       sum(CASE WHEN before THEN 0 ELSE qty_out END) AS out_qty,
                       sum(CASE WHEN before THEN 0 ELSE value_out END) AS out_value,
                       sum(qty_in - qty_out) AS closing_qty,
                       sum(value_in - value_out) AS closing_value
                  FROM flows
                 GROUP BY company_id, warehouse_id, product_id
            )
            SELECT row_number() OVER (ORDER BY s.company_id, s.warehouse_id, s.product_id) AS id,
                   s.company_id, c.currency_id, s.warehouse_id, s.product_id, t.categ_id,
                   s.opening_qty, s.opening_value, s.in_qty, s.in_value,
                   s.out_qty, s.out_value, s.closing_qty, s.closing_value
              FROM totals s
              JOIN res_company c ON c.id = s.company_id
              JOIN product_product p ON p.id = s.product_id
              JOIN product_template t ON t.id = p.product_tmpl_id
             WHERE s.opening_qty <> 0 OR s.opening_value <> 0 OR s.in_qty <> 0 OR s.in_value <> 0
                OR s.out_qty <> 0 OR s.out_value <> 0
            """,
            layers=layers_sql(),
            start=SQL("%s::timestamp", date_from),
            until=SQL("(%s::date + 1)::timestamp", date_to),
            date_from=date_from,
            date_to=date_to,
        )
