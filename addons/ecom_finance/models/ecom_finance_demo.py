# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models


class EcomFinanceDemo(models.AbstractModel):
    """Demo data: opening stock of the demo products in both warehouses, at their cost."""

    _name = "ecom.finance.demo"
    _description = "E-commerce Finance Demo Data"

    @api.model
    def _load_demo_stock(self):
        company = self.env.ref("base.demo_company_ecom", raise_if_not_found=False)
        if not company:
            return
        env = self.with_company(company).env
        categories = env.ref("base.ecom_demo_category_fifo") | env.ref("base.ecom_demo_category_avco")
        cogs = env["account.account"].search(
            [("code", "=", "500000"), ("company_ids", "in", company.id)], limit=1
        )
        if cogs:
            # deliveries of platform orders are not invoiced: their cost goes straight to COGS
            categories.property_stock_account_output_categ_id = cogs
        products = env["product.product"].search([("categ_id", "in", categories.ids)], order="id")
        warehouses = env["stock.warehouse"].search([("company_id", "=", company.id)], order="id")
        quants = env["stock.quant"]
        for warehouse, quantity in zip(warehouses, (200, 120), strict=False):
            for product in products:
                quants |= quants.with_context(inventory_mode=True).create(
                    {
                        "product_id": product.id,
                        "location_id": warehouse.lot_stock_id.id,
                        "inventory_quantity": quantity,
                    }
                )
        quants.action_apply_inventory()
