# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from decimal import Decimal

import pytest
from conftest import fixture_bytes, raises_input_error
from generate import ORDERS_CANONICAL

from ecomfin.parsers import detect_format, parse
from ecomfin.parsers.orders import PROFILES


def test_canonical_orders_grouped():
    data = fixture_bytes("orders_canonical.csv")
    assert detect_format("o.csv", data) == "orders_csv"
    result = parse(data, "o.csv")
    orders = list(result.orders())
    assert [o.order_ref for o in orders] == ["T1001", "T1002"]
    first = orders[0]
    assert (first.status, first.amount_paid, first.lines_total, first.currency) == (
        "paid",
        Decimal("130.00"),
        Decimal("130.00"),
        "CNY",
    )
    assert [(line.sku, line.quantity, line.unit_price) for line in first.lines] == [
        ("SKU-A", 2, Decimal("50.00")),
        ("SKU-B", 1, Decimal("30.00")),
    ]
    assert first.lines[1].line_no == 3
    assert orders[1].address == "北京市朝阳区YY街2号, 3单元"
    assert orders[1].status == "refunded"


def test_iterating_gives_order_lines():
    assert len(list(parse(fixture_bytes("orders_canonical.csv"), "o.csv"))) == 3


def test_tmall_profile_gbk():
    result = parse(fixture_bytes("orders_tmall.csv"), "tmall.csv", "orders_csv", profile="tmall")
    orders = {o.order_ref: o for o in result.orders()}
    assert set(orders) == {"3321001", "3321002", "3321003"}  # the unpaid 3321004 is skipped
    assert result.skipped_rows == 1
    assert orders["3321001"].status == "completed"
    assert orders["3321001"].order_time.isoformat() == "2024-03-01T10:00:00+08:00"
    assert orders["3321002"].status == "paid"
    assert (orders["3321003"].status, orders["3321003"].refund_amount) == (
        "partially_refunded",
        Decimal("20.00"),
    )


def test_shopify_profile_inherits_blank_order_fields():
    orders = list(
        parse(fixture_bytes("orders_shopify.csv"), "s.csv", "orders_csv", profile="shopify").orders()
    )
    first = orders[0]
    assert (first.order_ref, first.currency, first.amount_paid, len(first.lines)) == (
        "#1001",
        "USD",
        Decimal("100.00"),
        2,
    )
    assert first.lines[1].line_amount == Decimal("50.00")
    assert first.address == "1 Main St Springfield 12345 IL US"
    assert orders[1].status == "partially_refunded"


def test_amazon_profile_sums_line_amounts():
    orders = list(parse(fixture_bytes("orders_amazon.txt"), "a.txt", "orders_csv", profile="amazon").orders())
    assert (orders[0].amount_paid, orders[0].status) == (Decimal("112.00"), "shipped")
    assert orders[0].lines[0].unit_price == Decimal("50.0000")
    assert orders[1].status == "cancelled"


@pytest.mark.parametrize("name", ["jd", "pinduoduo", "douyin"])
def test_chinese_platform_profiles_read_their_columns(name):
    profile = PROFILES[name]
    values = {
        "order_ref": "P1", "order_time": "2024-03-01 10:00:00", "paid_time": "2024-03-01 10:00:00",
        "status": next(k for k, v in profile["status_map"].items() if v == "paid"), "amount_paid": "20.00",
        "sku": "S1", "quantity": "2", "unit_price": "10.00", "line_amount": "20.00", "buyer_name": "王五",
        "buyer_phone": "13700000000", "address": "广州",
    }  # fmt: skip
    header, row = [], []
    for field, source in profile["columns"].items():
        for column in source if isinstance(source, tuple) else (source,):
            if column not in header:
                header.append(column)
                row.append(values[field])
    data = (",".join(header) + "\n" + ",".join(row) + "\n").encode("gbk")
    (order,) = list(parse(data, f"{name}.csv", "orders_csv", profile=name).orders())
    assert (order.order_ref, order.status, order.amount_paid, order.lines[0].quantity) == (
        "P1",
        "paid",
        Decimal("20.00"),
        2,
    )


def test_inconsistent_order_fields():
    data = ORDERS_CANONICAL.replace("paid,CNY,130.00,0.00,SKU-B", "paid,CNY,131.00,0.00,SKU-B").encode()
    error = raises_input_error(parse, data, "o.csv")
    assert (error.filename, error.line, error.column, error.value) == ("o.csv", 3, "amount_paid", "131.00")


def test_quantity_must_be_positive_integer():
    error = raises_input_error(parse, ORDERS_CANONICAL.replace("SKU-B,1,", "SKU-B,1.5,").encode(), "o.csv")
    assert (error.line, error.column, error.value) == (3, "quantity", "1.5")
    error = raises_input_error(parse, ORDERS_CANONICAL.replace("SKU-B,1,", "SKU-B,0,").encode(), "o.csv")
    assert (error.line, error.column, error.value) == (3, "quantity", "0")


def test_lines_must_add_up_to_amount_paid():
    data = ORDERS_CANONICAL.replace("SKU-B,1,30.00", "SKU-B,1,30.02").encode()
    error = raises_input_error(parse, data, "o.csv")
    assert (error.line, error.column, error.value) == (2, "amount_paid", "130.00")
    within = ORDERS_CANONICAL.replace("SKU-B,1,30.00", "SKU-B,1,30.01").encode()
    assert len(parse(within, "o.csv").read_all()) == 2


def test_unknown_status_bad_date_and_split_order():
    error = raises_input_error(parse, ORDERS_CANONICAL.replace(",refunded,", ",returned,").encode(), "o.csv")
    assert (error.line, error.column, error.value) == (4, "status", "returned")
    error = raises_input_error(
        parse, ORDERS_CANONICAL.replace("2024-03-01 11:00:00,", "01/03/2024,").encode(), "o.csv"
    )
    assert (error.line, error.column, error.value) == (4, "order_time", "01/03/2024")
    head, a, b, c = ORDERS_CANONICAL.strip().split("\n")
    lenient = dict(PROFILES["canonical"], check_total=False)
    error = raises_input_error(
        parse, f"{head}\n{a}\n{c}\n{b}".encode(), "o.csv", "orders_csv", profile=lenient
    )
    assert (error.line, error.value) == (4, "T1001") and "not adjacent" in error.message


def test_canonical_columns_strict():
    error = raises_input_error(
        parse, ORDERS_CANONICAL.replace(",address\n", ",address,gift\n", 1).encode(), "o.csv"
    )
    assert (error.line, error.column) == (1, "gift")
    error = raises_input_error(
        parse, ORDERS_CANONICAL.replace("sku,quantity", "quantity", 1).encode(), "o.csv", "orders_csv"
    )
    assert error.line == 1 and error.column == "sku"


# The layouts the seller centres export (tests/fixtures/generate.py: ORDERS_JD, _PINDUODUO, _DOUYIN).
REAL_LAYOUTS = {
    "jd": (
        "orders_jd.csv",
        [
            ("283456789012", "completed", Decimal("108.00"), [("100012345601", 2), ("100012345602", 1)]),
            ("283456789013", "paid", Decimal("89.00"), [("100012345603", 1)]),
            ("283456789014", "cancelled", Decimal("49.00"), [("100012345601", 1)]),
        ],
    ),
    "pinduoduo": (
        "orders_pinduoduo.csv",
        [
            ("240301-000000000000001", "completed", Decimal("26.90"), [("TISSUE-10", 1)]),
            ("240301-000000000000002", "paid", Decimal("39.80"), [("WIPES-80", 2)]),
            ("240302-000000000000003", "shipped", Decimal("26.90"), [("TISSUE-10", 1)]),
            ("240302-000000000000004", "refunded", Decimal("19.90"), [("WIPES-80", 1)]),
        ],
    ),
    "douyin": (
        "orders_douyin.csv",
        [
            ("6920000000000000001", "completed", Decimal("79.00"), [("CREAM-50", 1), ("PAD-100", 2)]),
            ("6920000000000000004", "shipped", Decimal("54.00"), [("CREAM-50", 1)]),
            ("6920000000000000005", "cancelled", Decimal("10.00"), [("PAD-100", 1)]),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(REAL_LAYOUTS))
def test_the_real_export_layouts_are_read_whole(name):
    filename, expected = REAL_LAYOUTS[name]
    parsed = parse(fixture_bytes(filename), filename, "orders_csv", profile=name)
    orders = parsed.read_all()
    facts = [
        (o.order_ref, o.status, o.amount_paid, [(line.sku, line.quantity) for line in o.lines])
        for o in orders
    ]
    assert facts == expected
    assert parsed.skipped_rows == (0 if name == "pinduoduo" else 1)  # the unpaid order
    # every column of the real layout is read or known: nothing to report
    assert (parsed.ignored_columns, parsed.warnings) == ([], [])
    assert all(order.paid_time and order.paid_time.utcoffset() for order in orders)


def test_douyin_dashes_are_empty_cells_and_its_unit_price_is_read():
    orders = parse(fixture_bytes("orders_douyin.csv"), "d.csv", "orders_csv", profile="douyin").read_all()
    first, shipped = orders[0], orders[1]
    assert first.address == "广东省 广州市 天河区 ZZ路3号"  # 街道 "-" left out
    assert shipped.address == "北京市 北京市 朝阳区 建国门街道 YY街2号"
    assert [line.unit_price for line in first.lines] == [Decimal("59.00"), Decimal("10.00")]
    # an older report that still calls the column 商品单价
    older = fixture_bytes("orders_douyin.csv").replace("商品金额".encode(), "商品单价".encode(), 1)
    assert parse(older, "d.csv", "orders_csv", profile="douyin").read_all() == orders


def test_columns_not_understood_are_named_in_a_warning_not_an_error():
    data = fixture_bytes("orders_jd.csv").decode("gbk")
    header, rest = data.split("\r\n", 1)
    renamed = header.replace("商品名称", "商品标题").replace(",仓库名称", ",仓库名称,京东物流单号")
    rows = [row + "," if row else row for row in rest.split("\r\n")]
    parsed = parse((renamed + "\r\n" + "\r\n".join(rows)).encode("gbk"), "jd.csv", "orders_csv", profile="jd")
    assert len(parsed.read_all()) == 3
    assert parsed.ignored_columns == ["商品标题", "京东物流单号"]
    (warning,) = parsed.warnings
    assert warning.code == "columns_not_understood"
    assert str(warning) == "column(s) not understood, ignored: 商品标题, 京东物流单号"


@pytest.mark.parametrize(
    ("name", "profile"),
    [
        ("orders_canonical.csv", "canonical"),
        ("orders_tmall.csv", "tmall"),
        ("orders_shopify.csv", "shopify"),
        ("orders_amazon.txt", "amazon"),
    ],
)
def test_every_fixture_column_is_read_or_known(name, profile):
    parsed = parse(fixture_bytes(name), name, "orders_csv", profile=profile)
    parsed.read_all()
    assert (parsed.ignored_columns, parsed.warnings) == ([], [])
