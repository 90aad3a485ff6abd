# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Import + three-way reconciliation inside Odoo, against the raw SQL join of the same tables.

    make bench-reconcile DB=<database with ecom_reconcile> [ROWS="100000"]

For N it generates, seeded: N platform orders (canonical orders CSV), N WeChat Pay payments
(a 交易账单 in its real layout) and the bank credits of every settlement day (a bank CSV),
with differences planted of every order kind and two payout kinds. In one transaction that
is rolled back at the end it then imports the three files, runs the reconciliation and
prints: seconds per step, rows/s, the peak RSS of the process, correctness (every planted
difference found with its kind, and no other difference), and the time of the raw
PostgreSQL join of the same orders and payments (the floor of any set-wise matcher), counted
and written (its pairs into a table without keys or indexes), and what storing those pairs as
matches with their channel lines costs in Odoo's tables (foreign keys, indexes), rolled back.
Then a late bill of 1% more payments is imported and the run run again, which goes over what
the late bill touches only, then from scratch: both times and whether both give the same
result. It ends with one line per size (issue 20's contract):

    pipeline: orders=N import_s=.. run_s=.. total_s=.. floor_s=.. ratio=.. again_s=.. scratch_s=..
              rss_mib=.. correct=yes|no

total_s is the import of the three files and the first run; floor_s the physical floor measured
in the same run: a COPY of the same normalised rows (the orders and the channel and bank lines,
the columns the matcher reads) into bare tables without keys or indexes, then the raw join of
orders and payments written to a table; ratio = total_s / floor_s. Nothing is asserted. (The
OCA account_mass_reconcile comparison is not part of this script: that module reconciles
journal items, which these imports do not create.)
"""

import argparse
import io
import random
import resource
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal

WECHAT_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
    "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
    "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
)
ORDERS_HEADER = (
    "order_ref,order_time,paid_time,status,currency,amount_paid,refund_amount,sku,quantity,unit_price,"
    "buyer_name,buyer_phone,address"
)
DAYS = 7
START = datetime(2024, 2, 29, 16, 0)  # 2024-03-01 00:00 in Asia/Shanghai, in UTC


def setup(env):
    """The product the generated orders sell and the bank CSV profile of the generated credits."""
    env["product.product"].create({"name": "Bench product", "default_code": "BENCH-SKU", "type": "consu"})
    return env["ecom.bank.csv.profile"].create(
        {
            "name": "Bench bank",
            "date_column": "交易日期",
            "date_format": "%Y-%m-%d",
            "amount_column": "金额",
            "reference_column": "交易流水号",
            "counterparty_column": "对方户名",
            "memo_column": "摘要",
            "currency_id": env.ref("base.CNY").id,
        }
    )


def wechat_bill(payments):
    """A WeChat Pay 交易账单 of ``payments`` (UTC time, WeChat id, reference, amount) and the
    net per local day."""
    trade = io.StringIO()
    trade.write(WECHAT_HEADER + "\r\n")
    total = fees = Decimal(0)
    daily = {}
    for when, wechat_id, ref, paid in payments:
        fee = (paid * Decimal("0.006")).quantize(Decimal("0.00001"))
        total += paid
        fees += fee
        local = when + timedelta(hours=8)  # WeChat writes Asia/Shanghai time
        daily[local.date()] = daily.get(local.date(), Decimal(0)) + paid - fee
        fields = [
            f"{local:%Y-%m-%d %H:%M:%S}",
            "wx2421b1c4370ec43b",
            "1900000109",
            "0",
            "",
            wechat_id,
            ref,
            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
            "JSAPI",
            "SUCCESS",
            "CMB_CREDIT",
            "CNY",
            f"{paid:.2f}",
            "0.00",
            "0",
            "0",
            "0.00",
            "0.00",
            "",
            "",
            "商品",
            "",
            f"{fee:.5f}",
            "0.60%",
            f"{paid:.2f}",
            "0.00",
            "",
        ]
        trade.write(",".join("`" + f for f in fields) + "\r\n")
    trade.write(
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n"
    )
    trade.write(f"`{len(payments)},`{total:.2f},`0.00,`0.00,`{fees:.5f},`{total:.2f},`0.00\r\n")
    return ("\ufeff" + trade.getvalue()).encode(), daily


def generate(n, seed=7):
    """The three files and the planted differences {(kind, reference)}."""
    rnd = random.Random(seed)
    planted = set()
    kinds = [
        "missing_payment",
        "amount_mismatch",
        "duplicate_payment",
        "refund_mismatch",
        "status_mismatch",
        "timing",
    ]
    every = max(n // 50, 20)  # one planted difference every `every` orders, rotating through the kinds
    orders = io.StringIO()
    orders.write(ORDERS_HEADER + "\n")
    payments = []  # (shanghai time, wechat id, ref, amount, fee, refund)
    for i in range(n):
        ref = f"B{i:08d}"
        paid_at = START + timedelta(seconds=int(i * DAYS * 86400 / n))
        amount = Decimal(rnd.randint(100, 99999)) / 100
        kind = kinds[(i // every) % len(kinds)] if i % every == every - 1 else None
        status, refund = "completed", Decimal(0)
        if kind == "status_mismatch":
            status = "cancelled"
        if kind == "refund_mismatch":
            status, refund = "partially_refunded", (amount / 2).quantize(Decimal("0.01"))
        if kind == "timing" and paid_at > START + timedelta(days=DAYS - 1):
            kind = None  # a late payment after the last day would leave the file's period
        orders.write(
            f"{ref},{paid_at:%Y-%m-%d %H:%M:%S},{paid_at:%Y-%m-%d %H:%M:%S},{status},CNY,{amount},{refund},"
            f"BENCH-SKU,1,{amount},,,\n"
        )
        if kind:
            planted.add((kind, ref))
        if kind == "missing_payment":
            continue
        paid = amount - 1 if kind == "amount_mismatch" else amount
        when = paid_at + timedelta(days=5) if kind == "timing" else paid_at + timedelta(seconds=30)
        if kind not in ("timing", "status_mismatch") and when >= START + timedelta(days=DAYS):
            planted.add(("timing", ref))  # paid in the period, settled after its end
        for copy in range(2 if kind == "duplicate_payment" else 1):
            payments.append((when + timedelta(seconds=copy), f"42{i:012d}{copy}", ref, paid))
    for j in range(max(n // 1000, 3)):  # payments nobody ordered
        ref = f"X{j:08d}"
        payments.append((START + timedelta(hours=j % (DAYS * 24)), f"43{j:012d}", ref, Decimal("12.34")))
        planted.add(("missing_order", ref))
    payments.sort()
    trade, daily = wechat_bill(payments)
    bank = io.StringIO()
    bank.write("交易日期,交易流水号,对方户名,摘要,金额\n")
    days = sorted(daily)
    for index, day in enumerate(days):
        net = daily[day].quantize(Decimal("0.01"))
        if index == 2:
            planted.add(("missing_payout", f"{day}"))
            continue
        if index == 4:
            planted.add(("payout_mismatch", f"{day}"))
            net -= 10
        bank.write(f"{day + timedelta(days=1)},BK{index:06d},财付通支付科技有限公司,财付通 T+1 结算,{net}\n")
    return (
        orders.getvalue().encode(),
        trade,
        bank.getvalue().encode(),
        planted,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="orders (repeatable)")
    parser.add_argument("odoo_args", nargs=argparse.REMAINDER, help="-- then Odoo options")
    args = parser.parse_args()

    import odoo
    from odoo.tools import config

    config.parse_config([a for a in args.odoo_args if a != "--"])
    registry = odoo.modules.registry.Registry(config["db_name"].split(",")[0])
    print(
        f"{'orders':>9}{'import s':>10}{'reconcile s':>13}{'rows/s':>10}{'SQL join s':>12}{'ratio':>7}"
        f"{'written s':>11}{'ratio':>7}{'stored s':>10}{'RSS MiB':>9}  correctness"
    )
    late_lines, pipelines = [], []
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        profile = setup(env)
        for n in args.rows or [100_000]:
            cr.execute("SAVEPOINT bench")
            shop = env["ecom.shop"].create(
                {
                    "name": f"Bench {n}",
                    "code": f"B{n}",
                    "platform": "douyin",
                    "payment_channel": "wechat",
                    "currency_id": env.ref("base.CNY").id,
                    "bank_csv_profile_id": profile.id,
                }
            )
            orders, trade, bank, planted = generate(n)
            Statement = env["ecom.statement"]
            start = time.perf_counter()
            Statement._import_data(shop, "orders.csv", orders, fmt="orders_csv", order_profile="canonical")
            Statement._import_data(shop, "wechat.csv", trade)
            Statement._import_data(shop, "bank.csv", bank, fmt="bank_csv")
            import_s = time.perf_counter() - start
            start = time.perf_counter()
            result = env["ecom.reconcile.run"].run_reconciliation(shop.ids, "2024-03-01", "2024-03-07")
            reconcile_s = time.perf_counter() - start
            run = env["ecom.reconcile.run"].browse(result["run_id"])
            found = {(d.kind, d.reference) for d in run.difference_ids}
            missed, extra = planted - found, found - planted
            start = time.perf_counter()
            cr.execute(
                """SELECT count(*) FROM ecom_order o
                   FULL JOIN (SELECT merchant_order_ref, sum(gross) AS paid, count(*) AS n
                                FROM ecom_statement_line WHERE shop_id = %s GROUP BY 1) p
                          ON p.merchant_order_ref = o.name
                   WHERE o.shop_id = %s OR o.id IS NULL""",
                [shop.id, shop.id],
            )
            join_s = time.perf_counter() - start
            # the same join, its pairs written (to a table of its own: no keys, no index)
            start = time.perf_counter()
            cr.execute(
                """CREATE TEMPORARY TABLE bench_pairs AS
                   SELECT o.id AS order_id, COALESCE(o.name, p.ref) AS ref, o.amount_paid, p.paid, p.n,
                          p.line_ids
                     FROM ecom_order o
                     FULL JOIN (SELECT merchant_order_ref AS ref, sum(gross) AS paid, count(*) AS n,
                                       array_agg(id ORDER BY id) AS line_ids
                                  FROM ecom_statement_line WHERE shop_id = %s GROUP BY 1) p
                            ON p.ref = o.name
                    WHERE o.shop_id = %s OR o.id IS NULL""",
                [shop.id, shop.id],
            )
            written_s = time.perf_counter() - start
            stored_s = store_pairs(cr, run)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            rows = 2 * n + n // 100
            verdict = "ok" if not missed and not extra else f"missed {len(missed)}, extra {len(extra)}"
            print(
                f"{n:>9}{import_s:>10.2f}{reconcile_s:>13.2f}{rows / (import_s + reconcile_s):>10,.0f}"
                f"{join_s:>12.2f}{reconcile_s / join_s:>6.1f}x"
                f"{written_s:>11.2f}{reconcile_s / written_s:>6.1f}x{stored_s:>10.2f}"
                f"{rss:>9.0f}  {verdict} "
                f"({len(planted)} planted, {result['matched']} matched)"
            )
            if missed or extra:
                print("  missed:", sorted(missed)[:5], " extra:", sorted(extra)[:5], file=sys.stderr)
            floor_s = physical_floor(cr, shop.id)
            late_lines.append((n, *run_again(env, shop, run)))
            _late, again_s, scratch_s, _same = late_lines[-1][1:]
            total_s = import_s + reconcile_s
            pipelines.append(
                f"pipeline: orders={n} import_s={import_s:.2f} run_s={reconcile_s:.2f} total_s={total_s:.2f}"
                f" floor_s={floor_s:.2f} ratio={total_s / floor_s:.1f} again_s={again_s:.2f}"
                f" scratch_s={scratch_s:.2f} rss_mib={rss:.0f}"
                f" correct={'yes' if not missed and not extra else 'no'}"
            )
            cr.execute("ROLLBACK TO SAVEPOINT bench")
            env.invalidate_all()
        cr.rollback()
    print(
        f"\n{'orders':>9}{'late lines':>12}{'again s':>9}{'scratch s':>11}{'ratio':>7}  same result"
        "\n(a late bill of 1% more payments, then Run on the done run, then Run from Scratch)"
    )
    for n, late, again_s, scratch_s, same in late_lines:
        print(f"{n:>9}{late:>12}{again_s:>9.2f}{scratch_s:>11.2f}{scratch_s / again_s:>6.1f}x  {same}")
    print()
    for line in pipelines:
        print(line)


def physical_floor(cr, shop_id):
    """Seconds of the floor: COPY of the shop's normalised rows into bare tables (no key, no index),
    then the raw join of orders and payments written to a table; all dropped afterwards."""
    copies = {
        "floor_orders": (
            "name varchar, amount_paid numeric, refund_amount numeric, paid_time timestamp, status varchar",
            "SELECT name, amount_paid, refund_amount, paid_time, status FROM ecom_order WHERE shop_id = %s",
        ),
        "floor_lines": (
            "statement_id int, merchant_order_ref varchar, provider_txn_id varchar, line_type varchar,"
            " gross numeric, fee numeric, net numeric, occurred_at timestamp",
            "SELECT statement_id, merchant_order_ref, provider_txn_id, line_type, gross, fee, net,"
            " occurred_at FROM ecom_statement_line WHERE shop_id = %s",
        ),
    }
    raw = cr._obj  # psycopg2's cursor: COPY
    dumps = {}
    for table, (_columns, query) in copies.items():
        dumps[table] = io.StringIO()
        raw.copy_expert(raw.mogrify(f"COPY ({query}) TO STDOUT", [shop_id]).decode(), dumps[table])
    cr.execute("SAVEPOINT bench_floor")
    start = time.perf_counter()
    for table, (columns, _query) in copies.items():
        cr.execute(f"CREATE TEMPORARY TABLE {table} ({columns})")
        dumps[table].seek(0)
        raw.copy_expert(f"COPY {table} FROM STDIN", dumps[table])
    cr.execute(
        """CREATE TEMPORARY TABLE floor_pairs AS
           SELECT o.name, o.amount_paid, p.paid, p.n
             FROM floor_orders o
             FULL JOIN (SELECT merchant_order_ref AS ref, sum(gross) AS paid, count(*) AS n
                          FROM floor_lines GROUP BY 1) p ON p.ref = o.name"""
    )
    floor_s = time.perf_counter() - start
    cr.execute("ROLLBACK TO SAVEPOINT bench_floor")
    return floor_s


def store_pairs(cr, run):
    """Seconds to store the written pairs as the run's matches and their channel lines, one
    statement each, then rolled back: what Odoo's tables (their foreign keys and indexes) cost
    whatever a matcher does before."""
    cr.execute("SAVEPOINT bench_store")
    start = time.perf_counter()
    cr.execute(
        """WITH new AS (
               INSERT INTO ecom_reconcile_match (run_id, shop_id, company_id, kind, cardinality, reference,
                                                 rule_id, order_id, currency_id, amount, residual)
               SELECT r.id, m.shop_id, r.company_id, 'order_payment', '1:1', p.ref, m.rule_id, p.order_id,
                      m.currency_id, p.amount_paid, 0
                 FROM bench_pairs p
                 JOIN ecom_reconcile_run r ON r.id = %s
                 JOIN LATERAL (SELECT * FROM ecom_reconcile_match WHERE run_id = r.id LIMIT 1) m ON TRUE
                WHERE p.order_id IS NOT NULL AND p.line_ids IS NOT NULL
               RETURNING id, reference)
           INSERT INTO ecom_reconcile_match_channel_rel (match_id, line_id)
           SELECT new.id, unnest(p.line_ids) FROM new JOIN bench_pairs p ON p.ref = new.reference""",
        [run.id],
    )
    stored_s = time.perf_counter() - start
    cr.execute("ROLLBACK TO SAVEPOINT bench_store")
    cr.execute("DROP TABLE bench_pairs")
    return stored_s


def run_again(env, shop, run):
    """A late bill of 1% more payments, then the run again (incremental) and from scratch."""
    from odoo.tools import SQL

    late = [
        (START + timedelta(hours=j % (DAYS * 24), minutes=7), f"44{j:012d}", f"L{j:08d}", Decimal("56.78"))
        for j in range(max(run.matched_count // 100, 3))
    ]
    bill, _daily = wechat_bill(late)
    env["ecom.statement"]._import_data(shop, "wechat-late.csv", bill)

    def results():
        # read in SQL: a million matches through the ORM would take longer than the runs
        env.flush_all()
        return set(
            env.execute_query(
                SQL(
                    """SELECT kind, reference, expected_amount, actual_amount
                         FROM ecom_reconcile_difference WHERE run_id = %s
                        UNION ALL
                       SELECT kind, reference, amount, residual
                         FROM ecom_reconcile_match WHERE run_id = %s""",
                    run.id,
                    run.id,
                )
            )
        )

    start = time.perf_counter()
    run.action_run()
    again_s = time.perf_counter() - start
    incremental = results()
    start = time.perf_counter()
    run.action_run_full()
    scratch_s = time.perf_counter() - start
    return len(late), again_s, scratch_s, "yes" if results() == incremental else "NO"


if __name__ == "__main__":
    main()
