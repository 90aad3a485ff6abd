from zoneinfo import ZoneInfo

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from odoo.addons.ecom_audit.approval import approved_change, in_approved_change
from odoo.addons.ecom_audit.roles import FINANCE_READERS

MATCH_KINDS = [("order_payment", "Order and payment"), ("payout", "Settlement and bank credit")]
CARDINALITIES = [("1:1", "1:1"), ("1:N", "1:N"), ("N:1", "N:1")]
PAYOUT_EVENT = "payout"


def local_day(moment, timezone):
    """The day, in ``timezone``, of a naive UTC datetime as stored in the database."""
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(timezone)).date()


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
            problem = needs_entries and self._payout_setup_problem(shop)
            if problem:
                run._message_log(body=problem)
                shop_plans = [(match, plan) for match, plan in shop_plans if not plan["bank_lines"]]
            plans += shop_plans
            for match, plan in shop_plans:
                for bank_line in plan["bank_lines"]:
                    wanted.setdefault(bank_line, match)
        # the run's payout entries (and their reversals) are the system's: no manual-entry approval
        with approved_change():
            entries = self._sync_payout_entries(run, wanted)
        linked = self.env["account.move.line"]
        for match, plan in plans:
            account = plan["account"]
            payouts = self.env["account.move"].concat(
                *(entries[line] for line in plan["bank_lines"] if line in entries)
            )
            credits = plan["credits"] | payouts.line_ids.filtered(
                lambda item, a=account: item.account_id == a
            )
            _reconcile_open(credits | plan["owed"])
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
                SQL(
                    """SELECT DISTINCT p.statement_id
                         FROM ecom_statement_line p
                        WHERE p.line_type = 'payout'
                          AND p.statement_id IN (
                                SELECT DISTINCT l.statement_id
                                  FROM ecom_reconcile_match_channel_rel r
                                  JOIN ecom_statement_line l ON l.id = r.line_id
                                 WHERE r.match_id = ANY(%s))""",
                    self.ids,
                )
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
            rows = self.env.execute_query(
                SQL(
                    """SELECT r.match_id,
                              array_agg(DISTINCT timezone(%(tz)s, l.occurred_at AT TIME ZONE 'UTC')::date),
                              array_agg(DISTINCT l.statement_id)
                         FROM %(relation)s r
                         JOIN ecom_statement_line l ON l.id = r.line_id
                        WHERE r.match_id = ANY(%(ids)s)
                        GROUP BY r.match_id""",
                    tz=timezone,
                    relation=SQL.identifier(relation),
                    ids=self.ids,
                )
            )
            for match_id, days, statement_ids in rows:
                facts[match_id][index].update(days)
                if index == 0:
                    facts[match_id][2].update(statement_ids)
        return facts

    def _payout_setup_problem(self, shop):
        """Why payout entries of ``shop`` cannot be made (a message for the run), or False."""
        if (
            shop.journal_id
            and shop.partner_id
            and self.env["ecom.posting.rule"]._rules_for(shop).get(PAYOUT_EVENT)
        ):
            return False
        return self.env._(
            "%(shop)s: no payout entries made and its clearing items not reconciled: the shop needs a "
            "settlement journal, a channel partner and a posting rule for payouts.",
            shop=shop.display_name,
        )

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

    def _sync_payout_entries(self, run, wanted):
        """The live payout entry of each bank credit in ``wanted`` ({bank line: match}).

        An entry already live for a credit is kept when it books what it would book now,
        whichever run made it; otherwise it is reversed (never deleted) and a new one is
        posted. The entries ``run`` made for credits it no longer matches are reversed.
        """
        Move = self.env["account.move"]
        bank_ids = sorted(line.id for line in wanted)
        if bank_ids:
            # One payout entry per bank credit. A no-op update of the credits' rows (not a mere
            # lock) serialises the runs booking them: a concurrent run fails with a serialisation
            # error, is retried, and then sees the entries made here (its snapshot would not).
            self.env.cr.execute(
                SQL("UPDATE ecom_statement_line SET write_date = write_date WHERE id = ANY(%s)", bank_ids)
            )
        vals_of = {line: match._payout_entry_vals(run, line) for line, match in wanted.items()}
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
                [{"ref": self.env._("Reversal of: %s", move.ref), "date": move.date} for move in stale],
                cancel=True,
            )
        todo = [line for line in vals_of if line not in entries]
        if todo:
            moves = Move.create([vals_of[line] for line in todo])
            moves.action_post()
            entries.update(zip(todo, moves, strict=True))
        return entries

    def _payout_entry_vals(self, run, bank_line):
        """``account.move`` values booking ``bank_line``: Dr the payout account, Cr the clearing account."""
        self.ensure_one()
        shop = self.shop_id
        company = shop.company_id
        currency = bank_line.currency_id or shop.currency_id
        day = local_day(bank_line.occurred_at, shop.timezone)
        amount = currency.round(bank_line.gross)
        balance = currency._convert(amount, company.currency_id, company, day)
        rule = self.env["ecom.posting.rule"]._rules_for(shop).get(PAYOUT_EVENT)
        label = self.env._("%(shop)s: paid out", shop=shop.code)
        common = {"name": label, "partner_id": shop.partner_id.id, "currency_id": currency.id}
        return {
            "move_type": "entry",
            "journal_id": shop.journal_id.id,
            "company_id": company.id,
            "date": day,
            "ref": self.env._(
                "Payout %(reference)s, bank credit %(credit)s",
                reference=self.reference,
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


def _reconcile_open(items):
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
