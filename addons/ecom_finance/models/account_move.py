# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import contextvars

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.ecom_audit.approval import in_approved_change, protected_in
from odoo.addons.ecom_audit.roles import ACCOUNTANT

from ecomfin.cn_amount import rmb_upper

# Ids of the entries whose approval ``_post`` just checked and consumed: the only writes of
# ``state = 'posted'`` let through on the e-commerce journals (set by Python code, like the
# guards of ecom_audit.approval: no caller reaches it).
_POSTING = contextvars.ContextVar("ecom_posting_checked", default=frozenset())
# Written by _post (in SQL) and by no one else: create, write, copy and import refuse them.
VOUCHER_FIELDS = frozenset(
    {"ecom_voucher_word", "ecom_voucher_period", "ecom_voucher_number", "ecom_posted_uid", "voucher_number"}
)
# A change of these voids the approval of a manual entry (line edits are also caught when
# posting: the substance is recomputed then).
SUBSTANCE_FIELDS = {"line_ids", "invoice_line_ids", "date", "journal_id", "ref", "partner_id", "currency_id"}


class AccountMove(models.Model):
    _name = "account.move"
    # ecom.budget.control.mixin is an ecom.approval.gate.mixin
    _inherit = ["account.move", "ecom.budget.control.mixin"]
    # posting a manual entry on an e-commerce journal: approved by an Accountant, then posted;
    # one beyond its budgets also by a Finance Manager (``budget_overrun``, ecom.budget.control.mixin)
    _ecom_approval_operation = "manual_entry"
    # audited: the entries' creation, and every change of what they book
    _ecom_audited_fields = {"state", "date", "journal_id", "ref", "partner_id", "reversed_entry_id"}
    # the columns of the lines of a manual entry's approval substance, for the approver's view
    # (ecom_audit/models/approval_substance.py): the order of _ecom_approval_substance's rows
    _ecom_approval_substance_columns = {
        "lines": (
            "account.move.line",
            (
                None,
                "account_id",
                "partner_id",
                "debit",
                "credit",
                "amount_currency",
                "currency_id",
                "name",
                None,
                "tax_ids",
                "tax_line_id",
                "tax_tag_ids",
            ),
        )
    }

    ecom_statement_id = fields.Many2one(
        "ecom.statement",
        string="E-commerce Settlement",
        index="btree_not_null",
        readonly=True,
        ondelete="set null",
        help="The imported settlement this entry summarises.",
    )
    ecom_period_start = fields.Date(string="Settlement From", readonly=True)
    ecom_period_end = fields.Date(string="Settlement To", readonly=True)
    ecom_manual_entry = fields.Boolean(
        string="E-commerce Manual Entry",
        compute="_compute_ecom_manual_entry",
        help="Entry of an e-commerce journal made by hand: posting it needs an approval.",
    )

    # 记账凭证: word and number per company and month, given at the first posting, kept for good
    ecom_voucher_word = fields.Char(string="Voucher Word", readonly=True, copy=False)
    ecom_voucher_period = fields.Char(string="Voucher Month", readonly=True, copy=False)
    ecom_voucher_number = fields.Integer(string="Voucher Number", readonly=True, copy=False)
    # the contract partners read (issue 17): word, month and number, e.g. 记-202612-0007
    voucher_number = fields.Char(
        string="Voucher",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="记账凭证: word, month and number.",
    )
    ecom_posted_uid = fields.Many2one(
        "res.users", string="Posted By", readonly=True, copy=False, help="记账: who posted it first."
    )
    ecom_reviewer_names = fields.Char(
        string="Reviewed By",
        compute="_compute_ecom_reviewer_names",
        help="审核: who approved its posting (manual entries of the e-commerce journals).",
    )

    ecom_budget_html = fields.Html(
        string="Budgets",
        compute="_compute_ecom_budget",
        sanitize=True,
        help="Manual entries: the budgets their lines count in, what remains of each, what the entry "
        "adds and what would remain after it.",
    )
    ecom_budget_overrun = fields.Boolean(
        string="Over Budget",
        compute="_compute_ecom_budget",
        help="Posting the manual entry would exceed a budget: a Finance Manager approves it first.",
    )

    @api.depends("state", "date", "company_id", "journal_id", "line_ids.account_id", "line_ids.balance")
    def _compute_ecom_budget(self):
        manual = self.filtered("ecom_manual_entry")
        (self - manual).ecom_budget_html = False
        (self - manual).ecom_budget_overrun = False
        manual._ecom_compute_budget("ecom_budget_html", "ecom_budget_overrun")

    def _ecom_budget_pending(self):
        self.ensure_one()
        return self.state == "draft" and self.ecom_manual_entry

    def _ecom_budget_items(self):
        """Each line: the entry's date, its account, its balance (a debit spends, a credit gives back)."""
        self.ensure_one()
        return [(self.company_id.id, self.date, line.account_id.id, line.balance) for line in self.line_ids]

    def _ecom_check_budgets(self, as_system=False):
        """Manual entries beyond a budget need a Finance Manager's approval (consumed here); the
        settlement posting path (``approved_change``) books what the platforms settled, unchecked."""
        if in_approved_change():
            return
        pending = self.filtered(lambda move: move.state == "draft" and move.ecom_manual_entry)
        super(AccountMove, pending)._ecom_check_budgets(as_system=as_system)

    def action_ecom_request_budget_approval(self):
        """Ask Budget Approval: a Finance Manager other than the requester approves that the
        manual entry, as it is now, exceeds its budgets; posting it then consumes the approval
        (besides the manual entry's own approval)."""
        if not self.env.su and not self.env.user.has_group(ACCOUNTANT):
            raise AccessError(self.env._("Accountants ask for the budget approval of manual entries."))
        self.check_access("write")
        self._ecom_ask_budget_approval()
        return True

    def _compute_ecom_reviewer_names(self):
        # the voucher shows who approved the posting (names only); the requests themselves are
        # finance data its reader may not open
        requests = (
            self.env["ecom.approval.request"]
            .sudo()
            .search(
                [
                    ("operation", "=", self._ecom_approval_operation),
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("state", "in", ("approved", "applied")),
                ]
            )
        )
        names = {}
        for request in requests:
            approvers = request.line_ids.filtered(lambda line: line.decision == "approve").user_id
            names.setdefault(request.res_id, set()).update(approvers.mapped("name"))
        for move in self:
            move.ecom_reviewer_names = ", ".join(sorted(names.get(move.id, ()))) or False

    def _ecom_amount_in_capitals(self, amount):
        """The voucher's total in Chinese capitals (大写), for the printed voucher."""
        return rmb_upper(amount)

    def _ecom_number_vouchers(self):
        """Give the posted entries without a voucher number theirs, in date order: the next numbers
        of their journal's word in their company and month (ecom.voucher.counter, one increment per
        month and word), written set-wise (a fulfilment posts thousands of entries at once)."""
        todo = self.filtered(lambda move: move.state == "posted" and not move.ecom_voucher_number)
        if not todo:
            return
        groups = {}
        for move in todo.sorted(lambda move: (move.date, move.id)):
            key = (move.company_id.id, move.journal_id.ecom_voucher_word or "记", move.date.strftime("%Y-%m"))
            groups.setdefault(key, []).append(move.id)
        Counter = self.env["ecom.voucher.counter"]
        rows = []
        for (company_id, word, period), ids in groups.items():
            last = Counter._next_number(company_id, word, period, len(ids))
            rows += [
                (move_id, word, period, last - len(ids) + 1 + index) for index, move_id in enumerate(ids)
            ]
        self.env.cr.execute(
            SQL(
                """UPDATE account_move m
                      SET ecom_voucher_word = v.word, ecom_voucher_period = v.period,
                          ecom_voucher_number = v.number, ecom_posted_uid = %s,
                          voucher_number = v.word || '-' || replace(v.period, '-', '') || '-'
                                           || lpad(v.number::text, 4, '0')
                     FROM (VALUES %s) AS v (id, word, period, number)
                    WHERE m.id = v.id""",
                self.env.uid,
                SQL(", ").join(SQL("(%s, %s, %s, %s)", *row) for row in rows),
            )
        )
        todo.invalidate_recordset(list(VOUCHER_FIELDS))

    @api.model
    def _ecom_check_voucher_fields(self, vals_list, creating=False):
        found = protected_in(vals_list, VOUCHER_FIELDS, creating=creating)
        if found:
            raise AccessError(
                self.env._(
                    "Voucher numbers are given when entries are posted, never by hand: %s.",
                    ", ".join(sorted(found)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        # copy() and load() create through here too
        self._ecom_check_voucher_fields(vals_list, creating=True)
        return super().create(vals_list)

    def _ecom_live_postings(self):
        """The settlement entries that are posted and neither a reversal nor reversed."""
        return self.filtered(
            lambda move: move.state == "posted" and not move.reversed_entry_id and not move.reversal_move_ids
        )

    # ------------------------------------------------------------------
    # Manual entries on the e-commerce journals: dual approval
    # ------------------------------------------------------------------

    @api.model
    def _ecom_journals(self):
        """The e-commerce journals: code ECOM, and every shop's settlement journal."""
        # which journals the shops use is not a secret of the shops: anyone posting is checked
        shops = (
            self.env["ecom.shop"].sudo().with_context(active_test=False).search([("journal_id", "!=", False)])
        )
        return shops.journal_id | self.env["account.journal"].sudo().search([("code", "=", "ECOM")])

    @api.depends("journal_id", "ecom_statement_id")
    def _compute_ecom_manual_entry(self):
        journals = self._ecom_journals()
        for move in self:
            move.ecom_manual_entry = move.journal_id in journals and not move.ecom_statement_id

    def _ecom_approval_substance(self, request):
        """What a manual-entry approval approves: the journal, the date, the reference and partner,
        and every line's account, partner, amounts, label, analytic distribution and taxes."""
        self.ensure_one()
        return {
            "move": self.id,
            "journal": self.journal_id.id,
            "date": fields.Date.to_string(self.date),
            "currency": self.currency_id.name,
            "ref": self.ref or "",
            "partner": self.partner_id.id or 0,
            "lines": sorted(
                [
                    line.account_id.code or "",
                    line.account_id.id or 0,
                    line.partner_id.id or 0,
                    line.debit,
                    line.credit,
                    line.amount_currency,
                    line.currency_id.name or "",
                    line.name or "",
                    sorted([key, float(share)] for key, share in (line.analytic_distribution or {}).items()),
                    sorted(line.tax_ids.ids),
                    line.tax_line_id.id or 0,
                    sorted(line.tax_tag_ids.ids),
                ]
                for line in self.line_ids
            ),
        }

    def action_ecom_request_post(self):
        """Ask for the posting of these manual entries; a second person approves them."""
        for move in self:
            if move.state != "draft":
                raise UserError(self.env._("%s is not a draft.", move.display_name))
            move._ecom_ask_approval(
                self.env._(
                    "Post %(move)s in %(journal)s", move=move.display_name, journal=move.journal_id.name
                ),
                amount=sum(move.line_ids.mapped("debit")),
                reason=move.ref,
            )
        return True

    def _ecom_check_manual_entries(self):
        """Posting in an e-commerce journal, other than settlement posting, needs an approved request
        for the entry as it is now. Neither a context key nor the superuser skips it (the auto-post
        cron runs as the superuser); only the settlement posting path (``approved_change``) does."""
        if in_approved_change():
            return
        journals = self._ecom_journals()
        self.filtered(lambda move: move.journal_id in journals)._ecom_require_approval(
            lambda move: self.env._(
                "%s is a manual entry in an e-commerce journal: request its approval (Request "
                "Approval), a second person approves it, then post it.",
                move.display_name,
            )
        )

    # ------------------------------------------------------------------
    # Settlement entries: corrected by reversal, never reset to draft
    # ------------------------------------------------------------------

    def _compute_show_reset_to_draft_button(self):
        result = super()._compute_show_reset_to_draft_button()
        for move in self.filtered("ecom_statement_id"):
            move.show_reset_to_draft_button = False
        return result

    def button_draft(self):
        """A settlement entry is what its import says: it is corrected by **Reverse Entries** on
        the import, then **Post Entries** again (a reset entry could only be posted again by hand,
        against the approval that guards the e-commerce journals, and its import would read as
        reversed)."""
        self.check_access("write")  # the right first: an Auditor is refused, not told how to correct
        settled = self.filtered("ecom_statement_id")
        if settled:
            raise UserError(
                self.env._(
                    "%(moves)s summarise the import %(imports)s: open the import, press Reverse Entries, "
                    "correct the posting rules if needed, then press Post Entries.",
                    moves=", ".join(settled.mapped("display_name")),
                    imports=", ".join(settled.ecom_statement_id.mapped("name")),
                )
            )
        return super().button_draft()

    def _post(self, soft=True):
        self._ecom_check_manual_entries()
        self._ecom_check_budgets()
        token = _POSTING.set(_POSTING.get() | frozenset(self.ids))
        try:
            posted = super()._post(soft=soft)
        finally:
            _POSTING.reset(token)
        posted._ecom_number_vouchers()
        return posted

    def write(self, vals):
        self._ecom_check_voucher_fields([vals])
        if vals.get("state") == "posted":
            # a write of the state is a posting too (draft -> posted, or back to posted after
            # Reset to Draft): it needs the approval Post consumes, unless Post is the writer
            checked = _POSTING.get()
            unchecked = self.filtered(lambda move: move.id not in checked and move.state != "posted")
            if unchecked:
                unchecked._ecom_check_manual_entries()
                unchecked._ecom_check_budgets()
        result = super().write(vals)
        if SUBSTANCE_FIELDS & vals.keys():
            # a change after the request voids it
            self._ecom_void_stale_approvals()
        return result
