# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models

# 记账凭证 words: one word for every entry (记, the default), or 收/付/转 by what the journal books
VOUCHER_WORDS = [
    ("记", "记 (all entries)"),
    ("收", "收 (receipts)"),
    ("付", "付 (payments)"),
    ("转", "转 (transfers)"),
]


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
        "ecom_voucher_word",
    }

    ecom_voucher_word = fields.Selection(
        VOUCHER_WORDS,
        string="Voucher Word",
        default="记",
        required=True,
        help="The word of the vouchers (记账凭证) of this journal's entries, numbered per company, "
        "word and month when they are posted: 记 for every journal, or 收/付/转 for receipts, "
        "payments and transfers.",
    )
