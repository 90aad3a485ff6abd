# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""A pull of N orders from a platform's fake API into the database, beside the same orders
imported as one file, in the same run.

    make bench-connectors DB=<database with ecom_finance> [ROWS="100000"] [PLATFORM=taobao]
    # or: python3 bench/bench_connectors.py --rows 100000 -- <odoo options: -d DB --addons-path ...>

For each size N, in one database transaction rolled back at the end (nothing is kept):

- fetch: the connector alone pages through the fake server (signing, HTTP on loopback, JSON,
  rendering each page as the canonical orders file), nothing stored: the cost of the wire;
- pull: ``ecom.connector.backend.pull`` end to end: every page fetched and imported through
  ``ecom.statement._import_data`` with its cursor moved, the pages stored together up to
  5,000 lines an import (``pulling.ORDER_BATCH_ROWS``);
- pull/page: the same with one import per page (``ORDER_BATCH_ROWS`` = 1: what the first version
  did), with ``--per-page`` only (it grows faster than the orders);
- file: the same orders rendered as one canonical orders file and imported once;
- again: the pull a second time, nothing new (every page overlaps: nothing is kept).

It prints seconds, order lines per second and the pull/file ratio. Nothing is asserted but
that every order arrived once.
"""

import argparse
import json
import sys
import time
from datetime import timedelta

from ecomfin.connectors import HttpClient, RetryPolicy, TokenBucket, connector_for
from ecomfin.connectors.fake import FAKES, FakeServer, FakeShop, platform_today
from ecomfin.connectors.render import ORDER_OPTIONS, orders_csv


def fetch_seconds(platform, url, credentials, since):
    """The connector alone: every page of the orders stream, nothing stored."""
    http = HttpClient(platform, limiter=TokenBucket(1e6), retry=RetryPolicy(attempts=3, base=0.01))
    connector = connector_for(platform, url, credentials, since=since, http=http)
    cursor, rows, pages = None, 0, 0
    start = time.perf_counter()
    while True:
        page = connector.pull_page("orders", cursor)
        rows += page.rows
        pages += 1
        cursor = page.next_cursor
        if not page.has_more:
            return time.perf_counter() - start, rows, pages


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="orders (repeatable)")
    parser.add_argument("--platform", default="taobao", help="a platform with an orders stream")
    parser.add_argument("--per-page", action="store_true", help="also pull with one import per page")
    parser.add_argument("odoo_args", nargs=argparse.REMAINDER, help="-- then Odoo options")
    args = parser.parse_args()
    odoo_args = [a for a in args.odoo_args if a != "--"]

    import odoo
    from odoo.tools import config

    config.parse_config(odoo_args)
    registry = odoo.modules.registry.Registry(config["db_name"].split(",")[0])
    platform = args.platform
    today = platform_today(platform)
    from odoo.addons.ecom_finance import pulling

    print(
        f"{'orders':>8}{'lines':>9}{'pages':>7}{'fetch s':>9}{'pull s':>9}{'lines/s':>9}"
        f"{'file s':>8}{'lines/s':>9}{'pull/file':>10}{'again s':>9}{'page s':>8}"
    )
    for orders in args.rows or [100_000]:
        days = 30
        shop_data = FakeShop(orders, seed=5, days=days, today=today)
        with FakeServer(FAKES[platform](shop_data)) as server, registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            credentials = server.api.credentials_for(server.url)
            since = today - timedelta(days=days)
            fetch_s, lines, pages = fetch_seconds(platform, server.url, credentials, since)
            shop = env["ecom.shop"].create(
                {"name": "Benchmark pull shop", "code": "BPULL", "create_placeholder_products": True}
            )
            backend = env["ecom.connector.backend"].create(
                {
                    "name": "bench",
                    "shop_id": shop.id,
                    "platform": platform,
                    "base_url": server.url,
                    "since": since,
                    "rate_limit": 1e6,
                    "credentials": json.dumps(credentials),
                }
            )
            env.flush_all()  # the backend and its encrypted credentials, before the savepoint
            cr.execute("SAVEPOINT bench")
            start = time.perf_counter()
            result = backend.pull([backend.id])
            pull_s = time.perf_counter() - start
            assert not result["errors"], result["errors"]
            count = env["ecom.order"].search_count([("shop_id", "=", shop.id)])
            assert count == orders, (count, orders)
            start = time.perf_counter()
            again = backend.pull([backend.id])
            again_s = time.perf_counter() - start
            assert again["lines_created"] == 0, again
            cr.execute("ROLLBACK TO SAVEPOINT bench")
            env.invalidate_all()
            page_s = float("nan")
            if args.per_page:
                batch, pulling.ORDER_BATCH_ROWS = pulling.ORDER_BATCH_ROWS, 1
                start = time.perf_counter()
                backend.pull([backend.id])
                page_s = time.perf_counter() - start
                pulling.ORDER_BATCH_ROWS = batch
                cr.execute("ROLLBACK TO SAVEPOINT bench")
                env.invalidate_all()

            data, file_lines = orders_csv(shop_data.orders())
            start = time.perf_counter()
            statement = env["ecom.statement"]._import_data(
                shop, "bench-orders.csv", data, fmt="orders_csv", order_profile=ORDER_OPTIONS["order_profile"]
            )
            file_s = time.perf_counter() - start
            assert statement.orders_created == orders, (statement.orders_created, orders)
            cr.rollback()
        print(
            f"{orders:>8}{lines:>9}{pages:>7}{fetch_s:>9.1f}{pull_s:>9.1f}{lines / pull_s:>9,.0f}"
            f"{file_s:>8.1f}{file_lines / file_s:>9,.0f}{pull_s / file_s:>10.1f}{again_s:>9.1f}{page_s:>8.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
