# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Suggested counterparts for what the reconciliation rules leave open, scored and learned.

An open difference has one *side* (an order nobody paid, a payment of no known order, a
refund the channel's lines do not add up to); its candidate counterparts are sides of the
other source (channel lines, orders) that the caller fetched set-wise (the addon: amount
bands and time windows in SQL). Each candidate, alone or as two partial pieces added up,
gets:

* **features** (``FEATURES``), each a float, most in 0..1:

  - ``amount``: how close its amount is to the target's (1 exact, 0 at ``AMOUNT_SPAN`` or more
    off, relative), after conversion when the currencies differ;
  - ``exact``: 1 when the amounts agree to the cent (a split refund adds up exactly; another
    order's payment of a nearby amount does not);
  - ``amount_after_fee``: how close it is to the target net of the channel's usual fee rate
    (a payout net of a fee the lines do not state), when that is closer than the target
    itself (then ``amount`` is 0: one explanation of the amount or the other);
  - ``time``: ``exp(-hours apart / TIME_SCALE_HOURS)`` (of the piece furthest away);
  - ``buyer``: 1 same buyer fingerprint (a blind index, never the buyer's data), -1 another
    one, 0 when either side has none;
  - ``basket``: the share of SKUs the two baskets have in common (Jaccard), 0 when unknown;
  - ``split``: 1 when the candidate is two pieces (a refund split in two);
  - ``fx``: 1 when the amounts were compared across currencies at the given rate (``rates``,
    or the rate of the day a candidate side carries: ``Side.rate``);

* a **confidence** ``sigmoid(bias + sum(weight * feature))``, in 0..1, with the weights of
  the shop and channel (``Model``; ``DEFAULT_WEIGHTS`` until people decided enough);
* **reasons**: ``(code, params)`` pairs, the features that spoke for it, in words through
  ``REASON_TEXTS`` (English here; the addon translates the same codes).

Learning (:func:`fit`): a logistic regression of our own, Newton's method with an L2 penalty
pulling the weights towards their prior (the defaults, or the last model), so that a first
handful of decisions moves them a little and many decisions move them far. Eight weights do
not need a library; the result is deterministic (the examples are sorted first) and named by
a version string (:attr:`Model.version`, a hash of the weights) that a run snapshot keeps.

Everything here is pure: sides in, suggestions out, the same inputs in any order giving the
same output.
"""

import hashlib
import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime
from operator import mul

from .canonical import dumps

FEATURES = ("amount", "exact", "amount_after_fee", "time", "buyer", "basket", "split", "fx")
BIAS = "bias"
#: The weights before anyone decided anything: an exact amount within the hour is likely, an
#: amount alone a day away is a coin toss, the same buyer or basket adds to it.
DEFAULT_WEIGHTS = {
    BIAS: -3.0,
    "amount": 3.0,
    "exact": 1.0,
    "amount_after_fee": 2.5,
    "time": 2.0,
    "buyer": 1.5,
    "basket": 1.5,
    "split": -0.5,
    "fx": -0.5,
}
#: relative gap at which ``amount`` is 0 (2 %)
AMOUNT_SPAN = 0.02
#: the hours over which ``time`` falls to 1/e
TIME_SCALE_HOURS = 24.0
#: amounts closer than this (after conversion) are the same to the cent
EXACT = 0.005
#: a candidate whose ``amount`` and ``amount_after_fee`` are both 0 is no candidate
MIN_AMOUNT_FEATURE = 0.0
#: a feature speaks for a candidate in its reasons above this contribution (weight x value)
REASON_MIN = 0.25
MODEL_PREFIX = "sg1-"
#: the candidate sides of a difference looked at, nearest in time first
MAX_POOL = 40

#: The reasons in words (English); the addon has the same codes marked for translation.
REASON_TEXTS = {
    "amount_exact": "same amount (%(amount)s)",
    "amount_close": "amount within %(gap)s (%(percent)s%%)",
    "amount_after_fee": "amount within %(gap)s after the channel's usual fee of %(fee_percent)s%%",
    "time": "%(when)s apart",
    "buyer": "same buyer fingerprint",
    "basket": "same SKU basket (%(share)s%% in common)",
    "split": "two partial amounts adding up to %(amount)s",
    "fx": "converted from %(from_currency)s at %(rate)s, FX gap %(gap)s",
    "fx_day": (
        "%(amount)s = %(converted)s at the rate of %(date)s; FX gap %(gap)s within the rule's %(tolerance)s%%"
    ),
}


@dataclass(frozen=True)
class Side:
    """One side of a difference, or one candidate counterpart: its amount (positive; a refund
    too), currency, when it happened (naive UTC), the buyer's blind index and SKU basket when
    known, its channel and shop; ``key`` orders ties, ``line_ids``/``order_ids`` are what a
    match of it would take. A candidate of another currency may carry ``rate``, what one unit
    of it is worth in the target's currency on its day (``rate_date``, as text), which then
    wins over the ``rates`` of the ranking (a candidate of another day, another rate)."""

    key: object
    amount: float
    currency: str
    at: datetime
    buyer: str | None = None
    skus: frozenset = frozenset()
    channel: str = ""
    shop: object = None
    line_ids: tuple = ()
    order_ids: tuple = ()
    rate: float | None = None
    rate_date: str = ""


@dataclass(frozen=True)
class Suggestion:
    """A candidate (one side or two added up) for a target, scored."""

    keys: tuple
    line_ids: tuple
    order_ids: tuple
    confidence: float
    features: tuple
    reasons: tuple = ()

    def as_dict(self, texts=None):
        """The contract's shape (``ecom.reconcile.difference.suggest``)."""
        return {
            "line_ids": list(self.line_ids),
            "order_ids": list(self.order_ids),
            "confidence": round(self.confidence, 4),
            "reasons": [reason_text(code, params, texts) for code, params in self.reasons],
        }


def reason_text(code, params, texts=None):
    """A reason in words: ``texts`` (code -> template, e.g. translated) or ``REASON_TEXTS``."""
    template = (texts or REASON_TEXTS).get(code) or REASON_TEXTS[code]
    return template % params


@dataclass(frozen=True)
class Model:
    """Weights of the features (and ``bias``) for a shop and channel; missing ones default."""

    weights: dict = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    def __post_init__(self):
        unknown = set(self.weights) - set(DEFAULT_WEIGHTS)
        if unknown:
            raise ValueError(f"unknown feature weights: {', '.join(sorted(unknown))}")
        vector = tuple(float(self.weights.get(name, DEFAULT_WEIGHTS[name])) for name in (BIAS, *FEATURES))
        object.__setattr__(self, "_vector", vector)
        object.__setattr__(self, "_by_name", dict(zip((BIAS, *FEATURES), vector, strict=True)))
        canonical = dumps({name: f"{value:.6f}" for name, value in self._by_name.items()})
        object.__setattr__(
            self, "_version", MODEL_PREFIX + hashlib.sha256(canonical.encode()).hexdigest()[:16]
        )

    def weight(self, name):
        return self._by_name[name]

    def vector(self):
        return self._vector

    @property
    def version(self):
        """``sg1-`` and 16 hex of the SHA-256 of the weights (six decimals): equal versions,
        equal scores."""
        return self._version

    def score(self, features):
        vector = self._vector
        return sigmoid(vector[0] + sum(map(mul, vector[1:], features)))


DEFAULT_MODEL = Model()


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


# ----------------------------------------------------------------------
# Features
# ----------------------------------------------------------------------


def _closeness(value, target):
    if target <= 0:
        return 1.0 if value == target else 0.0
    return max(0.0, 1.0 - abs(value - target) / target / AMOUNT_SPAN)


def _fx_rate(from_currency, to_currency, rates):
    if from_currency == to_currency:
        return 1.0
    rate = (rates or {}).get((from_currency, to_currency))
    if rate is None:
        inverse = (rates or {}).get((to_currency, from_currency))
        rate = 1.0 / float(inverse) if inverse else None
    return None if rate is None else float(rate)


def features(target, parts, fee_rate=0.0, rates=None, target_is_net=False):
    """The feature values (``FEATURES`` order) of the candidate ``parts`` (one or two sides)
    for ``target``, or None when they cannot be compared (another currency without a rate).
    ``fee_rate``: the channel's usual fee (0.006 for 0.6 %); ``rates``: {(from, to): rate};
    ``target_is_net``: the target is the payment, so a candidate order may be its amount
    *before* the fee (``amount_after_fee`` then compares with ``target / (1 - fee_rate)``)."""
    return _Target(target, fee_rate, rates, target_is_net).features(parts)


class _Target:
    """A target's values, read once for all its candidates (the scoring loop's hot path)."""

    __slots__ = (
        "at",
        "buyer",
        "currency",
        "fee_rate",
        "net",
        "net_span",
        "rates",
        "skus",
        "span",
        "wanted",
        "_rates",
    )

    def __init__(self, target, fee_rate, rates, target_is_net=False):
        self.at = target.at
        self.buyer = target.buyer
        self.skus = target.skus
        self.currency = target.currency
        self.wanted = float(target.amount)
        self.fee_rate = fee_rate
        self.net = self.wanted / (1.0 - fee_rate) if target_is_net else self.wanted * (1.0 - fee_rate)
        self.span = self.wanted * AMOUNT_SPAN
        self.net_span = self.net * AMOUNT_SPAN if fee_rate else 0.0
        self.rates = rates
        self._rates = {}

    def rate(self, currency):
        if currency not in self._rates:
            self._rates[currency] = _fx_rate(currency, self.currency, self.rates)
        return self._rates[currency]

    def rate_of(self, side):
        """What one unit of ``side`` is worth in the target's currency: its own rate of the day
        when it carries one (another currency only), else the ranking's."""
        if side.rate is not None and side.currency != self.currency:
            return float(side.rate)
        return self.rate(side.currency)

    def features(self, parts, amount_needed=False):
        """The features of ``parts``; None when not comparable, or (``amount_needed``) when
        neither amount feature speaks for them (the rest is not computed then)."""
        first = parts[0]
        currency = first.currency
        # self.rate_of(first), inlined: the scoring loop's hot path
        rate = first.rate
        if rate is None or currency == self.currency:
            rate = self._rates[currency] if currency in self._rates else self.rate(currency)
        if rate is None:
            return None
        if len(parts) == 1:
            amount = float(first.amount) * rate
            seconds = abs((first.at - self.at).total_seconds())
            buyers = (first.buyer,) if first.buyer else ()
            skus = first.skus
        else:
            if any(part.currency != currency for part in parts):
                return None
            rates = [self.rate_of(part) for part in parts]
            if None in rates:
                return None
            amount = sum(float(part.amount) * r for part, r in zip(parts, rates, strict=True))
            seconds = max(abs((part.at - self.at).total_seconds()) for part in parts)
            buyers = tuple({part.buyer for part in parts if part.buyer})
            skus = frozenset().union(*(part.skus for part in parts))
        wanted = self.wanted
        if self.span > 0:
            gross = 1.0 - abs(amount - wanted) / self.span
            gross = gross if gross > 0.0 else 0.0
        else:
            gross = _closeness(amount, wanted)
        net = 0.0
        if self.net_span > 0:
            net = 1.0 - abs(amount - self.net) / self.net_span
            net = net if net > 0.0 else 0.0
        # one explanation of the amount or the other: the gross amount, or the amount net of the fee
        if net > gross:
            gross = 0.0
        else:
            net = 0.0
        if amount_needed and gross + net <= MIN_AMOUNT_FEATURE:
            return None
        buyer = 0.0
        if self.buyer and buyers:
            buyer = 1.0 if buyers == (self.buyer,) else -1.0
        basket = 0.0
        if self.skus and skus:
            basket = len(self.skus & skus) / len(self.skus | skus)
        return (
            gross,
            1.0 if abs(amount - wanted) < EXACT else 0.0,
            net,
            math.exp(-seconds / 3600.0 / TIME_SCALE_HOURS),
            buyer,
            basket,
            1.0 if len(parts) > 1 else 0.0,
            1.0 if currency != self.currency else 0.0,
        )


def _when(seconds):
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} min"
    hours = minutes / 60
    if hours < 48:
        return f"{hours:.0f} h"
    return f"{hours / 24:.0f} days"


def reasons(target, parts, values, model, fee_rate=0.0, rates=None, target_is_net=False, fx_tolerance=None):
    """(code, params) of the features that speak for the candidate, strongest first.
    ``fx_tolerance``: the rule's FX tolerance (0.01 for 1 %), said with the rate of the day."""
    context = _Target(target, fee_rate, rates, target_is_net)
    net_wanted = context.net
    found = []
    amount = sum(float(part.amount) for part in parts)
    converted = sum(float(part.amount) * (context.rate_of(part) or 1.0) for part in parts)
    rate = converted / amount if amount else (context.rate_of(parts[0]) or 1.0)
    wanted = float(target.amount)
    by_name = dict(zip(FEATURES, values, strict=True))
    weight = model.weight

    def add(name, code, params, also=()):
        contribution = sum(weight(n) * by_name[n] for n in (name, *also))
        if contribution >= REASON_MIN:
            found.append((contribution, code, params))

    if by_name["exact"]:
        add("amount", "amount_exact", {"amount": f"{wanted:.2f}"}, also=("exact",))
    elif by_name["amount"]:
        gap = abs(converted - wanted)
        add(
            "amount",
            "amount_close",
            {"gap": f"{gap:.2f}", "percent": f"{100 * gap / wanted:.2f}" if wanted else "0"},
        )
    add(
        "amount_after_fee",
        "amount_after_fee",
        {
            "gap": f"{abs(converted - net_wanted):.2f}",
            "fee_percent": f"{100 * fee_rate:.2f}",
        },
    )
    seconds = max(abs((part.at - target.at).total_seconds()) for part in parts)
    add("time", "time", {"when": _when(seconds)})
    add("buyer", "buyer", {})
    add("basket", "basket", {"share": f"{100 * by_name['basket']:.0f}"})
    if len(parts) > 1:
        # a structural fact, said whatever its weight
        found.append((0.0, "split", {"amount": f"{amount:.2f}"}))
    if by_name["fx"] and parts[0].rate_date and fx_tolerance is not None:
        found.append(
            (
                0.0,
                "fx_day",
                {
                    "amount": f"{parts[0].currency} {amount:.2f}",
                    "converted": f"{target.currency} {converted:.2f}",
                    "date": parts[0].rate_date,
                    "gap": f"{target.currency} {converted - wanted:.2f}",
                    "tolerance": f"{100 * fx_tolerance:g}",
                },
            )
        )
    elif by_name["fx"]:
        found.append(
            (
                0.0,
                "fx",
                {
                    "from_currency": parts[0].currency,
                    "rate": f"{rate:.6g}",
                    "gap": f"{converted - wanted:.2f} {target.currency}",
                },
            )
        )
    found.sort(key=lambda item: -item[0])
    return tuple((code, params) for _c, code, params in found)


# ----------------------------------------------------------------------
# Candidates and ranking
# ----------------------------------------------------------------------


def candidate_sets(target, pool, fee_rate=0.0, rates=None, max_pool=MAX_POOL, target_is_net=False):
    """The candidates of ``target`` among ``pool``: each side, and each pair of sides of one
    currency whose sum is within ``AMOUNT_SPAN`` of the target (or of it net of the fee).
    Only the ``max_pool`` sides nearest in time are looked at. Pairs are found by bisection
    over the amounts (not all pairs): n log n."""
    pool = list(pool)
    if len(pool) > max_pool:
        at = target.at
        pool.sort(key=lambda side: (abs((side.at - at).total_seconds()), _sort_key(side.key)))
        del pool[max_pool:]
    sets = [(side,) for side in pool]
    if len(pool) < 2:
        return sets
    by_currency = {}
    for side in pool:
        by_currency.setdefault(side.currency, []).append(side)
    wanted = float(target.amount)
    for currency, sides in by_currency.items():
        rate = _fx_rate(currency, target.currency, rates)
        if currency != target.currency and any(side.rate is not None for side in sides):
            # each side at its own rate of the day (else the ranking's)
            rated = sorted(
                (
                    (
                        float(side.amount) * (rate if side.rate is None else float(side.rate)),
                        _sort_key(side.key),
                        side,
                    )
                    for side in sides
                    if side.rate is not None or rate is not None
                ),
                key=lambda item: item[:2],
            )
            sides = [item[2] for item in rated]
            amounts = [item[0] for item in rated]
        elif rate is not None:
            sides = sorted(sides, key=lambda side: (float(side.amount), _sort_key(side.key)))
            amounts = [float(side.amount) * rate for side in sides]
        else:
            continue
        if len(sides) < 2:
            continue
        if target_is_net:
            low, high = wanted * (1.0 - AMOUNT_SPAN), wanted / (1.0 - fee_rate) * (1.0 + AMOUNT_SPAN)
        else:
            low, high = wanted * (1.0 - fee_rate) * (1.0 - AMOUNT_SPAN), wanted * (1.0 + AMOUNT_SPAN)
        if amounts[0] + amounts[1] > high:
            continue  # no two pieces are small enough
        for i, first in enumerate(amounts):
            start = max(i + 1, bisect_left(amounts, low - first))
            stop = bisect_right(amounts, high - first)
            sets.extend((sides[i], sides[j]) for j in range(start, stop))
    return sets


def _sort_key(key):
    """Keys order ties: by their type's name, then their value (keys of one type compare)."""
    return (type(key).__name__, key)


def _keys_order(keys):
    return tuple(map(_sort_key, keys))


def rank(
    target,
    pool,
    model=DEFAULT_MODEL,
    fee_rate=0.0,
    rates=None,
    top=3,
    min_confidence=0.0,
    target_is_net=False,
    fx_tolerance=None,
):
    """The ``top`` suggestions for ``target`` among the candidate sides ``pool``, best first
    (ties: by keys), each with its confidence and reasons (``features`` for the arguments;
    ``fx_tolerance``: the rule's, said in the reason of a candidate with its rate of the day)."""
    context = _Target(target, fee_rate, rates, target_is_net)
    bias, *weights = model.vector()
    features_of = context.features
    scored = []
    for parts in candidate_sets(target, pool, fee_rate, rates, target_is_net=target_is_net):
        values = features_of(parts, amount_needed=True)
        if values is None:
            continue
        confidence = sigmoid(bias + sum(map(mul, weights, values)))
        if confidence >= min_confidence:
            scored.append((confidence, parts, values))
    if len(scored) > top:
        # the keys order ties only: compared for those that may make the top
        floor = sorted((item[0] for item in scored), reverse=True)[top - 1] if top else 2.0
        scored = [item for item in scored if item[0] >= floor]
    ranked = sorted(
        (
            (
                -confidence,
                _keys_order(keys := tuple(sorted((p.key for p in parts), key=_sort_key))),
                keys,
                parts,
                values,
            )
            for confidence, parts, values in scored
        ),
        key=lambda item: item[:2],
    )
    out = []
    for neg, _order, keys, parts, values in ranked[:top]:
        out.append(
            Suggestion(
                keys=keys,
                line_ids=tuple(sorted({i for part in parts for i in part.line_ids})),
                order_ids=tuple(sorted({i for part in parts for i in part.order_ids})),
                confidence=-neg,
                features=values,
                reasons=reasons(target, parts, values, model, fee_rate, rates, target_is_net, fx_tolerance),
            )
        )
    return out


def fee_rate_of(gross_and_fees):
    """The channel's usual fee rate from (gross, fee) pairs of its lines: the median of the
    lines' rates (a few odd lines do not move it); 0 without any."""
    rates = sorted(float(fee) / float(gross) for gross, fee in gross_and_fees if gross and float(gross) > 0)
    if not rates:
        return 0.0
    middle = len(rates) // 2
    return rates[middle] if len(rates) % 2 else (rates[middle - 1] + rates[middle]) / 2


# ----------------------------------------------------------------------
# Learning
# ----------------------------------------------------------------------


def fit(examples, prior=None, l2=1.0, iterations=30):
    """A ``Model`` fitted on ``examples``: (features in ``FEATURES`` order, 1 accepted or
    0 rejected) pairs. Logistic regression by Newton's method, with the penalty
    ``l2 / 2 * |w - prior|^2`` (``prior``: a ``Model``, the defaults if None), which also
    keeps the weights finite when the decisions separate perfectly. Deterministic: the
    examples are sorted first, so their order does not matter."""
    prior = prior or DEFAULT_MODEL
    mean = list(prior.vector())
    rows = sorted((tuple(float(v) for v in values), 1.0 if label else 0.0) for values, label in examples)
    if not rows:
        return Model(dict(zip((BIAS, *FEATURES), mean, strict=True)))
    n = len(mean)
    w = list(mean)
    loss = _loss(w, rows, mean, l2)
    for _ in range(iterations):
        gradient = [l2 * (w[k] - mean[k]) for k in range(n)]
        hessian = [[l2 if i == j else 0.0 for j in range(n)] for i in range(n)]
        for values, label in rows:
            x = (1.0, *values)
            p = sigmoid(sum(wk * xk for wk, xk in zip(w, x, strict=True)))
            error = p - label
            curvature = p * (1.0 - p)
            for i in range(n):
                if x[i]:
                    gradient[i] += error * x[i]
                    hi = hessian[i]
                    for j in range(n):
                        hi[j] += curvature * x[i] * x[j]
        step = _solve(hessian, gradient)
        # damped: halve the step until the penalized loss goes down (a plain Newton step can
        # overshoot far from the optimum)
        for _halving in range(30):
            trial = [wk - sk for wk, sk in zip(w, step, strict=True)]
            trial_loss = _loss(trial, rows, mean, l2)
            if trial_loss <= loss:
                break
            step = [sk / 2 for sk in step]
        else:
            break
        w, converged = trial, loss - trial_loss < 1e-10
        loss = trial_loss
        if converged:
            break
    return Model({name: round(value, 6) for name, value in zip((BIAS, *FEATURES), w, strict=True)})


def _loss(w, rows, mean, l2):
    """The penalized negative log-likelihood of the weights ``w``."""
    total = 0.5 * l2 * sum((wk - mk) ** 2 for wk, mk in zip(w, mean, strict=True))
    for values, label in rows:
        z = w[0] + sum(wk * xk for wk, xk in zip(w[1:], values, strict=True))
        # log(1 + e^z) - label * z, computed without overflow
        total += max(z, 0.0) + math.log1p(math.exp(-abs(z))) - label * z
    return total


def _solve(matrix, vector):
    """``matrix^-1 vector`` by Gaussian elimination with partial pivoting (the matrix is
    symmetric positive definite: the L2 term sees to it)."""
    n = len(vector)
    a = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        head = a[col][col]
        for r in range(col + 1, n):
            factor = a[r][col] / head
            if factor:
                row, top_row = a[r], a[col]
                for c in range(col, n + 1):
                    row[c] -= factor * top_row[c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (a[r][n] - sum(a[r][c] * x[c] for c in range(r + 1, n))) / a[r][r]
    return x


def decision_examples(shown, accepted_index=None, rejected=()):
    """Training examples from what a person saw and did: the ``shown`` suggestions (their
    features, best first); the one accepted (label 1) and those ranked above it, passed over
    (label 0); those rejected (label 0)."""
    examples = []
    if accepted_index is not None:
        examples.append((shown[accepted_index], 1))
        examples.extend((shown[i], 0) for i in range(accepted_index))
    examples.extend((shown[i], 0) for i in rejected if i != accepted_index)
    return examples
