# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class ProductCategory(models.Model):
    _inherit = "product.category"
    # audited (ecom_audit): the valuation method and the stock accounts of the products of a category
    _ecom_audited_fields = {
        "name",
        "parent_id",
        "property_cost_method",
        "property_valuation",
        "property_stock_valuation_account_id",
        "property_stock_account_input_categ_id",
        "property_stock_account_output_categ_id",
    }
