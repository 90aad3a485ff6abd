# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Orders read from an API, written as the canonical orders CSV the orders parser reads.

An API gives orders as JSON; the import pipeline reads files. Rendering the API's orders into
the canonical layout (``ecomfin.parsers.orders``, profile ``canonical``) makes a pulled page go
through the very parser, checks and loader of an uploaded export.
"""

import csv
import io

from ..parsers.orders import CANONICAL_COLUMNS

#: the parser options of a rendered page: the canonical layout, products only (profile ``api``)
ORDER_OPTIONS = {"order_profile": "api"}


def orders_csv(orders):
    """The canonical orders CSV (UTF-8 bytes) of ``orders``.

    ``orders``: dicts with the order fields of ``CANONICAL_COLUMNS`` (``order_ref``,
    ``order_time``, ``paid_time``, ``status``, ``currency``, ``amount_paid``, ``refund_amount``,
    ``buyer_name``, ``buyer_phone``, ``address``; times as ``YYYY-MM-DD HH:MM:SS`` UTC or ISO
    with an offset) and ``lines``: dicts with ``sku``, ``quantity``, ``unit_price``.
    Returns ``(content, rows)``. A line without a SKU (the shipping, taxes or discounts some
    APIs give as lines) is no product: it is left out, its amount stays in ``amount_paid``.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CANONICAL_COLUMNS)
    rows = 0
    for order in orders:
        for line in order["lines"]:
            if not line.get("sku"):
                continue
            merged = {**order, **line}
            writer.writerow(
                ["" if merged.get(column) is None else merged[column] for column in CANONICAL_COLUMNS]
            )
            rows += 1
    return out.getvalue().encode("utf-8"), rows
