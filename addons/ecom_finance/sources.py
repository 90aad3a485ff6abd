# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What ``ecom_finance`` publishes to the addons that read its imports set-wise (reconciliation).

Plain functions returning ``odoo.tools.SQL``: the statement lines, orders and imports as the
readers may rely on them, so that no other addon spells this addon's tables and columns. The
aliases are part of each function's contract: ``l`` a statement line and ``s`` its import,
``o`` an order, ``x`` a row looked up one at a time. Flush before running them (they read the
tables, not the ORM's cache).
"""

from odoo.tools import SQL

from .const import BANK_FORMATS, SETTLEMENT_FORMATS

# the payment channels' bills and settlements: what posting books
CHANNEL_FORMATS = tuple(sorted(SETTLEMENT_FORMATS))
# the statement line columns that name an order and have an index (a memo pattern has none)
INDEXED_KEYS = ("merchant_order_ref", "order_ref", "provider_txn_id")
# FROM items: every statement line (``l``), every order (``o``)
LINES = SQL("ecom_statement_line l")
ORDERS = SQL("ecom_order o")


def line_key(which, memo_regex):
    """The reference of statement line ``l`` that the key ``which`` names (SQL of a key name):
    one of ``INDEXED_KEYS``, or ``memo`` (what ``memo_regex`` finds in its memo)."""
    return SQL(
        """CASE %s WHEN 'merchant_order_ref' THEN l.merchant_order_ref
                   WHEN 'order_ref' THEN l.order_ref
                   WHEN 'provider_txn_id' THEN l.provider_txn_id
                   WHEN 'memo' THEN substring(l.memo FROM %s) END""",
        which,
        memo_regex,
    )


def lines_naming(column, ref):
    """The statement lines (``id``, ``shop_id``) whose indexed key ``column`` is ``ref``, looked
    up through its index (alias ``x``; ``OFFSET 0`` keeps it a lookup in a ``LATERAL``)."""
    return SQL(
        "SELECT x.id, x.shop_id FROM ecom_statement_line x WHERE %s = %s OFFSET 0",
        SQL.identifier("x", column),
        ref,
    )


def line_of_id(line_id):
    """The statement line ``line_id``, looked up by its id (alias ``x``)."""
    return SQL("SELECT * FROM ecom_statement_line x WHERE x.id = %s OFFSET 0", line_id)


def order_named(shop_id, name):
    """The order ``name`` of ``shop_id``, through the unique (name, shop) index (alias ``x``)."""
    return SQL("SELECT * FROM ecom_order x WHERE x.shop_id = %s AND x.name = %s OFFSET 0", shop_id, name)


def order_exists(shop_id, name):
    """Whether shop ``shop_id`` has an order ``name``."""
    return SQL("EXISTS (SELECT 1 FROM ecom_order o WHERE o.shop_id = %s AND o.name = %s)", shop_id, name)


def lines_of_imports(statement_ids):
    """The sales and refunds of the imports ``statement_ids``: a query of their ``l.*``."""
    return SQL(
        """SELECT l.* FROM ecom_statement_line l
            WHERE l.statement_id = ANY(%s) AND l.line_type IN ('sale', 'refund')""",
        statement_ids,
    )


def orders_of_imports(shop_ids, statement_ids):
    """(shop_id, name) of the orders of ``shop_ids`` that the imports ``statement_ids`` created or changed."""
    return SQL(
        """SELECT o.shop_id, o.name
             FROM ecom_order o
            WHERE o.shop_id = ANY(%(shops)s)
              AND (o.statement_id = ANY(%(new)s) OR o.last_statement_id = ANY(%(new)s))""",
        shops=shop_ids,
        new=statement_ids,
    )


def channel_payment_lines(lines, start, end):
    """The sales and refunds of the channels' bills among ``lines`` (a FROM item of statement
    lines ``l``) that happened in [start, end): a query of their ``l.*``."""
    return SQL(
        """SELECT l.*
             FROM %(lines)s
             JOIN ecom_statement s ON s.id = l.statement_id
            WHERE s.fmt = ANY(%(channel_fmts)s)
              AND l.line_type IN ('sale', 'refund')
              AND l.occurred_at >= %(start)s
              AND l.occurred_at < %(end)s""",
        lines=lines,
        channel_fmts=list(CHANNEL_FORMATS),
        start=start,
        end=end,
    )


def orders_paid(orders, start, end):
    """The orders among ``orders`` (a FROM item of orders ``o``) paid (or placed, when not paid)
    in [start, end): id, shop_id, ref, status, amount_paid, refund_amount, paid_time, currency_id."""
    return SQL(
        """SELECT o.id, o.shop_id, o.name AS ref, o.status, o.amount_paid, o.refund_amount,
                  COALESCE(o.paid_time, o.order_time) AS paid_time, o.currency_id
             FROM %(orders)s
            WHERE COALESCE(o.paid_time, o.order_time) >= %(start)s
              AND COALESCE(o.paid_time, o.order_time) < %(end)s""",
        orders=orders,
        start=start,
        end=end,
    )


def bank_credits(shop_id, start, end):
    """(id, occurred_at, gross, what identifies it) of the bank credits of ``shop_id`` in
    [start, end), oldest first."""
    return SQL(
        """SELECT l.id, l.occurred_at, l.gross,
                  concat_ws(' ', l.memo, l.provider_txn_id, l.counterparty)
             FROM ecom_statement_line l JOIN ecom_statement s ON s.id = l.statement_id
            WHERE l.shop_id = %s AND s.fmt = ANY(%s) AND l.gross > 0
              AND l.occurred_at >= %s AND l.occurred_at < %s
            ORDER BY l.occurred_at, l.id""",
        shop_id,
        sorted(BANK_FORMATS),
        start,
        end,
    )


def settlement_lines(shop_id, payout_source, timezone, start, end):
    """(key, condition): SQL of the settlement key of channel line ``l`` (of import ``s``) by
    ``payout_source`` (``payout_lines``, ``payout_ref`` or else the local day in ``timezone``),
    and of the lines of ``shop_id`` in [start, end) that make the settlements."""
    if payout_source == "payout_lines":
        return (
            SQL("COALESCE(l.provider_txn_id, l.payout_ref, l.id::varchar)"),
            SQL(
                """l.shop_id = %s AND s.fmt = ANY(%s) AND l.line_type = 'payout'
                   AND l.occurred_at >= %s AND l.occurred_at < %s""",
                shop_id,
                list(CHANNEL_FORMATS),
                start,
                end,
            ),
        )
    key = (
        SQL("l.payout_ref")
        if payout_source == "payout_ref"
        else SQL("to_char(timezone(%s, l.occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')", timezone)
    )
    return key, SQL(
        """l.shop_id = %s AND s.fmt = ANY(%s) AND l.line_type <> 'payout'
           AND l.occurred_at >= %s AND l.occurred_at < %s AND %s IS NOT NULL""",
        shop_id,
        list(CHANNEL_FORMATS),
        start,
        end,
        key,
    )


def settlement_totals(key, where):
    """Per settlement of ``settlement_lines`` (key, where): key, last moment, net owed, payout
    reference, md5 of its sorted line ids; by last moment."""
    return SQL(
        """SELECT %(key)s,
                  max(l.occurred_at),
                  sum(CASE WHEN l.line_type = 'payout' THEN -l.gross ELSE l.net END),
                  min(COALESCE(l.payout_ref,
                               CASE WHEN l.line_type = 'payout' THEN l.provider_txn_id END)),
                  md5(string_agg(l.id::varchar, ',' ORDER BY l.id))
             FROM ecom_statement_line l JOIN ecom_statement s ON s.id = l.statement_id
            WHERE %(where)s
            GROUP BY 1 ORDER BY 2, 1""",
        key=key,
        where=where,
    )


def linked_settlement_signatures(relation, column, ids, key):
    """(record id, settlement key, md5 of the sorted line ids) of the lines that the relation
    table ``relation`` (``column``, ``line_id``) links to the records ``ids``."""
    return SQL(
        """SELECT r.%(column)s, %(key)s, md5(string_agg(l.id::varchar, ',' ORDER BY l.id))
             FROM %(relation)s r JOIN ecom_statement_line l ON l.id = r.line_id
            WHERE r.%(column)s = ANY(%(ids)s)
            GROUP BY 1, 2""",
        column=SQL.identifier(column),
        relation=SQL.identifier(relation),
        key=key,
        ids=ids,
    )


def link_settlement_lines(relation, column, ids, keys, key, where):
    """Insert into ``relation`` (``column``, ``line_id``) each record of ``ids`` with the lines
    of its settlement (``keys``, same order) among ``settlement_lines`` (key, where)."""
    return SQL(
        """INSERT INTO %(relation)s (%(column)s, line_id)
           SELECT DISTINCT v.record_id, l.id
             FROM ecom_statement_line l JOIN ecom_statement s ON s.id = l.statement_id
             JOIN unnest(%(ids)s::int[], %(keys)s::varchar[]) AS v(record_id, key) ON v.key = %(key)s
            WHERE %(where)s""",
        relation=SQL.identifier(relation),
        column=SQL.identifier(column),
        ids=ids,
        keys=keys,
        key=key,
        where=where,
    )


def imports_listing_payouts(relation, column, ids):
    """Ids of the imports of the lines that ``relation`` links to ``ids`` that list payouts themselves."""
    return SQL(
        """SELECT DISTINCT p.statement_id
             FROM ecom_statement_line p
            WHERE p.line_type = 'payout'
              AND p.statement_id IN (
                    SELECT DISTINCT l.statement_id
                      FROM %(relation)s r
                      JOIN ecom_statement_line l ON l.id = r.line_id
                     WHERE r.%(column)s = ANY(%(ids)s))""",
        relation=SQL.identifier(relation),
        column=SQL.identifier(column),
        ids=ids,
    )


def linked_line_days(relation, column, ids, timezone):
    """(record id, local days in ``timezone``, import ids) of the lines ``relation`` links to ``ids``."""
    return SQL(
        """SELECT r.%(column)s,
                  array_agg(DISTINCT timezone(%(tz)s, l.occurred_at AT TIME ZONE 'UTC')::date),
                  array_agg(DISTINCT l.statement_id)
             FROM %(relation)s r
             JOIN ecom_statement_line l ON l.id = r.line_id
            WHERE r.%(column)s = ANY(%(ids)s)
            GROUP BY r.%(column)s""",
        tz=timezone,
        relation=SQL.identifier(relation),
        column=SQL.identifier(column),
        ids=ids,
    )


def lock_lines(line_ids):
    """A no-op update of the lines ``line_ids``: whoever runs it next waits for this transaction
    and then fails with a serialisation error (a mere row lock would let it read an old snapshot)."""
    return SQL("UPDATE ecom_statement_line SET write_date = write_date WHERE id = ANY(%s)", line_ids)


def order_sides(order_ids):
    """The orders ``order_ids`` as one side of a suggested match (``ecomfin.suggest.Side``):
    ``id, shop_id, currency_id, amount_paid, at`` (paid, else placed), the buyer's blind index
    and the SKUs of its lines."""
    return SQL(
        """SELECT o.id, o.shop_id, o.currency_id, o.amount_paid, COALESCE(o.paid_time, o.order_time),
                  o.buyer_phone_index,
                  ARRAY(SELECT DISTINCT ol.sku FROM ecom_order_line ol WHERE ol.order_id = o.id ORDER BY 1)
             FROM ecom_order o
            WHERE o.id = ANY(%s)""",
        list(order_ids),
    )


def channel_sales(shop_ids, start, stop, exclude):
    """The channel's sale lines of ``shop_ids`` that happened in [start, stop], but ``exclude``
    (SQL about ``x``): ``id, shop_id, currency_id, gross, fee, occurred_at`` (alias ``x``)."""
    return SQL(
        """SELECT x.id, x.shop_id, x.currency_id, x.gross, x.fee, x.occurred_at
             FROM ecom_statement_line x
             JOIN ecom_statement s ON s.id = x.statement_id
            WHERE x.shop_id = ANY(%(shops)s) AND s.fmt = ANY(%(channel_fmts)s) AND x.line_type = 'sale'
              AND x.occurred_at BETWEEN %(start)s AND %(stop)s
              AND NOT (%(exclude)s)""",
        shops=list(shop_ids),
        channel_fmts=list(CHANNEL_FORMATS),
        start=start,
        stop=stop,
        exclude=exclude,
    )


def orders_near(target, exclude):
    """The live orders of the shop and currency of ``target`` (as for :func:`sales_near`) paid
    (else placed) in [start, stop] for ``low`` to ``high``, nearest in time first, ``lim`` of
    them, and not ``exclude`` (SQL about ``x``): ``id`` (alias ``x``; a ``LATERAL`` body)."""
    return SQL(
        """SELECT x.id
             FROM ecom_order x
            WHERE x.shop_id = %(t)s.shop_id AND x.currency_id = %(t)s.currency_id
              AND x.status <> 'cancelled'
              AND COALESCE(x.paid_time, x.order_time) BETWEEN %(t)s.start AND %(t)s.stop
              AND x.amount_paid BETWEEN %(t)s.low AND %(t)s.high
              AND NOT (%(exclude)s)
            ORDER BY abs(extract(epoch FROM COALESCE(x.paid_time, x.order_time) - %(t)s.at)), x.id
            LIMIT %(t)s.lim""",
        t=target,
        exclude=exclude,
    )


def usual_fee_rates(shop_ids, since, until):
    """``shop_id, median fee / gross`` of the channel's sale lines of ``shop_ids`` in [since, until]."""
    return SQL(
        """SELECT l.shop_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY l.fee / l.gross)
             FROM ecom_statement_line l
             JOIN ecom_statement s ON s.id = l.statement_id
            WHERE l.shop_id = ANY(%s) AND s.fmt = ANY(%s) AND l.line_type = 'sale'
              AND l.gross > 0 AND l.occurred_at BETWEEN %s AND %s
            GROUP BY l.shop_id""",
        list(shop_ids),
        list(CHANNEL_FORMATS),
        since,
        until,
    )
