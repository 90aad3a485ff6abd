# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Settlement posting of one month inside Odoo, against per-order posting in the same run.

    make bench-posting DB=<database with ecom_finance and its demo data> [ROWS="100000 1000000"]
    # or: python3 bench/bench_posting.py --rows 100000 [--baseline-orders 2000] -- <odoo options>

For each N, in one database transaction that is rolled back at the end (nothing is kept),
on the demo Tmall shop (Alipay, CNY, set up for accounting) of the demo company:

- data: 30 daily Alipay settlements of April 2024 (Asia/Shanghai days) holding N orders,
  generated set-wise in SQL (``INSERT ... SELECT generate_series``): a sale line per order
  (gross and the 0.6% fee), a commission per order, a refund every 20th order, a platform
  or merchant promotion every 5th, a service fee every 1000th and one payout per day (the
  day's net rounded down to 100 CNY). Timed apart, not part of the posting time;
- summary: ``ecom.statement.post_entries`` on the 30 settlements as the demo accountant,
  with the flush and pre-commit hooks a request would run; its entries are counted and
  checked (each posted and balanced, the clearing account's balance over the entries
  equal to the sum of the lines' net);
- baseline: the naive posting, one ``account.move`` per order (sale, fee and clearing
  item) created and posted with the ORM one by one, on the first K orders, extrapolated
  linearly to N (it books the sales only, so it is a lower bound of per-order posting).

It prints seconds, entries, statement lines per second of the summary posting, the
baseline sample and its extrapolation, their ratio and the peak RSS of the process so
far. Nothing is asserted.
"""

import argparse
import hashlib
import resource
import time
from datetime import datetime, timedelta

DAYS = 30
START = datetime(2024, 3, 31, 16, 0)  # 2024-04-01 00:00 in Asia/Shanghai, in UTC

# One row per order and kind of line; the WHERE keeps the kinds an order has.
LINES_SQL = """
INSERT INTO ecom_statement_line
       (statement_id, shop_id, company_id, line_no, dedup_key, provider_txn_id, merchant_order_ref,
        counterparty, line_type, gross, fee, net, currency_id, occurred_at, memo,
        create_uid, create_date, write_uid, write_date)
SELECT (%(statements)s::int[])[o.day + 1], %(shop)s, %(company)s, o.i * 5 + e.k,
       %(prefix)s || o.i || ':' || e.k, '2024' || lpad(o.i::text, 12, '0') || e.k,
       'B' || lpad(o.i::text, 9, '0'), 'buyer' || o.i %% 9973 || '@example.com',
       e.line_type, e.gross, e.fee, e.gross - e.fee, %(currency)s, o.at, e.memo,
       %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
  FROM (SELECT i, (i::bigint * %(days)s / %(n)s)::int AS day,
               %(start)s::timestamp + make_interval(secs => i::float8 * %(days)s * 86400 / %(n)s) AS at,
               round(10 + (i::bigint * 7919 %% 99000) / 100.0, 2) AS gross
          FROM generate_series(0, %(n)s - 1) AS i) AS o
 CROSS JOIN LATERAL (VALUES
        (1, 'sale', o.gross, round(o.gross * 0.006, 2), '交易付款'),
        (2, 'commission', -round(o.gross * 0.05, 2), 0.0, '天猫佣金'),
        (3, 'refund', -o.gross, -round(o.gross * 0.006, 2), '交易退款'),
        (4, 'promotion', CASE WHEN o.i %% 10 = 3 THEN 5.0 ELSE -3.0 END, 0.0, '营销活动'),
        (5, 'fee', -12.5, 0.0, '技术服务费')) AS e(k, line_type, gross, fee, memo)
 WHERE e.k <= 2 OR (e.k = 3 AND o.i %% 20 = 7) OR (e.k = 4 AND o.i %% 10 IN (3, 8))
    OR (e.k = 5 AND o.i %% 1000 = 0)
"""

# One payout per settlement at the end of its day: its net rounded down to 100 CNY.
PAYOUTS_SQL = """
INSERT INTO ecom_statement_line
       (statement_id, shop_id, company_id, line_no, dedup_key, provider_txn_id, line_type,
        gross, fee, net, currency_id, occurred_at, payout_ref, memo,
        create_uid, create_date, write_uid, write_date)
SELECT s.id, %(shop)s, %(company)s, 0, %(prefix)s || 'payout:' || s.day, 'P2024' || s.day, 'payout',
       -trunc(t.net / 100) * 100, 0, -trunc(t.net / 100) * 100, %(currency)s,
       %(start)s::timestamp + make_interval(days => s.day::int, secs => 86399), 'W' || s.day, '提现',
       %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
  FROM unnest(%(statements)s::int[]) WITH ORDINALITY AS s(id, day)
  JOIN (SELECT statement_id, sum(net) AS net FROM ecom_statement_line
         WHERE statement_id = ANY(%(statements)s) GROUP BY statement_id) AS t ON t.statement_id = s.id
"""

COUNTS_SQL = """
UPDATE ecom_statement s
   SET line_count = c.n, lines_created = c.n, period_start = c.first, period_end = c.last, currency_id = %s
  FROM (SELECT statement_id, count(*) AS n, min(occurred_at) AS first, max(occurred_at) AS last
          FROM ecom_statement_line WHERE statement_id = ANY(%s) GROUP BY statement_id) AS c
 WHERE s.id = c.statement_id
"""


def generate(env, shop, n):
    """The N orders of April 2024 as 30 imported daily Alipay settlements; returns them."""
    cny = env.ref("base.CNY")
    statements = (
        env["ecom.statement"]
        .with_context(tracking_disable=True)
        .create(
            [
                {
                    "name": f"{shop.code}/bench-posting/{n}/{day + 1:02d}",
                    "shop_id": shop.id,
                    "fmt": "alipay",
                    "filename": f"alipay-2024-04-{day + 1:02d}.csv",
                    "sha256": hashlib.sha256(f"bench-posting {n} {day}".encode()).hexdigest(),
                    "state": "done",
                }
                for day in range(DAYS)
            ]
        )
    )
    params = {
        "statements": statements.ids,
        "shop": shop.id,
        "company": shop.company_id.id,
        "currency": cny.id,
        "prefix": f"bench-posting:{n}:",
        "uid": env.uid,
        "days": DAYS,
        "n": n,
        "start": START,
    }
    cr = env.cr
    cr.execute(LINES_SQL, params)
    # the payout query numbers the days from 1
    cr.execute(PAYOUTS_SQL, {**params, "start": START - timedelta(days=1)})
    cr.execute(COUNTS_SQL, [cny.id, statements.ids])
    cr.execute("ANALYZE ecom_statement_line")  # what autovacuum does once an import is committed
    statements.invalidate_recordset()
    cr.flush()
    return statements


def check(env, shop, statements, move_ids):
    """(verdict, clearing balance, sum of net) of the summary entries."""
    cr = env.cr
    cr.execute(
        """SELECT count(*) FILTER (WHERE m.state <> 'posted'),
                  count(*) FILTER (WHERE t.balance <> 0 OR t.amount_currency <> 0 OR t.debit <> t.credit)
             FROM account_move m
             JOIN (SELECT move_id, sum(balance) AS balance, sum(amount_currency) AS amount_currency,
                          sum(debit) AS debit, sum(credit) AS credit
                     FROM account_move_line WHERE move_id = ANY(%s) GROUP BY move_id) AS t
               ON t.move_id = m.id""",
        [move_ids],
    )
    not_posted, unbalanced = cr.fetchone()
    cr.execute(
        "SELECT coalesce(sum(balance), 0) FROM account_move_line WHERE move_id = ANY(%s) AND account_id = %s",
        [move_ids, shop.clearing_account_id.id],
    )
    clearing = cr.fetchone()[0]
    cr.execute("SELECT sum(net) FROM ecom_statement_line WHERE statement_id = ANY(%s)", [statements.ids])
    net = cr.fetchone()[0]
    problems = []
    if not move_ids or len(move_ids) > 1000:
        problems.append(f"{len(move_ids)} entries")
    if not_posted:
        problems.append(f"{not_posted} not posted")
    if unbalanced:
        problems.append(f"{unbalanced} unbalanced")
    if clearing != net:
        problems.append("clearing != net")
    return ("ok" if not problems else "FAILED: " + ", ".join(problems)), clearing, net


def per_order_baseline(env, shop, statements, k):
    """Seconds to create and post one entry per order, one by one, for the first K orders."""
    from odoo.addons.ecom_audit.approval import approved_change

    rules = env["ecom.posting.rule"]._rules_for(shop)
    sale, fee_account = rules["sale"].account_id.id, rules["payment_fee"].account_id.id
    clearing, partner = shop.clearing_account_id.id, shop.partner_id.id
    env.cr.execute(
        """SELECT merchant_order_ref, gross, fee, (timezone(%s, occurred_at AT TIME ZONE 'UTC'))::date
             FROM ecom_statement_line
            WHERE statement_id = ANY(%s) AND line_type = 'sale'
            ORDER BY occurred_at, id LIMIT %s""",
        [shop.timezone, statements.ids, k],
    )
    orders = env.cr.fetchall()
    Move = env["account.move"]
    start = time.perf_counter()
    # System code posting entries, as the summary posting does: outside the manual-entry approval.
    with approved_change():
        _post_one_by_one(Move, shop, partner, orders, sale, fee_account, clearing)
    env.cr.flush()
    return time.perf_counter() - start, len(orders)


def _post_one_by_one(Move, shop, partner, orders, sale, fee_account, clearing):
    from odoo import Command

    for ref, gross, fee, day in orders:
        items = [(sale, -float(gross)), (fee_account, float(fee)), (clearing, float(gross - fee))]
        move = Move.create(
            {
                "move_type": "entry",
                "journal_id": shop.journal_id.id,
                "date": day,
                "ref": ref,
                "line_ids": [
                    Command.create(
                        {"account_id": account, "partner_id": partner, "balance": balance, "name": ref}
                    )
                    for account, balance in items
                ],
            }
        )
        move.action_post()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="orders in the month (repeatable)")
    parser.add_argument(
        "--baseline-orders", type=int, default=2000, help="orders posted one by one for the baseline"
    )
    parser.add_argument("odoo_args", nargs=argparse.REMAINDER, help="-- then Odoo options")
    args = parser.parse_args()

    import odoo
    from odoo.tools import config

    config.parse_config([a for a in args.odoo_args if a != "--"])
    registry = odoo.modules.registry.Registry(config["db_name"].split(",")[0])
    k = args.baseline_orders
    print(
        f"{'orders':>9}{'lines':>10}{'data s':>8}{'summary s':>10}{'entries':>8}{'lines/s':>10}"
        f"{'K':>6}{'K s':>7}{'per-order s*':>13}{'ratio':>8}{'RSS MiB':>9}  correctness"
    )
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        shop = env.ref("ecom_finance.demo_shop_tmall")
        company = shop.company_id
        accountant = env.ref("ecom_finance.demo_user_accountant", raise_if_not_found=False)
        user = accountant or env.ref("base.user_admin")
        if not (shop.journal_id and shop.clearing_account_id and shop.partner_id):
            shop.action_setup_accounting()
        as_user = odoo.api.Environment(cr, user.id, {"allowed_company_ids": [company.id]})
        shop_as_user = as_user["ecom.shop"].browse(shop.id)
        for n in args.rows or [100_000]:
            cr.execute("SAVEPOINT bench")
            start = time.perf_counter()
            statements = generate(env, shop, n)
            data_s = time.perf_counter() - start
            lines = sum(statements.mapped("line_count"))

            start = time.perf_counter()
            move_ids = as_user["ecom.statement"].post_entries(statements.ids)
            cr.flush()  # what the request's commit runs: ORM flush and pre-commit hooks
            summary_s = time.perf_counter() - start
            verdict, clearing, net = check(env, shop, statements, move_ids)

            base_s, sampled = per_order_baseline(as_user, shop_as_user, statements, k)
            per_order_s = base_s * n / sampled
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{n:>9}{lines:>10}{data_s:>8.1f}{summary_s:>10.2f}{len(move_ids):>8}"
                f"{lines / summary_s:>10,.0f}"
                f"{sampled:>6}{base_s:>7.1f}{per_order_s:>13,.0f}{per_order_s / summary_s:>7,.0f}x"
                f"{rss:>9.0f}  {verdict} (clearing {clearing:,.2f} = net {net:,.2f} CNY)"
            )
            cr.execute("ROLLBACK TO SAVEPOINT bench")
            env.invalidate_all()
        cr.rollback()
    print(
        f"* per-order s: extrapolated linearly to N from the K = {k} orders posted one by one (K s); "
        "ratio = per-order s / summary s."
    )


if __name__ == "__main__":
    main()
