# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models
from odoo.exceptions import UserError

from .. import handheld


class StockQuant(models.Model):
    """The handheld screen's count of a location (static/src/handheld): each scan adds to the
    counted quantity of its product (and GS1 lot) there; applying goes through ecom_finance's count
    approval (``action_ecom_request_adjustment`` above the thresholds, ``action_apply_inventory``
    below). Quantities only: no cost, no value."""

    _inherit = "stock.quant"

    def _ecom_handheld_location(self, location_id):
        handheld.check_handheld_user(self.env)
        if location_id:
            location = self.env["stock.location"].browse(int(location_id))
        else:
            # the location of the user's bound device, else the stock of a warehouse they may see
            device = self.env["ecom.device"].sudo().search([("user_id", "=", self.env.uid)], limit=1)
            location = (
                device.location_id.sudo(False)
                or self.env["stock.warehouse"]
                .search([("company_id", "in", self.env.companies.ids)], limit=1)
                .lot_stock_id
            )
        if not location:
            raise UserError(self.env._("No warehouse to count in."))
        # the record rules decide which locations (ecom_finance: the Warehouse Operators' own)
        location.check_access("read")
        if location.usage != "internal":
            raise UserError(
                self.env._(
                    "%s is not a stock location: counts are made in the warehouse.", location.display_name
                )
            )
        return location

    def _ecom_handheld_counted(self, location):
        return self.search(
            [("location_id", "=", location.id), ("inventory_quantity_set", "=", True)], order="id"
        )

    @api.model
    def ecom_handheld_count_view(self, location_id=False):
        """The location being counted and what was counted there, not applied yet."""
        location = self._ecom_handheld_location(location_id)
        counted = self._ecom_handheld_counted(location)
        waiting = set(self._ecom_handheld_requested(counted, "pending"))
        return {
            "location": {"id": location.id, "name": location.display_name},
            "lines": [
                {
                    "quant_id": quant.id,
                    "product": handheld.product_info(quant.product_id),
                    "lot": quant.lot_id.name or "",
                    "on_hand": quant.quantity,
                    "counted": quant.inventory_quantity,
                    "difference": quant.inventory_diff_quantity,
                    "waiting": quant.id in waiting,
                }
                for quant in counted
            ],
        }

    def _ecom_handheld_requested(self, quants, state):
        """The ids of ``quants`` with a count approval request in ``state``. The requests are
        finance data operators cannot read: looked up as the system, by the quants, ids only."""
        if not quants:
            return []
        return (
            self.env["ecom.approval.request"]
            .sudo()
            .search(
                [
                    ("operation", "=", self._ecom_approval_operation),
                    ("res_model", "=", self._name),
                    ("res_id", "in", quants.ids),
                    ("state", "=", state),
                ]
            )
            .mapped("res_id")
        )

    @api.model
    def ecom_handheld_count_scan(self, location_id, code, quantity=False):
        """One scan while counting ``location_id``: a product adds ``quantity`` (typed on the
        screen), else the GS1 quantity, else one, to its counted quantity there; a location
        switches the count to it."""
        location = self._ecom_handheld_location(location_id)
        typed, refused = handheld.typed_quantity(self.env, quantity)
        if refused:
            return refused
        kind, record, read = handheld.read_code(self.env, code, location.company_id)
        if kind is None:
            return handheld.error("unknown_code", self.env._("Unknown code: %s", code))
        if kind == "package":
            return handheld.error(
                "package",
                self.env._(
                    "A count counts loose products: scan the products of package %s.",
                    record.name or read.sscc,
                ),
            )
        if kind == "location":
            view = self.ecom_handheld_count_view(record.id)
            return {
                "status": "location",
                "message": self.env._("Location: %s", record.display_name),
                "view": view,
            }
        product = record
        if not product.is_storable:
            return handheld.error(
                "wrong_product", self.env._("Wrong product: %s is not kept in stock.", product.display_name)
            )
        lot = self.env["stock.lot"]
        if product.tracking != "none":
            lot_name = handheld.scanned_lot(read, product)
            if not lot_name:
                return handheld.error(
                    "lot_required",
                    self.env._(
                        "%s is tracked by lot: scan its GS1 label (with its lot).", product.display_name
                    ),
                )
            lot = lot.search([("name", "=", lot_name), ("product_id", "=", product.id)], limit=1)
            if not lot:
                return handheld.error(
                    "unknown_code",
                    self.env._(
                        "Unknown lot %(lot)s of %(product)s.", lot=lot_name, product=product.display_name
                    ),
                )
        quantity = typed if typed is not None else handheld.scanned_quantity(read)
        Quant = self.with_context(inventory_mode=True)
        quant = Quant.search(
            [
                ("location_id", "=", location.id),
                ("product_id", "=", product.id),
                ("lot_id", "=", lot.id or False),
            ],
            limit=1,
        )
        if quant:
            counted = quant.inventory_quantity if quant.inventory_quantity_set else 0.0
            quant.inventory_quantity = counted + quantity
        else:
            quant = Quant.create(
                {
                    "location_id": location.id,
                    "product_id": product.id,
                    "lot_id": lot.id or False,
                    "inventory_quantity": quantity,
                }
            )
        quant.user_id = self.env.user
        return {
            "status": "ok",
            "message": self.env._(
                "+%(quantity)s %(product)s", quantity=quantity, product=product.display_name
            ),
            "view": self.ecom_handheld_count_view(location.id),
        }

    @api.model
    def ecom_handheld_count_apply(self, location_id):
        """Apply the counts of the location: those above the company's thresholds are sent for
        approval (a second person approves, then they are applied), the others applied now."""
        location = self._ecom_handheld_location(location_id)
        quants = self._ecom_handheld_counted(location)
        if not quants:
            raise UserError(self.env._("Nothing counted in %s yet.", location.display_name))
        to_approve = quants.filtered(lambda q: q._ecom_needs_approval())
        if to_approve:
            # counts approved already are applied (the gate consumes their approval)
            approved = self._ecom_handheld_requested(to_approve, "approved")
            to_approve = to_approve.filtered(lambda q: q.id not in approved)
        if to_approve:
            to_approve.action_ecom_request_adjustment()
        applied = quants - to_approve
        if applied:
            applied.with_context(
                set_inventory_quantity_auto_apply=True, inventory_mode=True
            ).action_apply_inventory()
        message = self.env._(
            "%(applied)s count(s) applied, %(asked)s sent for approval.",
            applied=len(applied),
            asked=len(to_approve),
        )
        return {"status": "ok", "message": message, "view": self.ecom_handheld_count_view(location.id)}
