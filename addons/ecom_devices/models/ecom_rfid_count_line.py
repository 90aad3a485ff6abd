# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.ecom_finance.const import COST_GROUPS

from .ecom_rfid_count import in_count_write


class EcomRfidCountLine(models.Model):
    """One product (and lot) of an RFID count: the tags read against the quantity on hand. Made
    by the count's Propose only."""

    _name = "ecom.rfid.count.line"
    _description = "RFID Count Line"
    _inherit = ["ecom.cost.fields.mixin"]
    _order = "count_id, id"
    _check_company_auto = True

    count_id = fields.Many2one(
        "ecom.rfid.count", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="count_id.company_id", store=True, index=True)
    product_id = fields.Many2one("product.product", required=True, readonly=True, check_company=True)
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number", readonly=True, check_company=True)
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    counted_quantity = fields.Float(string="Counted", digits="Product Unit of Measure", readonly=True)
    system_quantity = fields.Float(string="On Hand", digits="Product Unit of Measure", readonly=True)
    difference = fields.Float(
        digits="Product Unit of Measure",
        compute="_compute_difference",
        store=True,
        help="Counted less on hand.",
    )
    currency_id = fields.Many2one(related="count_id.currency_id")
    value_difference = fields.Monetary(
        string="Valuation Difference",
        compute="_compute_value_difference",
        groups=COST_GROUPS,
        help="The difference at the product's cost.",
    )

    @api.depends("counted_quantity", "system_quantity")
    def _compute_difference(self):
        for line in self:
            line.difference = line.counted_quantity - line.system_quantity

    @api.depends("difference", "product_id")
    def _compute_value_difference(self):
        for line in self:
            cost = line.product_id.with_company(line.company_id).standard_price
            line.value_difference = line.difference * cost

    @api.model_create_multi
    def create(self, vals_list):
        self._refuse_direct_change()
        return super().create(vals_list)

    def write(self, vals):
        self._refuse_direct_change()
        return super().write(vals)

    def _refuse_direct_change(self):
        if not in_count_write():
            raise AccessError(
                self.env._("The lines of an RFID count are made by its Propose button only, from the reads.")
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_by_propose_only(self):
        self._refuse_direct_change()
