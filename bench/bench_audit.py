# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Overhead of the audit trail: N audited ORM writes against the same writes with auditing off.

    make bench-audit DB=<database with ecom_finance> [ROWS=20000]

Each run writes the names of 1,000 shops round-robin, N writes in all (one ORM ``write`` and
flush each, as one request would), in a transaction of its own that is rolled back, so both
runs start from the same database (repeated updates of one row in one transaction get slower
and slower, which would penalise whichever run comes second). The audited run chains its
entries as the commit would. For the baseline the audit hook is switched off in this process
only (there is no switch in the product). Prints seconds, writes/s and the overhead, the best of
``--repeat`` runs of each.
"""

import argparse
import time

SHOPS = 1000


def timed_writes(registry, n, audited):
    import odoo

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        Shop = env["ecom.shop"]
        shop_class = type(Shop)
        hook = shop_class._ecom_audit_fields
        if not audited:
            shop_class._ecom_audit_fields = lambda self: None
        try:
            shops = Shop.create(
                [{"name": f"Audit bench {i}", "code": f"AUDIT-BENCH-{i}"} for i in range(SHOPS)]
            )
            env["ecom.audit.log"]._flush_pending()
            cr.execute("SELECT count(*) FROM ecom_audit_log")
            before = cr.fetchone()[0]
            start = time.perf_counter()
            for i in range(n):
                shops[i % SHOPS].write({"name": f"written {i}"})
                env.flush_all()  # as at the end of each request
            env["ecom.audit.log"]._flush_pending()  # what the commit does: chain the entries
            seconds = time.perf_counter() - start
            cr.execute("SELECT count(*) FROM ecom_audit_log")
            entries = cr.fetchone()[0] - before
        finally:
            shop_class._ecom_audit_fields = hook
            cr.rollback()
    return seconds, entries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="writes (repeatable)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, the best counts")
    parser.add_argument("odoo_args", nargs=argparse.REMAINDER, help="-- then Odoo options")
    args = parser.parse_args()

    import odoo
    from odoo.tools import config

    config.parse_config([a for a in args.odoo_args if a != "--"])
    registry = odoo.modules.registry.Registry(config["db_name"].split(",")[0])
    print(f"{'writes':>8}{'off s':>8}{'audited s':>11}{'writes/s':>10}{'overhead':>10}{'entries':>9}")
    for n in args.rows or [20_000]:
        off, on, entries = float("inf"), float("inf"), 0
        for _ in range(args.repeat):
            off = min(off, timed_writes(registry, n, audited=False)[0])
            seconds, entries = timed_writes(registry, n, audited=True)
            on = min(on, seconds)
        print(f"{n:>8}{off:>8.2f}{on:>11.2f}{n / on:>10,.0f}{(on / off - 1) * 100:>9.0f}%{entries:>9}")


if __name__ == "__main__":
    main()
