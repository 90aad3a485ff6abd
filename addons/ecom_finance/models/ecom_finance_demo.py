# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import Command, api, fields, models


class EcomFinanceDemo(models.AbstractModel):
    """Demo data: opening stock of the demo products in both warehouses, at their cost; a half-paid
    supplier bill; the connectors of the demo shops."""

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
    def _load_demo_payables(self):
        """A supplier's bill from a purchase order, half paid: what *Reporting > Books > Payables*
        and the payable aging show on the demo company."""
        company = self.env.ref("base.demo_company_ecom", raise_if_not_found=False)
        if not company:
            return
        env = self.with_company(company).with_context(allowed_company_ids=company.ids).env
        vendor = env["res.partner"].create(
            {"name": "Ningbo Packaging Co., Ltd.", "company_id": company.id, "is_company": True}
        )
        service = env["product.product"].create(
            {
                "name": "Gift box packing (per 100)",
                "type": "service",
                "purchase_method": "purchase",
                "company_id": company.id,
                "supplier_taxes_id": [Command.clear()],
            }
        )
        order = env["purchase.order"].create(
            {
                "partner_id": vendor.id,
                "company_id": company.id,
                "order_line": [
                    Command.create({"product_id": service.id, "product_qty": 12, "price_unit": 350.0})
                ],
            }
        )
        order.button_confirm()
        order.action_create_invoice()
        bill = order.invoice_ids
        bill.write({"invoice_date": fields.Date.context_today(self), "ref": "NB-2026-118"})
        bill.action_post()
        env["account.payment.register"].with_context(active_model="account.move", active_ids=bill.ids).create(
            {"amount": bill.amount_total / 2}
        )._create_payments()

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
