# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models
from odoo.tools import float_is_zero

from odoo.addons.ecom_audit.approval import in_approved_change


class StockQuant(models.Model):
    _name = "stock.quant"
    _inherit = ["stock.quant", "ecom.approval.gate.mixin"]
    _ecom_approval_operation = "inventory_adjustment"
    # audited (ecom_audit): the quantity on hand and the counts, where, of which lot
    _ecom_audited_fields = {
        "product_id",
        "location_id",
        "lot_id",
        "quantity",
        "inventory_quantity",
        "inventory_quantity_set",
        "inventory_date",
        "user_id",
    }

    def _ecom_adjustment_value(self):
        self.ensure_one()
        # the cost decides whether a count needs approval; it is not shown to whoever counts
        product = self.product_id.with_company(self.company_id).sudo()
        return abs(self.inventory_diff_quantity) * product.standard_price

    def _ecom_needs_approval(self):
        """Whether applying this count needs an approval: above the company's quantity or value
        threshold for inventory adjustments (no threshold, no approval).

        Decided from the difference applying books (``inventory_diff_quantity``: counted less on
        hand), never from ``inventory_quantity_set``: whoever counts writes that flag too, and
        ``_apply_inventory`` books the difference whatever the flag says."""
        self.ensure_one()
        if float_is_zero(self.inventory_diff_quantity, precision_rounding=self.product_uom_id.rounding):
            return False
        # the thresholds are read whoever counts
        return (
            self.env["ecom.approval.threshold"]
            .sudo()
            ._exceeded(
                self.company_id,
                "inventory_adjustment",
                self.inventory_diff_quantity,
                self._ecom_adjustment_value(),
            )
        )

    def _ecom_approval_substance(self, request):
        """What an adjustment approval approves: where, what, and the counted quantity."""
        self.ensure_one()
        return {
            "quant": self.id,
            "product": self.product_id.id,
            "location": self.location_id.id,
            "lot": self.lot_id.id or 0,
            "quantity": self.quantity,
            "counted": self.inventory_quantity,
            "difference": self.inventory_diff_quantity,
        }

    def action_ecom_request_adjustment(self):
        """Ask for the approval of these counts (those above the thresholds)."""
        # the right to count these quants (Inventory users, in their warehouses), checked before the
        # request is made as the superuser below
        self.check_access("write")
        for quant in self.filtered(lambda quant: quant._ecom_needs_approval()):
            quant._ecom_ask_approval(
                self.env._(
                    "Count %(product)s in %(location)s: %(quantity)s -> %(counted)s",
                    product=quant.product_id.display_name,
                    location=quant.location_id.display_name,
                    quantity=quant.quantity,
                    counted=quant.inventory_quantity,
                ),
                amount=quant._ecom_adjustment_value(),
                # Warehouse Operators ask without reading anyone's requests (finance data); the
                # request still names them as its requester (the real user, not the superuser).
                as_system=True,
            )
        return True

    def _apply_inventory(self):
        """Counts above the company's thresholds are applied only with an approved request for the
        same count; no context key and no superuser skips it."""
        if not in_approved_change():
            self.filtered(lambda quant: quant._ecom_needs_approval())._ecom_require_approval(
                lambda quant: self.env._(
                    "The count of %(product)s in %(location)s is above the approval threshold: "
                    "request its approval, a second person approves it, then apply it.",
                    product=quant.product_id.display_name,
                    location=quant.location_id.display_name,
                ),
                # the approved request is looked up whoever applies the count
                as_system=True,
            )
        return super()._apply_inventory()
