# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models

from odoo.addons.ecom_audit.approval import in_approved_change


class StockScrap(models.Model):
    """Scraps above the company's scrap threshold (value or quantity) need a second person.

    The threshold is the ``scrap`` entry of E-commerce Finance > Configuration > Approval
    Thresholds; without one, scraps need no approval. The scrap is requested from its form
    (Request Approval), approved by an Accountant, then validated by anyone allowed to: the
    validation consumes the approval of the same product, location and quantity.
    """

    _name = "stock.scrap"
    _inherit = ["stock.scrap", "ecom.approval.gate.mixin"]
    _ecom_approval_operation = "scrap"
    # audited (ecom_audit): what is scrapped, how many, from where, and its state
    _ecom_audited_fields = {
        "state",
        "product_id",
        "lot_id",
        "scrap_qty",
        "product_uom_id",
        "location_id",
        "scrap_location_id",
        "date_done",
    }

    def _ecom_scrap_value(self):
        self.ensure_one()
        # the cost decides whether a scrap needs approval; it is not shown to whoever scraps
        product = self.product_id.with_company(self.company_id).sudo()
        quantity = self.product_uom_id._compute_quantity(self.scrap_qty, product.uom_id)
        return quantity * product.standard_price

    def _ecom_needs_approval(self):
        self.ensure_one()
        quantity = self.product_uom_id._compute_quantity(self.scrap_qty, self.product_id.uom_id)
        # the thresholds are read whoever scraps
        return (
            self.env["ecom.approval.threshold"]
            .sudo()
            ._exceeded(self.company_id, "scrap", quantity, self._ecom_scrap_value())
        )

    def _ecom_approval_substance(self, request):
        """What a scrap approval approves: what, from where, how much."""
        self.ensure_one()
        return {
            "scrap": self.id,
            "product": self.product_id.id,
            "location": self.location_id.id,
            "lot": self.lot_id.id or 0,
            "quantity": self.scrap_qty,
            "uom": self.product_uom_id.id,
        }

    def action_ecom_request_scrap(self):
        """Ask for the approval of these scraps (those above the threshold)."""
        for scrap in self.filtered(lambda scrap: scrap._ecom_needs_approval()):
            scrap._ecom_ask_approval(
                self.env._(
                    "Scrap %(quantity)s %(uom)s of %(product)s from %(location)s",
                    quantity=scrap.scrap_qty,
                    uom=scrap.product_uom_id.name,
                    product=scrap.product_id.display_name,
                    location=scrap.location_id.display_name,
                ),
                amount=scrap._ecom_scrap_value(),
                # as for counts, Warehouse Operators ask without reading the requests (finance data)
                as_system=True,
            )
        return True

    def do_scrap(self):
        """Scraps above the threshold are done only with an approved request for the same scrap;
        no context key and no superuser skips it."""
        if not in_approved_change():
            self.filtered(lambda scrap: scrap._ecom_needs_approval())._ecom_require_approval(
                lambda scrap: self.env._(
                    "Scrapping %(quantity)s of %(product)s is above the approval threshold: "
                    "request its approval (Request Approval), a second person approves it, "
                    "then validate it.",
                    quantity=scrap.scrap_qty,
                    product=scrap.product_id.display_name,
                ),
                as_system=True,
            )
        return super().do_scrap()
