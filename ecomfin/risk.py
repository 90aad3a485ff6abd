# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Risk scores from a shop's own history: an additive model, capped, explained.

An entity (an order, or a shop's day) has **features** (its amount, its refund rate, its
duplicate-looking payments, its longest payout delay); its shop has **history** (the statistics
of the same features over a window before the day scored, e.g. 90 days). Each feature gives
points between 0 and its cap (``CAPS``) by how far it lies beyond the history; the score is
their sum, at most 100, and its **level** comes from ``LEVELS``. A feature gives points only
in the risky direction (a small order, a low refund rate, an early payout say nothing).

* **amount**: the robust z-score ``(amount - median) / (1.4826 x MAD)`` of the shop's order
  amounts; no points up to ``AMOUNT_Z[0]``, the cap from ``AMOUNT_Z[1]``, linear between. A
  shop whose amounts are all alike (MAD 0) is measured against ``AMOUNT_SCALE_FLOOR`` of its
  median instead. Fewer than ``MIN_ORDERS`` orders in the history: not judged.
* **refund**: the refund rate (refunds / sales) against the shop's daily rates:
  ``(rate - mean) / max(std, REFUND_STD_FLOOR)``, points from ``REFUND_Z[0]``, the cap from
  ``REFUND_Z[1]``. Fewer than ``MIN_DAYS`` days of history: judged against ``REFUND_PRIOR``.
* **duplicates**: ``DUPLICATE_POINTS`` per duplicate-looking payment (same amount and same
  order reference or payer within minutes), up to the cap. Needs no history.
* **payout_delay**: hours between the settlement and the bank credit against the channel's
  usual delays: no points up to their 90th percentile, the cap at ``max(p90 - median,
  DELAY_SCALE_FLOOR)`` hours past it. No history of the channel: not judged.

Pure and deterministic: the same features and history give the same score and reasons. The
reasons are ``(code, params, points)``; ``reason_text`` puts them in words (``REASON_TEXTS``,
English; the addon has the same codes marked for translation).
"""

from dataclasses import dataclass

#: the most points a feature gives: two strong signals, or two duplicates, make a high score
CAPS = {"amount": 50, "refund": 50, "duplicates": 60, "payout_delay": 40}
#: points per duplicate-looking payment
DUPLICATE_POINTS = 30
#: robust z-scores of the amount: (no points up to, full points from)
AMOUNT_Z = (3.0, 8.0)
#: a shop's amounts all alike: deviations measured against this share of its median
AMOUNT_SCALE_FLOOR = 0.05
#: z-scores of the refund rate: (no points up to, full points from)
REFUND_Z = (2.0, 6.0)
#: the smallest standard deviation of a shop's daily refund rate (a shop with no refunds yet)
REFUND_STD_FLOOR = 0.02
#: the usual refund rate (mean, std) of a shop without enough history
REFUND_PRIOR = (0.05, 0.05)
#: hours past the channel's 90th percentile for full points, at least
DELAY_SCALE_FLOOR = 24.0
#: the history needed to judge a shop's amounts (orders) and refund rate (days)
MIN_ORDERS = 10
MIN_DAYS = 7
#: the lower bound of each level, highest first
LEVELS = (("high", 70), ("medium", 40), ("low", 0))
#: the score from which an alert is raised, unless configured otherwise
DEFAULT_ALERT_THRESHOLD = 70
#: MAD to standard deviation of a normal distribution
MAD_SCALE = 1.4826

#: The reasons in words (English); the addon has the same codes marked for translation.
REASON_TEXTS = {
    "amount": "amount %(amount)s is %(z)s robust deviations above the shop's median of %(median)s",
    "refund": "refund rate %(rate)s%% against the shop's usual %(usual)s%%",
    "duplicates": "%(count)s duplicate-looking payment(s): same amount and reference within minutes",
    "payout_delay": "payout %(delay)s hours after settlement against the channel's usual %(median)s "
    "(90%% within %(p90)s)",
}


@dataclass(frozen=True)
class History:
    """A shop's history: its order amounts (``orders`` of them, their median and MAD), its daily
    refund rates (``days`` of them, mean and standard deviation) and its channel's payout delays
    in hours (``payouts`` of them, median and 90th percentile). Unknown: ``None`` or 0."""

    orders: int = 0
    amount_median: float | None = None
    amount_mad: float | None = None
    days: int = 0
    refund_mean: float | None = None
    refund_std: float | None = None
    payouts: int = 0
    delay_median: float | None = None
    delay_p90: float | None = None


@dataclass(frozen=True)
class Features:
    """What is known of the entity scored; ``None``: not measured (e.g. no amount for a day)."""

    amount: float | None = None
    refund_rate: float | None = None
    duplicates: int = 0
    payout_delay: float | None = None


@dataclass(frozen=True)
class Score:
    score: int
    level: str
    reasons: tuple = ()
    #: the features measured but not judged for lack of history
    unjudged: tuple = ()

    def texts(self, texts=None):
        return [reason_text(code, params, texts) for code, params, _points in self.reasons]


def reason_text(code, params, texts=None):
    """A reason in words: ``texts`` (code -> template, e.g. translated) or ``REASON_TEXTS``."""
    template = (texts or REASON_TEXTS).get(code) or REASON_TEXTS[code]
    return template % params


def level_of(score):
    return next(name for name, low in LEVELS if score >= low)


def _ramp(value, start, full, cap):
    """0 up to ``start``, ``cap`` from ``full``, linear between."""
    if value <= start:
        return 0.0
    return cap * min(1.0, (value - start) / (full - start))


def _money(value):
    return f"{value:.2f}"


def amount_z(amount, median, mad):
    """The robust z-score of ``amount`` (see the module's docstring for a MAD of 0)."""
    scale = max(MAD_SCALE * (mad or 0.0), AMOUNT_SCALE_FLOOR * abs(median), 0.01)
    return (amount - median) / scale


def _amount(features, history):
    if features.amount is None:
        return None
    if history.orders < MIN_ORDERS or history.amount_median is None:
        return "unjudged"
    z = amount_z(features.amount, history.amount_median, history.amount_mad)
    points = _ramp(z, *AMOUNT_Z, CAPS["amount"])
    params = {"amount": _money(features.amount), "z": f"{z:.1f}", "median": _money(history.amount_median)}
    return points, params


def _refund(features, history):
    if features.refund_rate is None:
        return None
    if history.days < MIN_DAYS or history.refund_mean is None:
        mean, std = REFUND_PRIOR
    else:
        mean, std = history.refund_mean, history.refund_std or 0.0
    z = (features.refund_rate - mean) / max(std, REFUND_STD_FLOOR)
    points = _ramp(z, *REFUND_Z, CAPS["refund"])
    params = {"rate": f"{100 * features.refund_rate:.0f}", "usual": f"{100 * mean:.0f}"}
    return points, params


def _duplicates(features, _history):
    if not features.duplicates:
        return None
    points = min(CAPS["duplicates"], DUPLICATE_POINTS * features.duplicates)
    return points, {"count": features.duplicates}


def _payout_delay(features, history):
    if features.payout_delay is None:
        return None
    if not history.payouts or history.delay_median is None or history.delay_p90 is None:
        return "unjudged"
    scale = max(history.delay_p90 - history.delay_median, DELAY_SCALE_FLOOR)
    points = _ramp(features.payout_delay, history.delay_p90, history.delay_p90 + scale, CAPS["payout_delay"])
    params = {
        "delay": f"{features.payout_delay:.0f}",
        "median": f"{history.delay_median:.0f}",
        "p90": f"{history.delay_p90:.0f}",
    }
    return points, params


FEATURES = (
    ("amount", _amount),
    ("refund", _refund),
    ("duplicates", _duplicates),
    ("payout_delay", _payout_delay),
)


def score(features, history):
    """The score of ``features`` against ``history``: 0..100, its level, and the reasons that gave
    points (highest first, ties by feature order)."""
    reasons = []
    unjudged = []
    total = 0.0
    for rank, (code, judge) in enumerate(FEATURES):
        found = judge(features, history)
        if found is None:
            continue
        if found == "unjudged":
            unjudged.append(code)
            continue
        points, params = found
        points = round(points)
        if points > 0:
            reasons.append((-points, rank, (code, params, points)))
            total += points
    value = min(100, round(total))
    return Score(
        score=value,
        level=level_of(value),
        reasons=tuple(reason for _p, _r, reason in sorted(reasons, key=lambda r: r[:2])),
        unjudged=tuple(unjudged),
    )


def median(values):
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values, share):
    """The ``share`` percentile of ``values`` by linear interpolation (PostgreSQL's percentile_cont)."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def refund_stats(rates):
    """(days, mean, population standard deviation) of daily refund rates."""
    if not rates:
        return 0, None, None
    mean = sum(rates) / len(rates)
    std = (sum((rate - mean) ** 2 for rate in rates) / len(rates)) ** 0.5
    return len(rates), mean, std
