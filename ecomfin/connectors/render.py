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


def merge_orders_pages(pages):
    """Consecutive pages of an orders stream as one canonical orders file (one import instead of
    one per page): ``(content, rows)``.

    An order may come on two pages (it changed while the pull paged through the window): the
    later page is the newer state, so only its lines are kept, and the lines of each order stay
    together as the parser wants them.
    """
    header = None
    orders = {}  # order_ref -> its rows (insertion order: where the order was seen last)
    for page in pages:
        reader = csv.reader(io.StringIO(page.content.decode("utf-8")))
        page_header = next(reader)
        header = header or page_header
        seen = {}
        for row in reader:
            seen.setdefault(row[0], []).append(row)
        for ref, rows in seen.items():
            orders.pop(ref, None)
            orders[ref] = rows
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header or CANONICAL_COLUMNS)
    count = 0
    for rows in orders.values():
        writer.writerows(rows)
        count += len(rows)
    return out.getvalue().encode("utf-8"), count
