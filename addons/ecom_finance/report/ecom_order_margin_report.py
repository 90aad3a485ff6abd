# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.tools import SQL

# Settlement line types whose gross is a cost of selling the order (its fee column is one too).
ORDER_COST_TYPES = ("commission", "fee", "shipping", "promotion", "tax")


# The report's own bookkeeping: what it has already taken in (one row).
STATE_TABLE = "ecom_order_margin_state"
# refreshers of the report take this lock; a reader finding it taken reads what is there
REFRESH_LOCK = 0x6563_6F6D_6D72  # "ecommr"
COLUMNS = (
    "id, order_id, shop_id, company_id, currency_id, product_id, categ_id, sku, date, quantity, "
    "revenue, fees, cogs, margin, is_negative, cogs_pending"
)


class EcomOrderMarginReport(models.Model):
    """Margin per platform order line: revenue less platform fees less cost of goods sold.

    Everything in the company currency. Revenue is the line's subtotal less its share of
    the order's refunds; fees are what the payment channel's statements charged against the
    order (fee withheld, commissions, service and shipping fees, promotions, tax), shared
    between the lines by subtotal; COGS comes from the stock valuation layers of the
    deliveries and returns of the line's sale order line (FIFO or average cost). A line not
    delivered yet has no COGS: it is flagged ``cogs_pending`` (its margin is not a margin yet).

    The report is a table, not a view over everything: a view recomputed every order's fees
    and COGS on each read (4 s for 600 lines, minutes at 100k orders). Each read first brings
    the table up to date set-wise for the orders changed since the last refresh (orders and
    lines written, statement lines and valuation layers added since the oldest transaction
    open at the last refresh: ``ecom_order_margin_state``), so it reads as current as the
    view did; a change of the
    rates, a deleted import or the nightly cron rebuild it whole (``_refresh(full=True)``).
    """

    _name = "ecom.order.margin.report"
    _description = "Platform Order Margin"
    # each read brings the table up to date (``_search``): reads take read/write cursors
    _inherit = ["ecom.writing.reads.mixin"]
    _auto = False
    _order = "date desc, order_id desc"
    _rec_name = "order_id"

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
    cogs_pending = fields.Boolean(
        string="Not Delivered Yet",
        readonly=True,
        help="No delivery of this line is valued yet: its cost of goods, and so its margin, are not known.",
    )

    def _source_query(self, order_ids=None):
        """The rows of the report, computed from the orders, statements and valuation layers.

        Joins of aggregates (one pass over the statement lines per kind of reference), so a
        full build is a few hash joins and a refresh of a few orders a few index lookups.
        """

        def rate(currency):
            return SQL(
                """(SELECT r.rate FROM res_currency_rate r
                     WHERE r.currency_id = %s AND (r.company_id = o.company_id OR r.company_id IS NULL)
                       AND r.name <= o.order_time::date
                     ORDER BY r.company_id NULLS LAST, r.name DESC LIMIT 1)""",
                currency,
            )

        # an amount of the order's currency times this is in the company's currency (the rates
        # are only looked up for orders in another currency: CASE evaluates lazily)
        to_company = SQL(
            "CASE WHEN o.currency_id = c.currency_id THEN 1.0 ELSE COALESCE(%s, 1.0) / COALESCE(%s, 1.0) END",
            rate(SQL.identifier("c", "currency_id")),
            rate(SQL.identifier("o", "currency_id")),
        )

        def only(alias):
            if order_ids is None:
                return SQL("TRUE")
            column = "id" if alias == "fo" else "order_id"
            return SQL("%s = ANY(%s)", SQL.identifier(alias, column), order_ids)

        # what the channel charged an order: its lines by the platform's order number or the
        # merchant's (Alipay 商户订单号, WeChat), each line once
        fees = SQL(
            """SELECT u.order_id, sum(u.amount) AS amount
                 FROM (SELECT fo.id AS order_id, s.id,
                              COALESCE(s.fee, 0) + CASE WHEN s.line_type IN %(cost_types)s
                                                        THEN -COALESCE(s.gross, 0) ELSE 0 END AS amount
                         FROM ecom_order fo
                         JOIN ecom_statement_line s ON s.shop_id = fo.shop_id AND s.order_ref = fo.name
                        WHERE %(only_fo)s
                       UNION
                       SELECT fo.id, s.id,
                              COALESCE(s.fee, 0) + CASE WHEN s.line_type IN %(cost_types)s
                                                        THEN -COALESCE(s.gross, 0) ELSE 0 END
                         FROM ecom_order fo
                         JOIN ecom_statement_line s
                           ON s.shop_id = fo.shop_id AND s.merchant_order_ref = fo.name
                        WHERE %(only_fo)s) u
                GROUP BY u.order_id""",
            cost_types=ORDER_COST_TYPES,
            only_fo=only("fo"),
        )
        return SQL(
            """
            SELECT l.id, l.order_id, o.shop_id, o.company_id, c.currency_id, l.product_id, t.categ_id, l.sku,
                   o.order_time::date AS date, l.quantity,
                   k.revenue, k.fees, COALESCE(cg.cogs, 0.0) AS cogs,
                   k.revenue - k.fees - COALESCE(cg.cogs, 0.0) AS margin,
                   k.revenue - k.fees - COALESCE(cg.cogs, 0.0) < 0 AS is_negative,
                   cg.cogs IS NULL AS cogs_pending
              FROM ecom_order_line l
              JOIN ecom_order o ON o.id = l.order_id
              JOIN res_company c ON c.id = o.company_id
              JOIN product_product p ON p.id = l.product_id
              JOIN product_template t ON t.id = p.product_tmpl_id
              JOIN (SELECT x.order_id, NULLIF(sum(x.subtotal), 0) AS total
                      FROM ecom_order_line x WHERE %(only_x)s GROUP BY x.order_id) tot ON tot.order_id = o.id
              LEFT JOIN (%(fees)s) f ON f.order_id = o.id
              LEFT JOIN (SELECT y.id, -sum(v.value) AS cogs
                           FROM ecom_order_line y
                           JOIN stock_move m ON m.sale_line_id = y.sale_line_id
                           JOIN stock_valuation_layer v ON v.stock_move_id = m.id
                          WHERE %(only_y)s
                          GROUP BY y.id) cg ON cg.id = l.id
              CROSS JOIN LATERAL (SELECT COALESCE(l.subtotal / tot.total, 0) AS share) sh
              CROSS JOIN LATERAL (
                    SELECT ROUND((l.subtotal - COALESCE(o.refund_amount, 0) * sh.share) * %(to_company)s, 2)
                           AS revenue,
                           ROUND(COALESCE(f.amount, 0) * sh.share * %(to_company)s, 2) AS fees) k
             WHERE %(only_l)s
            """,
            to_company=to_company,
            fees=fees,
            only_x=only("x"),
            only_y=only("y"),
            only_l=only("l"),
        )

    def init(self):
        cr = self.env.cr
        cr.execute(SQL("SELECT relkind FROM pg_class WHERE relname = %s", self._table))
        kind = cr.fetchone()
        if kind and kind[0] == "v":  # the view of earlier versions
            cr.execute(SQL("DROP VIEW %s", SQL.identifier(self._table)))
            kind = None
        if not kind:
            cr.execute(
                SQL(
                    """CREATE TABLE %(table)s (
                           id integer PRIMARY KEY REFERENCES ecom_order_line(id) ON DELETE CASCADE,
                           order_id integer NOT NULL REFERENCES ecom_order(id) ON DELETE CASCADE,
                           shop_id integer, company_id integer, currency_id integer, product_id integer,
                           categ_id integer, sku varchar, date date, quantity numeric,
                           revenue numeric, fees numeric, cogs numeric, margin numeric,
                           is_negative boolean, cogs_pending boolean)""",
                    table=SQL.identifier(self._table),
                )
            )
            for column in ("order_id", "company_id", "shop_id", "date"):
                cr.execute(
                    SQL(
                        "CREATE INDEX %s ON %s (%s)",
                        SQL.identifier(f"{self._table}_{column}_index"),
                        SQL.identifier(self._table),
                        SQL.identifier(column),
                    )
                )
            cr.execute(SQL("CREATE INDEX ON %s (is_negative) WHERE is_negative", SQL.identifier(self._table)))
        cr.execute(
            SQL(
                """CREATE TABLE IF NOT EXISTS %s (
                       id integer PRIMARY KEY CHECK (id = 1), refreshed_at timestamp)""",
                SQL.identifier(STATE_TABLE),
            )
        )
        # what a refresh looks up by time (the changes since the last one)
        for table, column in (
            ("ecom_order", "write_date"),
            ("ecom_order_line", "write_date"),
            ("ecom_statement_line", "create_date"),
            ("stock_valuation_layer", "create_date"),
        ):
            cr.execute(
                SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON %s (%s)",
                    SQL.identifier(f"{table}_{column}_margin_index"),
                    SQL.identifier(table),
                    SQL.identifier(column),
                )
            )
        # a new table, or an upgrade: everything is computed again on the next read
        cr.execute(SQL("DELETE FROM %s", SQL.identifier(STATE_TABLE)))

    # ------------------------------------------------------------------
    # Refresh
    # ------------------------------------------------------------------

    @api.model
    def _refresh(self, full=False):
        """Bring the table up to date; return the number of orders computed again.

        Set-wise: the orders changed since the last refresh are found by their write dates and
        the creation dates of the statement lines and valuation layers added since; their rows are
        deleted and inserted again in two statements. One refresher at a time (a reader that
        finds another one at work reads the table as it is).
        """
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s)", REFRESH_LOCK))
        if not cr.fetchone()[0]:
            return 0
        cr.execute(SQL("SELECT refreshed_at FROM %s WHERE id = 1", SQL.identifier(STATE_TABLE)))
        state = cr.fetchone()
        # the next refresh starts from the oldest transaction still open (this one included):
        # what it writes and commits after this refresh is then still taken
        cr.execute(
            SQL(
                """SELECT min(xact_start) AT TIME ZONE 'UTC',
                          (SELECT max(write_date) FROM res_currency_rate)
                     FROM pg_stat_activity WHERE datname = current_database()"""
            )
        )
        now, rates_changed = cr.fetchone()
        since = state and state[0]
        if not since or full or (rates_changed and rates_changed >= since):
            order_ids = None
        else:
            cr.execute(
                SQL(
                    """SELECT id FROM ecom_order WHERE write_date >= %(since)s
                       UNION SELECT order_id FROM ecom_order_line WHERE write_date >= %(since)s
                       UNION SELECT o.id FROM ecom_statement_line s
                               JOIN ecom_order o ON o.shop_id = s.shop_id AND o.name = s.order_ref
                              WHERE s.create_date >= %(since)s
                       UNION SELECT o.id FROM ecom_statement_line s
                               JOIN ecom_order o ON o.shop_id = s.shop_id AND o.name = s.merchant_order_ref
                              WHERE s.create_date >= %(since)s
                       UNION SELECT l.order_id FROM stock_valuation_layer v
                               JOIN stock_move m ON m.id = v.stock_move_id
                               JOIN ecom_order_line l ON l.sale_line_id = m.sale_line_id
                              WHERE v.create_date >= %(since)s""",
                    since=since,
                )
            )
            order_ids = [row[0] for row in cr.fetchall()]
            if not order_ids:
                self._save_refresh_state(now)
                return 0
        table = SQL.identifier(self._table)
        if order_ids is None:
            cr.execute(SQL("TRUNCATE %s", table))
        else:
            cr.execute(SQL("DELETE FROM %s WHERE order_id = ANY(%s)", table, order_ids))
        cr.execute(SQL("INSERT INTO %s (%s) %s", table, SQL(COLUMNS), self._source_query(order_ids)))
        self._save_refresh_state(now)
        self.invalidate_model()
        if order_ids is None:
            cr.execute(SQL("ANALYZE %s", table))
            cr.execute(SQL("SELECT count(DISTINCT order_id) FROM %s", table))
            return cr.fetchone()[0]
        return len(order_ids)

    def _save_refresh_state(self, now):
        self.env.cr.execute(
            SQL(
                """INSERT INTO %s (id, refreshed_at) VALUES (1, %s)
                   ON CONFLICT (id) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at""",
                SQL.identifier(STATE_TABLE),
                now,
            )
        )

    @api.model
    def _cron_refresh(self):
        """Nightly: rebuild the whole report (product categories, deleted imports)."""
        return self._refresh(full=True)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        # every read path (search, read_group, the web client's) searches first: up to date
        self._refresh()
        return super()._search(domain, offset=offset, limit=limit, order=order, **kwargs)
