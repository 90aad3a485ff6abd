# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class AccountJournal(models.Model):
    _inherit = "account.journal"
    # audited (ecom_audit): the journals money is booked in, and their accounts
    _ecom_audited_fields = {
        "name",
        "code",
        "type",
        "currency_id",
        "default_account_id",
        "suspense_account_id",
        "bank_account_id",
        "restrict_mode_hash_table",
        "active",
    }
