# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from ecomfin.errors import InputError
from ecomfin.statement import OrderLine, StatementLine


def make_line(**changes):
    fields = {
        "provider_txn_id": None,
        "order_ref": "T1",
        "merchant_order_ref": None,
        "counterparty": "buyer",
        "line_type": "sale",
        "gross": Decimal("10.00"),
        "fee": Decimal("0.06"),
        "net": Decimal("9.94"),
        "currency": "CNY",
        "occurred_at": datetime(2024, 3, 1, 2, 0, tzinfo=timezone.utc),
        "payout_ref": None,
        "memo": "m",
        "raw": {"a": "1"},
        "line_no": 5,
    }
    fields.update(changes)
    return StatementLine(**fields)


def test_fingerprint_is_stable_and_ignores_location_and_trailing_zeros():
    first = make_line()
    again = make_line(line_no=99, raw={"other": "x"}, gross=Decimal("10.0"), net=Decimal("9.940"))
    assert first.fingerprint() == again.fingerprint()
    assert len(first.fingerprint()) == 64
    assert first.fingerprint() != make_line(gross=Decimal(11), net=Decimal("10.94")).fingerprint()
    assert first.fingerprint() != first.fingerprint(occurrence=1)


def test_fingerprint_normalises_time_zone():
    from zoneinfo import ZoneInfo

    local = datetime(2024, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert make_line(occurred_at=local).fingerprint() == make_line().fingerprint()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"line_type": "gift"}, "unknown line type"),
        ({"net": Decimal("10.00")}, "is not gross"),
        ({"currency": "cny"}, "ISO 4217"),
        ({"occurred_at": datetime(2024, 3, 1)}, "timezone-aware"),
        ({"gross": 10.0}, "Decimal"),
    ],
)
def test_line_invariants(changes, message):
    with pytest.raises(InputError, match=message):
        make_line(**changes)


def test_line_is_frozen():
    line = make_line()
    with pytest.raises(AttributeError):
        line.gross = Decimal(1)


def test_order_line_computes_line_amount_and_checks_status():
    line = OrderLine(
        order_ref="T1",
        order_time=datetime(2024, 3, 1, tzinfo=timezone.utc),
        paid_time=None,
        status="paid",
        currency="CNY",
        amount_paid=Decimal(100),
        refund_amount=Decimal(0),
        sku="A",
        quantity=2,
        unit_price=Decimal("50.00"),
    )
    assert line.line_amount == Decimal("100.00")
    with pytest.raises(InputError, match="unknown order status"):
        OrderLine(
            **{
                **{
                    f: getattr(line, f)
                    for f in (
                        "order_ref",
                        "order_time",
                        "paid_time",
                        "currency",
                        "amount_paid",
                        "refund_amount",
                        "sku",
                        "quantity",
                        "unit_price",
                    )
                },
                "status": "lost",
            }
        )
