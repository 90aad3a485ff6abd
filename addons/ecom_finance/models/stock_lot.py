# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class StockLot(models.Model):
    _inherit = "stock.lot"
    # audited (ecom_audit): the lots and serial numbers of the products
    _ecom_audited_fields = {"name", "product_id", "ref", "company_id"}
