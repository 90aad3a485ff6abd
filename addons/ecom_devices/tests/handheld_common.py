# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Fixtures of the handheld tests: a purchase receipt of warehouse A waiting to be scanned."""

from odoo import Command

from .common import make_device_fixtures

OTHER_BARCODE = "6901234567885"
DOCK_BARCODE = "DTA-DOCK-01"


def make_handheld_fixtures(cls):
    """``make_device_fixtures`` and: ``other_product`` (not in the receipt), ``receipt`` (3 of
    ``product`` into warehouse A, confirmed), ``dock`` (a location of warehouse A outside its stock)."""
    make_device_fixtures(cls)
    env = cls.env
    cls.other_product = env["product.product"].create(
        {"name": "Device Test Coffee", "barcode": OTHER_BARCODE, "is_storable": True}
    )
    cls.dock = env["stock.location"].create(
        {
            "name": "Dock",
            "location_id": cls.warehouse_a.view_location_id.id,
            "usage": "internal",
            "barcode": DOCK_BARCODE,
        }
    )
    cls.vendor = env["res.partner"].create({"name": "Device Test Tea Farm"})
    cls.receipt = make_receipt(env, cls.warehouse_a, cls.product, 3, cls.vendor)


def make_receipt(env, warehouse, product, quantity, partner):
    picking_type = warehouse.in_type_id
    receipt = env["stock.picking"].create(
        {
            "picking_type_id": picking_type.id,
            "partner_id": partner.id,
            "location_id": env.ref("stock.stock_location_suppliers").id,
            "location_dest_id": warehouse.lot_stock_id.id,
            "move_ids": [
                Command.create(
                    {
                        "name": product.name,
                        "product_id": product.id,
                        "product_uom_qty": quantity,
                        "product_uom": product.uom_id.id,
                        "location_id": env.ref("stock.stock_location_suppliers").id,
                        "location_dest_id": warehouse.lot_stock_id.id,
                    }
                )
            ],
        }
    )
    receipt.action_confirm()
    return receipt


def keys_of(answer):
    """Every key of a nested answer (dicts and lists)."""
    if isinstance(answer, dict):
        return set(answer) | {key for value in answer.values() for key in keys_of(value)}
    if isinstance(answer, list | tuple):
        return {key for value in answer for key in keys_of(value)}
    return set()
