# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Fixtures of the RFID tests: tagged products (SGTIN-96 EPCs of their EAN-13), stock on a shelf."""

from datetime import datetime, timedelta

from ecomfin.devices.epc import encode_sgtin96

from .common import make_device_fixtures

TEA_EAN = "6901234567892"
COFFEE_EAN = "6901234567809"
# a GTIN no product carries
STRANGER_GTIN = "06909999999996"
BURST_AT = datetime(2026, 12, 7, 9, 0, 0)


def epc(gtin, serial):
    """The SGTIN-96 EPC of ``serial`` of ``gtin`` (company prefix 6901234, 7 digits)."""
    return encode_sgtin96(gtin, serial, 7)


def make_rfid_fixtures(cls):
    """``make_device_fixtures`` plus ``tea`` (the fixtures' product, cost 10) and ``coffee``
    (cost 25), 5 teas and 2 coffees on hand at ``shelf`` (device A's location)."""
    make_device_fixtures(cls)
    env = cls.env
    cls.tea = cls.product
    cls.tea.with_company(cls.company).standard_price = 10.0
    cls.coffee = env["product.product"].create(
        {"name": "Device Test Coffee", "barcode": COFFEE_EAN, "is_storable": True, "standard_price": 25.0}
    )
    cls.shelf = cls.device_a.location_id
    Quant = env["stock.quant"]
    Quant._update_available_quantity(cls.tea, cls.shelf, 5)
    Quant._update_available_quantity(cls.coffee, cls.shelf, 2)


def burst(start=BURST_AT, prefix="burst"):
    """An RFID burst of the shelf: teas 1..7, each tag read 3 times; coffee 1, read twice; a
    stranger's tag, read twice: ``(uid, kind, code, scanned_at)`` as the endpoint stores them."""
    codes = [epc(TEA_EAN, serial) for serial in range(1, 8) for _ in range(3)]
    codes += [epc(COFFEE_EAN, 1)] * 2 + [epc(STRANGER_GTIN, 77)] * 2
    return [
        (f"{prefix}-{index}", "epc", code, start + timedelta(milliseconds=100 * index))
        for index, code in enumerate(codes)
    ]
