# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Fixtures of the device tests: two warehouses, their operators, a device in each, a product."""

import json

from odoo.tests import new_test_user

from odoo.addons.ecom_audit.tests.common import ROLE_GROUPS, make_role_user

ENDPOINT = "/ecom/device/events"
PRODUCT_BARCODE = "6901234567892"


def event(uid, code=PRODUCT_BARCODE, kind="barcode", at="2026-12-07T08:00:00Z"):
    return {"id": uid, "kind": kind, "code": code, "at": at}


def body(*events):
    return json.dumps({"events": list(events)})


def device_notifications(device):
    """The bus notifications sent on ``device``'s channel (its record channel)."""
    channel = json.dumps([device.env.cr.dbname, device._name, device.id], separators=(",", ":"))
    return device.env["bus.bus"].sudo().search([("channel", "=", channel)])


def make_device_fixtures(cls):
    """Set, on the test class: ``company``, ``users`` (one per ecom role, the Warehouse Operator of
    warehouse A), ``operator_b`` (of warehouse B), ``stock_manager``, ``warehouse_a`` and
    ``warehouse_b``, ``device_a`` (bound to the operator of A) and ``device_b``, ``product``."""
    env = cls.env
    cls.company = env.company
    cls.users = {
        role: make_role_user(
            env,
            role,
            cls.company,
            login=f"ecom_dev_{role}",
            extra_groups=("stock.group_stock_user",) if role == "warehouse_operator" else (),
        )
        for role in ROLE_GROUPS
    }
    cls.operator_b = make_role_user(
        env,
        "warehouse_operator",
        cls.company,
        login="ecom_dev_operator_b",
        extra_groups=("stock.group_stock_user",),
    )
    cls.stock_manager = new_test_user(
        env,
        login="ecom_dev_stock_manager",
        groups="base.group_user,stock.group_stock_manager",
        company_id=cls.company.id,
        company_ids=[cls.company.id],
    )
    Warehouse = env["stock.warehouse"]
    cls.warehouse_a = Warehouse.create({"name": "Device Test A", "code": "DTA", "company_id": cls.company.id})
    cls.warehouse_b = Warehouse.create({"name": "Device Test B", "code": "DTB", "company_id": cls.company.id})
    cls.users["warehouse_operator"].ecom_warehouse_ids = cls.warehouse_a
    cls.operator_b.ecom_warehouse_ids = cls.warehouse_b
    Device = env["ecom.device"]
    cls.device_a = Device.create(
        {
            "name": "Handheld A",
            "serial": "DT-A-01",
            "warehouse_id": cls.warehouse_a.id,
            "user_id": cls.users["warehouse_operator"].id,
        }
    )
    cls.device_b = Device.create(
        {
            "name": "RFID B",
            "serial": "DT-B-01",
            "device_type": "rfid_reader",
            "warehouse_id": cls.warehouse_b.id,
        }
    )
    cls.product = env["product.product"].create(
        {"name": "Device Test Tea", "barcode": PRODUCT_BARCODE, "is_storable": True}
    )
