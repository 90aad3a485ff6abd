# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class StockValuationLayer(models.Model):
    _inherit = "stock.valuation.layer"
    # audited (ecom_audit): the layers carry the costs into the books
    _ecom_audited_fields = {"product_id", "quantity", "value", "stock_move_id"}
