# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date
from decimal import Decimal

from ecomfin.canonical import canonical_fixed, dumps, fixed_hash
from ecomfin.hashchain import canonical

# Written and hashed by ecom_audit.approval before the encoding moved to the core: the hashes of
# the approval requests stored since must still verify.
VALUE = {
    "b": [10.0, 10, Decimal("1.23456789"), (1, 2.5)],
    "a": "中",
    3: {"x": None, "y": True},
    "d": date(2024, 4, 1),
    "f": 0.1 + 0.2,
    "n": -0.0,
}
TEXT = (
    '{"3":{"x":null,"y":true},"a":"中","b":["10.000000",10,"1.234568",[1,"2.500000"]],'
    '"d":"2024-04-01","f":"0.300000","n":"-0.000000"}'
)
MANUAL_ENTRY = {"move": 7, "lines": [["400000", 5, 0, 100.0, 0.0, -12.5, "CNY", "x", [], [], 0, []]]}


def test_fixed_decimals_keep_the_stored_approval_hashes():
    assert canonical_fixed(VALUE) == TEXT
    assert fixed_hash(VALUE) == "v1$b934985e3da35cf33cb289732899cc6d35c3195622d649f41ce4657aaf94225a"
    assert fixed_hash(MANUAL_ENTRY) == "v1$762daddebf9694b07e404d6e163e716f557ff9f4a9383e3b120a3ae01bf7338f"


def test_fixed_decimals_do_not_depend_on_key_order_or_float_noise():
    assert canonical_fixed({"b": 1.0000000001, "a": [Decimal("2")]}) == canonical_fixed(
        {"a": [2.0], "b": 1.0}
    )


def test_the_two_encodings_share_their_json_options_not_their_numbers():
    assert dumps({"b": 1, "a": "中"}) == canonical({"b": 1, "a": "中"}) == '{"a":"中","b":1}'
    assert canonical({"a": 10.0}) == '{"a":10.0}'
    assert canonical_fixed({"a": 10.0}) == '{"a":"10.000000"}'
