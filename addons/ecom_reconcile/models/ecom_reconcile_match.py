# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.ecom_audit.approval import approved_change, in_approved_change
from odoo.addons.ecom_audit.roles import FINANCE_READERS
from odoo.addons.ecom_finance import sources

from ecomfin.posting import PAYOUT_EVENT

from ..engine import payout_entries

MATCH_KINDS = [("order_payment", "Order and payment"), ("payout", "Settlement and bank credit")]
CARDINALITIES = [("1:1", "1:1"), ("1:N", "1:N"), ("N:1", "N:1")]
CHANNEL_RELATION = ("ecom_reconcile_match_channel_rel", "match_id")


def _overlaps(move, first, last):
    return move.ecom_period_start <= last and move.ecom_period_end >= first


class EcomReconcileMatch(models.Model):
    """Lines of the sources that a run found to agree: an order with its payments, or
    settled channel lines with the bank credit(s) that paid them.

    A payout match also settles what the channel owed in accounting: see
    ``_reconcile_clearing``.
    """

    _name = "ecom.reconcile.match"
    _description = "Reconciliation Match"
    _inherit = ["ecom.reconcile.result.mixin"]
    _order = "run_id, id"
    _check_company_auto = True
    # Written by its run, a million at a time: who and when are the run's (its chatter and
    # Last Run). Without the four columns a match row has two foreign keys fewer to check.
    _log_access = False

    kind = fields.Selection(MATCH_KINDS, required=True, readonly=True)
    cardinality = fields.Selection(CARDINALITIES, required=True, default="1:1", readonly=True)
    reference = fields.Char(index=True, readonly=True)
    rule_id = fields.Many2one("ecom.reconcile.rule", readonly=True)
    order_id = fields.Many2one("ecom.order", index="btree_not_null", readonly=True)
    channel_line_ids = fields.Many2many(
        "ecom.statement.line", "ecom_reconcile_match_channel_rel", "match_id", "line_id", readonly=True
    )
    bank_line_ids = fields.Many2many(
        "ecom.statement.line", "ecom_reconcile_match_bank_rel", "match_id", "line_id", readonly=True
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(readonly=True)
    residual = fields.Monetary(readonly=True, help="What the match left unexplained, within the tolerance.")
    fx_gap = fields.Monetary(
        string="FX Gap",
        readonly=True,
        help="An order and payments in two currencies: what the payments, at Odoo's rate of their day, "
        "differ from the order by within the rule's FX tolerance (the rates', not an amount difference).",
    )
    fx_rate = fields.Float(
        string="FX Rate",
        digits=(16, 6),
        readonly=True,
        help="What one unit of the payments' currency was worth in the order's on their day "
        "(0: one currency).",
    )
    clearing_line_ids = fields.Many2many(
        "account.move.line",
        "ecom_reconcile_match_clearing_rel",
        "match_id",
        "line_id",
        string="Clearing Items",
        readonly=True,
        groups=FINANCE_READERS,
        help="The journal items of the shop's clearing account that this payout settles: what the "
        "channel owed for the settled days and the payout, reconciled together.",
    )
    payout_move_ids = fields.Many2many(
        "account.move",
        "ecom_reconcile_match_payout_move_rel",
        "match_id",
        "move_id",
        string="Payout Entries",
        readonly=True,
        groups=FINANCE_READERS,
        help="For a channel whose bills list no payouts (WeChat Pay T+1, payout ids): one entry per bank "
        "credit, the payout account against the clearing account.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # copy() and load() create through here too: matches are the runs' findings only
        if not in_approved_change():
            raise AccessError(self.env._("Matches are found by reconciliation runs, not created by hand."))
        return super().create(vals_list)

    def write(self, vals):
        # every field of a match is the run's (no context key and no superuser passes)
        if not in_approved_change():
            raise AccessError(self.env._("What a run found is not editable: %s.", ", ".join(sorted(vals))))
        return super().write(vals)

    # ------------------------------------------------------------------
    # Clearing account
    # ------------------------------------------------------------------

    def _reconcile_clearing(self, run):
        """Reconcile the clearing items that these payout matches of ``run`` settle.

        Only settlements with live (posted, not reversed) entries take part. The credit
        side is the payout booked by the settlement entries when the channel's file lists
        its payouts, else one payout entry per matched bank credit, made here. The debit
        side is what the channel owed: for payout lines every open item up to the payout
        day (a payout sweeps the balance, oldest first), otherwise the items of the settled
        days. Reconciliation is partial where an entry covers more than the payout.

        :returns: the clearing items linked to the matches
        """
        if not self.env.su:
            # booking and reconciling entries is an accounting right, as for settlement posting
            self.env["account.move"].check_access("create")
            self.env["account.move.line"].check_access("write")
        booking = self._statements_listing_payouts()
        plans, wanted = [], {}
        for shop, matches in self.grouped("shop_id").items():
            if not shop.clearing_account_id:
                continue  # nothing of the shop can have been posted
            shop_plans = matches._clearing_plans(shop, booking)
            needs_entries = any(plan["bank_lines"] for _match, plan in shop_plans)
            problem = needs_entries and payout_entries.setup_problem(self.env, shop)
            if problem:
                run._message_log(body=problem)
                shop_plans = [(match, plan) for match, plan in shop_plans if not plan["bank_lines"]]
            plans += shop_plans
            for match, plan in shop_plans:
                for bank_line in plan["bank_lines"]:
                    wanted.setdefault(bank_line, match)
        # the run's payout entries (and their reversals) are the system's: no manual-entry approval
        with approved_change():
            entries = payout_entries.sync_payout_entries(self.env, run, wanted)
            # the same credits in Odoo's bank statements (one bank import for both): matched too
            payout_entries.match_bank_statement_lines(self.env, entries)
        linked = self.env["account.move.line"]
        for match, plan in plans:
            account = plan["account"]
            payouts = self.env["account.move"].concat(
                *(entries[line] for line in plan["bank_lines"] if line in entries)
            )
            credits = plan["credits"] | payouts.line_ids.filtered(
                lambda item, a=account: item.account_id == a
            )
            payout_entries.reconcile_open(credits | plan["owed"])
            credits.invalidate_recordset(["matched_debit_ids", "matched_credit_ids"])
            counterparts = credits.matched_debit_ids.debit_move_id | credits.matched_credit_ids.credit_move_id
            items = credits | counterparts.filtered(
                lambda item, a=account: item.account_id == a
                and bool(item.move_id.ecom_statement_id or item.move_id.ecom_bank_line_id)
            )
            # the run's results are written by the run (its right to run was checked in _execute)
            with approved_change():
                match.sudo().write(
                    {
                        "clearing_line_ids": [Command.set(items.ids)],
                        "payout_move_ids": [Command.set(payouts.ids)],
                    }
                )
            linked |= items
        return linked

    def _statements_listing_payouts(self):
        """Ids of the statements of these matches' channel lines that list payouts themselves."""
        # set-wise: a payout match of a busy day holds a hundred thousand lines
        return {
            statement_id
            for (statement_id,) in self.env.execute_query(
                sources.imports_listing_payouts(*CHANNEL_RELATION, self.ids)
            )
        }

    def _line_facts(self, timezone):
        """{match id: (days of its channel lines, days of its bank lines, statement ids of its
        channel lines)}, the days in ``timezone``, read set-wise (not line by line)."""
        facts = {match_id: (set(), set(), set()) for match_id in self.ids}
        for relation, index in (
            ("ecom_reconcile_match_channel_rel", 0),
            ("ecom_reconcile_match_bank_rel", 1),
        ):
            rows = self.env.execute_query(sources.linked_line_days(relation, "match_id", self.ids, timezone))
            for match_id, days, statement_ids in rows:
                facts[match_id][index].update(days)
                if index == 0:
                    facts[match_id][2].update(statement_ids)
        return facts

    def _clearing_plans(self, shop, booking):
        """(match, plan) of the matches of ``shop`` whose settlements are posted, oldest first.

        A plan holds the clearing ``account``, the ``owed`` items, the payout ``credits`` of
        the settlement entries and the ``bank_lines`` that still need a payout entry.
        """
        account = shop.clearing_account_id
        facts = []
        line_facts = self._line_facts(shop.timezone)
        for match in self:
            days, bank_days, statements = line_facts[match.id]
            if days:
                facts.append((min(days), match.id, match, days, bank_days, statements))
        if not facts:
            return []
        facts.sort(key=lambda fact: fact[:2])
        first = min(fact[0] for fact in facts)
        last = max(max(fact[3] | fact[4]) for fact in facts)
        items = self.env["account.move.line"].search(
            [
                ("account_id", "=", account.id),
                ("parent_state", "=", "posted"),
                ("move_id.ecom_statement_id.shop_id", "=", shop.id),
                ("move_id.ecom_period_start", "<=", last),
                "|",
                ("reconciled", "=", False),
                ("move_id.ecom_period_end", ">=", first),
            ],
            order="date, id",
        )
        live = items.move_id._ecom_live_postings()
        items = items.filtered(lambda line: line.move_id in live)
        plans = []
        for _first_day, _id, match, days, bank_days, statements in facts:
            plan = match._clearing_plan(items, days, bank_days, statements, booking)
            if plan:
                plans.append((match, {"account": account, **plan}))
        return plans

    def _clearing_plan(self, items, days, bank_days, statements, booking):
        """The ``owed``, ``credits`` and ``bank_lines`` of this match among the clearing ``items``.

        ``days`` are the settled days (the payout days for payout lines), ``bank_days`` those
        of the bank credits, ``statements`` the imports of its channel lines. None when its
        settlements are not posted (or were reversed).
        """
        owed_items = items.filtered(lambda line: line.ecom_event_type != PAYOUT_EVENT)
        mine = items.filtered(lambda line: line.move_id.ecom_statement_id.id in statements)
        first, last = min(days), max(days)
        if self.rule_id.payout_source == "payout_lines":
            credits = (mine - owed_items).filtered(
                lambda line: any(_overlaps(line.move_id, day, day) for day in days)
            )
            if not credits:
                return None
            # a payout sweeps the channel balance: every open item up to its day, oldest first
            owed = owed_items.filtered(
                lambda line: not line.reconciled and line.move_id.ecom_period_start <= last
            )
            return {"owed": owed, "credits": credits, "bank_lines": []}
        owed = (mine & owed_items).filtered(
            lambda line: any(_overlaps(line.move_id, day, day) for day in days)
        )
        if not owed:
            return None
        if statements & booking:
            # the channel's file lists its payouts: its entries booked them already
            until = max(bank_days | days)
            credits = (mine - owed_items).filtered(lambda line: _overlaps(line.move_id, first, until))
            return {"owed": owed, "credits": credits, "bank_lines": []}
        return {"owed": owed, "credits": mine[:0], "bank_lines": list(self.bank_line_ids)}
