# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The features of the risk scores (``ecomfin.risk``), fetched set-wise: one query per family
for all the shops scored (order amounts, duplicate-looking payments, refunds and sales per day,
payout delays), over the days scored and the history window before them."""

from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo.tools import SQL

from odoo.addons.ecom_finance.sources import CHANNEL_FORMATS

from ecomfin import risk as core

#: the days of history before the first day scored
HISTORY_DAYS = 90
#: two payments of the same amount and reference (or payer) this close look like one paid twice
DUPLICATE_MINUTES = 10


def _local_day(column):
    """The local day of UTC ``column`` in the time zone of shop ``sh``."""
    return SQL("(timezone(sh.timezone, %s AT TIME ZONE 'UTC'))::date", column)


def _bounds(date_from, date_to):
    """UTC bounds of the history start and of the days scored, a day wider each side (time zones):
    the local day decides in the queries."""
    start = datetime.combine(date_from, time.min)
    return (
        start - timedelta(days=HISTORY_DAYS + 1),
        start - timedelta(days=1),
        datetime.combine(date_to, time.min) + timedelta(days=2),
    )


def amount_history(env, shop_ids, date_from):
    """{shop id: (orders, median, MAD)} of the paid amounts of the orders of the history window."""
    since, until, _end = _bounds(date_from, date_from)
    rows = env.execute_query(
        SQL(
            """WITH h AS (
                   SELECT o.shop_id, o.amount_paid AS amount
                     FROM ecom_order o JOIN ecom_shop sh ON sh.id = o.shop_id
                    WHERE o.shop_id = ANY(%(shops)s) AND o.amount_paid > 0
                      AND o.order_time >= %(since)s AND o.order_time < %(until)s
                      AND %(day)s < %(first)s
               ), m AS (
                   SELECT shop_id, count(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) AS med
                     FROM h GROUP BY shop_id
               )
               SELECT m.shop_id, m.n, m.med,
                      percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(h.amount - m.med))
                 FROM m JOIN h ON h.shop_id = m.shop_id
                GROUP BY m.shop_id, m.n, m.med""",
            shops=list(shop_ids),
            since=since,
            until=until + timedelta(days=2),
            day=_local_day(SQL("o.order_time")),
            first=date_from,
        )
    )
    return {shop_id: (n, float(med), float(mad)) for shop_id, n, med, mad in rows}


def scored_orders(env, shop_ids, date_from, date_to):
    """[(order id, shop id, local day, amount paid, order name)] of the days scored."""
    _since, until, end = _bounds(date_from, date_to)
    return env.execute_query(
        SQL(
            """SELECT o.id, o.shop_id, %(day)s, o.amount_paid, o.name
                 FROM ecom_order o JOIN ecom_shop sh ON sh.id = o.shop_id
                WHERE o.shop_id = ANY(%(shops)s) AND o.order_time >= %(until)s AND o.order_time < %(end)s
                  AND %(day)s BETWEEN %(first)s AND %(last)s
                ORDER BY o.id""",
            shops=list(shop_ids),
            until=until,
            end=end,
            day=_local_day(SQL("o.order_time")),
            first=date_from,
            last=date_to,
        )
    )


def duplicate_payments(env, shop_ids, date_from, date_to):
    """[(line id, shop id, local day, order reference)]: the channel payments of the days scored
    that an earlier payment of the same shop, amount and order reference (or payer) within
    ``DUPLICATE_MINUTES`` looks like; the first of them is not counted.

    Set-wise: per key (merchant reference, platform reference, payer) the payments of a shop and
    amount in time order, each against the one just before it (a window): the latest earlier
    payment is the nearest, so it is within the minutes when any is. A sort per key, not a
    search of earlier payments per payment (which grows with the square of the lines)."""
    _since, until, end = _bounds(date_from, date_to)
    earliest = until - timedelta(minutes=DUPLICATE_MINUTES)

    def near(key):
        return SQL(
            """SELECT id FROM (
                   SELECT id, occurred_at,
                          lag(occurred_at) OVER (PARTITION BY shop_id, gross, %(key)s
                                                 ORDER BY occurred_at, id) AS before
                     FROM pays WHERE %(key)s IS NOT NULL) x
                WHERE before >= occurred_at - make_interval(mins => %(minutes)s)""",
            key=SQL.identifier(key),
            minutes=DUPLICATE_MINUTES,
        )

    return env.execute_query(
        SQL(
            """WITH pays AS (
                   SELECT l.id, l.shop_id, l.gross, l.occurred_at, l.merchant_order_ref, l.order_ref,
                          l.counterparty
                     FROM ecom_statement_line l
                     JOIN ecom_statement s ON s.id = l.statement_id
                    WHERE l.shop_id = ANY(%(shops)s) AND l.line_type = 'sale' AND s.fmt = ANY(%(formats)s)
                      AND l.occurred_at >= %(earliest)s AND l.occurred_at < %(end)s
               ), near AS (%(by_merchant)s UNION %(by_platform)s UNION %(by_payer)s)
               SELECT l.id, l.shop_id, %(day)s, COALESCE(l.merchant_order_ref, l.order_ref)
                 FROM pays l
                 JOIN near ON near.id = l.id
                 JOIN ecom_shop sh ON sh.id = l.shop_id
                WHERE l.occurred_at >= %(until)s AND %(day)s BETWEEN %(first)s AND %(last)s
                ORDER BY l.id""",
            shops=list(shop_ids),
            formats=list(CHANNEL_FORMATS),
            earliest=earliest,
            until=until,
            end=end,
            by_merchant=near("merchant_order_ref"),
            by_platform=near("order_ref"),
            by_payer=near("counterparty"),
            day=_local_day(SQL("l.occurred_at")),
            first=date_from,
            last=date_to,
        )
    )


def daily_refunds(env, shop_ids, date_from, date_to):
    """[(shop id, local day, sales, refunds)] of the channel lines of the history and the days
    scored, days with sales only (refunds positive)."""
    since, _until, end = _bounds(date_from, date_to)
    return env.execute_query(
        SQL(
            """SELECT l.shop_id, %(day)s AS day,
                      sum(l.gross) FILTER (WHERE l.line_type = 'sale'),
                      COALESCE(-sum(l.gross) FILTER (WHERE l.line_type = 'refund'), 0)
                 FROM ecom_statement_line l
                 JOIN ecom_statement s ON s.id = l.statement_id
                 JOIN ecom_shop sh ON sh.id = l.shop_id
                WHERE l.shop_id = ANY(%(shops)s) AND l.line_type IN ('sale', 'refund')
                  AND s.fmt = ANY(%(formats)s) AND l.occurred_at >= %(since)s AND l.occurred_at < %(end)s
                GROUP BY l.shop_id, day
               HAVING sum(l.gross) FILTER (WHERE l.line_type = 'sale') > 0
                ORDER BY l.shop_id, day""",
            shops=list(shop_ids),
            formats=list(CHANNEL_FORMATS),
            since=since,
            end=end,
            day=_local_day(SQL("l.occurred_at")),
        )
    )


def _settled_and_credited(table, channel_rel, bank_rel, column, where):
    """(shop id, settled, credited) of the payouts of ``table`` (a match or a difference) that
    ``where`` keeps: the last channel line settled, the first bank credit."""
    return SQL(
        """SELECT t.shop_id, c.settled, b.credited
             FROM %(table)s t
             CROSS JOIN LATERAL (
                  SELECT max(l.occurred_at) AS settled
                    FROM %(channel_rel)s r JOIN ecom_statement_line l ON l.id = r.line_id
                   WHERE r.%(column)s = t.id) c
             CROSS JOIN LATERAL (
                  SELECT min(l.occurred_at) AS credited
                    FROM %(bank_rel)s r JOIN ecom_statement_line l ON l.id = r.line_id
                   WHERE r.%(column)s = t.id) b
            WHERE %(where)s AND b.credited IS NOT NULL""",
        table=SQL.identifier(table),
        channel_rel=SQL.identifier(channel_rel),
        bank_rel=SQL.identifier(bank_rel),
        column=SQL.identifier(column),
        where=where,
    )


def payout_delays(env, channels, date_from, date_to):
    """[(channel, shop id, local day of the settlement, settled, credited, hours)]: the payouts of
    the shops of ``channels`` matched with the bank (``ecom.reconcile.match`` of kind payout),
    and those credited too late for a match (``timing`` differences of the payout stage), from
    the last channel line settled to the first bank credit; a payout found by several runs
    counts once."""
    since, _until, end = _bounds(date_from, date_to)
    matched = _settled_and_credited(
        "ecom_reconcile_match",
        "ecom_reconcile_match_channel_rel",
        "ecom_reconcile_match_bank_rel",
        "match_id",
        SQL("t.kind = 'payout'"),
    )
    late = _settled_and_credited(
        "ecom_reconcile_difference",
        "ecom_reconcile_difference_channel_rel",
        "ecom_reconcile_difference_bank_rel",
        "difference_id",
        SQL("t.stage = 'payout' AND t.kind = 'timing' AND t.active"),
    )
    return env.execute_query(
        SQL(
            """SELECT DISTINCT sh.payment_channel, p.shop_id, %(day)s, p.settled, p.credited,
                      EXTRACT(EPOCH FROM p.credited - p.settled) / 3600.0
                 FROM (%(matched)s UNION ALL %(late)s) p
                 JOIN ecom_shop sh ON sh.id = p.shop_id
                WHERE sh.payment_channel = ANY(%(channels)s)
                  AND p.settled >= %(since)s AND p.settled < %(end)s
                ORDER BY 1, 2, 4, 5""",
            matched=matched,
            late=late,
            channels=list(channels),
            since=since,
            end=end,
            day=_local_day(SQL("p.settled")),
        )
    )


def scores(env, shops, date_from, date_to):
    """The scores of ``shops`` (sudo'ed by the caller: the features read every line) on the days
    [date_from, date_to]: ``[(entity, shop id, day, order id, ecomfin.risk.Score)]``, the shop's
    days (``day``) and its orders of those days that score above 0 (``order``)."""
    env.flush_all()
    shop_ids = shops.ids
    amounts = amount_history(env, shop_ids, date_from)
    # refunds: history days' rates per shop, and the days scored
    history_rates = defaultdict(list)
    day_rates = {}
    for shop_id, day, sales, refunds in daily_refunds(env, shop_ids, date_from, date_to):
        rate = float(refunds) / float(sales)
        if day < date_from:
            history_rates[shop_id].append(rate)
        elif day <= date_to:
            day_rates[shop_id, day] = rate
    # duplicates per order reference and per day
    dup_refs = defaultdict(int)
    dup_days = defaultdict(int)
    for _line_id, shop_id, day, ref in duplicate_payments(env, shop_ids, date_from, date_to):
        dup_refs[shop_id, ref] += 1
        dup_days[shop_id, day] += 1
    # payout delays: the channel's history, and the longest of each day scored
    channel_of = {shop.id: shop.payment_channel for shop in shops}
    channel_delays = defaultdict(list)
    day_delays = {}
    for channel, shop_id, day, _settled, _credited, hours in payout_delays(
        env, set(channel_of.values()), date_from, date_to
    ):
        if day < date_from:
            channel_delays[channel].append(float(hours))
        elif day <= date_to and shop_id in channel_of:
            day_delays[shop_id, day] = max(day_delays.get((shop_id, day), 0.0), float(hours))

    def history(shop_id):
        orders, amount_median, amount_mad = amounts.get(shop_id, (0, None, None))
        days, refund_mean, refund_std = core.refund_stats(history_rates[shop_id])
        delays = channel_delays[channel_of[shop_id]]
        return core.History(
            orders=orders,
            amount_median=amount_median,
            amount_mad=amount_mad,
            days=days,
            refund_mean=refund_mean,
            refund_std=refund_std,
            payouts=len(delays),
            delay_median=core.median(delays),
            delay_p90=core.percentile(delays, 0.9),
        )

    histories = {shop_id: history(shop_id) for shop_id in shop_ids}
    found = []
    days = sorted(set(day_rates) | set(dup_days) | set(day_delays))
    for shop_id, day in days:
        features = core.Features(
            refund_rate=day_rates.get((shop_id, day)),
            duplicates=dup_days.get((shop_id, day), 0),
            payout_delay=day_delays.get((shop_id, day)),
        )
        found.append(("day", shop_id, day, False, core.score(features, histories[shop_id])))
    for order_id, shop_id, day, amount, name in scored_orders(env, shop_ids, date_from, date_to):
        features = core.Features(amount=float(amount or 0.0), duplicates=dup_refs.get((shop_id, name), 0))
        result = core.score(features, histories[shop_id])
        # an order with nothing unusual is not kept (a run of a million orders keeps the few that are)
        if result.score:
            found.append(("order", shop_id, day, order_id, result))
    return found
