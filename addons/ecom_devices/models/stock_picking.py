# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare

from .. import handheld


class StockPicking(models.Model):
    """The handheld screen's receipts, deliveries and internal transfers (static/src/handheld).

    Each method checks that the caller is an inventory user and may change the picking (the
    Warehouse Operators' rules of ecom_finance: their own warehouses only); the answers carry
    names, barcodes and quantities, never a cost or a price.
    """

    _inherit = "stock.picking"

    @api.model
    def ecom_handheld_pickings(self, operation=False):
        """The open pickings of ``operation`` (``incoming``, ``outgoing`` or ``internal``) the user
        may work on; without ``operation``, how many of each and the devices bound to the user."""
        handheld.check_handheld_user(self.env)
        open_domain = [
            ("state", "in", ("confirmed", "waiting", "assigned")),
            ("company_id", "in", self.env.companies.ids),
        ]
        if not operation:
            counts = dict(
                self._read_group(
                    open_domain + [("picking_type_code", "in", handheld.OPERATIONS)],
                    ["picking_type_code"],
                    ["__count"],
                )
            )
            # the binding is the permission (as for the device's bus channel: models/ir_websocket.py)
            devices = self.env["ecom.device"].sudo().search([("user_id", "=", self.env.uid)])
            return {
                "counts": {code: counts.get(code, 0) for code in handheld.OPERATIONS},
                "devices": [
                    {"id": d.id, "name": d.name, "location": d.location_id.display_name or ""}
                    for d in devices
                ],
            }
        if operation not in handheld.OPERATIONS:
            raise UserError(self.env._("Unknown handheld operation %s.", operation))
        pickings = self.search(open_domain + [("picking_type_code", "=", operation)], limit=80)
        return {
            "pickings": [
                {
                    "id": picking.id,
                    "name": picking.name,
                    "partner": picking.partner_id.display_name or "",
                    "origin": picking.origin or "",
                    "scheduled": picking.scheduled_date and picking.scheduled_date.isoformat() or "",
                }
                for picking in pickings
            ]
        }

    def _ecom_handheld_check(self):
        handheld.check_handheld_user(self.env)
        self.ensure_one()
        # the record rules decide which warehouses (ecom_finance: the Warehouse Operators' own)
        self.check_access("write")
        if self.picking_type_code not in handheld.OPERATIONS:
            raise AccessError(self.env._("%s is not a receipt, delivery or internal transfer.", self.name))

    def _ecom_handheld_lines(self):
        lines = []
        for move in self.move_ids.filtered(lambda m: m.state != "cancel"):
            lines.append(
                {
                    "move_id": move.id,
                    "product": handheld.product_info(move.product_id),
                    "demand": move.product_uom_qty,
                    # what was scanned: a move counts once picked (Odoo 18 fills receipts' and
                    # reserved quantities before anything is scanned)
                    "done": move.quantity if move.picked else 0.0,
                    "uom": move.product_uom.name,
                    "lots": [
                        ml.lot_id.name or ml.lot_name for ml in move.move_line_ids if ml.lot_id or ml.lot_name
                    ],
                }
            )
        return lines

    def ecom_handheld_view(self):
        """What the screen shows of the picking: its header and lines (no cost)."""
        self._ecom_handheld_check()
        return {
            "id": self.id,
            "name": self.name,
            "operation": self.picking_type_code,
            "state": self.state,
            "partner": self.partner_id.display_name or "",
            "origin": self.origin or "",
            "location": self.location_id.display_name,
            "location_dest": self.location_dest_id.display_name,
            "lines": self._ecom_handheld_lines(),
        }

    def _ecom_handheld_location_ok(self, location):
        if self.picking_type_code == "incoming":
            return handheld.child_of(location, self.location_dest_id)
        if self.picking_type_code == "outgoing":
            return handheld.child_of(location, self.location_id)
        return handheld.child_of(location, self.location_id) or handheld.child_of(
            location, self.location_dest_id
        )

    def ecom_handheld_scan(self, code, location_id=False, quantity=False, package=False):
        """Apply one scan to the picking: a product adds its quantity (``quantity`` when typed on the
        screen, else the GS1 quantity, else one) to its line, with the GS1 lot (and expiry, where
        lots have one); a location becomes the one the next products go to (or come from); a
        package (a GS1 SSCC label) the one they are packed into (``package``: its name). Returns
        ``{"status": "ok" | "location" | "package" | "error", "message", "error", "view",
        "location", "package"}``; an error applies nothing."""
        self._ecom_handheld_check()
        if self.state in ("done", "cancel"):
            return handheld.error("done", self.env._("%s is already done or cancelled.", self.name))
        typed, refused = handheld.typed_quantity(self.env, quantity)
        if refused:
            return refused
        kind, record, read = handheld.read_code(self.env, code, self.company_id)
        if kind is None:
            return handheld.error("unknown_code", self.env._("Unknown code: %s", code))
        if kind == "package":
            name = record.name or read.sscc
            if record and record.location_id and self.picking_type_code != "outgoing":
                return handheld.error(
                    "package_in_stock",
                    self.env._("Package %s is already in stock: scan an empty one to pack into.", name),
                )
            return {
                "status": "package",
                "message": self.env._("Pack into: %s", name),
                "package": {"name": name},
                "view": self.ecom_handheld_view(),
            }
        if kind == "location":
            if not self._ecom_handheld_location_ok(record):
                return handheld.error(
                    "wrong_location",
                    self.env._(
                        "Wrong location: %(location)s is not a location of %(picking)s.",
                        location=record.display_name,
                        picking=self.name,
                    ),
                )
            return {
                "status": "location",
                "message": self.env._("Location: %s", record.display_name),
                "location": {"id": record.id, "name": record.display_name},
                "view": self.ecom_handheld_view(),
            }
        product = record
        location = self.env["stock.location"].browse(int(location_id) if location_id else [])
        if location and not self._ecom_handheld_location_ok(location):
            return handheld.error("wrong_location", self.env._("Wrong location: %s.", location.display_name))
        moves = self.move_ids.filtered(
            lambda m: m.product_id == product and m.state not in ("done", "cancel")
        )
        if not moves:
            return handheld.error(
                "wrong_product",
                self.env._(
                    "Wrong product: %(product)s is not in %(picking)s.",
                    product=product.display_name,
                    picking=self.name,
                ),
            )
        lot = handheld.scanned_lot(read, product)
        if product.tracking != "none" and not lot:
            return handheld.error(
                "lot_required",
                self.env._("%s is tracked by lot: scan its GS1 label (with its lot).", product.display_name),
            )
        # the label (or the quantity typed) counts in the product's unit; the line may be in another
        quantity = typed if typed is not None else handheld.scanned_quantity(read)
        if product.tracking == "serial" and quantity != 1:
            return handheld.error(
                "over_quantity", self.env._("A serial number is one unit: %s.", product.display_name)
            )
        rounding = product.uom_id.rounding
        move = next(
            (
                m
                for m in moves
                if float_compare(self._ecom_done(m), m.product_uom_qty, precision_rounding=rounding) < 0
            ),
            moves[0],
        )
        quantity = product.uom_id._compute_quantity(quantity, move.product_uom)
        rounding = move.product_uom.rounding
        if (
            float_compare(self._ecom_done(move) + quantity, move.product_uom_qty, precision_rounding=rounding)
            > 0
        ):
            return handheld.error(
                "over_quantity",
                self.env._(
                    "Over quantity: %(product)s, %(done)s of %(demand)s already scanned.",
                    product=product.display_name,
                    done=self._ecom_done(move),
                    demand=move.product_uom_qty,
                ),
            )
        self._ecom_handheld_apply(
            move, quantity, lot, location, self._ecom_handheld_package(package), read and read.expiry
        )
        return {
            "status": "ok",
            "message": self.env._(
                "+%(quantity)s %(product)s", quantity=quantity, product=product.display_name
            ),
            "view": self.ecom_handheld_view(),
        }

    @staticmethod
    def _ecom_done(move):
        return move.quantity if move.picked else 0.0

    def _ecom_handheld_package(self, name):
        """The package named ``name`` to pack into (created for a new SSCC), or an empty one."""
        Package = self.env["stock.quant.package"]
        if not name:
            return Package
        package = Package.search(
            [("name", "=", name), ("company_id", "in", (False, self.company_id.id))], limit=1
        )
        return package or Package.create({"name": name, "company_id": self.company_id.id})

    def _ecom_handheld_apply(self, move, quantity, lot, location, package=None, expiry=None):
        package = package or self.env["stock.quant.package"]
        if not move.picked:
            # the first scan of the line: what Odoo pre-filled or reserved counts as not scanned
            move.quantity = 0.0
            move.picked = True
        if lot or location or package:
            field = "location_id" if self.picking_type_code == "outgoing" else "location_dest_id"
            lines = move.move_line_ids
            if lot:
                lines = lines.filtered(lambda ml: (ml.lot_id.name or ml.lot_name) == lot)
            if location:
                lines = lines.filtered(lambda ml: ml[field] == location)
            lines = lines.filtered(lambda ml: ml.result_package_id == (package or ml.browse()))
            if lines:
                lines[0].quantity += quantity
            else:
                vals = {
                    "move_id": move.id,
                    "picking_id": self.id,
                    "product_id": move.product_id.id,
                    "product_uom_id": move.product_uom.id,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    "quantity": quantity,
                    "picked": True,
                }
                if location:
                    vals[field] = location.id
                if package:
                    vals["result_package_id"] = package.id
                if lot:
                    existing = self.env["stock.lot"].search(
                        [("name", "=", lot), ("product_id", "=", move.product_id.id)], limit=1
                    )
                    vals.update({"lot_id": existing.id} if existing else {"lot_name": lot})
                    # the GS1 expiry (17) of a new lot, where lots have one (Odoo's product_expiry)
                    if not existing and expiry and "expiration_date" in self.env["stock.move.line"]._fields:
                        vals["expiration_date"] = fields.Datetime.to_datetime(expiry)
                self.env["stock.move.line"].create(vals)
        else:
            move.quantity += quantity
        move.picked = True

    def ecom_handheld_validate(self, backorder=None):
        """Validate through Odoo's own button. When less than the demand was scanned and
        ``backorder`` is not given, nothing is validated: the answer is ``{"status": "backorder",
        "missing": [...]}`` and the screen asks; ``backorder=True`` keeps the rest in a backorder,
        ``False`` validates without one (what the operation type allows). Anything else Odoo asks
        comes back as ``{"status": "action"}``."""
        self._ecom_handheld_check()
        if not any(self.move_ids.mapped("picked")):
            raise UserError(self.env._("Scan something before validating %s.", self.name))
        picking = self
        if backorder is None and self._check_backorder():
            missing = [line for line in self._ecom_handheld_lines() if line["done"] < line["demand"]]
            return {
                "status": "backorder",
                "message": self.env._("Not everything was scanned: keep the rest in a backorder?"),
                "missing": missing,
                "view": self.ecom_handheld_view(),
            }
        if backorder is not None:
            context = {"skip_backorder": True}
            if not backorder:
                context["picking_ids_not_to_backorder"] = self.ids
            picking = self.with_context(**context)
        result = picking.button_validate()
        if isinstance(result, dict):
            return {"status": "action", "action": result}
        return {
            "status": "ok",
            "message": self.env._("%s validated.", self.name),
            "view": self.ecom_handheld_view(),
        }
