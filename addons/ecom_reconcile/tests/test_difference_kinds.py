# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The SQL that classifies a run's order/payment pairs and ``ecomfin.differences`` agree.

One vocabulary (the kinds of ``ecomfin.differences``), two executions: the set-wise ``CASE``
of ``engine/order_pass.py`` that a run uses, and the core's ``order_kinds`` and
``difference_amounts``. Random pairs of every shape (a missing side, an amount off by the
tolerance or by more, a net comparison, refunds, duplicate captures, late payments, a payment
after the period, a cancelled order, mixed currencies) go through both; they must agree on
every pair, kinds and amounts.
"""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from odoo.addons.ecom_reconcile.engine import order_pass

from ecomfin import differences as core

TABLE = "ecom_reconcile_pairs_check"
START = datetime(2024, 2, 29, 16, 0)
END = datetime(2024, 3, 7, 16, 0)
STATUSES = ("paid", "shipped", "completed", "refunded", "partially_refunded", "cancelled")
CENT = Decimal("0.01")


def _money(rng, high=500):
    return Decimal(rng.randint(0, high * 100)) / 100


def _near(rng, amount, rule):
    """An amount equal to ``amount``, at the edge of the rule's tolerance, just past it, or anything."""
    allowed = max(rule.absolute, abs(amount) * rule.percent / 100)
    return max(
        Decimal(0),
        rng.choice(
            [
                amount,
                amount,
                amount + allowed,
                amount - allowed,
                amount + allowed + CENT,
                amount - allowed - CENT,
                _money(rng),
            ]
        ),
    )


def _random_pair(rng):
    rule = core.OrderRule(
        absolute=rng.choice([Decimal(0), CENT, Decimal(1)]),
        percent=rng.choice([Decimal(0), Decimal("0.5"), Decimal(1)]),
        window_hours=rng.choice([1, 24, 48, 72]),
        compare=rng.choice(["gross", "net"]),
    )
    shape = rng.random()
    paid_time = START + timedelta(minutes=rng.randint(0, 7 * 24 * 60 - 1))
    order = payment = None
    if shape > 0.2:
        amount = _money(rng)
        refund = rng.choice([Decimal(0), Decimal(0), (amount / 2).quantize(CENT), amount])
        order = core.Order(rng.choice(STATUSES), amount, refund, paid_time)
    if shape < 0.8:
        expected = order.amount_paid if order else _money(rng)
        n_sale = rng.choice([0, 1, 1, 1, 2, 3])
        paid = (
            Decimal(0) if n_sale == 0 else _near(rng, expected, rule) * (n_sale if rng.random() < 0.5 else 1)
        )
        fees = (paid * Decimal("0.006")).quantize(CENT) if rng.random() < 0.7 else Decimal(0)
        refunded = _near(rng, order.refund_amount, rule) if order and rng.random() < 0.7 else Decimal(0)
        window = timedelta(hours=rule.window_hours)
        paid_at = None
        if n_sale:
            paid_at = rng.choice(
                [
                    paid_time,
                    paid_time + window,
                    paid_time + window + timedelta(seconds=1),
                    paid_time - timedelta(hours=1),
                    END,
                    END - timedelta(seconds=1),
                    paid_time + timedelta(hours=rng.randint(0, 400)),
                ]
            )
        payment = core.Payment(paid=paid, refunded=refunded, fees=fees, n_sale=n_sale, paid_at=paid_at)
    return order, payment, rule


@tagged("post_install", "-at_install")
class TestOrderKindsAgreeWithTheCore(TransactionCase):
    def _classify_in_sql(self, pairs):
        """{ref: (kinds, {kind: (expected, actual)})} of ``pairs`` classified by the run's SQL."""
        cr = self.env.cr
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(TABLE)))
        cr.execute(
            SQL(
                """CREATE TEMPORARY TABLE %s (
                       shop_id int, ref varchar, order_id int, status varchar, amount_paid numeric,
                       refund_amount numeric, paid_time timestamp, paid numeric, n_sale bigint,
                       refunded numeric, fees numeric, paid_at timestamp, line_ids int[],
                       currency_id int, tol_abs numeric, tol_pct numeric, window_hours int,
                       compare varchar) ON COMMIT DROP""",
                SQL.identifier(TABLE),
            )
        )
        rows = []
        for index, (order, payment, rule) in enumerate(pairs):
            rows.append(
                SQL(
                    "(1, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::int[], %s, %s, %s, %s, %s)",
                    f"R{index}",
                    index + 1 if order else None,
                    order and order.status,
                    order and order.amount_paid,
                    order and order.refund_amount,
                    order and order.paid_time,
                    payment and payment.paid,
                    payment and payment.n_sale,
                    payment and payment.refunded,
                    payment and payment.fees,
                    payment and payment.paid_at,
                    [index + 1] * max(payment.n_sale, 1) if payment else None,
                    # the currency is not classified: the order's, else the payment's, may differ
                    (index % 2) + 1,
                    rule.absolute,
                    rule.percent,
                    rule.window_hours,
                    rule.compare,
                )
            )
        cr.execute(SQL("INSERT INTO %s VALUES %s", SQL.identifier(TABLE), SQL(", ").join(rows)))
        order_pass.classify(cr, END, table=TABLE)
        found = {
            ref: (tuple(kinds), {})
            for ref, kinds in self.env.execute_query(SQL("SELECT ref, kinds FROM %s", SQL.identifier(TABLE)))
        }
        for ref, kind, expected, actual in self.env.execute_query(
            SQL(
                # as text: Odoo reads numeric columns as floats
                """SELECT k.ref, k.kind, (%s)::text, (%s)::text
                     FROM (SELECT p.*, unnest(p.kinds) AS kind FROM %s p) k""",
                order_pass.EXPECTED_AMOUNT,
                order_pass.ACTUAL_AMOUNT,
                SQL.identifier(TABLE),
            )
        ):
            found[ref][1][kind] = (Decimal(expected), Decimal(actual))
        return found

    def test_sql_and_core_classify_every_pair_alike(self):
        rng = random.Random(14)
        pairs = [_random_pair(rng) for _ in range(4000)]
        found = self._classify_in_sql(pairs)
        seen = set()
        for index, (order, payment, rule) in enumerate(pairs):
            kinds = core.order_kinds(order, payment, rule, END)
            amounts = {kind: core.difference_amounts(kind, order, payment, rule) for kind in kinds}
            with self.subTest(pair=index, order=order, payment=payment, rule=rule):
                self.assertEqual(found[f"R{index}"], (kinds, amounts))
            seen.update(kinds)
            seen.add(len(kinds))
        # the random pairs went through every kind, clean pairs and pairs of several kinds
        self.assertTrue(set(core.ORDER_KINDS) <= seen, set(core.ORDER_KINDS) - seen)
        self.assertTrue({0, 1, 2} <= seen)
