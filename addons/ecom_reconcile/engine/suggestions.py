# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Suggested counterparts of open differences: candidates set-wise in SQL, scores in the core.

The order stage leaves two kinds that a counterpart explains:

- ``missing_payment``: an order nobody paid, as far as the references say. Its candidates are
  the channel's sale lines of the shop, in its currency, from ``BEFORE`` before its payment
  time to ``AFTER`` after, of an amount in the band (the order's, less up to ``FEE_ROOM``
  of fees, plus the core's ``AMOUNT_SPAN``), that no match holds and that no difference ties
  to another order (a payment whose memo lost the order number);
- ``missing_order``: payment lines of a reference no order has. Its candidates are the live
  orders of the shop, in its currency, paid in the mirror window, in the mirror band, that no
  match holds and whose own payment lines no difference holds.

One query per kind fetches every candidate of every difference asked for (a ``LATERAL`` join,
``MAX_POOL`` nearest in time each): for the lines, from a temporary table of the open sale lines
of the shops over the windows, indexed by amount and filled once (each line is looked up once in
the matches and differences, and each difference reads its band, not its whole window).
``ecomfin.suggest.rank`` scores them with the weights of the shop and channel
(``ecom.reconcile.suggestion.model``). Suggestions a person rejected for a difference are not
made again for it.

Candidates of another currency (an order in USD paid in CNY) come from a second query per
kind, when the shop's rule has an FX tolerance (``fx_tolerance_pct``): the lines (orders) of the
shop in the other currencies, in the same window, whose amount converted at Odoo's rate of the
payment's day (``engine/fx.py``: the line's day; for a payment of no known order, its lines'
first day) is within the FX tolerance of the target's. Each carries its rate of the day to the
core, whose reason states the conversion and the FX gap; accepting one keeps that gap apart on
the match (``fx_gap``), a gap beyond the tolerance stays an amount difference.

Refunds split in two are scored by the core (see ``ecomfin.suggest``) but not fetched here yet:
their pieces need a refund band.
"""

from dataclasses import replace
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.ecom_audit.approval import approved_change
from odoo.addons.ecom_finance import sources

from ecomfin import differences as kinds
from ecomfin import suggest as core

from . import fx

SUPPORTED = (kinds.MISSING_PAYMENT, kinds.MISSING_ORDER)
BEFORE = timedelta(hours=2)
AFTER = timedelta(hours=96)
# the largest fee taken off a payment that a band leaves room for
FEE_ROOM = 0.08
TOP = 5
# the open sale lines of the shops asked for, over their windows (a temporary table)
OPEN_LINES = "ecom_suggest_open_lines"
FEE_DAYS = 90


def _float(value):
    return float(value or 0.0)


def _in_match_or_other_order():
    """A line ``x`` that a match holds, or that a live difference ties to an order."""
    return SQL(
        """EXISTS (SELECT 1 FROM ecom_reconcile_match_channel_rel mr WHERE mr.line_id = x.id)
           OR EXISTS (SELECT 1 FROM ecom_reconcile_difference_channel_rel dr
                        JOIN ecom_reconcile_difference d2 ON d2.id = dr.difference_id
                       WHERE dr.line_id = x.id AND d2.active AND d2.order_id IS NOT NULL)"""
    )


def _lines_near(target):
    """The lines of ``OPEN_LINES`` of the shop and currency of ``target`` (a row with ``shop_id,
    currency_id, start, stop, low, high, at, lim``) in its window and band, nearest in time first,
    ``lim`` of them (alias ``x``; a ``LATERAL`` body)."""
    return SQL(
        """SELECT x.id, x.gross, x.fee, x.occurred_at
             FROM %(lines)s x
            WHERE x.shop_id = %(t)s.shop_id AND x.currency_id = %(t)s.currency_id
              AND x.gross BETWEEN %(t)s.low AND %(t)s.high
              AND x.occurred_at BETWEEN %(t)s.start AND %(t)s.stop
            ORDER BY abs(extract(epoch FROM x.occurred_at - %(t)s.at)), x.id
            LIMIT %(t)s.lim""",
        lines=SQL.identifier(OPEN_LINES),
        t=target,
    )


def _order_taken():
    """An order ``x`` that a match holds, or whose own payment lines a live difference holds."""
    return SQL(
        """EXISTS (SELECT 1 FROM ecom_reconcile_match m2 WHERE m2.order_id = x.id)
           OR EXISTS (SELECT 1 FROM ecom_reconcile_difference d2
                        JOIN ecom_reconcile_difference_channel_rel dr ON dr.difference_id = d2.id
                       WHERE d2.order_id = x.id AND d2.active)"""
    )


def _lines_converted(target):
    """The lines of ``OPEN_LINES`` of the shop of ``target`` in *other* currencies, in its
    window, whose amount (gross, or net for a rule comparing net) at Odoo's rate of the line's
    day is in its band, nearest in time first, ``lim`` of them: ``id, gross, fee, occurred_at,
    currency_id, rate`` (a ``LATERAL`` body; ``target`` has ``company_id`` and ``net`` too)."""
    return SQL(
        """SELECT x.id, x.gross, x.fee, x.occurred_at, x.currency_id, fx.rate
             FROM %(lines)s x
            CROSS JOIN LATERAL (SELECT %(rate)s AS rate) fx
            WHERE x.shop_id = %(t)s.shop_id AND x.currency_id <> %(t)s.currency_id
              AND x.occurred_at BETWEEN %(t)s.start AND %(t)s.stop
              AND (x.gross - CASE WHEN %(t)s.net THEN x.fee ELSE 0 END) * fx.rate
                  BETWEEN %(t)s.low AND %(t)s.high
            ORDER BY abs(extract(epoch FROM x.occurred_at - %(t)s.at)), x.id
            LIMIT %(t)s.lim""",
        lines=SQL.identifier(OPEN_LINES),
        rate=fx.conversion_sql(
            SQL("x.currency_id"),
            SQL("%s.currency_id", target),
            SQL("%s.company_id", target),
            SQL("x.occurred_at::date"),
        ),
        t=target,
    )


def _orders_converted(target):
    """The live orders of the shop of ``target`` in *other* currencies, paid (else placed) in
    its window, whose amount at Odoo's rate of the target's day is in its band, not taken,
    nearest in time first, ``lim`` of them: ``id, rate`` (a ``LATERAL`` body)."""
    return SQL(
        """SELECT x.id, fx.rate
             FROM ecom_order x
            CROSS JOIN LATERAL (SELECT %(rate)s AS rate) fx
            WHERE x.shop_id = %(t)s.shop_id AND x.currency_id <> %(t)s.currency_id
              AND x.status <> 'cancelled'
              AND COALESCE(x.paid_time, x.order_time) BETWEEN %(t)s.start AND %(t)s.stop
              AND x.amount_paid * fx.rate BETWEEN %(t)s.low AND %(t)s.high
              AND NOT (%(taken)s)
            ORDER BY abs(extract(epoch FROM COALESCE(x.paid_time, x.order_time) - %(t)s.at)), x.id
            LIMIT %(t)s.lim""",
        rate=fx.conversion_sql(
            SQL("x.currency_id"),
            SQL("%s.currency_id", target),
            SQL("%s.company_id", target),
            SQL("%s.at::date", target),
        ),
        taken=_order_taken(),
        t=target,
    )


def _fx_values(rows):
    """A ``VALUES`` list of the targets of another currency: (difference id, shop, currency,
    root company, net, at, start, stop, low, high, limit)."""
    return SQL(", ").join(
        SQL(
            "(%s, %s, %s, %s, %s, %s::timestamp, %s::timestamp, %s::timestamp, %s::numeric, %s::numeric, %s)",
            *row,
        )
        for row in rows
    )


def _targets_values(rows):
    """A ``VALUES`` list of the targets: (difference id, shop, currency, at, start, stop, low,
    high, limit)."""
    return SQL(", ").join(
        SQL(
            "(%s, %s, %s, %s::timestamp, %s::timestamp, %s::timestamp, %s::numeric, %s::numeric, %s)",
            *row,
        )
        for row in rows
    )


def _compare(rule):
    return rule.compare if rule else "gross"


class Targets:
    """The differences asked for, read set-wise: their sides, rules, fee rates and models."""

    def __init__(self, differences):
        self.env = differences.env
        self.differences = differences.filtered(lambda d: d.kind in SUPPORTED and d.stage == "order")
        self.sides = {}  # difference id -> core.Side
        shops = self.differences.shop_id
        Rule = self.env["ecom.reconcile.rule"]
        self.rules = {shop.id: Rule._for_shop(shop) for shop in shops}
        Model = self.env["ecom.reconcile.suggestion.model"]
        self.models = {difference.id: Model._for_difference(difference) for difference in self.differences}
        self._read_sides()
        self.fee_rates = {}
        if self.sides:
            # the channel's usual fee: the median of the shops' lines of the FEE_DAYS before
            moments = [side.at for side in self.sides.values()]
            since, until = min(moments) - timedelta(days=FEE_DAYS), max(moments) + AFTER
            self.env.flush_all()
            self.fee_rates = dict(self.env.execute_query(sources.usual_fee_rates(shops.ids, since, until)))

    def fee_rate(self, difference):
        return _float(self.fee_rates.get(difference.shop_id.id))

    def fx_tolerance(self, difference):
        """The FX tolerance of ``difference``'s rule (0.01 for 1 %); None: no cross-currency
        candidates (no rule, or a tolerance of 0)."""
        rule = self.rules.get(difference.shop_id.id)
        return rule.fx_tolerance_pct / 100 if rule and rule.fx_tolerance_pct > 0 else None

    def _read_sides(self):
        by_kind = self.differences.grouped("kind")
        unpaid = by_kind.get(kinds.MISSING_PAYMENT, self.differences.browse())
        orders = {row[0]: row for row in self.env.execute_query(sources.order_sides(unpaid.order_id.ids))}
        for difference in unpaid:
            row = orders.get(difference.order_id.id)
            if row:
                self.sides[difference.id] = _order_side(row, difference.currency_id.name)
        for difference in by_kind.get(kinds.MISSING_ORDER, ()):
            lines = difference.channel_line_ids.filtered(lambda line: line.line_type == "sale")
            if not lines:
                continue
            compare = _compare(self.rules.get(difference.shop_id.id))
            amount = sum(line.gross - (line.fee if compare == "net" else 0.0) for line in lines)
            self.sides[difference.id] = core.Side(
                key=("difference", difference.id),
                amount=amount,
                currency=difference.currency_id.name or "",
                at=min(lines.mapped("occurred_at")),
                line_ids=tuple(sorted(lines.ids)),
            )

    def candidates(self):
        """{difference id: [candidate core.Side]}, set-wise: one query per kind."""
        found = {difference_id: [] for difference_id in self.sides}
        rows_unpaid, rows_unknown = [], []
        fx_unpaid, fx_unknown = [], []
        for difference in self.differences:
            side = self.sides.get(difference.id)
            if side is None or side.amount <= 0:
                continue
            amount = side.amount
            tolerance = self.fx_tolerance(difference)
            if tolerance is not None:
                fx_row = (
                    difference.id,
                    difference.shop_id.id,
                    difference.currency_id.id,
                    difference.company_id.root_id.id,
                    _compare(self.rules.get(difference.shop_id.id)) == "net",
                    side.at,
                )
                fx_band = (amount * (1 - tolerance), amount * (1 + tolerance))
            if difference.kind == kinds.MISSING_PAYMENT:
                band = (amount * (1 - FEE_ROOM) * (1 - core.AMOUNT_SPAN), amount * (1 + core.AMOUNT_SPAN))
                window = (side.at - BEFORE, side.at + AFTER)
                rows_unpaid.append(
                    (difference.id, difference.shop_id.id, difference.currency_id.id, side.at, *window, *band)
                )
                if tolerance is not None:
                    fx_unpaid.append((*fx_row, *window, *fx_band))
            else:
                band = (amount * (1 - core.AMOUNT_SPAN), amount / (1 - FEE_ROOM) * (1 + core.AMOUNT_SPAN))
                window = (side.at - AFTER, side.at + BEFORE)
                rows_unknown.append(
                    (difference.id, difference.shop_id.id, difference.currency_id.id, side.at, *window, *band)
                )
                if tolerance is not None:
                    fx_unknown.append((*fx_row, *window, *fx_band))
        self.env.flush_all()
        if rows_unpaid:
            net = {
                difference.id
                for difference in self.differences
                if _compare(self.rules.get(difference.shop_id.id)) == "net"
            }
            self._open_lines(rows_unpaid)
            for difference_id, line_id, gross, fee, occurred_at in self.env.execute_query(
                self._lateral(rows_unpaid, _lines_near(SQL("t")))
            ):
                amount = _float(gross) - (_float(fee) if difference_id in net else 0.0)
                found[difference_id].append(
                    core.Side(
                        key=("line", line_id),
                        amount=amount,
                        currency=self.sides[difference_id].currency,
                        at=occurred_at,
                        line_ids=(line_id,),
                    )
                )
        if rows_unknown:
            pairs = self.env.execute_query(
                self._lateral(rows_unknown, sources.orders_near(SQL("t"), _order_taken()), SQL("c.id"))
            )
            order_ids = {order_id for _difference_id, order_id in pairs}
            orders = {row[0]: row for row in self.env.execute_query(sources.order_sides(order_ids))}
            for difference_id, order_id in pairs:
                found[difference_id].append(_order_side(orders[order_id], self.sides[difference_id].currency))
        self._converted(found, fx_unpaid, fx_unknown)
        return found

    def _converted(self, found, fx_unpaid, fx_unknown):
        """Add the candidates of other currencies to ``found``, each with its rate of the day."""
        if fx_unpaid:
            rows = self.env.execute_query(self._lateral_fx(fx_unpaid, _lines_converted(SQL("t"))))
            names = self._currency_names({row[5] for row in rows})
            net = {row[0] for row in fx_unpaid if row[4]}
            for difference_id, line_id, gross, fee, occurred_at, currency_id, rate in rows:
                found[difference_id].append(
                    core.Side(
                        key=("line", line_id),
                        amount=_float(gross) - (_float(fee) if difference_id in net else 0.0),
                        currency=names[currency_id],
                        at=occurred_at,
                        line_ids=(line_id,),
                        rate=_float(rate),
                        rate_date=occurred_at.date().isoformat(),
                    )
                )
        if fx_unknown:
            pairs = self.env.execute_query(self._lateral_fx(fx_unknown, _orders_converted(SQL("t"))))
            orders = {
                row[0]: row for row in self.env.execute_query(sources.order_sides({p[1] for p in pairs}))
            }
            names = self._currency_names({row[2] for row in orders.values()})
            for difference_id, order_id, rate in pairs:
                row = orders[order_id]
                found[difference_id].append(
                    replace(
                        _order_side(row, names[row[2]]),
                        rate=_float(rate),
                        rate_date=self.sides[difference_id].at.date().isoformat(),
                    )
                )

    def _currency_names(self, currency_ids):
        currencies = self.env["res.currency"].browse(sorted(currency_ids)).with_context(active_test=False)
        return {currency.id: currency.name for currency in currencies}

    def _open_lines(self, rows):
        """Fill ``OPEN_LINES`` with the open sale lines of the targets' shops over their windows,
        indexed by amount: each target then reads its band of it (not every line of its window,
        each looked up again in the matches and differences)."""
        cr = self.env.cr
        table = SQL.identifier(OPEN_LINES)
        start, stop = min(row[4] for row in rows), max(row[5] for row in rows)
        shops = sorted({row[1] for row in rows})
        cr.execute(SQL("DROP TABLE IF EXISTS %s", table))
        cr.execute(
            SQL(
                """CREATE TEMPORARY TABLE %(table)s ON COMMIT DROP AS %(lines)s;
                   CREATE INDEX ON %(table)s (shop_id, currency_id, gross, occurred_at) INCLUDE (id, fee);
                   ANALYZE %(table)s""",
                table=table,
                lines=sources.channel_sales(shops, start, stop, _in_match_or_other_order()),
            )
        )

    @staticmethod
    def _lateral(rows, body, columns=None):
        return SQL(
            """SELECT t.difference_id, %(columns)s
                 FROM (VALUES %(targets)s) AS t(difference_id, shop_id, currency_id, at, start, stop,
                                              low, high, lim)
                CROSS JOIN LATERAL (%(body)s) c
                ORDER BY t.difference_id""",
            columns=columns or SQL("c.*"),
            targets=_targets_values([(*row, core.MAX_POOL) for row in rows]),
            body=body,
        )

    @staticmethod
    def _lateral_fx(rows, body):
        return SQL(
            """SELECT t.difference_id, c.*
                 FROM (VALUES %(targets)s) AS t(difference_id, shop_id, currency_id, company_id, net, at,
                                              start, stop, low, high, lim)
                CROSS JOIN LATERAL (%(body)s) c
                ORDER BY t.difference_id""",
            targets=_fx_values([(*row, core.MAX_POOL) for row in rows]),
            body=body,
        )


def _order_side(row, currency):
    order_id, _shop_id, _currency_id, amount, at, buyer, skus = row
    return core.Side(
        key=("order", order_id),
        amount=_float(amount),
        currency=currency or "",
        at=at,
        buyer=buyer or None,
        skus=frozenset(skus or ()),
        order_ids=(order_id,),
    )


def suggestions(differences, top=TOP):
    """{difference id: [(ecomfin.suggest.Suggestion, model version)]}, best first, for each of
    ``differences`` (empty for a kind without suggestions); those rejected for it left out."""
    targets = Targets(differences)
    pools = targets.candidates()
    rejected = differences.env["ecom.reconcile.suggestion.decision"]._rejected(differences)
    out = {difference.id: [] for difference in differences}
    for difference in targets.differences:
        side = targets.sides.get(difference.id)
        if side is None:
            continue
        model = targets.models[difference.id]
        own = set(side.line_ids) | set(side.order_ids)
        ranked = core.rank(
            side,
            [c for c in pools.get(difference.id, ()) if not (set(c.line_ids) | set(c.order_ids)) & own],
            model._core_model(),
            fee_rate=targets.fee_rate(difference),
            top=top + len(rejected.get(difference.id, ())),
            target_is_net=difference.kind == kinds.MISSING_ORDER,
            fx_tolerance=targets.fx_tolerance(difference),
        )
        kept = []
        for suggestion in ranked:
            lines, orders = _match_of(difference, suggestion)
            if (lines, orders) not in rejected.get(difference.id, set()):
                kept.append((suggestion, lines, orders, model._model_version()))
        out[difference.id] = kept[:top]
    return out


def _match_of(difference, suggestion):
    """(line ids, order ids) of the match the suggestion would make for ``difference``."""
    if difference.kind == kinds.MISSING_ORDER:
        lines = tuple(sorted(difference.channel_line_ids.ids))
        return lines, tuple(suggestion.order_ids)
    return tuple(suggestion.line_ids), (difference.order_id.id,)


def _paid_in_order_currency(order, lines, compare):
    """(what the sale ``lines`` paid, in ``order``'s currency; the rate of their currency to it;
    the day of that rate, None when they are in the order's currency). Lines of another currency
    are converted at Odoo's rate of their first day, as their suggestion was (``engine/fx.py``)."""
    sales = lines.filtered(lambda line: line.line_type == "sale")
    paid = {}
    for line in sales:
        paid[line.currency_id] = (
            paid.get(line.currency_id, 0.0) + line.gross - (line.fee if compare == "net" else 0.0)
        )
    if set(paid) <= {order.currency_id}:
        return sum(paid.values()), 1.0, None
    day = min(sales.mapped("occurred_at")).date()
    total, rate = 0.0, 1.0
    for currency, amount in paid.items():
        rate = fx.conversion(order.env, currency, order.currency_id, order.company_id, day)
        total += amount * rate
    return total, rate, day


def reason_texts(env):
    """``ecomfin.suggest.REASON_TEXTS`` in the user's language (a test keeps the codes, the
    placeholders and the English in step with the core's)."""
    return {
        "amount_exact": env._("same amount (%(amount)s)"),
        "amount_close": env._("amount within %(gap)s (%(percent)s%%)"),
        "amount_after_fee": env._("amount within %(gap)s after the channel's usual fee of %(fee_percent)s%%"),
        "time": env._("%(when)s apart"),
        "buyer": env._("same buyer fingerprint"),
        "basket": env._("same SKU basket (%(share)s%% in common)"),
        "split": env._("two partial amounts adding up to %(amount)s"),
        "fx": env._("converted from %(from_currency)s at %(rate)s, FX gap %(gap)s"),
        "fx_day": env._(
            "%(amount)s = %(converted)s at the rate of %(date)s; FX gap %(gap)s within the rule's "
            "%(tolerance)s%%"
        ),
    }


def as_dicts(env, found):
    """The contract's shape of ``suggestions()`` for one difference."""
    texts = reason_texts(env)
    return [
        {
            "line_ids": list(lines),
            "order_ids": list(orders),
            "confidence": round(suggestion.confidence, 4),
            "reasons": [core.reason_text(code, params, texts) for code, params in suggestion.reasons],
        }
        for suggestion, lines, orders, _version in found
    ]


def _pick(difference, index, expected=None):
    """The suggestions of ``difference`` and its number ``index``; ``expected``: the (line ids,
    order ids) the caller saw there, refused when the suggestions changed since."""
    found = suggestions(difference)[difference.id]
    valid = isinstance(index, int) and 0 <= index < len(found)
    if expected is not None and (
        not valid or (tuple(sorted(expected[0])), tuple(sorted(expected[1]))) != found[index][1:3]
    ):
        raise UserError(
            difference.env._(
                "The suggestions of %s changed since they were shown (another decision or an import): "
                "ask for them again.",
                difference.name,
            )
        )
    if not valid:
        raise UserError(
            difference.env._(
                "%(name)s has no suggestion number %(index)s (it has %(count)s): ask for them again.",
                name=difference.name,
                index=index,
                count=len(found),
            )
        )
    return found, found[index]


def _decision_vals(difference, picked, decision):
    suggestion, lines, orders, version = picked
    texts = reason_texts(difference.env)
    return {
        "difference_id": difference.id,
        "shop_id": difference.shop_id.id,
        "company_id": difference.company_id.id,
        "channel": difference.shop_id.payment_channel,
        "decision": decision,
        "user_id": difference.env.uid,
        "line_ids": list(lines),
        "order_ids": list(orders),
        "confidence": suggestion.confidence,
        "reasons": "\n".join(core.reason_text(code, params, texts) for code, params in suggestion.reasons),
        "features": list(suggestion.features),
        "model_version": version,
    }


def reject(difference, index, expected=None):
    """Keep that ``difference``'s suggestion number ``index`` was rejected (it is not made again)."""
    env = difference.env
    _found, picked = _pick(difference, index, expected)
    # the system's record of the caller's decision (nobody has the right to create one; the
    # caller's right to decide was checked by reject_suggestion)
    with approved_change():
        decision = (
            env["ecom.reconcile.suggestion.decision"]
            .sudo()
            .create(_decision_vals(difference, picked, "rejected"))
        )
    difference.message_post(
        body=env._("Suggestion rejected: %s.", "; ".join(decision.reasons.splitlines())),
        subtype_xmlid="mail.mt_note",
    )
    return decision.id


def accept(difference, index, expected=None):
    """Make the match of ``difference``'s suggestion number ``index`` and close what it explains.

    The match (``ecom.reconcile.match``, kept by later runs) pairs the order with the lines;
    the difference and the difference of the other side (the lines' ``missing_order``, the
    order's ``missing_payment``) are resolved with the reasons, unless the match leaves a gap
    beyond the rule's tolerance: then they stay open, assigned to the caller, for the gap to go
    through the write-off approval (Request Write-Off). Undone by Reopen.
    """
    env = difference.env
    found, picked = _pick(difference, index, expected)
    suggestion, line_ids, order_ids, version = picked
    # two people accepting the same lines at once: the second waits, then fails and is retried,
    # and then no longer gets these lines suggested
    env.cr.execute(sources.lock_lines(list(line_ids)))
    order = env["ecom.order"].browse(order_ids)
    lines = env["ecom.statement.line"].browse(line_ids)
    shop = difference.shop_id
    rule = env["ecom.reconcile.rule"]._for_shop(shop)
    paid, rate, day = _paid_in_order_currency(order, lines, _compare(rule))
    residual = paid - order.amount_paid
    tolerance = (
        max(rule.amount_tolerance, abs(order.amount_paid) * rule.amount_tolerance_pct / 100) if rule else 0.0
    )
    # another currency: a gap within the rule's FX tolerance is the rates', kept apart
    fx_gap = 0.0
    if day and rule and abs(residual) <= abs(order.amount_paid) * rule.fx_tolerance_pct / 100 + 1e-9:
        fx_gap, residual = residual, 0.0
    other_side = (
        env["ecom.reconcile.difference"]
        .search(
            [
                ("id", "!=", difference.id),
                ("stage", "=", "order"),
                ("state", "in", ("open", "assigned")),
                "|",
                "&",
                ("kind", "=", kinds.MISSING_ORDER),
                ("channel_line_ids", "in", lines.ids),
                "&",
                ("kind", "=", kinds.MISSING_PAYMENT),
                ("order_id", "=", order.id),
            ]
        )
        .filtered(
            # a difference of lines is explained when all its lines are in the match
            lambda d: d.kind != kinds.MISSING_ORDER or set(d.channel_line_ids.ids) <= set(lines.ids)
        )
    )
    explained = difference | other_side
    vals = _decision_vals(difference, picked, "accepted")
    reasons = "; ".join(vals["reasons"].splitlines())
    # the system's records of the caller's decision: the match and the decision (nobody has the
    # right to create either; the caller's right to accept was checked by accept_suggestion)
    with approved_change():
        match = (
            env["ecom.reconcile.match"]
            .sudo()
            .create(
                {
                    "run_id": difference.run_id.id,
                    "shop_id": shop.id,
                    "company_id": difference.company_id.id,
                    "kind": "order_payment",
                    "cardinality": "1:N" if len(lines) > 1 else "1:1",
                    "reference": order.name,
                    "rule_id": rule.id or False,
                    "order_id": order.id,
                    "channel_line_ids": [Command.set(lines.ids)],
                    "currency_id": order.currency_id.id,
                    "amount": order.amount_paid,
                    "residual": residual,
                    "fx_gap": fx_gap,
                    "fx_rate": rate if day else 0.0,
                }
            )
        )
        decision = (
            env["ecom.reconcile.suggestion.decision"]
            .sudo()
            .create(
                {
                    **vals,
                    "match_id": match.id,
                    "passed_over": [list(other.features) for other, *_rest in found[:index]],
                    "closed_difference_ids": [Command.set(explained.ids)],
                    "gap": residual,
                    "fx_gap": fx_gap,
                    "gap_open": abs(residual) > tolerance + 1e-9,
                }
            )
        )
    resolution = env._(
        "Matched by an accepted suggestion (confidence %(confidence)s%%, weights %(version)s): order "
        "%(order)s with %(count)s channel line(s). %(reasons)s.",
        confidence=round(100 * suggestion.confidence),
        version=version,
        order=order.name,
        count=len(lines),
        reasons=reasons,
    )
    if fx_gap:
        fx_text, day_text, rate_text = f"{fx_gap:.2f}", day.isoformat(), f"{rate:.6g}"
        tolerance_text = f"{rule.fx_tolerance_pct:g}"
        resolution += " " + env._(
            "FX gap of %(currency)s %(gap)s at the rate of %(day)s (%(rate)s), within the rule's "
            "%(tolerance)s%%: kept apart on the match.",
            currency=order.currency_id.name,
            gap=fx_text,
            day=day_text,
            rate=rate_text,
            tolerance=tolerance_text,
        )
    if decision.gap_open:
        gap = f"{residual:.2f}"
        resolution += " " + env._(
            "A gap of %(gap)s remains, beyond the rule's tolerance: write it off (Request Write-Off).",
            gap=gap,
        )
        explained._set_workflow({"state": "assigned", "user_id": env.uid, "resolution": resolution})
    else:
        explained._set_workflow(
            {"state": "resolved", "resolved_date": fields.Datetime.now(), "resolution": resolution}
        )
    for each in explained:
        each.message_post(body=resolution, subtype_xmlid="mail.mt_note")
    return {"match_id": match.id, "decision_id": decision.id, "state": difference.state}
