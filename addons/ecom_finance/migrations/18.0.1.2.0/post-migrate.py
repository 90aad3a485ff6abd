# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""18.0.1.2.0: ``account.move.voucher_number`` (e.g. ``记-202612-0007``), the voucher's name partners
read, stored beside its word, month and number; filled for the entries numbered before."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            """UPDATE account_move
                  SET voucher_number = ecom_voucher_word || '-' || ecom_voucher_period || '-'
                                       || lpad(ecom_voucher_number::text, 4, '0')
                WHERE ecom_voucher_number IS NOT NULL AND voucher_number IS NULL"""
        )
    )
