# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""18.0.1.3.0: ``account.move.voucher_number`` in the contract's form, the month without its dash
(``记-202612-0007``); 18.0.1.2.0 wrote ``记-2026-12-0007``."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            """UPDATE account_move
                  SET voucher_number = ecom_voucher_word || '-' || replace(ecom_voucher_period, '-', '')
                                       || '-' || lpad(ecom_voucher_number::text, 4, '0')
                WHERE ecom_voucher_number IS NOT NULL"""
        )
    )
