# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Payout matching: what the payment channel settled against what reached the bank.

Channel lines are summed into *settlement groups* (one per provider payout id, or per
settlement day when the channel pays out daily without an id). A bank credit is then
explained by:

1. one group (1:1), by reference (the payout id appears in the bank memo) or by amount
   within the window;
2. several consecutive groups (N:1), e.g. a Monday credit paying Friday to Sunday;
3. several bank credits together (1:N), e.g. a payout split in two transfers.

What is left becomes a difference: ``missing_payout`` (a group nobody paid),
``payout_mismatch`` (a credit paired with a group by reference or date whose amount
differs beyond the tolerance), or ``timing`` (the right amount, outside the window).

Everything here is pure and deterministic: inputs are sorted before matching, so the
same inputs always give the same result.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from .differences import MISSING_PAYOUT, PAYOUT_MISMATCH, TIMING

MAX_GROUPS_PER_CREDIT = 7
MAX_CREDITS_PER_GROUP = 4


@dataclass(frozen=True)
class SettlementGroup:
    """The net the channel owes for one payout id or one settlement day."""

    key: str
    day: date
    net: Decimal
    line_ids: tuple = ()
    payout_ref: str | None = None


@dataclass(frozen=True)
class BankCredit:
    line_id: int
    day: date
    amount: Decimal
    memo: str = ""


@dataclass(frozen=True)
class Tolerance:
    absolute: Decimal = Decimal("0.00")
    percent: Decimal = Decimal("0")
    window_days: int = 3

    def accepts(self, expected, actual):
        allowed = max(self.absolute, abs(expected) * self.percent / 100)
        return abs(expected - actual) <= allowed


@dataclass
class PayoutResult:
    matches: list = field(default_factory=list)  # (cardinality, [group keys], [credit ids], residual)
    differences: list = field(default_factory=list)  # (kind, [group keys], [credit ids], expected, actual)


def local_day(moment, timezone):
    """The day, in ``timezone`` (a name or a tzinfo), of a naive UTC datetime as stored in a database."""
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()


def _in_window(group_day, credit_day, tolerance):
    return group_day <= credit_day <= group_day + timedelta(days=tolerance.window_days)


def match_payouts(groups, credits, tolerance):
    """Match settlement groups to bank credits; see the module docstring."""
    return _PayoutMatcher(groups, credits, tolerance).run()


class _PayoutMatcher:
    def __init__(self, groups, credits, tolerance):
        self.groups = sorted(groups, key=lambda g: (g.day, g.key))
        self.credits = sorted(credits, key=lambda c: (c.day, c.line_id))
        self.tolerance = tolerance
        self.open_groups = {g.key for g in self.groups if g.net}
        self.open_credits = {c.line_id for c in self.credits}
        self.result = PayoutResult()

    def run(self):
        self._by_reference()
        self._by_amount()
        self._many_groups_one_credit()
        self._one_group_many_credits()
        self._leftovers()
        return self.result

    def _take(self, cardinality, groups, credits):
        residual = sum(c.amount for c in credits) - sum(g.net for g in groups)
        self.result.matches.append(
            (cardinality, [g.key for g in groups], [c.line_id for c in credits], residual)
        )
        self.open_groups.difference_update(g.key for g in groups)
        self.open_credits.difference_update(c.line_id for c in credits)

    def _pairs(self):
        for credit in self.credits:
            for group in self.groups:
                if group.key in self.open_groups and credit.line_id in self.open_credits:
                    yield group, credit

    def _by_reference(self):
        """The payout id written in the bank memo."""
        for group, credit in self._pairs():
            if group.payout_ref and group.payout_ref in credit.memo:
                if self.tolerance.accepts(group.net, credit.amount):
                    self._take("1:1", [group], [credit])

    def _by_amount(self):
        """The right amount within the window, earliest first."""
        for group, credit in self._pairs():
            if _in_window(group.day, credit.day, self.tolerance) and self.tolerance.accepts(
                group.net, credit.amount
            ):
                self._take("1:1", [group], [credit])

    def _many_groups_one_credit(self):
        for credit in self.credits:
            if credit.line_id not in self.open_credits:
                continue
            candidates = [
                g
                for g in self.groups
                if g.key in self.open_groups and _in_window(g.day, credit.day, self.tolerance)
            ]
            found = _consecutive_sum(
                candidates, credit.amount, self.tolerance, lambda g: g.net, MAX_GROUPS_PER_CREDIT
            )
            if found:
                self._take("N:1", found, [credit])

    def _one_group_many_credits(self):
        for group in self.groups:
            if group.key not in self.open_groups:
                continue
            candidates = [
                c
                for c in self.credits
                if c.line_id in self.open_credits and _in_window(group.day, c.day, self.tolerance)
            ]
            found = _consecutive_sum(
                candidates, group.net, self.tolerance, lambda c: c.amount, MAX_CREDITS_PER_GROUP
            )
            if found:
                self._take("1:N", [group], found)

    def _leftovers(self):
        """Right amount outside the window; a credit paired with the closest group; nothing."""
        differences = self.result.differences
        tolerance = self.tolerance
        for group in self.groups:
            if group.key not in self.open_groups:
                continue
            late = next(
                (
                    c
                    for c in self.credits
                    if c.line_id in self.open_credits
                    and c.day > group.day + timedelta(days=tolerance.window_days)
                    and tolerance.accepts(group.net, c.amount)
                ),
                None,
            )
            if late:
                differences.append((TIMING, [group.key], [late.line_id], group.net, late.amount))
                self.open_groups.discard(group.key)
                self.open_credits.discard(late.line_id)
        for credit in self.credits:
            if credit.line_id not in self.open_credits:
                continue
            candidates = [
                g
                for g in self.groups
                if g.key in self.open_groups
                and (
                    (g.payout_ref and g.payout_ref in credit.memo) or _in_window(g.day, credit.day, tolerance)
                )
            ]
            if not candidates:
                continue
            group = min(
                candidates,
                key=lambda g, c=credit: (
                    not (g.payout_ref and g.payout_ref in c.memo),
                    abs(g.net - c.amount),
                    -g.day.toordinal(),
                ),
            )
            differences.append((PAYOUT_MISMATCH, [group.key], [credit.line_id], group.net, credit.amount))
            self.open_groups.discard(group.key)
            self.open_credits.discard(credit.line_id)
        for group in self.groups:
            if group.key in self.open_groups:
                differences.append((MISSING_PAYOUT, [group.key], [], group.net, Decimal(0)))
                self.open_groups.discard(group.key)


def _consecutive_sum(items, target, tolerance, value, max_items):
    """The first run of 2..max_items consecutive ``items`` whose values add up to ``target``."""
    for start in range(len(items)):
        total = Decimal(0)
        for end in range(start, min(start + max_items, len(items))):
            total += value(items[end])
            if end > start and tolerance.accepts(target, total):
                return items[start : end + 1]
    return None
