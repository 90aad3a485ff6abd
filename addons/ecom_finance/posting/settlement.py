# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Settlement posting: the summary entries of imported settlements (plain functions).

One entry per settlement and period (month, or the shop's day), its lines the totals of the
settlement's lines by event (``ecomfin.posting``) through the shop's clearing account. The
rights and the state of the settlements are checked by ``ecom.statement._post_entries``.
"""

from decimal import Decimal

from odoo import Command
from odoo.exceptions import UserError
from odoo.tools import SQL

from ecomfin.posting import FEE_EVENT, TYPE_EVENTS, PostingError, build_entry


def post_settlements(statements):
    """Create and post the entries of ``statements`` not posted yet (refusing those that cannot
    be posted); return them. The caller checked the rights."""
    env = statements.env
    # One posting at a time per settlement. A plain row lock is not enough under Odoo's
    # REPEATABLE READ: a second caller would wait, then still see no entries in its snapshot.
    # Touching the rows makes it fail with a serialization error instead, and Odoo retries
    # the request, which then finds the settlement posted.
    env.cr.execute(
        SQL("UPDATE ecom_statement SET write_date = write_date WHERE id = ANY(%s)", statements.ids)
    )
    statements.invalidate_recordset(["move_ids"])
    todo = statements.filtered(lambda s: s.posting_state in ("to_post", "reversed"))
    not_postable = statements.filtered(lambda s: s.posting_state == "none")
    if not_postable:
        raise UserError(
            env._(
                "%s: only imported payment-channel statements with lines can be posted.",
                ", ".join(not_postable.mapped("name")),
            )
        )
    vals_list = []
    for shop, shop_statements in todo.grouped("shop_id").items():
        vals_list += entry_vals(shop_statements, shop)
    moves = env["account.move"].create(vals_list)
    moves.action_post()
    # a note in the import's history; the entries themselves are audited by ecom_audit
    for statement in todo:
        count = len(moves.filtered(lambda move, statement=statement: move.ecom_statement_id == statement))
        statement._message_log(body=env._("%(count)s settlement entries posted.", count=count))
    return moves


def entry_vals(statements, shop):
    """``account.move`` values of ``statements`` of one shop, one per settlement and period."""
    env = statements.env
    shop._check_posting_setup()
    rules = env["ecom.posting.rule"]._rules_for(shop)
    labels = dict(env["ecom.posting.rule"]._fields["event_type"]._description_selection(env))
    accounts = {event: rule.account_id.id for event, rule in rules.items()}
    grain = "day" if shop.posting_grouping == "day" else "month"
    groups = {}
    for (
        statement_id,
        period,
        currency_id,
        first_day,
        last_day,
        event,
        amount,
        count,
    ) in event_totals(statements, shop, grain):
        group = groups.setdefault(
            (statement_id, period, currency_id), {"first": first_day, "last": last_day, "totals": {}}
        )
        group["first"] = min(group["first"], first_day)
        group["last"] = max(group["last"], last_day)
        group["totals"][event] = (amount, count)
    company = shop.company_id
    names = {statement.id: statement.name for statement in statements}
    vals_list = []
    for (statement_id, _period, currency_id), group in sorted(groups.items()):
        date = group["last"]
        currency = env["res.currency"].browse(currency_id)
        rate = currency._get_conversion_rate(currency, company.currency_id, company, date)
        try:
            lines = build_entry(
                group["totals"],
                accounts,
                shop.clearing_account_id.id,
                rate=Decimal(str(rate)),
                digits=company.currency_id.decimal_places,
                currency_digits=currency.decimal_places,
            )
        except PostingError as exc:
            raise UserError(
                env._(
                    "%(statement)s cannot be posted: %(reason)s. Set the posting rules of shop %(shop)s.",
                    statement=names[statement_id],
                    reason=str(exc),
                    shop=shop.display_name,
                )
            ) from exc
        ref = f"{names[statement_id]} {group['first']:%Y-%m-%d}..{group['last']:%Y-%m-%d}"
        vals_list.append(
            {
                "move_type": "entry",
                "journal_id": shop.journal_id.id,
                "company_id": company.id,
                "date": date,
                "ref": ref,
                "ecom_statement_id": statement_id,
                "ecom_period_start": group["first"],
                "ecom_period_end": group["last"],
                "line_ids": [
                    Command.create(entry_line_vals(env, shop, rules, line, currency, labels))
                    for line in lines
                ],
            }
        )
    return vals_list


def entry_line_vals(env, shop, rules, line, currency, labels):
    rule = rules.get(line.event) if line.role == "event" else None
    if line.role == "clearing":
        name = env._("%(shop)s: owed by the channel", shop=shop.code)
    elif line.role == "payout_clearing":
        name = env._("%(shop)s: paid out", shop=shop.code)
    else:
        name = f"{shop.code}: {labels[line.event]}"
    return {
        "name": name,
        "account_id": line.account,
        "partner_id": (rule and rule.partner_id.id) or shop.partner_id.id,
        "currency_id": currency.id,
        "amount_currency": float(line.amount_currency),
        "balance": float(line.balance),
        "ecom_event_type": line.event,
        "analytic_distribution": rule.analytic_distribution if rule else False,
    }


def event_totals(statements, shop, grain):
    """(statement, period, currency, first day, last day, event, amount, count) of their lines.

    Days are the shop's local days; each line yields its gross under the event of its
    type and the fee withheld from it as a payment fee (see ``ecomfin.posting``).
    """
    whens = []
    for line_type, event in TYPE_EVENTS.items():
        if isinstance(event, tuple):
            whens.append(SQL("WHEN %s THEN (CASE WHEN l.gross >= 0 THEN %s ELSE %s END)", line_type, *event))
        else:
            whens.append(SQL("WHEN %s THEN %s", line_type, event))
    env = statements.env
    local = SQL("timezone(%s, l.occurred_at AT TIME ZONE 'UTC')", shop.timezone)
    env.cr.execute(
        SQL(
            """SELECT l.statement_id, date_trunc(%(grain)s, %(local)s)::date AS period, l.currency_id,
                      min(%(local)s)::date, max(%(local)s)::date, e.event, sum(e.amount), count(*)
                 FROM ecom_statement_line l
                CROSS JOIN LATERAL (VALUES (CASE l.line_type %(whens)s END, l.gross),
                                           (%(fee_event)s, -l.fee)) AS e(event, amount)
                WHERE l.statement_id = ANY(%(ids)s) AND e.amount <> 0
                GROUP BY l.statement_id, period, l.currency_id, e.event""",
            grain=grain,
            local=local,
            whens=SQL(" ").join(whens),
            fee_event=FEE_EVENT,
            ids=statements.ids,
        )
    )
    return [(*row[:6], Decimal(row[6]), row[7]) for row in env.cr.fetchall()]
