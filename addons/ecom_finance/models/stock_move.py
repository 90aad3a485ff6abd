# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models

from .product_product import COST_GROUPS


class StockMove(models.Model):
    _name = "stock.move"
    _inherit = ["stock.move", "ecom.cost.fields.mixin"]
    # audited (ecom_audit): what moves, how many, from where to where, at which cost, its state
    _ecom_audited_fields = {
        "state",
        "product_id",
        "product_uom_qty",
        "quantity",
        "product_uom",
        "location_id",
        "location_dest_id",
        "picking_id",
        "price_unit",
        "date",
    }

    # the unit cost the move carries into the stock valuation
    price_unit = fields.Float(groups=COST_GROUPS)

    def _action_done(self, cancel_backorder=False):
        """Moves done by an operator are valued like everyone's, as the superuser.

        The valuation (stock_account) reads the products' costs, which Shop and Warehouse
        Operators may not read; once the operator's right to change these moves is checked, it
        runs as the superuser. The operator stays the author of every record it makes.
        """
        if self.env.su or self.env.user.has_groups(COST_GROUPS):
            return super()._action_done(cancel_backorder=cancel_backorder)
        self.check_access("write")
        done = super(StockMove, self.sudo())._action_done(cancel_backorder=cancel_backorder)
        return done.with_env(self.env)
