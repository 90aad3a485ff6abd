"""Overhead of the audit trail: N audited ORM writes against the same writes with auditing off.

    make bench-audit DB=<database with ecom_finance> [ROWS=20000]

Both runs write the name of a shop N times (one ORM ``write`` and flush each, as one
request would) in one transaction
that is rolled back; for the baseline the audit hook is switched off in this process
only (there is no switch in the product). Prints seconds, writes/s and the overhead.
"""

import argparse
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="writes (repeatable)")
    parser.add_argument("odoo_args", nargs=argparse.REMAINDER, help="-- then Odoo options")
    args = parser.parse_args()

    import odoo
    from odoo.tools import config

    config.parse_config([a for a in args.odoo_args if a != "--"])
    registry = odoo.modules.registry.Registry(config["db_name"].split(",")[0])
    print(f"{'writes':>8}{'off s':>8}{'audited s':>11}{'writes/s':>10}{'overhead':>10}{'entries':>9}")
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        shop = env["ecom.shop"].create({"name": "Audit bench", "code": "AUDIT-BENCH"})
        shop_class = type(shop)
        audited = shop_class._ecom_audit_fields
        for n in args.rows or [20_000]:
            cr.execute("SAVEPOINT bench")
            shop_class._ecom_audit_fields = lambda self: None
            try:
                start = time.perf_counter()
                for i in range(n):
                    shop.write({"name": f"off {i}"})
                    env.flush_all()  # as at the end of each request
                off = time.perf_counter() - start
            finally:
                shop_class._ecom_audit_fields = audited
            cr.execute("SELECT count(*) FROM ecom_audit_log")
            before = cr.fetchone()[0]
            start = time.perf_counter()
            for i in range(n):
                shop.write({"name": f"on {i}"})
                env.flush_all()
            env["ecom.audit.log"]._flush_pending()  # what the commit does: chain the entries
            on = time.perf_counter() - start
            cr.execute("SELECT count(*) FROM ecom_audit_log")
            entries = cr.fetchone()[0] - before
            print(f"{n:>8}{off:>8.2f}{on:>11.2f}{n / on:>10,.0f}{(on / off - 1) * 100:>9.0f}%{entries:>9}")
            cr.execute("ROLLBACK TO SAVEPOINT bench")
            env.invalidate_all()
        cr.rollback()


if __name__ == "__main__":
    main()
