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

    @api.model
    def _load_demo_connectors(self):
        """Connector backends of the demo shops, each pointing at the bundled fake server of its
        platform on this machine (README, "Connectors": start the fakes, press Pull Now)."""
        for xml_id, shop_ref, platform, port, name in DEMO_CONNECTORS:
            shop = self.env.ref(f"ecom_finance.{shop_ref}", raise_if_not_found=False)
            if not shop or self.env.ref(f"ecom_finance.{xml_id}", raise_if_not_found=False):
                continue
            url = f"http://127.0.0.1:{port}"
            backend = self.env["ecom.connector.backend"].create(
                {
                    "name": name,
                    "shop_id": shop.id,
                    "platform": platform,
                    "base_url": url,
                    # once a day: a demo database may run without the fakes
                    "interval_minutes": 1440,
                    # no credentials in demo data (they would be encrypted with the keys of the
                    # install): the fake prints the ones to paste (README, Connectors)
                }
            )
            self.env["ir.model.data"]._update_xmlids(
                [{"xml_id": f"ecom_finance.{xml_id}", "record": backend, "noupdate": True}]
            )


#: xml id, demo shop, platform, port of its fake server, name
DEMO_CONNECTORS = (
    ("demo_connector_tmall", "demo_shop_tmall", "taobao", 8071, "Tmall orders (fake server)"),
    ("demo_connector_alipay", "demo_shop_tmall", "alipay", 8072, "Alipay bill (fake server)"),
    (
        "demo_connector_douyin",
        "demo_shop_douyin",
        "douyin",
        8073,
        "Douyin orders and settlement (fake server)",
    ),
    ("demo_connector_wechat", "demo_shop_douyin", "wechat", 8074, "WeChat Pay bills (fake server)"),
    ("demo_connector_shopify", "demo_shop_shopify", "shopify", 8075, "Shopify (fake server)"),
)
