# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Opening the Order Margin report at scale: the stored report table against the view it replaced.

    make bench-margin DB=<database with ecom_finance and its demo data> [ROWS="100000"]
    # or: python3 bench/bench_margin.py --rows 100000 -- <odoo options>

For each N, in one transaction rolled back at the end (nothing is kept), on the demo Tmall
shop of the demo company:

- data: N platform orders of March 2024 with two lines each and, per order, a sale and a
  commission line in the channel's statements, generated set-wise in SQL (timed apart);
- view (baseline): what opening the pivot (shops x months, four measures) cost when the
  report was a view: the same aggregation over the report's source query, every row's fees,
  COGS and currency rates computed at each read;
- table: the full build of the report table (once, as the nightly cron or the first read
  after an upgrade), then, as the demo Accountant through the ORM, what the web client asks
  when the report opens: the pivot's ``read_group`` and the list's first page
  (``web_search_read`` of 80 rows), each with its refresh of what changed (nothing);
- again: the same pivot after 1% of the orders got a new statement line (a late bill): the
  incremental refresh of those orders is part of the read.

It prints seconds and the ratio view / table for the pivot. Nothing is asserted.
"""

import argparse
import resource
import time
from datetime import UTC, datetime, timedelta

ORDERS_SQL = """
INSERT INTO ecom_order (id, name, shop_id, company_id, currency_id, status, fulfilment_state, amount_paid,
                        refund_amount, order_time, create_uid, create_date, write_uid, write_date)
SELECT nextval('ecom_order_id_seq'), %(prefix)s || i, %(shop)s, %(company)s, %(currency)s, 'paid', 'none',
       200, CASE WHEN i %% 20 = 7 THEN 20 ELSE 0 END,
       timestamp '2024-03-01' + make_interval(secs => i::float8 * 30 * 86400 / %(n)s),
       %(uid)s, %(at)s, %(uid)s, %(at)s
  FROM generate_series(0, %(n)s - 1) AS i
"""
LINES_SQL = """
INSERT INTO ecom_order_line (order_id, company_id, line_no, product_id, sku, quantity, unit_price, subtotal,
                             create_uid, create_date, write_uid, write_date)
SELECT o.id, o.company_id, k, %(product)s, 'BENCH-SKU', 1, 100, 100, %(uid)s, %(at)s, %(uid)s, %(at)s
  FROM ecom_order o CROSS JOIN generate_series(1, 2) AS k
 WHERE o.name LIKE %(like)s
"""
STATEMENT_LINES_SQL = """
INSERT INTO ecom_statement_line (statement_id, shop_id, company_id, line_no, dedup_key, order_ref, line_type,
                                 gross, fee, net, currency_id, occurred_at,
                                 create_uid, create_date, write_uid, write_date)
SELECT %(statement)s, %(shop)s, %(company)s, row_number() OVER (), %(prefix)s || o.name || ':' || e.k,
       o.name, e.line_type, e.gross, e.fee, e.gross - e.fee, %(currency)s, o.order_time,
       %(uid)s, %(at)s, %(uid)s, %(at)s
  FROM ecom_order o
 CROSS JOIN (VALUES (1, 'sale', 200.0, 1.2), (2, 'commission', -10.0, 0.0)) AS e(k, line_type, gross, fee)
 WHERE o.name LIKE %(like)s
   AND (%(every)s = 1 OR (e.k = 2 AND substring(o.name FROM '[0-9]+$')::int %% %(every)s = 0))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="orders (repeatable)")
    parser.add_argument("odoo_args", nargs=argparse.REMAINDER, help="-- then Odoo options")
    args = parser.parse_args()

    import odoo
    from odoo.tools import SQL, config

    config.parse_config([a for a in args.odoo_args if a != "--"])
    registry = odoo.modules.registry.Registry(config["db_name"].split(",")[0])
    measures = ["revenue:sum", "fees:sum", "cogs:sum", "margin:sum"]
    print(
        f"{'orders':>9}{'data s':>8}{'view pivot s':>13}{'build s':>9}{'pivot s':>9}{'list s':>8}"
        f"{'ratio':>8}{'late bill s':>12}{'RSS MiB':>9}"
    )
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        shop = env.ref("ecom_finance.demo_shop_tmall")
        company = shop.company_id
        accountant = env.ref("ecom_finance.demo_user_accountant", raise_if_not_found=False) or env.user
        product = env["product.product"].search([("company_id", "in", (company.id, False))], limit=1)
        as_user = odoo.api.Environment(cr, accountant.id, {"allowed_company_ids": [company.id]})
        Report = as_user["ecom.order.margin.report"]
        for n in args.rows or [100_000]:
            cr.execute("SAVEPOINT bench")
            prefix = f"BM{n}-"
            params = {
                "prefix": prefix,
                "like": f"{prefix}%",
                "shop": shop.id,
                "company": company.id,
                "currency": shop.currency_id.id,
                "uid": env.uid,
                "n": n,
                "product": product.id,
                # as if imported and committed an hour ago (this transaction is rolled back)
                "at": datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1),
            }
            start = time.perf_counter()
            statement = env["ecom.statement"].create(
                {
                    "name": f"bench-margin-{n}",
                    "shop_id": shop.id,
                    "fmt": "alipay",
                    "filename": "bench.csv",
                    "sha256": f"{n:064d}",
                    "state": "done",
                }
            )
            cr.execute(ORDERS_SQL, params)
            cr.execute(LINES_SQL, params)
            cr.execute(STATEMENT_LINES_SQL, {**params, "statement": statement.id, "every": 1})
            cr.execute("ANALYZE ecom_order; ANALYZE ecom_order_line; ANALYZE ecom_statement_line")
            data_s = time.perf_counter() - start

            # the view it replaced: every row computed at each read
            start = time.perf_counter()
            cr.execute(
                SQL(
                    """SELECT shop_id, date_trunc('month', date), sum(revenue), sum(fees), sum(cogs),
                          sum(margin)
                     FROM (%s) r WHERE company_id = %s GROUP BY 1, 2""",
                    Report._source_query(),
                    company.id,
                )
            )
            view_rows = cr.fetchall()
            view_s = time.perf_counter() - start

            start = time.perf_counter()
            Report.sudo()._refresh(full=True)
            build_s = time.perf_counter() - start

            start = time.perf_counter()
            pivot = Report.read_group([], measures, ["shop_id", "date:month"], lazy=False)
            pivot_s = time.perf_counter() - start
            start = time.perf_counter()
            Report.web_search_read([], {"order_id": {"fields": {"display_name": {}}}, "margin": {}}, limit=80)
            list_s = time.perf_counter() - start
            assert round(sum(r["margin"] for r in pivot), 2) == round(float(sum(r[5] for r in view_rows)), 2)

            # a late bill: 1% of the orders get a commission line; the next read refreshes them
            late = {
                **params,
                "statement": statement.id,
                "every": 100,
                "prefix": f"late-{prefix}",
                "at": datetime.now(UTC).replace(tzinfo=None),
            }
            cr.execute(STATEMENT_LINES_SQL, late)
            start = time.perf_counter()
            Report.read_group([], measures, ["shop_id", "date:month"], lazy=False)
            again_s = time.perf_counter() - start

            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{n:>9}{data_s:>8.1f}{view_s:>13.2f}{build_s:>9.2f}{pivot_s:>9.3f}{list_s:>8.3f}"
                f"{view_s / pivot_s:>7.0f}x{again_s:>12.3f}{rss:>9.0f}"
            )
            cr.execute("ROLLBACK TO SAVEPOINT bench")
            env.invalidate_all()
        cr.rollback()


if __name__ == "__main__":
    main()
