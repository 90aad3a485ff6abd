# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The accounting of matched payouts: one payout entry per bank credit, when the channel's
bills list no payouts (WeChat Pay T+1, payout ids): the payout account against the clearing
account. Called by ``ecom.reconcile.match._reconcile_clearing``."""

from odoo import Command

from odoo.addons.ecom_finance import sources

from ecomfin.matching import local_day
from ecomfin.posting import PAYOUT_EVENT


def setup_problem(env, shop):
    """Why payout entries of ``shop`` cannot be made (a message for the run), or False."""
    if shop.journal_id and shop.partner_id and env["ecom.posting.rule"]._rules_for(shop).get(PAYOUT_EVENT):
        return False
    return env._(
        "%(shop)s: no payout entries made and its clearing items not reconciled: the shop needs a "
        "settlement journal, a channel partner and a posting rule for payouts.",
        shop=shop.display_name,
    )


def sync_payout_entries(env, run, wanted):
    """The live payout entry of each bank credit in ``wanted`` ({bank line: match}).

    An entry already live for a credit is kept when it books what it would book now,
    whichever run made it; otherwise it is reversed (never deleted) and a new one is
    posted. The entries ``run`` made for credits it no longer matches are reversed.
    """
    Move = env["account.move"]
    bank_ids = sorted(line.id for line in wanted)
    if bank_ids:
        # One payout entry per bank credit. A no-op update of the credits' rows (not a mere
        # lock) serialises the runs booking them: a concurrent run fails with a serialisation
        # error, is retried, and then sees the entries made here (its snapshot would not).
        env.cr.execute(sources.lock_lines(bank_ids))
    vals_of = {line: entry_vals(match, run, line) for line, match in wanted.items()}
    existing = Move.search(
        [
            "|",
            ("ecom_bank_line_id", "in", bank_ids),
            ("ecom_payout_run_id", "=", run.id),
            ("state", "=", "posted"),
        ],
        order="id",
    )._ecom_live_postings()
    entries, stale = {}, Move
    for move in existing:
        line = move.ecom_bank_line_id
        if line in vals_of and line not in entries and _move_key(move) == _vals_key(vals_of[line]):
            entries[line] = move
        elif line in vals_of or move.ecom_payout_run_id == run:
            stale |= move
    if stale:
        stale.line_ids.remove_move_reconcile()
        stale._reverse_moves(
            [{"ref": env._("Reversal of: %s", move.ref), "date": move.date} for move in stale],
            cancel=True,
        )
    todo = [line for line in vals_of if line not in entries]
    if todo:
        moves = Move.create([vals_of[line] for line in todo])
        moves.action_post()
        entries.update(zip(todo, moves, strict=True))
    return entries


def entry_vals(match, run, bank_line):
    """``account.move`` values booking ``bank_line`` of payout ``match``: Dr the payout account,
    Cr the clearing account."""
    env = match.env
    shop = match.shop_id
    company = shop.company_id
    currency = bank_line.currency_id or shop.currency_id
    day = local_day(bank_line.occurred_at, shop.timezone)
    amount = currency.round(bank_line.gross)
    balance = currency._convert(amount, company.currency_id, company, day)
    rule = env["ecom.posting.rule"]._rules_for(shop).get(PAYOUT_EVENT)
    label = env._("%(shop)s: paid out", shop=shop.code)
    common = {"name": label, "partner_id": shop.partner_id.id, "currency_id": currency.id}
    return {
        "move_type": "entry",
        "journal_id": shop.journal_id.id,
        "company_id": company.id,
        "date": day,
        "ref": env._(
            "Payout %(reference)s, bank credit %(credit)s",
            reference=match.reference,
            credit=bank_line.provider_txn_id or bank_line.memo or bank_line.id,
        ),
        "ecom_bank_line_id": bank_line.id,
        "ecom_payout_run_id": run.id,
        "line_ids": [
            Command.create(
                {
                    **common,
                    "account_id": rule.account_id.id,
                    "amount_currency": amount,
                    "balance": balance,
                    "ecom_event_type": PAYOUT_EVENT,
                }
            ),
            Command.create(
                {
                    **common,
                    "account_id": shop.clearing_account_id.id,
                    "amount_currency": -amount,
                    "balance": -balance,
                    "ecom_event_type": PAYOUT_EVENT,
                }
            ),
        ],
    }


def match_bank_statement_lines(env, entries):
    """Match Odoo's bank statement line of each credit (made by its import, ecom_finance
    ``imports/bank_statements.py``) with the credit's payout entry, so Odoo's bank reconciliation
    shows it done: its suspense item goes to the payout account, with the channel as partner, and
    is reconciled with the payout entry's item there (when the account allows reconciliation; else
    it simply leaves the suspense account). Lines already reconciled, or whose amount is not the
    entry's, are left to a person. Answers the statement lines matched."""
    by_credit = {line.id: move for line, move in entries.items()}
    statement_lines = env["account.bank.statement.line"].search(
        [("ecom_statement_line_id", "in", list(by_credit)), ("is_reconciled", "=", False)]
    )
    matched = statement_lines.browse()
    for statement_line in statement_lines:
        move = by_credit[statement_line.ecom_statement_line_id.id]
        payout = move.line_ids.filtered(lambda item: item.balance > 0 and not item.reconciled)
        _liquidity, suspense, _other = statement_line._seek_for_lines()
        if len(payout) != 1 or len(suspense) != 1:
            continue
        if statement_line.company_currency_id.compare_amounts(suspense.balance, -payout.balance):
            continue
        suspense.with_context(skip_account_move_synchronization=True).write(
            {"account_id": payout.account_id.id, "partner_id": payout.partner_id.id}
        )
        if payout.account_id.reconcile:
            (suspense | payout).reconcile()
        matched |= statement_line
    return matched


def reconcile_open(items):
    """Reconcile the items not reconciled yet, when there are both debits and credits among them."""
    items = items.filtered(lambda item: not item.reconciled)
    debit = any(item.amount_residual > 0 or item.amount_residual_currency > 0 for item in items)
    credit = any(item.amount_residual < 0 or item.amount_residual_currency < 0 for item in items)
    if debit and credit:
        items.reconcile()


def _move_key(move):
    """What a payout entry books: journal, day and its lines (account, partner, currency, amounts)."""
    lines = sorted(
        (
            line.account_id.id,
            line.partner_id.id,
            line.currency_id.id,
            round(line.amount_currency, 6),
            round(line.balance, 6),
        )
        for line in move.line_ids
    )
    return (move.journal_id.id, str(move.date), tuple(lines))


def _vals_key(vals):
    """What a payout entry would book, from its creation values (see ``_move_key``)."""
    lines = sorted(
        (
            command[2]["account_id"],
            command[2]["partner_id"],
            command[2]["currency_id"],
            round(command[2]["amount_currency"], 6),
            round(command[2]["balance"], 6),
        )
        for command in vals["line_ids"]
    )
    return (vals["journal_id"], str(vals["date"]), tuple(lines))
