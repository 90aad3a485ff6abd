# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Suggested matches: precision and recall on planted fuzzy pairs, before and after learning,
and the time to score 100k open differences.

    python3 bench/bench_suggest.py [--pairs 2000] [--score 100000] [--seed 7]

Scenarios (generated, seeded): orders of two shops whose channel payment the rules could not
pair, because

- ``memo_lost``: the payment's memo lost the order number (same amount, minutes later);
- ``refund_split``: a refund came back in two lines adding up to it;
- ``net_fee``: the payment came net of a fee the lines do not state (the channel's usual 0.6 %);
- ``fx``: a USD order settled in CNY one to three days later (rate within 0.5 % of the day's).

Decoys are what makes it hard, as in a real day: common price points (many orders of 99.00 in
the same hour), other open payments of the same amounts, and payments of other buyers.
Buyer fingerprints are known for half of the payments, SKU baskets for a third.

Candidates are taken as the addon's SQL takes them (same shop, amount band, time window).
A person then looks at the top five of a first batch (default weights): accepts the planted
counterpart where it is shown, rejects the others shown. The weights are fitted per shop and
channel from those decisions (``ecomfin.suggest.fit``) and a second batch, another seed, is
scored with the defaults and with the fitted weights.

- recall@k: share of the planted differences whose counterpart is among the top k;
- precision@k: among the differences with a suggestion of confidence >= 0.5 in the top k,
  the share where the counterpart is one of those.

No figure here is asserted: benchmarks report, tests assert.
"""

import argparse
import random
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import datetime, timedelta

from ecomfin.suggest import DEFAULT_MODEL, MAX_POOL, Side, decision_examples, fit, rank

T0 = datetime(2024, 3, 1)
FEE = 0.006
RATE = 7.2  # CNY per USD
PRICES = [19.9, 29.9, 39.0, 49.0, 59.0, 69.0, 79.0, 88.0, 99.0, 129.0, 159.0, 199.0, 299.0, 399.0]
SKUS = [f"SKU{i:03d}" for i in range(40)]
SCENARIOS = ("memo_lost", "refund_split", "net_fee", "fx")
CHANNELS = {"memo_lost": "alipay", "refund_split": "alipay", "net_fee": "alipay", "fx": "stripe"}
THRESHOLD = 0.5
WINDOW = timedelta(days=4)


class Day:
    """Open differences (targets) and open channel lines of a generated period."""

    def __init__(self, pairs, seed, days=7):
        self.rnd = random.Random(seed)
        self.days = days
        self.targets = []  # (scenario, target Side, truth keys)
        self.lines = defaultdict(list)  # (channel, kind) -> [Side]
        self._n = 0
        for i in range(pairs):
            getattr(self, "_" + SCENARIOS[i % len(SCENARIOS)])()
        # decoys: open payments of nobody's order, at the same price points
        for _ in range(pairs):
            channel = self.rnd.choice(("alipay", "alipay", "alipay", "stripe"))
            amount = self._price() * (RATE if channel == "stripe" else 1.0)
            self._line(channel, "sale", amount, self._moment(), buyer=self._buyer())

    def _key(self):
        self._n += 1
        return self._n

    def _price(self):
        return self.rnd.choice(PRICES) * self.rnd.choice((1, 1, 1, 2, 3))

    def _moment(self):
        return T0 + timedelta(minutes=self.rnd.randrange(self.days * 24 * 60))

    def _buyer(self):
        return f"b{self.rnd.randrange(5000)}" if self.rnd.random() < 0.5 else None

    def _basket(self):
        return frozenset(self.rnd.sample(SKUS, self.rnd.randint(1, 3)))

    def _line(self, channel, kind, amount, at, buyer=None, skus=frozenset()):
        key = self._key()
        line = Side(
            key=key,
            amount=round(amount, 2),
            currency="CNY" if channel == "stripe" else "CNY",
            at=at,
            buyer=buyer,
            skus=skus,
            channel=channel,
            line_ids=(key,),
        )
        self.lines[channel, kind].append(line)
        return line

    def _order(self, scenario, amount, currency="CNY"):
        key = self._key()
        buyer, skus = f"b{self.rnd.randrange(5000)}", self._basket()
        order = Side(
            key=key,
            amount=round(amount, 2),
            currency=currency,
            at=self._moment(),
            buyer=buyer,
            skus=skus,
            channel=CHANNELS[scenario],
            order_ids=(key,),
        )
        return order

    def _known(self, order):
        """What the payment says of its buyer and basket: sometimes nothing."""
        buyer = order.buyer if self.rnd.random() < 0.5 else None
        skus = order.skus if self.rnd.random() < 0.33 else frozenset()
        return buyer, skus

    def _memo_lost(self):
        order = self._order("memo_lost", self._price())
        buyer, skus = self._known(order)
        at = order.at + timedelta(minutes=self.rnd.randint(0, 30))
        line = self._line("alipay", "sale", order.amount, at, buyer, skus)
        self.targets.append(("memo_lost", "sale", order, (line.key,)))

    def _refund_split(self):
        order = self._order("refund_split", self._price())
        # the platform's refund, days after the order: that is the difference's side
        refunded = order.at + timedelta(hours=self.rnd.randint(24, 120))
        target = Side(
            key=order.key,
            amount=order.amount,
            currency=order.currency,
            at=refunded,
            buyer=order.buyer,
            skus=order.skus,
            channel=order.channel,
            order_ids=order.order_ids,
        )
        first = round(order.amount * self.rnd.uniform(0.2, 0.8), 2)
        buyer, skus = self._known(order)
        at = refunded + timedelta(minutes=self.rnd.randint(0, 120))
        one = self._line("alipay", "refund", first, at, buyer, skus)
        two = self._line(
            "alipay",
            "refund",
            order.amount - first,
            at + timedelta(minutes=self.rnd.randint(0, 180)),
            buyer,
            skus,
        )
        # a lone refund of another order nearby, of the same amount as one piece
        self._line("alipay", "refund", first, at + timedelta(hours=self.rnd.randint(-5, 5)), self._buyer())
        self.targets.append(("refund_split", "refund", target, tuple(sorted((one.key, two.key)))))

    def _net_fee(self):
        order = self._order("net_fee", self._price())
        buyer, skus = self._known(order)
        at = order.at + timedelta(minutes=self.rnd.randint(0, 240))
        line = self._line("alipay", "sale", order.amount * (1 - FEE), at, buyer, skus)
        self.targets.append(("net_fee", "sale", order, (line.key,)))

    def _fx(self):
        order = self._order("fx", self._price(), currency="USD")
        buyer, skus = self._known(order)
        at = order.at + timedelta(days=self.rnd.uniform(1, 3))
        amount = order.amount * RATE * (1 + self.rnd.uniform(-0.005, 0.005))
        line = self._line("stripe", "sale", amount, at, buyer, skus)
        self.targets.append(("fx", "sale", order, (line.key,)))

    def pools(self):
        """The candidates of each target as the SQL takes them: same channel and kind, in the
        window [-1 h, +4 days], amount at most 2 % above the target (converted), and for a sale
        at least 2 % under it net of the fee; the ``MAX_POOL`` nearest in time (its LIMIT)."""
        by_time, by_amount = {}, defaultdict(list)
        for key, lines in self.lines.items():
            by_time[key] = sorted(lines, key=lambda line: line.at)
            for line in by_time[key]:
                by_amount[(*key, int(line.amount))].append(line)
        times = {key: [line.at for line in lines] for key, lines in by_time.items()}
        amount_times = {key: [line.at for line in lines] for key, lines in by_amount.items()}
        out = []
        for scenario, kind, target, truth in self.targets:
            rate = RATE if target.currency == "USD" else 1.0
            wanted = target.amount * rate
            high = wanted * 1.02
            low = 0.0 if kind == "refund" else wanted * (1 - FEE) * 0.98
            start, stop = target.at - timedelta(hours=1), target.at + WINDOW
            if kind == "refund":
                lists = [(by_time[target.channel, kind], times[target.channel, kind])]
            else:
                keys = [(target.channel, kind, whole) for whole in range(int(low), int(high) + 1)]
                lists = [(by_amount[key], amount_times[key]) for key in keys if key in by_amount]
            pool = []
            for lines, at in lists:
                first, last = bisect_left(at, start), bisect_right(at, stop)
                pool += [line for line in lines[first:last] if low <= line.amount <= high and line.amount > 0]
            # the SQL's LIMIT: the nearest in time
            pool.sort(key=lambda line, t=target.at: (abs((line.at - t).total_seconds()), line.key))
            out.append((scenario, target, truth, pool[:MAX_POOL]))
        return out


def evaluate(pools, models, top=3):
    """{scenario and 'all': (recall@1, recall@3, precision@1, precision@3)}."""
    counts = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for scenario, target, truth, pool in pools:
        model = models.get(target.channel, DEFAULT_MODEL)
        found = rank(target, pool, model, fee_rate=FEE, rates={("CNY", "USD"): 1 / RATE}, top=top)
        hit = [s.keys == truth for s in found]
        confident = [s.confidence >= THRESHOLD for s in found]
        for name in (scenario, "all"):
            c = counts[name]
            c[0] += 1
            c[1] += bool(hit[:1] and hit[0])
            c[2] += any(hit[:3])
            if confident[:1] and confident[0]:
                c[3] += 1
                c[4] += hit[0]
            c[5] += any(h and k for h, k in zip(hit, confident, strict=True))
    out = {}
    for name, (n, top1, top3, offered1, right1, right3) in counts.items():
        offered3 = offered1  # a confident top-3 has a confident first
        out[name] = (
            top1 / n,
            top3 / n,
            right1 / offered1 if offered1 else 0.0,
            right3 / offered3 if offered3 else 0.0,
            n,
        )
    return out


def baseline(pools):
    """{scenario and 'all': (recall@1, recall@3)} of a fixed rule: the candidate nearest in amount
    (to the target or to it net of the fee, after conversion), then nearest in time; no pairs."""
    counts = defaultdict(lambda: [0, 0, 0])
    for scenario, target, truth, pool in pools:
        rate = 1 / RATE if target.currency == "USD" else 1.0
        wanted = target.amount

        def key(line, wanted=wanted, rate=rate, at=target.at):
            amount = line.amount * rate
            gap = min(abs(amount - wanted), abs(amount - wanted * (1 - FEE)))
            return (round(gap / wanted, 4), abs((line.at - at).total_seconds()), line.key)

        found = [(line.key,) for line in sorted(pool, key=key)[:3]]
        for name in (scenario, "all"):
            c = counts[name]
            c[0] += 1
            c[1] += bool(found[:1] == [truth])
            c[2] += truth in found
    return {name: (top1 / n, top3 / n) for name, (n, top1, top3) in counts.items()}


def decide(pools, shown=5):
    """The decisions of a person on the first batch: per channel, training examples."""
    examples = defaultdict(list)
    for _scenario, target, truth, pool in pools:
        found = rank(target, pool, fee_rate=FEE, rates={("CNY", "USD"): 1 / RATE}, top=shown)
        if not found:
            continue
        features = [s.features for s in found]
        accepted = next((i for i, s in enumerate(found) if s.keys == truth), None)
        rejected = [i for i in range(len(found)) if i != accepted]
        examples[target.channel] += decision_examples(features, accepted, rejected)
    return examples


def print_table(title, before, after):
    print(f"\n{title}")
    print(f"{'scenario':<14}{'n':>6}   {'R@1':>13} {'R@3':>13} {'P@1':>13} {'P@3':>13}")
    for name in (*SCENARIOS, "all"):
        b, a = before[name], after[name]
        cells = " ".join(f"{b[i]:>5.1%}->{a[i]:>6.1%}" for i in range(4))
        print(f"{name:<14}{b[4]:>6}   {cells}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2000, help="planted pairs per batch")
    parser.add_argument("--score", type=int, default=100_000, help="open differences to time")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    first = Day(args.pairs, args.seed).pools()
    second = Day(args.pairs, args.seed + 1).pools()
    started = time.perf_counter()
    examples = decide(first)
    models = {channel: fit(rows) for channel, rows in sorted(examples.items())}
    fitted = time.perf_counter() - started
    for channel, model in models.items():
        weights = ", ".join(f"{k}={v:+.2f}" for k, v in model.weights.items())
        print(f"{channel}: {len(examples[channel])} examples -> {model.version}: {weights}")
    print(f"decisions and fit: {fitted:.2f} s (default model {DEFAULT_MODEL.version})")
    print_table(
        "second batch, default weights -> fitted weights", evaluate(second, {}), evaluate(second, models)
    )
    rule = baseline(second)
    print("\nsecond batch, baseline rule (nearest amount, then nearest time; no pairs, no learning)")
    for name in (*SCENARIOS, "all"):
        print(f"{name:<14}R@1 {rule[name][0]:>6.1%}  R@3 {rule[name][1]:>6.1%}")

    if args.score:
        day = Day(args.score, args.seed + 2, days=30)
        pools = day.pools()
        sizes = sorted(len(pool) for *_rest, pool in pools)
        started = time.perf_counter()
        scored = 0
        for _scenario, target, _truth, pool in pools:
            scored += len(
                rank(target, pool, models.get(target.channel, DEFAULT_MODEL), FEE, {("CNY", "USD"): 1 / RATE})
            )
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        baseline(pools)
        rule_elapsed = time.perf_counter() - started
        print(
            f"\nscored {len(pools)} open differences ({sum(sizes)} candidate lines, median "
            f"{sizes[len(sizes) // 2]}, max {sizes[-1]} per difference; {scored} suggestions kept) "
            f"in {elapsed:.2f} s: {len(pools) / elapsed:,.0f} differences/s; the baseline rule "
            f"(sorting the same candidates) in {rule_elapsed:.2f} s"
        )


if __name__ == "__main__":
    main()
