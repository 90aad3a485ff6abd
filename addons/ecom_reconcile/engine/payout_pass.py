# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Settlements against bank credits: the few rows a day of a shop, matched by ``ecomfin.matching``."""

from collections import defaultdict
from datetime import datetime, time
from decimal import Decimal

from odoo.addons.ecom_audit.approval import approved_change
from odoo.addons.ecom_finance import sources

from ecomfin.matching import BankCredit, SettlementGroup, Tolerance, local_day, match_payouts

from . import results, scope

MATCH_CHANNEL = ("ecom_reconcile_match_channel_rel", "match_id")
DIFFERENCE_CHANNEL = ("ecom_reconcile_difference_channel_rel", "difference_id")
# what a payout difference found again with other amounts changes (its key stays)
FOUND_AGAIN_FIELDS = ("currency_id", "expected_amount", "actual_amount", "date", "bank_line_ids")


def payouts_against_bank(run, shop, rule):
    """Match the settlements of ``shop`` in the run's period with its bank credits."""
    # credits up to two weeks after the window: a late credit of the right amount is "timing"
    start, end, late = scope.period(run, rule.timezone, extra_hours=24 * (rule.payout_window_days + 15))
    source = sources.settlement_lines(shop.id, rule.payout_source, rule.timezone, start, end)
    groups, signatures = settlement_groups(run.env, source, rule.timezone)
    credits = [
        BankCredit(
            line_id=line_id, day=local_day(moment, rule.timezone), amount=Decimal(str(gross)), memo=memo or ""
        )
        for line_id, moment, gross, memo in run.env.execute_query(sources.bank_credits(shop.id, start, late))
    ]
    tolerance = Tolerance(
        absolute=Decimal(str(rule.amount_tolerance)),
        percent=Decimal(str(rule.amount_tolerance_pct)),
        window_days=rule.payout_window_days,
    )
    result = match_payouts(groups, credits, tolerance)
    by_key = {group.key: group for group in groups}
    currency = shop.currency_id
    matches = [
        {
            "run_id": run.id,
            "shop_id": shop.id,
            "company_id": run.company_id.id,
            "kind": "payout",
            "cardinality": cardinality,
            "reference": ", ".join(keys),
            "rule_id": rule.id,
            "currency_id": currency.id,
            "amount": currency.round(float(sum(by_key[k].net for k in keys))),
            "residual": currency.round(float(residual)),
            "bank_line_ids": [(6, 0, sorted(credit_ids))],
        }
        for cardinality, keys, credit_ids, residual in result.matches
    ]
    differences = [
        {
            "run_id": run.id,
            "shop_id": shop.id,
            "company_id": run.company_id.id,
            "stage": "payout",
            "kind": kind,
            "reference": ", ".join(keys),
            "currency_id": currency.id,
            "expected_amount": currency.round(float(expected)),
            "actual_amount": currency.round(float(actual)),
            "date": datetime.combine(by_key[keys[0]].day, time.min),
            "bank_line_ids": [(6, 0, sorted(credit_ids))],
        }
        for kind, keys, credit_ids, expected, actual in result.differences
    ]
    replace_payout_results(run, shop, source, signatures, matches, differences)


def settlement_groups(env, source, timezone):
    """The settlement groups of ``source`` (see ``sources.settlement_lines``), and the signature
    of the lines of each ({key: md5 of their sorted ids})."""
    groups, signatures = [], {}
    for group_key, moment, net, payout_ref, signature in env.execute_query(
        sources.settlement_totals(*source)
    ):
        groups.append(
            SettlementGroup(
                key=group_key, day=local_day(moment, timezone), net=Decimal(str(net)), payout_ref=payout_ref
            )
        )
        signatures[group_key] = signature
    return groups, signatures


def _identity(vals, lines):
    """What makes a payout result the same as another: its facts, credits and settlements' lines."""
    keys = vals["reference"].split(", ")
    amounts = (
        (vals["amount"], vals["residual"])
        if "amount" in vals
        else (vals["expected_amount"], vals["actual_amount"], vals["date"])
    )
    return (
        vals.get("kind"),
        vals.get("cardinality"),
        vals.get("rule_id"),
        tuple(keys),
        vals["currency_id"],
        amounts,
        tuple(vals["bank_line_ids"][0][2]),
        tuple(lines.get(key) for key in keys),
    )


def _match_fields(match):
    return {
        "kind": match.kind,
        "cardinality": match.cardinality,
        "reference": match.reference or "",
        "currency_id": match.currency_id.id,
        "rule_id": match.rule_id.id,
        "amount": match.currency_id.round(match.amount),
        "residual": match.currency_id.round(match.residual),
        "bank_line_ids": [(6, 0, sorted(match.bank_line_ids.ids))],
    }


def _difference_fields(difference):
    return {
        "kind": difference.kind,
        "reference": difference.reference or "",
        "currency_id": difference.currency_id.id,
        "expected_amount": difference.currency_id.round(difference.expected_amount),
        "actual_amount": difference.currency_id.round(difference.actual_amount),
        "date": difference.date,
        "bank_line_ids": [(6, 0, sorted(difference.bank_line_ids.ids))],
    }


def _kept_of(env, records, wanted, channel, fields_of, source, signatures):
    """(records found again as they were among ``records``, creation values of the others)."""
    old_lines = linked_signatures(env, records, channel, source)
    todo = {}
    for vals in wanted:
        todo.setdefault(_identity(vals, signatures), []).append(vals)
    kept = records.browse()
    for record in records:
        same = todo.get(_identity(fields_of(record), old_lines.get(record.id, {})))
        if same:
            same.pop()
            kept |= record
    return kept, [vals for group in todo.values() for vals in group]


def replace_payout_results(run, shop, source, signatures, matches, differences):
    """Write the payout <-> bank results of ``shop`` (creation values), replacing the run's own.

    As for the orders (``order_pass.replace_order_results``): a result found again as it was
    (same settlements with the same lines, same credits and amounts) stays, with its assignee,
    state and comments; the other differences are written on their key (see ``results``).
    """
    env = run.env
    # the run's results are written by the run (its right to run was checked in _execute)
    Match = env["ecom.reconcile.match"].sudo()
    Difference = env["ecom.reconcile.difference"].sudo()
    domain = [("run_id", "=", run.id), ("shop_id", "=", shop.id)]
    old_matches = Match.search([*domain, ("kind", "=", "payout")])
    old_differences = Difference.search([*domain, ("stage", "=", "payout")])
    kept, todo = _kept_of(env, old_matches, matches, MATCH_CHANNEL, _match_fields, source, signatures)
    (old_matches - kept).unlink()
    with approved_change():
        created = Match.create(todo)
    link_channel_lines(created, MATCH_CHANNEL, source)
    kept, todo = _kept_of(
        env, old_differences, differences, DIFFERENCE_CHANNEL, _difference_fields, source, signatures
    )

    replaced = old_differences - kept

    def write_found():
        live = {
            (d.kind, d.reference): d
            for d in Difference.search([("id", "in", replaced.ids)])  # the live ones: not worked on
        }
        written, new = Difference.browse(), []
        with approved_change():
            for vals in todo:
                same = live.get((vals["kind"], vals["reference"]))
                if same:
                    same.write({name: vals[name] for name in FOUND_AGAIN_FIELDS})
                    written |= same
                else:
                    new.append(vals)
            # no "created" message: a difference's chatter is for the people working on it (and
            # a message of anyone else would count as work on it, see results.WORKED_ON)
            created = Difference.with_context(mail_create_nolog=True).create(new)
        results.unlink_channel_lines(env, written.ids)
        link_channel_lines(written | created, DIFFERENCE_CHANNEL, source)
        return (written | created).ids

    results.replace_differences(run, replaced.ids, write_found)


def linked_signatures(env, records, channel, source):
    """{record id: {settlement key: signature}} of the channel lines linked to ``records``."""
    result = defaultdict(dict)
    if records:
        relation, column = channel
        key, _where = source
        for record_id, group_key, signature in env.execute_query(
            sources.linked_settlement_signatures(relation, column, records.ids, key)
        ):
            result[record_id][group_key] = signature
    return result


def link_channel_lines(records, channel, source):
    """Link each of ``records`` to the channel lines of its settlements (its reference),
    set-wise in PostgreSQL: a payout of a busy day holds a hundred thousand lines, too many
    for the ORM's many2many or for a list in Python."""
    if not records:
        return
    relation, column = channel
    key, where = source
    pairs = [(record.id, group) for record in records for group in (record.reference or "").split(", ")]
    records.env.cr.execute(
        sources.link_settlement_lines(
            relation, column, [pair[0] for pair in pairs], [pair[1] for pair in pairs], key, where
        )
    )
    records.invalidate_recordset(["channel_line_ids"])
