# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"
    # audited (ecom_audit): who supplies, at which terms, delivered where, and the order's state
    _ecom_audited_fields = {
        "state",
        "partner_id",
        "partner_ref",
        "currency_id",
        "payment_term_id",
        "picking_type_id",
        "date_order",
        "date_planned",
        "user_id",
    }
