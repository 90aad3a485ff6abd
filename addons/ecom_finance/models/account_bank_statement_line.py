# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    ecom_statement_line_id = fields.Many2one(
        "ecom.statement.line",
        string="Imported Bank Line",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The line of the bank statement imported in E-commerce Finance this line comes from: "
        "one import feeds both reconciliations.",
    )

    _sql_constraints = [
        (
            "ecom_statement_line_uniq",
            "unique(ecom_statement_line_id)",
            "An imported bank line is in Odoo's bank statements once.",
        ),
    ]
