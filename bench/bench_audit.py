# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Overhead of the audit trail: N audited ORM writes against the same writes with auditing off.

    make bench-audit DB=<database with ecom_finance> [ROWS=20000]
    python3 bench/bench_audit.py --rows N --case moves -- <odoo options>

Cases (``--case``, repeatable; all three by default):

- ``shops``: the names of 1,000 shops written round-robin, one record per ``write`` (and flush,
  as one request would);
- ``moves``: the quantity of 1,000 draft stock moves, written set-wise (one ``write`` of the
  1,000 moves, then a flush) until N moves are written;
- ``cost``: the cost (``standard_price``, per company) of 1,000 products, written set-wise
  likewise.

Each run is a transaction of its own that is rolled back, so both runs start from the same
database (repeated updates of one row in one transaction get slower and slower, which would
penalise whichever run comes second). The audited run chains its entries as the commit would.
For the baseline the audit hook is switched off in this process only (there is no switch in
the product). Prints seconds, writes/s and the overhead: *overhead*, the best of ``--repeat``
runs of each against each other; *paired*, the median of the ratios of each audited run to the
run without the trail just before it (steadier on a shared machine).
"""

import argparse
import statistics
import time

RECORDS = 1000


def shops(env):
    records = env["ecom.shop"].create(
        [{"name": f"Audit bench {i}", "code": f"AUDIT-BENCH-{i}"} for i in range(RECORDS)]
    )
    return records, 1, lambda i: {"name": f"written {i}"}


def moves(env):
    product = env["product.product"].create({"name": "Audit bench move", "is_storable": True})
    stock = env.ref("stock.stock_location_stock")
    customers = env.ref("stock.stock_location_customers")
    records = env["stock.move"].create(
        [
            {
                "name": f"Audit bench {i}",
                "product_id": product.id,
                "product_uom_qty": 1,
                "product_uom": product.uom_id.id,
                "location_id": stock.id,
                "location_dest_id": customers.id,
            }
            for i in range(RECORDS)
        ]
    )
    return records, RECORDS, lambda i: {"product_uom_qty": 2 + i % 7}


def cost(env):
    records = env["product.product"].create(
        [{"name": f"Audit bench cost {i}", "standard_price": 1.0} for i in range(RECORDS)]
    )
    return records, RECORDS, lambda i: {"standard_price": 2.0 + i}


CASES = {"shops": shops, "moves": moves, "cost": cost}


def timed_writes(registry, case, n, audited):
    """Seconds of ``n`` record writes of ``case`` (``batch`` records per ``write``), the entries
    they left, and the seconds of it spent chaining them (the commit's part)."""
    import odoo

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        records, batch, vals = CASES[case](env)
        model_class = type(records)
        hook = model_class._ecom_audit_fields
        if not audited:
            model_class._ecom_audit_fields = lambda self: None
        try:
            env["ecom.audit.log"]._flush_pending()
            cr.execute("SELECT count(*) FROM ecom_audit_log")
            before = cr.fetchone()[0]
            start = time.perf_counter()
            for i in range(n // batch):
                if batch == 1:
                    records[i % RECORDS].write(vals(i))
                else:
                    records.write(vals(i))
                env.flush_all()  # as at the end of each request
            written = time.perf_counter()
            env["ecom.audit.log"]._flush_pending()  # what the commit does: chain the entries
            seconds = time.perf_counter() - start
            chaining = seconds - (written - start)
            cr.execute("SELECT count(*) FROM ecom_audit_log")
            entries = cr.fetchone()[0] - before
        finally:
            model_class._ecom_audit_fields = hook
            cr.rollback()
    return seconds, entries, chaining


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="writes (repeatable)")
    parser.add_argument("--case", choices=sorted(CASES), action="append", help="case (repeatable)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, the best counts")
    parser.add_argument("odoo_args", nargs=argparse.REMAINDER, help="-- then Odoo options")
    args = parser.parse_args()

    import odoo
    from odoo.tools import config

    config.parse_config([a for a in args.odoo_args if a != "--"])
    registry = odoo.modules.registry.Registry(config["db_name"].split(",")[0])
    print(
        f"{'case':>6}{'writes':>9}{'off s':>8}{'audited s':>11}{'chain s':>9}{'writes/s':>10}"
        f"{'overhead':>10}{'paired':>10}{'entries':>9}"
    )
    for case in args.case or list(CASES):
        for n in args.rows or [20_000]:
            off, on, chain, entries, ratios = float("inf"), float("inf"), 0.0, 0, []
            for _ in range(args.repeat):
                # paired: each audited run against the run without the trail just before it, so
                # that the load of a shared machine moves both sides of a ratio alike
                seconds_off = timed_writes(registry, case, n, audited=False)[0]
                seconds, entries, chaining = timed_writes(registry, case, n, audited=True)
                ratios.append(seconds / seconds_off)
                off = min(off, seconds_off)
                if seconds < on:
                    on, chain = seconds, chaining
            print(
                f"{case:>6}{n:>9}{off:>8.2f}{on:>11.2f}{chain:>9.2f}{n / on:>10,.0f}"
                f"{(on / off - 1) * 100:>9.0f}%{(statistics.median(ratios) - 1) * 100:>9.0f}%{entries:>9}"
            )


if __name__ == "__main__":
    main()
