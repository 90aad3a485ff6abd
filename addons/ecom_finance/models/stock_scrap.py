from odoo import models
from odoo.exceptions import UserError

from odoo.addons.ecom_audit.approval import in_approved_change


class StockScrap(models.Model):
    """Scraps above the company's scrap threshold (value or quantity) need a second person.

    The threshold is the ``scrap`` entry of E-commerce Finance > Configuration > Approval
    Thresholds; without one, scraps need no approval. The scrap is requested from its form
    (Request Approval), approved by an Accountant, then validated by anyone allowed to: the
    validation consumes the approval of the same product, location and quantity.
    """

    _inherit = "stock.scrap"

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
        # as for counts, Warehouse Operators ask without reading the requests (finance data)
        Request = self.env["ecom.approval.request"].sudo()
        for scrap in self.filtered(lambda scrap: scrap._ecom_needs_approval()):
            Request._create_request(
                "scrap",
                scrap,
                scrap._ecom_approval_substance(None),
                self.env._(
                    "Scrap %(quantity)s %(uom)s of %(product)s from %(location)s",
                    quantity=scrap.scrap_qty,
                    uom=scrap.product_uom_id.name,
                    product=scrap.product_id.display_name,
                    location=scrap.location_id.display_name,
                ),
                amount=scrap._ecom_scrap_value(),
            )
        return True

    def do_scrap(self):
        """Scraps above the threshold are done only with an approved request for the same scrap;
        no context key and no superuser skips it."""
        if not in_approved_change():
            Request = self.env["ecom.approval.request"]
            for scrap in self.filtered(lambda scrap: scrap._ecom_needs_approval()):
                if not Request.sudo()._consume("scrap", scrap):
                    raise UserError(
                        self.env._(
                            "Scrapping %(quantity)s of %(product)s is above the approval threshold: "
                            "request its approval (Request Approval), a second person approves it, "
                            "then validate it.",
                            quantity=scrap.scrap_qty,
                            product=scrap.product_id.display_name,
                        )
                    )
        return super().do_scrap()
