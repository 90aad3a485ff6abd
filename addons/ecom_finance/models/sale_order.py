# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"
    # audited (ecom_audit): who buys, at which prices and terms, from which warehouse, and the order's state
    _ecom_audited_fields = {
        "state",
        "partner_id",
        "partner_invoice_id",
        "partner_shipping_id",
        "pricelist_id",
        "currency_id",
        "payment_term_id",
        "warehouse_id",
        "date_order",
        "client_order_ref",
        "user_id",
    }
