# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class AccountAccount(models.Model):
    _inherit = "account.account"
    # audited (ecom_audit): the chart of accounts (the code is kept per company in code_store)
    _ecom_audited_fields = {
        "code_store",
        "name",
        "account_type",
        "reconcile",
        "deprecated",
        "currency_id",
        "tax_ids",
        "company_ids",
    }
