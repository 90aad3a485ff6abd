# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class ResPartnerBank(models.Model):
    _inherit = "res.partner.bank"
    # audited (ecom_audit): where money is paid to (the account number itself is masked in the trail)
    _ecom_audited_fields = {
        "acc_number",
        "partner_id",
        "bank_id",
        "acc_holder_name",
        "currency_id",
        "allow_out_payment",
        "active",
    }
