# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""One bank import for both reconciliations: the lines of a bank statement imported here (CAMT.053,
bank CSV) also become Odoo bank statement lines in the bank journal of its account, so that Odoo's
bank reconciliation (and OCA ``account_reconcile_oca``) works from the same file; the payout entries
a reconciliation run posts are then matched with them (ecom_reconcile). Lines already there (an
overlapping file) are not added twice."""

from odoo import Command
from odoo.tools import SQL

from ecomfin.matching import local_day
from ecomfin.vocab import BANK_FORMATS


def bank_journal(statement):
    """The company's bank journal whose account number is the statement's, or an empty one. The
    number is compared through its blind index (the statement keeps it encrypted)."""
    Journal = statement.env["account.journal"]
    if not statement.account_index:
        return Journal
    journals = Journal.search(
        [
            ("type", "=", "bank"),
            ("company_id", "=", statement.company_id.id),
            ("bank_acc_number", "!=", False),
        ]
    )
    for journal in journals:
        number = journal.bank_acc_number.replace(" ", "")
        if statement.search_count([("id", "=", statement.id), ("account", "=", number)]):
            return journal
    return Journal


def sync_bank_statement(statement):
    """Add the statement's lines that Odoo's bank statements lack to a bank statement of its
    journal; answers that statement, or None (not a bank format, no journal for the account, or
    nothing new). Run as the importing user (see load_file)."""
    if statement.fmt not in BANK_FORMATS:
        return None
    journal = bank_journal(statement)
    if not journal:
        return None
    env = statement.env
    env["account.bank.statement.line"].flush_model(["ecom_statement_line_id"])
    line_ids = [
        line_id
        for (line_id,) in env.execute_query(
            SQL(
                """SELECT l.id FROM ecom_statement_line l
                    WHERE l.statement_id = %s
                      AND NOT EXISTS (SELECT 1 FROM account_bank_statement_line s
                                       WHERE s.ecom_statement_line_id = l.id)
                    ORDER BY l.occurred_at, l.line_no, l.id""",
                statement.id,
            )
        )
    ]
    if not line_ids:
        return None
    # one currency per bank account: lines in another (rare) stay in ecom only
    currency = journal.currency_id or journal.company_id.currency_id
    lines = env["ecom.statement.line"].browse(line_ids).filtered(lambda line: line.currency_id == currency)
    if not lines:
        return None
    tz = statement.shop_id.timezone
    return env["account.bank.statement"].create(
        {
            "name": statement.name,
            "journal_id": journal.id,
            "reference": statement.filename,
            "line_ids": [
                Command.create(
                    {
                        "journal_id": journal.id,
                        "date": local_day(line.occurred_at, tz),
                        "payment_ref": line.memo or line.provider_txn_id or line.order_ref or statement.name,
                        "partner_name": line.counterparty or False,
                        "amount": line.gross,
                        "ecom_statement_line_id": line.id,
                    }
                )
                for line in lines
            ],
        }
    )
