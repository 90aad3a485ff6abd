# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What the handheld screen (static/src/handheld) shows and applies: the scanned code read by the
core (``ecomfin.devices.read_of``: plain barcodes, GS1 element strings with lot, expiry and
quantity), found as a product or a location, and the answers the screen shows. No cost, price or
value ever goes into an answer: Warehouse Operators never see costs (ecom_finance COST_GROUPS)."""

from odoo.exceptions import AccessError

from ecomfin.devices.reads import read_of
from ecomfin.errors import InputError

# who may use the handheld screen: Odoo's inventory users (Warehouse Operators imply it), in the
# warehouses their record rules let them see
HANDHELD_GROUP = "stock.group_stock_user"
# the operations of the screen, by Odoo's picking type code
OPERATIONS = ("incoming", "outgoing", "internal")


def check_handheld_user(env):
    """Refuse whoever is not an inventory user (the record rules then limit the warehouses)."""
    if not env.su and not env.user.has_group(HANDHELD_GROUP):
        raise AccessError(env._("Only inventory users work with the handheld screen."))


def error(code, message):
    """An answer the screen shows as an error (message, sound, vibration); nothing was applied."""
    return {"status": "error", "error": code, "message": message}


def read_code(env, code, company):
    """``(kind, record, read)``: ``("product", product, read)``, ``("location", location, read)``,
    ``("package", package, read)`` (a GS1 SSCC (00), or the name of an existing package; the
    package is empty when the SSCC is new) or ``(None, None, read)`` when the code is unknown
    (``read`` None when it cannot be read)."""
    code = (code or "").strip()
    if not code:
        return None, None, None
    try:
        read = read_of("barcode", code)
    except InputError:
        read = None
    Product = env["product.product"]
    company_domain = [("company_id", "in", (False, company.id))]
    candidates = {code}
    if read and read.gtin:
        gtin = read.gtin
        # the GTIN-14, -13, -12 and -8 writings of the same number
        candidates |= {gtin[i:] for i in range(7) if gtin[:i] == "0" * i}
    product = Product.search([("barcode", "in", list(candidates))] + company_domain, limit=1)
    if product:
        return "product", product, read
    location = env["stock.location"].search(
        [("barcode", "=", code), ("usage", "=", "internal")] + company_domain, limit=1
    )
    if location:
        return "location", location, read
    Package = env["stock.quant.package"]
    name = read.sscc if read and read.sscc else code
    package = Package.search([("name", "=", name)] + company_domain, limit=1)
    if package or (read and read.sscc):
        return "package", package, read
    return None, None, read


def typed_quantity(env, quantity):
    """``(value, None)``: the quantity typed on the screen before the scan (it replaces the
    label's; None when nothing was typed), or ``(None, error answer)`` when it is not a number
    above 0."""
    if quantity in (None, False, ""):
        return None, None
    try:
        value = float(quantity)
    except (TypeError, ValueError):
        value = 0.0
    if not value > 0:
        return None, error(
            "bad_quantity", env._("The quantity typed must be a number above 0, not %s.", quantity)
        )
    return value, None


def scanned_quantity(read):
    """The quantity a scan stands for: AI (30)/(37) of a GS1 code, else one unit."""
    quantity = read.quantity if read and read.quantity else 1
    return float(quantity)


def scanned_lot(read, product):
    """The lot or serial number a scan names for ``product``: GS1 (10), or (21) when the product
    is tracked by serial number."""
    if not read:
        return None
    if product.tracking == "serial":
        return read.serial or read.lot
    return read.lot


def child_of(location, parent):
    """Whether ``location`` is ``parent`` or inside it."""
    return bool(location and parent) and (location.parent_path or "").startswith(parent.parent_path or "-")


def product_info(product):
    """What the screen shows of a product (no cost)."""
    return {
        "id": product.id,
        "name": product.display_name,
        "barcode": product.barcode or "",
        "tracking": product.tracking,
        "uom": product.uom_id.name,
    }
