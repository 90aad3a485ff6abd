# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import hashlib

from psycopg2.errors import UniqueViolation

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.ecom_audit.approval import in_approved_change
from odoo.addons.ecom_audit.roles import FINANCE_READERS

from ecomfin.crypto import normalize_account
from ecomfin.errors import InputError
from ecomfin.vocab import (
    FORMAT_LABELS,
    ORDER_PROFILE_LABELS,
    SETTLEMENT_FORMATS,
)

from ..import_errors import import_error_text
from ..imports.load import import_result, load_file, queue_file
from ..imports.reading import check_size, decode_base64, file_format, parse_file, parse_options
from ..imports.rights import check_format
from ..posting.settlement import post_settlements


class EcomStatement(models.Model):
    """One imported file: a payment bill, a settlement, a bank statement or an order export.

    ``import_file`` is the entry point for the web client and for partners over
    XML-RPC. A file is parsed by ``ecomfin.parsers`` as a stream, loaded with
    PostgreSQL COPY into a temporary table and inserted set-wise. An import is
    all-or-nothing (a savepoint around it) and idempotent: the same file again is
    recognised by its SHA-256, lines already imported from an overlapping file are
    recognised by their key and skipped.
    """

    _name = "ecom.statement"
    _description = "E-commerce Statement Import"
    _inherit = ["mail.thread", "ecom.encrypted.mixin", "ecom.job.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True
    _ecom_encrypted_fields = {"account": "account_token"}
    _ecom_blind_indexes = {"account": ("account_index", normalize_account)}

    name = fields.Char(required=True, readonly=True)
    shop_id = fields.Many2one(
        "ecom.shop", required=True, index=True, readonly=True, check_company=True, ondelete="restrict"
    )
    company_id = fields.Many2one(
        related="shop_id.company_id", store=True, index=True, precompute=True, readonly=True
    )
    fmt = fields.Selection(FORMAT_LABELS, string="Format", readonly=True, help="Known once the file is read.")
    order_profile = fields.Selection(ORDER_PROFILE_LABELS, readonly=True)
    bank_csv_profile_id = fields.Many2one("ecom.bank.csv.profile", readonly=True, check_company=True)
    filename = fields.Char(required=True, readonly=True)
    sha256 = fields.Char("SHA-256", required=True, readonly=True, copy=False)
    state = fields.Selection(
        [("queued", "Queued"), ("done", "Imported")],
        required=True,
        default="queued",
        readonly=True,
        tracking=True,
    )
    attachment_id = fields.Many2one("ir.attachment", string="File", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    account = fields.Char(
        compute="_compute_ecom_decrypted",
        inverse="_inverse_ecom_encrypted",
        search="_search_account",
        readonly=True,
        groups=FINANCE_READERS,
        help="The provider or bank account the file belongs to. Stored encrypted (AES-GCM); searched "
        "for the exact account number (spaces and dashes ignored).",
    )
    # only the encryption writes these; the token is for the system only
    account_token = fields.Char(
        string="Account (encrypted)", readonly=True, copy=False, groups="base.group_system"
    )
    account_index = fields.Char(
        string="Account (blind index)",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups=FINANCE_READERS,
    )
    period_start = fields.Datetime(readonly=True)
    period_end = fields.Datetime(readonly=True)
    line_count = fields.Integer(string="Rows", readonly=True)
    lines_created = fields.Integer(readonly=True)
    lines_skipped = fields.Integer(
        readonly=True, help="Rows already imported by an earlier, overlapping file."
    )
    orders_created = fields.Integer(readonly=True)
    orders_updated = fields.Integer(readonly=True)
    collision_count = fields.Integer(
        string="Identical Rows", readonly=True, help="Rows sharing their key with another row of this file."
    )
    totals = fields.Json(
        string="Totals by Type",
        readonly=True,
        help="Sum of gross amounts per line type, as read from the file.",
    )
    totals_display = fields.Text(compute="_compute_totals_display", string="Totals")
    warnings = fields.Text(readonly=True)
    connector_backend_id = fields.Many2one(
        "ecom.connector.backend",
        string="Pulled By",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The connector backend whose pull brought this file (empty: uploaded or pushed).",
    )
    line_ids = fields.One2many("ecom.statement.line", "statement_id", string="Lines", readonly=True)
    order_ids = fields.One2many("ecom.order", "statement_id", string="Orders", readonly=True)
    move_ids = fields.One2many(
        "account.move", "ecom_statement_id", string="Journal Entries", readonly=True, groups=FINANCE_READERS
    )
    move_count = fields.Integer(compute="_compute_posting_state", groups=FINANCE_READERS)
    posting_state = fields.Selection(
        [("none", "Nothing to Post"), ("to_post", "To Post"), ("posted", "Posted"), ("reversed", "Reversed")],
        compute="_compute_posting_state",
        groups=FINANCE_READERS,
        help="Posted: its entries are posted. Reversed: they were reversed; it can be posted again.",
    )

    _sql_constraints = [
        (
            "sha256_company_uniq",
            "unique(company_id, sha256)",
            "This file has already been imported in this company.",
        ),
    ]

    @api.depends("totals")
    def _compute_totals_display(self):
        for statement in self:
            statement.totals_display = "\n".join(
                f"{line_type}: {amount}" for line_type, amount in sorted((statement.totals or {}).items())
            )

    @api.depends("fmt", "state", "move_ids.state", "move_ids.reversal_move_ids")
    def _compute_posting_state(self):
        for statement in self:
            moves = statement.move_ids
            statement.move_count = len(moves)
            if not statement._is_postable():
                statement.posting_state = "none"
            elif moves._ecom_live_postings():
                statement.posting_state = "posted"
            elif moves:
                statement.posting_state = "reversed"
            else:
                statement.posting_state = "to_post"

    def _is_postable(self):
        self.ensure_one()
        return self.state == "done" and self.fmt in SETTLEMENT_FORMATS and bool(self.line_count)

    def _search_account(self, operator, value):
        return self._ecom_search_index("account", operator, value)

    @api.model_create_multi
    def create(self, vals_list):
        """Imports are made by importing (``import_file``, the import wizard), which checks the
        file and writes its lines all-or-nothing; a bare ``create`` would be an import of nothing
        that says it is done. Only the import code and the superuser (data files) create them."""
        if not self.env.su and not in_approved_change():
            raise AccessError(self.env._("Imports are created by importing a file (Import, or import_file)."))
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    @api.model
    def import_file(self, shop_id, filename, data_b64, fmt=False):
        """Import one file for a shop (web client and XML-RPC).

        :param int shop_id: the shop the file belongs to
        :param str filename: the file's name (used to detect its format and in messages)
        :param str data_b64: the file's content, base64-encoded
        :param str fmt: a format code (see ``ecomfin.vocab.FORMAT_LABELS``); detected when False
        :returns: ``{'statement_id', 'fmt', 'lines_created', 'lines_skipped', 'totals',
            'already_imported', 'message'}``
        :raises UserError: on bad input, with the file, line, column and value at fault, and on
            a file above ``ecom_finance.import_max_bytes`` (or a zip unpacking to more);
            nothing of the file is written then.
        :raises AccessError: on a shop or a format the user may not import (decided from the
            file's content, see ``_check_import_format``).
        """
        shop = self.env["ecom.shop"].browse(int(shop_id)).exists()
        if not shop:
            raise UserError(self.env._("There is no shop with id %s.", shop_id))
        self._check_import_access(shop, fmt or None, filename)
        data = decode_base64(self.env, filename, data_b64)
        statement = self._import_data(shop, filename, data, fmt=fmt or None)
        return import_result(statement)

    @api.model
    def action_open_import_wizard(self, *_selected_ids):
        """The Imports list's **Import Files** (an import is made by importing a file, never New).

        The list's header button passes the ids of the selected rows (none): they are not used.
        """
        if self.env.user.share:  # partners import over XML-RPC (import_file)
            raise AccessError(self.env._("Files are imported from the web client by internal users."))
        self.check_access("create")
        Action = self.env["ir.actions.act_window"]
        return Action._for_xml_id("ecom_finance.ecom_statement_import_wizard_action")

    @api.model
    def _import_data(
        self, shop, filename, data, fmt=None, order_profile=None, bank_profile=None, statement=None
    ):
        """Parse and load one file; return its statement (an existing one if the file is known).

        ``statement`` is the queued statement an asynchronous import fills.
        """
        self._check_import_access(shop, fmt, filename)
        check_size(self.env, filename, len(data))
        sha256 = hashlib.sha256(data).hexdigest()
        existing = self._existing_import(shop, sha256)
        if existing and existing != statement:
            # a known file is answered only to those who may import it; the format of the
            # import of the same file, whatever shop it is in (a queued one may not know it yet)
            known = existing.sudo().fmt or file_format(
                self.env, shop, filename, data, fmt, order_profile, bank_profile
            )
            self._check_import_format(shop, known, filename)
            if existing.state == "done":
                return existing.with_context(ecom_already_imported=True)
            raise UserError(
                self.env._(
                    "%(file)s is already being imported as %(name)s.", file=filename, name=existing.name
                )
            )
        options = parse_options(self.env, shop, fmt, filename, data, order_profile, bank_profile)
        try:
            parsed = parse_file(self.env, filename, data, options)
            # who may import it is decided by what the file is (its content), not by its name or
            # the format it came with
            self._check_import_format(shop, parsed.fmt, filename)
            with self.env.cr.savepoint():
                return load_file(self, shop, filename, data, sha256, parsed, options, statement)
        except InputError as exc:
            raise UserError(import_error_text(self.env, exc)) from exc
        except UniqueViolation as exc:
            # Another session imported the same file at the same moment: the unique index on
            # (company, sha256) let one of them through.
            raise UserError(
                self.env._(
                    "%s was being imported by another session at the same time; it is imported once.",
                    filename,
                )
            ) from exc

    @api.model
    def _existing_import(self, shop, sha256):
        """The import of this file in the shop's company, if any.

        The uniqueness of a file is per company: the search looks across every shop of it,
        including the shops this user may not see, so that the answer is "already imported"
        and not an IntegrityError. The record comes back in the user's environment.
        """
        return (
            self.sudo()
            .search([("company_id", "=", shop.company_id.id), ("sha256", "=", sha256)], limit=1)
            .with_env(self.env)
        )

    def _check_import_access(self, shop, fmt=None, filename=None):
        """Accountants and up import for the shops of their companies, Shop Operators for their own,
        Partner API users for the shops they are listed on; ``fmt``: what each may import.

        Lines are inserted in SQL, so the rights are checked here explicitly: the right to
        create imports, the shop visible to the user (record rules restrict Shop Operators to
        the shops they are listed on, Partner API users to theirs, everyone to their companies),
        and the format (see ``_check_import_format``).
        """
        self.check_access("create")
        shop.check_access("read")
        if fmt:
            self._check_import_format(shop, fmt, filename or "")

    def _check_import_format(self, shop, fmt, filename):
        """Refuse a format the user may not import for ``shop`` (see ``imports.rights.check_format``)."""
        check_format(self.env, shop, fmt, filename)

    def _progress_reporter(self, data):
        """A callback recording the rows loaded (see ``ecom.job.mixin._job_progress``)."""
        self.ensure_one()
        expected = max(data.count(b"\n"), 1)

        def report(rows):
            self._job_progress(rows, max(expected, rows))

        return report

    # ------------------------------------------------------------------
    # Asynchronous imports (queue_job)
    # ------------------------------------------------------------------

    @api.model
    def _enqueue_import(self, shop, filename, data, fmt=None, order_profile=None, bank_profile=None):
        """Create a queued statement holding the file and a job that imports it.

        The rights are checked on the format the file's content has before anything is queued
        (and again by the job, see ``_import_data``).
        """
        self._check_import_access(shop, fmt, filename)
        check_size(self.env, filename, len(data))
        detected = file_format(self.env, shop, filename, data, fmt, order_profile, bank_profile)
        self._check_import_format(shop, detected, filename)
        sha256 = hashlib.sha256(data).hexdigest()
        existing = self._existing_import(shop, sha256)
        if existing:
            return existing.with_context(ecom_already_imported=existing.state == "done")
        statement = queue_file(self, shop, filename, data, sha256, fmt, order_profile, bank_profile)
        statement._job_enqueue()
        return statement

    def _job_enqueue(self):
        self.ensure_one()
        description = self.env._("Import %s", self.filename)
        job = self.with_delay(description=description)._job_import(self.fmt or None)
        # bookkeeping of the import itself, see _load
        self.sudo().job_uuid = job.uuid
        return job

    def _job_check_rights(self):
        if self.env.user.share:
            # background imports come from the web client's import; partners import synchronously
            raise AccessError(self.env._("Background imports are retried from the web client."))
        for shop in self.shop_id:
            self._check_import_access(shop)

    def _job_import(self, fmt=None):
        """queue_job: import the file of a queued statement."""
        self.ensure_one()
        if self.state == "done":
            return self.env._("already imported")
        data = self.attachment_id.raw
        self._import_data(
            self.shop_id,
            self.filename,
            data,
            fmt=fmt,
            order_profile=self.order_profile,
            bank_profile=self.bank_csv_profile_id,
            statement=self,
        )
        return self.env._("%(rows)s rows, %(created)s new", rows=self.line_count, created=self.lines_created)

    # ------------------------------------------------------------------
    # Settlement posting
    # ------------------------------------------------------------------

    @api.model
    def post_entries(self, statement_ids):
        """Post the summary journal entries of settlements (web client and XML-RPC).

        One entry per settlement and month (or per shop and day, see the shop's
        grouping), lines grouped by event type, through the shop's clearing account.
        Posting a settlement that is already posted does nothing.

        :param list statement_ids: ids of ``ecom.statement`` records
        :returns: ids of the ``account.move`` records created (empty when all were posted)
        :raises UserError: naming the settlement and what is missing (rule, account, journal)
        """
        statements = self.browse([int(i) for i in statement_ids]).exists()
        return statements._post_entries().ids

    def action_post_entries(self):
        moves = self._post_entries()
        if not moves:
            raise UserError(self.env._("These settlements are already posted."))
        return self.action_open_moves(moves)

    def action_open_bank_statement_lines(self):
        """The lines this bank import added to Odoo's bank statements (imports/bank_statements.py),
        where Odoo's bank reconciliation works on them. Accounting readers only."""
        self.check_access("read")
        self.env["account.bank.statement.line"].check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Bank Statement Lines"),
            "res_model": "account.bank.statement.line",
            "view_mode": "list,form",
            "views": [
                (self.env.ref("ecom_finance.account_bank_statement_line_view_list").id, "list"),
                (False, "form"),
            ],
            "domain": [("ecom_statement_line_id.statement_id", "in", self.ids)],
            "context": {"create": False},
        }

    def action_open_moves(self, moves=None):
        moves = moves if moves is not None else self.move_ids
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Settlement Entries"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "views": [(self.env.ref("account.view_move_tree").id, "list"), (False, "form")],
            "domain": [("id", "in", moves.ids)],
            "context": {"create": False, "default_move_type": "entry"},
        }

    def _post_entries(self):
        """Create and post the entries of the statements not posted yet; return them."""
        self.env["account.move"].check_access("create")
        self.check_access("read")
        if not self:
            return self.env["account.move"]
        return post_settlements(self)

    def action_reverse_entries(self):
        """Reverse the live settlement entries (a correction); the settlement can then be posted again."""
        moves = self.move_ids._ecom_live_postings()
        if not moves:
            raise UserError(self.env._("There is no posted entry to reverse."))
        reversals = moves._reverse_moves(
            [{"ref": self.env._("Reversal of: %s", move.ref), "date": move.date} for move in moves],
            cancel=True,
        )
        for statement in self:
            statement._message_log(body=self.env._("Settlement entries reversed."))
        return self.action_open_moves(reversals)
