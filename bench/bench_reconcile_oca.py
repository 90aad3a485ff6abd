# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""OCA account_mass_reconcile against our reconciliation on the same receivables, in one Odoo run.

    make bench-reconcile-oca DB=<database with ecom_reconcile and account_mass_reconcile> [ROWS="10000"]
    # or: python3 bench/bench_reconcile_oca.py --rows 100000 [--oca-max 20000] -- <odoo options>

The OCA module is a peer of this benchmark only, not a dependency of the addons:
``pip install --no-deps "odoo-addon-account_mass_reconcile>=18.0,<18.1"``, then install it in
the database. For each N, in one transaction rolled back at the end (nothing is kept), in the
demo company (``base.demo_company_ecom``, CNY):

- ours: bench_reconcile.py's seeded data (N platform orders, N WeChat Pay payments with
  planted differences of every kind, the daily bank credits) imported into a WeChat Pay shop
  (timed apart), then ``ecom.reconcile.run.run_reconciliation`` over the week;
- the same receivables as journal items, built set-wise in SQL from the imported rows (timed
  apart): per order not cancelled a posted entry "Dr channel receivable / Cr sales" of what
  the channel owes for it (amount paid less refunds, ref = order number), per channel payment
  a posted entry "Dr receipts / Cr channel receivable" of the amount paid (ref = the order
  number it names), partner = the channel, on one reconcilable receivable account. Every
  column is copied from two template entries created and posted with the ORM, amounts
  scaled; so the planted differences land in the ledger as unpaid orders, wrong amounts,
  refunds the channel did not make, duplicate payments, payments of cancelled or unknown
  orders; late payments balance (a ledger matcher does not see time);
- the raw PostgreSQL join of those items by reference and amount (the floor);
- OCA: an ``account.mass.reconcile`` task on the receivable account with the method
  ``mass.reconcile.simple.reference`` (same ref, same amount, no write-off; ``--oca-method``
  picks another) run with ``run_reconcile()`` in the same transaction (commit_every 0). When N
  is above ``--oca-max`` the task reconciles a sample, the items of the first K orders (a
  ``ref <`` filter of the method, on the account that holds the N orders' items), and its time
  is extrapolated linearly to N: the output says so.

It prints seconds, rows/s (orders + payments per second), the ratio OCA / ours, the share of
OCA's time spent in Odoo's ``account.move.line.reconcile()``, peak RSS after ours and at the
end, and correctness: ours (every planted difference found with its kind, no other), OCA
(pairs reconciled against the join's pairs, every planted ledger mismatch left open, nothing
else left open). Nothing is asserted.
"""

import argparse
import resource
import time
from contextlib import contextmanager

from bench_reconcile import generate, setup

OCA_DEFAULT_METHOD = "mass.reconcile.simple.reference"
# planted differences that the ledger sees as amounts that do not balance by reference
LEDGER_KINDS = {
    "missing_payment",
    "amount_mismatch",
    "duplicate_payment",
    "refund_mismatch",
    "status_mismatch",
    "missing_order",
}
# monetary columns of a template entry and its items scaled by the amount (templates book 1.00)
SCALED = {"debit", "credit", "balance", "price_subtotal", "price_total"}
NOT_SCALED = {"invoice_currency_rate"}

# What the channel owes per order, and what it paid, from the imported rows of the shop.
ORDERS_SOURCE = """
SELECT o.id AS src, o.name AS ref, o.amount_paid - COALESCE(o.refund_amount, 0) AS amount,
       COALESCE(o.paid_time, o.order_time)::date AS day
  FROM ecom_order o
 WHERE o.shop_id = %(shop)s AND o.status <> 'cancelled' AND o.amount_paid - COALESCE(o.refund_amount, 0) > 0
"""
PAYMENTS_SOURCE = """
SELECT l.id AS src, l.merchant_order_ref AS ref, l.gross AS amount, l.occurred_at::date AS day
  FROM ecom_statement_line l JOIN ecom_statement s ON s.id = l.statement_id
 WHERE l.shop_id = %(shop)s AND s.fmt = 'wechat_trade' AND l.line_type = 'sale'
   AND l.merchant_order_ref IS NOT NULL
"""


def setup_ledger(env, company):
    """Accounts, journal, channel partner and the two posted template entries (ORM)."""
    from odoo import Command

    Account = env["account.account"].with_company(company)
    receivable = Account.create(
        {"name": "Bench channel receivable", "code": "129901", "account_type": "asset_receivable"}
    )
    receivable.reconcile = True
    sales = Account.create({"name": "Bench sales", "code": "409901", "account_type": "income"})
    receipts = Account.create({"name": "Bench receipts", "code": "129902", "account_type": "asset_current"})
    journal = env["account.journal"].create(
        {"name": "Bench receivables", "code": "BNCHR", "type": "general", "company_id": company.id}
    )
    partner = env["res.partner"].create({"name": "Bench channel (WeChat Pay)", "company_id": company.id})

    def template(ref, debit_account, credit_account):
        move = env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "date": "2024-03-01",
                "ref": ref,
                "line_ids": [
                    Command.create(
                        {"account_id": account.id, "partner_id": partner.id, "balance": balance, "name": ref}
                    )
                    for account, balance in ((debit_account, 1.0), (credit_account, -1.0))
                ],
            }
        )
        move.action_post()
        return move

    return {
        "company": company,
        "receivable": receivable,
        "journal": journal,
        "partner": partner,
        "templates": {
            "ORD": template("BENCH-TEMPLATE-ORDER", receivable, sales),
            "PAY": template("BENCH-TEMPLATE-PAYMENT", receipts, receivable),
        },
    }


def _columns(cr, table):
    from odoo.tools import SQL

    cr.execute(
        SQL(
            """SELECT column_name, data_type FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = %s AND column_name <> 'id'
                ORDER BY ordinal_position""",
            table,
        )
    )
    return cr.fetchall()


def _copy_select(cr, table, overrides, scale):
    """(columns, values) copying template row ``t`` of ``table``: overrides, amounts times ``scale``."""
    from odoo.tools import SQL

    names, values = [], []
    for column, data_type in _columns(cr, table):
        names.append(SQL.identifier(column))
        if column in overrides:
            values.append(overrides[column])
        elif (
            data_type == "numeric"
            and column not in NOT_SCALED
            and (column in SCALED or column.startswith("amount_"))
        ):
            values.append(SQL("t.%s * %s", SQL.identifier(column), scale))
        else:
            values.append(SQL("t.%s", SQL.identifier(column)))
    return SQL(", ").join(names), SQL(", ").join(values)


def build_ledger(env, shop, ledger):
    """The shop's orders and payments as posted entries on the receivable account; returns items."""
    from odoo.tools import SQL

    cr = env.cr
    env.flush_all()
    journal = ledger["journal"].id
    for kind, source in (("ORD", ORDERS_SOURCE), ("PAY", PAYMENTS_SOURCE)):
        prefix = f"BNCHR/{kind}/"
        template = ledger["templates"][kind]
        columns, values = _copy_select(
            cr,
            "account_move",
            {
                "name": SQL("%s || s.src", prefix),
                "sequence_prefix": SQL("%s", prefix),
                "sequence_number": SQL("s.src"),
                "ref": SQL("s.ref"),
                "date": SQL("s.day"),
                "invoice_date_due": SQL("s.day"),
            },
            SQL("s.amount"),
        )
        cr.execute(
            SQL(
                "INSERT INTO account_move (%s) SELECT %s FROM account_move t, (%s) AS s WHERE t.id = %s",
                columns,
                values,
                SQL(source, shop=shop.id),
                template.id,
            )
        )
        columns, values = _copy_select(
            cr,
            "account_move_line",
            {
                "move_id": SQL("m.id"),
                "move_name": SQL("m.name"),
                "ref": SQL("m.ref"),
                "name": SQL("m.ref"),
                "date": SQL("m.date"),
            },
            SQL("m.amount_total"),
        )
        cr.execute(
            SQL(
                """INSERT INTO account_move_line (%s)
                   SELECT %s FROM account_move m JOIN account_move_line t ON t.move_id = %s
                    WHERE m.journal_id = %s AND m.sequence_prefix = %s""",
                columns,
                values,
                template.id,
                journal,
                prefix,
            )
        )
    # the templates leave: only the orders' and payments' items stay on the account
    cr.execute(
        SQL("DELETE FROM account_move WHERE id = ANY(%s)", [t.id for t in ledger["templates"].values()])
    )
    env.invalidate_all()
    cr.execute("ANALYZE account_move")
    cr.execute("ANALYZE account_move_line")
    cr.execute(
        SQL(
            """SELECT count(*), count(*) FILTER (WHERE t.balance <> 0)
                 FROM (SELECT move_id, sum(balance) AS balance FROM account_move_line
                        WHERE journal_id = %s GROUP BY move_id) AS t""",
            journal,
        )
    )
    moves, unbalanced = cr.fetchone()
    cr.execute(
        SQL(
            """SELECT count(*) FILTER (WHERE balance > 0), count(*) FILTER (WHERE balance < 0)
                 FROM account_move_line WHERE account_id = %s""",
            ledger["receivable"].id,
        )
    )
    debits, credits = cr.fetchone()
    return {"moves": moves, "unbalanced": unbalanced, "debits": debits, "credits": credits}


def _ref_bound(bound):
    from odoo.tools import SQL

    return SQL("") if bound is None else SQL(" AND d.ref < %s", bound)


def raw_join(env, ledger, bound=None):
    """(seconds, debit items with an open credit item of the same ref and amount)."""
    from odoo.tools import SQL

    start = time.perf_counter()
    env.cr.execute(
        SQL(
            """SELECT count(DISTINCT d.id)
                 FROM account_move_line d
                 JOIN account_move_line c
                   ON c.account_id = d.account_id AND c.ref = d.ref AND c.balance = -d.balance
                  AND c.balance < 0 AND NOT c.reconciled AND c.parent_state = 'posted'
                WHERE d.account_id = %s AND d.company_id = %s AND d.balance > 0 AND NOT d.reconciled
                  AND d.parent_state = 'posted'%s""",
            ledger["receivable"].id,
            ledger["company"].id,
            _ref_bound(bound),
        )
    )
    pairs = env.cr.fetchone()[0]
    return time.perf_counter() - start, pairs


@contextmanager
def timed_method(model_class, name):
    """Add up the seconds spent in ``model_class.name`` (outermost calls only) while active."""
    own = name in vars(model_class)
    original = getattr(model_class, name)
    spent = {"seconds": 0.0, "depth": 0}

    def wrapper(self, *args, **kwargs):
        spent["depth"] += 1
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent["depth"] -= 1
            if not spent["depth"]:
                spent["seconds"] += time.perf_counter() - start

    setattr(model_class, name, wrapper)
    try:
        yield spent
    finally:
        if own:
            setattr(model_class, name, original)
        else:
            delattr(model_class, name)


def run_oca(env, ledger, method, bound=None):
    """(seconds, seconds in reconcile(), pairs reconciled) of one OCA mass reconcile task."""
    from odoo import Command

    company = ledger["company"]
    if company.reconciliation_commit_every:
        company.reconciliation_commit_every = 0  # one transaction, rolled back: never commit
    task = env["account.mass.reconcile"].create(
        {
            "name": "Bench by reference",
            "account_id": ledger["receivable"].id,
            "company_id": company.id,
            "reconcile_method": [
                Command.create({"name": method, "_filter": f"[('ref', '<', '{bound}')]" if bound else False})
            ],
        }
    )
    env.flush_all()
    env.invalidate_all()  # a cold cache, as the scheduler's run starts with
    start = time.perf_counter()
    with timed_method(type(env["account.move.line"]), "reconcile") as spent:
        task.run_reconcile()
        env.flush_all()
    seconds = time.perf_counter() - start
    pairs = len(task.history_ids.reconcile_ids)
    return seconds, spent["seconds"], pairs


def oca_correctness(env, ledger, planted, bound=None):
    """(verdict, planted open / planted, other refs left open) of the receivable items after OCA."""
    from odoo.tools import SQL

    env.cr.execute(
        SQL(
            """SELECT DISTINCT d.ref FROM account_move_line d
                WHERE d.account_id = %s AND NOT d.reconciled%s""",
            ledger["receivable"].id,
            _ref_bound(bound),
        )
    )
    open_refs = {ref for (ref,) in env.cr.fetchall()}
    expected = {ref for kind, ref in planted if kind in LEDGER_KINDS and (bound is None or ref < bound)}
    kept, other = len(expected & open_refs), len(open_refs - expected)
    verdict = "ok" if kept == len(expected) and not other else "FAILED"
    return verdict, f"{kept}/{len(expected)} planted mismatches left open, {other} other refs open"


def make_shop(env, n, profile):
    return env["ecom.shop"].create(
        {
            "name": f"Bench OCA {n}",
            "code": f"BO{n}",
            "platform": "douyin",
            "payment_channel": "wechat",
            "currency_id": env.ref("base.CNY").id,
            "bank_csv_profile_id": profile.id,
        }
    )


def run_ours(env, shop, n):
    """(import s, reconcile s, result, planted, found) of bench_reconcile.py's data on ``shop``."""
    orders, trade, bank, planted = generate(n)
    Statement = env["ecom.statement"]
    start = time.perf_counter()
    Statement._import_data(shop, "orders.csv", orders, fmt="orders_csv", order_profile="canonical")
    Statement._import_data(shop, "wechat.csv", trade)
    Statement._import_data(shop, "bank.csv", bank, fmt="bank_csv")
    env.flush_all()
    import_s = time.perf_counter() - start
    env.invalidate_all()
    start = time.perf_counter()
    result = env["ecom.reconcile.run"].run_reconciliation(shop.ids, "2024-03-01", "2024-03-07")
    env.flush_all()
    reconcile_s = time.perf_counter() - start
    run = env["ecom.reconcile.run"].browse(result["run_id"])
    found = {(d.kind, d.reference) for d in run.difference_ids}
    return import_s, reconcile_s, result, planted, found


def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_one(env, company, profile, n, oca_max, method):
    """Print one line of figures (and the correctness details) for N orders."""
    shop = make_shop(env, n, profile)
    import_s, ours_s, result, planted, found = run_ours(env, shop, n)
    missed, extra = planted - found, found - planted
    ours_verdict = "ok" if not missed and not extra else f"missed {len(missed)}, extra {len(extra)}"
    rss_ours = rss_mib()

    ledger = setup_ledger(env, company)
    start = time.perf_counter()
    items = build_ledger(env, shop, ledger)
    ledger_s = time.perf_counter() - start
    join_s, join_pairs = raw_join(env, ledger)

    sampled = n > oca_max
    k = oca_max if sampled else n
    bound = f"B{k:08d}" if sampled else None  # bench_reconcile.py numbers the orders B00000000...
    sample_pairs = raw_join(env, ledger, bound)[1] if sampled else join_pairs
    oca_k_s, in_reconcile_s, oca_pairs = run_oca(env, ledger, method, bound)
    oca_s = oca_k_s * n / k
    oca_verdict, oca_detail = oca_correctness(env, ledger, planted, bound)
    if oca_pairs != sample_pairs:
        oca_verdict = "FAILED"
    rss_end = rss_mib()

    rows = 2 * n
    print(
        f"{n:>8,}{import_s:>9.1f}{ledger_s:>9.1f}{ours_s:>8.2f}{rows / ours_s:>10,.0f}{join_s:>8.2f}"
        f"{k:>8,}{oca_k_s:>9.1f}{oca_s:>10,.1f}{'*' if sampled else ' '}{rows / oca_s:>8,.0f}"
        f"{oca_s / ours_s:>8,.0f}x{rss_ours:>7.0f}{rss_end:>7.0f}  ours {ours_verdict}, OCA {oca_verdict}"
    )
    print(
        f"    ours: {result['matched']:,} matches, {len(planted)} planted differences, {len(found)} found; "
        f"ledger: {items['moves']:,} entries ({items['unbalanced']} unbalanced), "
        f"{items['debits']:,} debit and {items['credits']:,} credit items; join: {join_pairs:,} pairs"
    )
    scope = f"first {k:,} orders (ref < {bound})" if sampled else "all items"
    print(
        f"    OCA {method} on {scope}: {oca_pairs:,} pairs reconciled (join: {sample_pairs:,}), "
        f"{oca_detail}; {in_reconcile_s:.1f} s of {oca_k_s:.1f} s ({in_reconcile_s / oca_k_s:.0%}) "
        "in account.move.line.reconcile()"
    )
    if sampled:
        print(f"    * OCA s extrapolated linearly from the K = {k:,} sample: {oca_k_s:.1f} s x {n:,} / {k:,}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="orders (repeatable)")
    parser.add_argument(
        "--oca-max",
        type=int,
        default=20_000,
        help="above this N, OCA reconciles the first K = oca-max orders only, extrapolated to N",
    )
    parser.add_argument("--oca-method", default=OCA_DEFAULT_METHOD, help="OCA reconcile method model")
    parser.add_argument("odoo_args", nargs=argparse.REMAINDER, help="-- then Odoo options")
    args = parser.parse_args()

    import odoo
    from odoo.tools import config

    config.parse_config([a for a in args.odoo_args if a != "--"])
    registry = odoo.modules.registry.Registry(config["db_name"].split(",")[0])
    print(
        f"{'orders':>8}{'import s':>9}{'ledger s':>9}{'ours s':>8}{'rows/s':>10}{'join s':>8}"
        f"{'K':>8}{'OCA K s':>9}{'OCA s':>11}{'rows/s':>8}{'ratio':>9}{'RSS 1':>7}{'RSS 2':>7}  correctness"
    )
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if "account.mass.reconcile" not in env:
            raise SystemExit(
                "account_mass_reconcile is not installed in this database: "
                'pip install --no-deps "odoo-addon-account_mass_reconcile>=18.0,<18.1", then -i it'
            )
        company = env.ref("base.demo_company_ecom")
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"allowed_company_ids": [company.id]})
        profile = setup(env)
        for n in args.rows or [10_000]:
            cr.execute("SAVEPOINT bench")
            bench_one(env, company, profile, n, args.oca_max, args.oca_method)
            cr.execute("ROLLBACK TO SAVEPOINT bench")
            env.invalidate_all()
        cr.rollback()
    print(
        "ours s: run_reconciliation (import s apart); ledger s: the journal items built in SQL (apart); "
        "ratio = OCA s / ours s; rows = orders + payments; RSS 1 / 2: peak MiB after ours / at the end."
    )


if __name__ == "__main__":
    main()
