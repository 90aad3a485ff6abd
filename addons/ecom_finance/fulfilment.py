# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Fulfilment: Odoo's sale orders and pickings following the platform's orders (plain functions).

Called by ``ecom.order._fulfil`` as the system, once the caller's right to fulfil is checked.
"""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from ecomfin.vocab import SHIPPED_STATUSES


def create_sale_orders(orders, shop):
    """Confirmed sale orders of ``orders`` of ``shop`` (already in the system's environment)."""
    if not orders:
        return
    env = orders.env
    if not shop.partner_id:
        raise UserError(
            env._(
                "Shop %s has no channel partner to sell to: set it (or use Set Up Accounting).",
                shop.display_name,
            )
        )
    pricelist = shop_pricelist(env, shop)
    vals_list = []
    for order in orders:
        warehouse = shop._warehouse_for(order.address)
        order.warehouse_id = warehouse
        vals_list.append(
            {
                "partner_id": shop.partner_id.id,
                "company_id": shop.company_id.id,
                "warehouse_id": warehouse.id,
                "pricelist_id": pricelist.id,
                "date_order": order.paid_time or order.order_time,
                "client_order_ref": order.name,
                "origin": f"{shop.code}/{order.name}",
                "order_line": [
                    Command.create(
                        {
                            "product_id": line.product_id.id,
                            "product_uom_qty": line.quantity,
                            "price_unit": line.unit_price,
                            # the platform collected the price; taxes are booked by the settlement
                            "tax_id": [Command.clear()],
                        }
                    )
                    for line in order.line_ids
                ],
            }
        )
    sale_orders = env["sale.order"].create(vals_list)
    for order, sale_order in zip(orders, sale_orders, strict=True):
        order.sale_order_id = sale_order
        for line, sale_line in zip(order.line_ids, sale_order.order_line, strict=True):
            line.sale_line_id = sale_line
    sale_orders.action_confirm()
    orders.fulfilment_state = "confirmed"


def shop_pricelist(env, shop):
    """A pricelist in the shop's currency (the sale order's currency comes from it)."""
    Pricelist = env["product.pricelist"]
    domain = [
        ("currency_id", "=", shop.currency_id.id),
        ("company_id", "in", [False, shop.company_id.id]),
    ]
    return Pricelist.search(domain, limit=1) or Pricelist.create(
        {
            "name": env._("%s platform prices", shop.code),
            "currency_id": shop.currency_id.id,
            "company_id": shop.company_id.id,
        }
    )


def follow_status(order):
    """Deliver, return or cancel the sale order of ``order`` as its status says; what was done."""
    order.ensure_one()
    sale_order = order.sale_order_id
    deliveries = sale_order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
    delivered = deliveries.filtered(lambda p: p.state == "done")
    if order.status in SHIPPED_STATUSES and order.fulfilment_state == "confirmed":
        pending = deliveries.filtered(lambda p: p.state not in ("done", "cancel"))
        shortage = stock_shortage(pending)
        validate(pending)
        order.fulfilment_state = "delivered"
        if shortage:
            order.stock_shortage = shortage
        return "deliveries"
    if order.status in ("refunded", "cancelled") and order.fulfilment_state == "delivered":
        return_deliveries(order, delivered)
        order.fulfilment_state = "returned"
        return "returns"
    if order.status in ("refunded", "cancelled") and order.fulfilment_state == "confirmed":
        sale_order._action_cancel()
        order.fulfilment_state = "cancelled"
        return "cancelled"
    return None


def stock_shortage(pickings):
    """What the ``pickings`` ship beyond what their source locations hold, one line per product
    and location (e.g. ``TEA-LJ-250: 5 shipped, 3 on hand in WH/Stock``); '' when nothing."""
    demand = {}
    for move in pickings.move_ids:
        key = (move.location_id, move.product_id)
        demand[key] = demand.get(key, 0.0) + move.product_qty
    lines = []
    for location in {location for location, _product in demand}:
        products = [product for loc, product in demand if loc == location]
        on_hand = dict(
            zip(
                products,
                pickings.env["product.product"]
                .browse([p.id for p in products])
                .with_context(location=location.id)
                .mapped("qty_available"),
                strict=True,
            )
        )
        for product in products:
            shipped, held = demand[(location, product)], on_hand[product]
            if float_compare(shipped, held, precision_rounding=product.uom_id.rounding) > 0:
                lines.append(
                    pickings.env._(
                        "%(product)s: %(shipped)s shipped, %(held)s on hand in %(location)s",
                        product=product.default_code or product.display_name,
                        shipped=shipped,
                        held=held,
                        location=location.display_name,
                    )
                )
    return "\n".join(sorted(lines))


def validate(pickings):
    """Validate pickings for their full demand, in stock or not (the platform shipped them)."""
    for picking in pickings:
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, skip_sms=True).button_validate()


def return_deliveries(order, deliveries):
    """Validated returns of the ``deliveries`` of ``order``, in full."""
    for picking in deliveries:
        wizard = (
            order.env["stock.return.picking"]
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({"picking_id": picking.id})
        )
        for line in wizard.product_return_moves:
            line.quantity = line.move_id.quantity
        wizard.product_return_moves.filtered(
            lambda line: float_is_zero(line.quantity, precision_rounding=line.uom_id.rounding)
        ).unlink()
        validate(wizard._create_return())
