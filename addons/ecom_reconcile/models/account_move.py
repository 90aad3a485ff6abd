# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    ecom_bank_line_id = fields.Many2one(
        "ecom.statement.line",
        string="E-commerce Bank Credit",
        index="btree_not_null",
        readonly=True,
        ondelete="set null",
        help="The bank credit this payout entry books: the channel paid it out to the bank. "
        "One live payout entry per bank credit.",
    )
    ecom_payout_run_id = fields.Many2one(
        "ecom.reconcile.run",
        string="Created by Run",
        index="btree_not_null",
        readonly=True,
        ondelete="set null",
        help="The reconciliation run that created this payout entry; re-running it reverses the entry "
        "when its results no longer support it.",
    )
