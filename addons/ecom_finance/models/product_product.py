# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError

# the groups of the cost fields: defined in const.py, for the addons above too
from ..const import COST_GROUPS


class EcomCostFieldsMixin(models.AbstractModel):
    """Refuses the cost fields (``groups=COST_GROUPS``) to operators with a message of its own.

    Odoo enforces the groups; its own refusal message cannot name groups given with ``!`` to a
    user in debug mode (it looks them up as external ids), so the refusal is raised here first.
    """

    _name = "ecom.cost.fields.mixin"
    _description = "Cost Fields Withheld from Operators"

    @api.model
    def check_field_access_rights(self, operation, field_names):
        if field_names and not self.env.su:
            withheld = sorted(
                name
                for name in field_names
                if name in self._fields
                and self._fields[name].groups == COST_GROUPS
                and not self._fields[name].is_accessible(self.env)
            )
            if withheld:
                raise AccessError(
                    self.env._(
                        "Costs are finance data that Shop and Warehouse Operators do not see: "
                        "%(fields)s of %(model)s.",
                        fields=", ".join(withheld),
                        model=self._description,
                    )
                )
        return super().check_field_access_rights(operation, field_names)


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "ecom.cost.fields.mixin"]
    # audited (ecom_audit): the cost (per company), the codes that identify it, its template
    _ecom_audited_fields = {"standard_price", "barcode", "default_code", "product_tmpl_id", "active"}

    standard_price = fields.Float(groups=COST_GROUPS)
    value_svl = fields.Float(groups=COST_GROUPS)
    avg_cost = fields.Monetary(groups=COST_GROUPS)
    total_value = fields.Monetary(groups=COST_GROUPS)
