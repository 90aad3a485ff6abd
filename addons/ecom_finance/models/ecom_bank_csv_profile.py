# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class EcomBankCsvProfile(models.Model):
    """How one bank lays out its CSV statements: which column holds what."""

    _name = "ecom.bank.csv.profile"
    _description = "Bank CSV Column Mapping"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, help="e.g. ICBC corporate online banking")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
    date_column = fields.Char(required=True, help="Header of the booking date column, e.g. 交易日期")
    date_format = fields.Char(help="strftime format such as %Y-%m-%d; empty: the usual formats are tried")
    amount_column = fields.Char(help="Signed amount column; leave empty when the bank uses debit/credit")
    debit_column = fields.Char()
    credit_column = fields.Char()
    reference_column = fields.Char()
    counterparty_column = fields.Char()
    memo_column = fields.Char()
    balance_column = fields.Char(help="When set, every row's balance must follow from the previous one")
    currency_id = fields.Many2one("res.currency", help="Currency of the account, when no column gives it")
    currency_column = fields.Char()
    decimal_comma = fields.Boolean(help="Amounts are written 1.234,56")
    delimiter = fields.Char(default=",", size=1, required=True)
    timezone = fields.Char(default="Asia/Shanghai", required=True)
    footer_prefixes = fields.Char(
        default="合计,总计", help="Comma-separated texts that start the summary rows ending the table"
    )

    @api.constrains("amount_column", "debit_column", "credit_column", "currency_id", "currency_column")
    def _check_columns(self):
        for profile in self:
            if not profile.amount_column and not (profile.debit_column and profile.credit_column):
                raise ValidationError(
                    self.env._("Give either an amount column or both debit and credit columns.")
                )
            if not profile.currency_id and not profile.currency_column:
                raise ValidationError(self.env._("Give the account's currency or the column holding it."))

    def _to_profile(self):
        """The profile dict that ``ecomfin.parsers.bank_csv`` reads."""
        self.ensure_one()
        profile = {
            "name": self.name,
            "date": self.date_column,
            "amount": self.amount_column,
            "debit": self.debit_column,
            "credit": self.credit_column,
            "reference": self.reference_column,
            "counterparty": self.counterparty_column,
            "memo": self.memo_column,
            "balance": self.balance_column,
            "currency": self.currency_id.name,
            "currency_column": self.currency_column,
            "decimal_comma": self.decimal_comma,
            "delimiter": self.delimiter,
            "timezone": self.timezone,
            "footer_prefixes": [p.strip() for p in (self.footer_prefixes or "").split(",") if p.strip()],
        }
        if self.date_format:
            profile["date_format"] = self.date_format
        return {key: value for key, value in profile.items() if value not in (None, False, "")}
