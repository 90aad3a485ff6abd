# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Import throughput inside Odoo, against a raw COPY of the same rows in the same run.

    make bench-import DB=<database with ecom_finance> [ROWS="100000 1000000"]
    # or: python3 bench/bench_import.py --rows 100000 -- <odoo options: -d DB --addons-path ...>

For each size N it writes an Alipay ledger of N rows in the real layout (GBK), then in
one database transaction that is rolled back at the end (nothing is kept):

- COPY tmp: the normalized rows, rendered beforehand, copied into a bare temporary table
  of text columns (the floor of any COPY-based load);
- COPY table: the same rows copied straight into ``ecom_statement_line`` with its indexes
  (the floor of loading them into the real table; rolled back);
- ecom import: ``ecom.statement._import_data`` end to end: decode and parse the file,
  check its footer, COPY into the staging table, insert set-wise with the idempotence
  keys, totals;
- re-import of the same file as an overlapping file (every line already known).

It prints seconds, rows/s, the import/COPY ratio and the peak Python allocation of the
import (tracemalloc, in a separate run), which must not grow with N. Nothing is asserted.
"""

import argparse
import csv
import io
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_parsers import alipay_file  # noqa: E402

from ecomfin.ingest import COPY_OPTIONS, LINE_COLUMNS, CopyStream, statement_rows  # noqa: E402
from ecomfin.parsers import parse  # noqa: E402


def raw_copy_seconds(cr, payload):
    """COPY of the rendered rows into a bare temporary table of text columns."""
    cr.execute("CREATE TEMPORARY TABLE bench_raw (%s)" % ", ".join(f"{c} text" for c in LINE_COLUMNS))
    start = time.perf_counter()
    cr.copy_expert(f"COPY bench_raw FROM STDIN {COPY_OPTIONS}", io.BytesIO(payload))
    seconds = time.perf_counter() - start
    cr.execute("DROP TABLE bench_raw")
    return seconds


def table_copy_seconds(env, statement, payload):
    """COPY of the same rows straight into ecom_statement_line, with its indexes (rolled back)."""
    cr = env.cr
    cr.execute("SAVEPOINT bench_table_copy")
    columns = (
        "statement_id, shop_id, company_id, line_no, dedup_key, provider_txn_id, order_ref, "
        "merchant_order_ref, counterparty, line_type, gross, fee, net, currency_id, occurred_at, "
        "payout_ref, memo, raw"
    )
    currency = env.ref("base.CNY").id
    prefix = f"{statement.id},{statement.shop_id.id},{statement.company_id.id},".encode()
    rows = []
    for line in payload.splitlines():
        # the rendered row, its currency code replaced by the currency id
        fields = next(csv.reader([line.decode()]))
        fields[10] = str(currency)
        fields[1] = "bench:" + fields[1]  # not to collide with the lines the import just wrote
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(fields)
        rows.append(prefix + out.getvalue().encode())
    data = b"".join(rows)
    start = time.perf_counter()
    cr.copy_expert(f"COPY ecom_statement_line ({columns}) FROM STDIN {COPY_OPTIONS}", io.BytesIO(data))
    seconds = time.perf_counter() - start
    cr.execute("ROLLBACK TO SAVEPOINT bench_table_copy")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="rows per file (repeatable)")
    parser.add_argument("odoo_args", nargs=argparse.REMAINDER, help="-- then Odoo options")
    args = parser.parse_args()
    odoo_args = [a for a in args.odoo_args if a != "--"]

    import odoo
    from odoo.tools import config

    config.parse_config(odoo_args)
    registry = odoo.modules.registry.Registry(config["db_name"].split(",")[0])
    sizes = args.rows or [100_000]
    print(
        f"{'rows':>9}{'COPY tmp s':>11}{'COPY table s':>13}{'import s':>10}{'rows/s':>10}"
        f"{'vs tmp':>8}{'vs table':>9}{'re-import s':>12}{'peak MiB':>9}"
    )
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        shop = env["ecom.shop"].create({"name": "Benchmark shop", "code": "BENCH"})
        Statement = env["ecom.statement"]
        for rows in sizes:
            data = alipay_file(rows)
            payload = CopyStream(statement_rows(parse(data, "bench.csv"), "alipay")).read()
            copy_s = raw_copy_seconds(cr, payload)
            cr.execute("SAVEPOINT bench")
            start = time.perf_counter()
            statement = Statement._import_data(shop, "bench.csv", data)
            import_s = time.perf_counter() - start
            assert statement.lines_created == rows, (statement.lines_created, rows)
            table_s = table_copy_seconds(env, statement, payload)
            # the same lines again, as an overlapping file (another name and one more byte)
            start = time.perf_counter()
            again = Statement._import_data(shop, "bench-2.csv", data + b"\r\n")
            reimport_s = time.perf_counter() - start
            assert again.lines_created == 0 and again.lines_skipped == rows
            cr.execute("ROLLBACK TO SAVEPOINT bench")
            env.invalidate_all()
            tracemalloc.start()
            Statement._import_data(shop, "bench.csv", data)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            cr.execute("ROLLBACK TO SAVEPOINT bench")
            env.invalidate_all()
            print(
                f"{rows:>9}{copy_s:>11.2f}{table_s:>13.2f}{import_s:>10.2f}{rows / import_s:>10,.0f}"
                f"{import_s / copy_s:>7.1f}x{import_s / table_s:>8.1f}x"
                f"{reimport_s:>12.2f}{peak / 2**20:>9.1f}"
            )
        cr.rollback()


if __name__ == "__main__":
    main()
