# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The shop a fake server serves: N orders and their payments, the same for the same seed.

Order *i* is drawn from its own ``random.Random`` (seed and index), so a page of a 100k-order
shop is made without making the others. Orders are spread evenly over ``days`` days ending
the day before ``today``; every order is paid through the channel (one ``sale`` row), a few
are refunded (a ``refund`` row the next day), every payment carries a fee, and each day ends
with a payout of the day's net to the bank.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

#: the demo products' internal references (ecom_finance's demo data): orders of the fake
#: shop import into a demo database without placeholder products
CATALOGUE = (
    ("TEA-LJ-250", Decimal("68.00")),
    ("TEA-PE-357", Decimal("128.00")),
    ("TEA-JS-100", Decimal("45.00")),
    ("SET-CER-06", Decimal("199.00")),
    ("CUP-GL-300", Decimal("29.90")),
    ("KET-EL-01", Decimal("259.00")),
    ("TMB-SS-500", Decimal("79.00")),
    ("GIFT-MA-01", Decimal("88.00")),
)
FEE_RATE = Decimal("0.006")
CENT = Decimal("0.01")
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = "伟芳娜敏静丽强磊军洋"


class FakeShop:
    """``orders`` orders over ``days`` days ending yesterday (``today`` fixed for tests)."""

    def __init__(self, orders=100, seed=1, *, days=None, today=None, currency="CNY", prefix="F"):
        self.count = int(orders)
        self.seed = int(seed)
        self.days = int(days or max(1, min(30, self.count // 50 or 1)))
        self.today = today or date.today()
        self.first_day = self.today - timedelta(days=self.days)
        self.currency = currency
        self.prefix = prefix
        self._per_day = -(-self.count // self.days)

    # -- orders ----------------------------------------------------------
    def order(self, index):
        """Order ``index`` (0-based): a dict in the shape of ``render.orders_csv``, plus
        ``fee``, ``refunded_at`` and ``index``."""
        rng = random.Random(self.seed * 1_000_003 + index)
        day = self.first_day + timedelta(days=index // self._per_day)
        second = (index % self._per_day) * (86_000 // self._per_day) + rng.randrange(0, 60)
        placed = datetime.combine(day, time()) + timedelta(seconds=second)
        paid = placed + timedelta(seconds=rng.randrange(5, 300))
        lines = []
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            sku, price = rng.choice(CATALOGUE)
            lines.append({"sku": sku, "quantity": rng.choice((1, 1, 2)), "unit_price": price})
        total = sum(line["quantity"] * line["unit_price"] for line in lines)
        refunded = rng.random() < 0.03
        return {
            "index": index,
            "order_ref": f"{self.prefix}{self.seed}-{index + 1:07d}",
            "order_time": placed,
            "paid_time": paid,
            "status": "refunded" if refunded else rng.choice(("paid", "shipped", "completed")),
            "currency": self.currency,
            "amount_paid": total,
            "refund_amount": total if refunded else Decimal("0.00"),
            "buyer_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "buyer_phone": f"138{rng.randrange(10**8):08d}",
            "address": f"上海市浦东新区张江路{rng.randrange(1, 999)}号",
            "lines": lines,
            "fee": (total * FEE_RATE).quantize(CENT),
            "refunded_at": paid + timedelta(days=1) if refunded else None,
        }

    def orders(self, start=0, stop=None):
        for index in range(start, min(self.count, self.count if stop is None else stop)):
            yield self.order(index)

    def day_range(self, day):
        """The indexes of the orders placed on ``day``."""
        offset = (day - self.first_day).days
        if offset < 0 or offset >= self.days:
            return range(0)
        return range(offset * self._per_day, min(self.count, (offset + 1) * self._per_day))

    # -- the channel's bill ------------------------------------------------
    def bill_rows(self, day):
        """The channel's balance movements of ``day``: dicts with ``id``, ``time``, ``type``
        (sale, refund, payout), ``order_ref``, ``gross``, ``fee``, ``net``, ``currency``."""
        rows = []
        for order in self.orders(*_bounds(self.day_range(day))):
            rows.append(_movement(order, "sale", order["paid_time"], order["amount_paid"], order["fee"]))
        for order in self.orders(*_bounds(self.day_range(day - timedelta(days=1)))):
            if order["refunded_at"] is not None:
                rows.append(
                    _movement(order, "refund", order["refunded_at"], -order["refund_amount"], Decimal("0"))
                )
        net = sum((row["net"] for row in rows), Decimal("0"))
        if rows and net:
            rows.append(
                {
                    "id": f"PO{self.seed}-{day:%Y%m%d}",
                    "time": datetime.combine(day, time(23, 30)),
                    "type": "payout",
                    "order_ref": "",
                    "gross": -net,
                    "fee": Decimal("0.00"),
                    "net": -net,
                    "currency": self.currency,
                }
            )
        return rows


def _bounds(indexes):
    return (indexes.start, indexes.stop) if indexes else (0, 0)


def _movement(order, kind, when, gross, fee):
    return {
        "id": f"{kind[0].upper()}{order['order_ref']}",
        "time": when,
        "type": kind,
        "order_ref": order["order_ref"],
        "gross": gross,
        "fee": fee,
        "net": gross - fee,
        "currency": order["currency"],
    }
