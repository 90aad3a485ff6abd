import base64
import binascii
import hashlib
import io
import logging
from decimal import Decimal

from psycopg2.errors import UniqueViolation

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.ecom_audit.approval import approved_change, in_approved_change
from odoo.addons.ecom_audit.const import field_keyring
from odoo.addons.ecom_audit.roles import ACCOUNTANT, FINANCE_READERS, SHOP_OPERATOR

from ecomfin import parsers
from ecomfin.crypto import normalize_account
from ecomfin.errors import InputError
from ecomfin.ingest import (
    COPY_OPTIONS,
    LINE_COLUMNS,
    ORDER_LINE_COLUMNS,
    CopyStream,
    order_rows,
    statement_rows,
)
from ecomfin.money import money_repr
from ecomfin.posting import FEE_EVENT, TYPE_EVENTS, PostingError, build_entry

_logger = logging.getLogger(__name__)

FORMATS = [
    ("alipay", "Alipay account ledger (账务明细)"),
    ("wechat_trade", "WeChat Pay trade bill (交易账单)"),
    ("wechat_fund", "WeChat Pay fund bill (资金账单)"),
    ("amazon_settlement", "Amazon settlement report V2"),
    ("shopify_payouts", "Shopify Payments payouts"),
    ("shopify_balance", "Shopify Payments balance transactions"),
    ("stripe_balance", "Stripe balance transactions"),
    ("camt053", "Bank statement CAMT.053"),
    ("bank_csv", "Bank statement CSV"),
    ("orders_csv", "Platform orders"),
]
ORDER_PROFILES = [
    ("canonical", "Canonical orders CSV"),
    ("tmall", "Tmall seller centre"),
    ("taobao", "Taobao seller centre"),
    ("jd", "JD merchant backend"),
    ("pinduoduo", "Pinduoduo merchant backend"),
    ("douyin", "Douyin shop backend"),
    ("shopify", "Shopify orders export"),
    ("amazon", "Amazon All Orders report"),
]
# The order export profile a shop's platform uses by default.
PLATFORM_ORDER_PROFILE = {
    "tmall": "tmall",
    "taobao": "taobao",
    "jd": "jd",
    "pdd": "pinduoduo",
    "douyin": "douyin",
    "shopify": "shopify",
    "amazon": "amazon",
}
# The bills of each payment channel (a shop's ``payment_channel``): the formats a shop's Shop
# Operators and Partner API users may import for it (see ``_check_import_format``).
PAYMENT_CHANNEL_FORMATS = {
    "alipay": ("alipay",),
    "wechat": ("wechat_trade", "wechat_fund"),
    "shopify_payments": ("shopify_payouts", "shopify_balance"),
    "amazon": ("amazon_settlement",),
    "stripe": ("stripe_balance",),
}
# Formats whose lines are movements of a payment channel's balance: what posting books.
SETTLEMENT_FORMATS = {fmt for formats in PAYMENT_CHANNEL_FORMATS.values() for fmt in formats}
# Bank statements: what reconciliation takes as proof that a payout arrived.
BANK_FORMATS = {"camt053", "bank_csv"}
ORDER_FORMAT = "orders_csv"
# The largest file an import reads, and what a zip may unpack to (each member and in all).
MAX_BYTES_PARAM = "ecom_finance.import_max_bytes"
MAX_BYTES_DEFAULT = 200_000_000
# The columns of ecom_order an order export updates on the orders already known, and the kind of
# their values in the audit trail (see _order_changes_sql).
ORDER_UPDATED_COLUMNS = {
    "status": "value",
    "refund_amount": "value",
    "paid_time": "datetime",
    "last_statement_id": "many2one",
}
PROGRESS_EVERY_ROWS = 20000
LINES_TABLE = "ecom_import_lines"
ORDERS_TABLE = "ecom_import_order_lines"
SEALED_TABLE = "ecom_import_order_sealed"
SKUS_TABLE = "ecom_import_skus"


def _audit_json(column, kind):
    """``column`` as jsonb, as the audit trail writes a value of this kind."""
    if kind == "datetime":
        return SQL("COALESCE(to_jsonb(to_char(%s, 'YYYY-MM-DD HH24:MI:SS')), 'false'::jsonb)", column)
    if kind == "many2one":
        return SQL("CASE WHEN %s IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(%s) END", column, column)
    return SQL("to_jsonb(%s)", column)


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
    fmt = fields.Selection(FORMATS, string="Format", readonly=True, help="Known once the file is read.")
    order_profile = fields.Selection(ORDER_PROFILES, readonly=True)
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
        :param str fmt: a format code (see ``FORMATS``); detected when False
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
        encoded = data_b64 or ""
        # the size the content decodes to (its padding left out), checked before it is decoded
        padding = encoded[-2:].count("=" if isinstance(encoded, str) else b"=")
        self._check_import_size(filename, len(encoded) // 4 * 3 - padding)
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise UserError(self.env._("%s: the content is not valid base64.", filename)) from exc
        statement = self._import_data(shop, filename, data, fmt=fmt or None)
        return statement._import_result()

    @api.model
    def action_open_import_wizard(self):
        """The Imports list's **Import Files** (an import is made by importing a file, never New)."""
        if self.env.user.share:  # partners import over XML-RPC (import_file)
            raise AccessError(self.env._("Files are imported from the web client by internal users."))
        self.check_access("create")
        Action = self.env["ir.actions.act_window"]
        return Action._for_xml_id("ecom_finance.ecom_statement_import_wizard_action")

    def _import_result(self):
        self.ensure_one()
        already = bool(self.env.context.get("ecom_already_imported"))
        return {
            "statement_id": self.id,
            "fmt": self.fmt,
            "lines_created": 0 if already else self.lines_created,
            "lines_skipped": self.line_count if already else self.lines_skipped,
            "totals": dict(self.totals or {}),
            "already_imported": already,
            "message": self.env._(
                "%(file)s is already imported as %(name)s.", file=self.filename, name=self.name
            )
            if already
            else self.env._("%(file)s imported as %(name)s.", file=self.filename, name=self.name),
        }

    @api.model
    def _import_data(
        self, shop, filename, data, fmt=None, order_profile=None, bank_profile=None, statement=None
    ):
        """Parse and load one file; return its statement (an existing one if the file is known).

        ``statement`` is the queued statement an asynchronous import fills.
        """
        self._check_import_access(shop, fmt, filename)
        self._check_import_size(filename, len(data))
        sha256 = hashlib.sha256(data).hexdigest()
        existing = self._existing_import(shop, sha256)
        if existing and existing != statement:
            # a known file is answered only to those who may import it; the format of the
            # import of the same file, whatever shop it is in (a queued one may not know it yet)
            known = existing.sudo().fmt or self._import_format(
                shop, filename, data, fmt, order_profile, bank_profile
            )
            self._check_import_format(shop, known, filename)
            if existing.state == "done":
                return existing.with_context(ecom_already_imported=True)
            raise UserError(
                self.env._(
                    "%(file)s is already being imported as %(name)s.", file=filename, name=existing.name
                )
            )
        options = self._parse_options(shop, fmt, filename, data, order_profile, bank_profile)
        try:
            parsed = self._parse(filename, data, fmt, options)
            # who may import it is decided by what the file is (its content), not by its name or
            # the format it came with
            self._check_import_format(shop, parsed.fmt, filename)
            with self.env.cr.savepoint():
                return self._load(shop, filename, data, sha256, parsed, options, statement)
        except InputError as exc:
            raise UserError(str(exc)) from exc
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
        """Refuse a format the user may not import for ``shop`` (an AccessError naming it and who may).

        - Bank statements (``BANK_FORMATS``): Accountants and Finance Managers only. A bank
          credit is what reconciliation takes as the proof that a payout arrived: it posts the
          payout entry and reconciles the clearing items.
        - Order exports: also the shop's Shop Operators; never a Partner API user. An export
          rewrites the status and refund of the orders already known, which fulfilment follows
          (returns, cancellations, refund approvals); and the key of a payment channel has no
          business creating sales of a shop either, which reconciliation would then report as
          missing payments.
        - A payment channel's bills: also the shop's Shop Operators and Partner API users, for
          the shop's own channel (``PAYMENT_CHANNEL_FORMATS``); a shop whose channel is *Other*
          has its bills imported by accounting roles.

        Call it with the format read from the file (``_import_data``); a format given by the
        caller is checked too, to refuse at once.
        """
        if not fmt or self.env.su or self.env.user.has_group(ACCOUNTANT):
            return
        labels = dict(self._fields["fmt"]._description_selection(self.env))
        label = labels.get(fmt, fmt)
        if fmt in BANK_FORMATS:
            raise AccessError(
                self.env._(
                    "%(file)s is a bank statement (%(format)s): only Accountants and Finance Managers "
                    "import bank statements.",
                    file=filename,
                    format=label,
                )
            )
        if fmt == ORDER_FORMAT:
            if self.env.user.has_group(SHOP_OPERATOR):
                return
            raise AccessError(
                self.env._(
                    "%(file)s is an order export (%(format)s): order exports are imported by the "
                    "shop's Shop Operators, Accountants and Finance Managers, not over the Partner API.",
                    file=filename,
                    format=label,
                )
            )
        if fmt not in PAYMENT_CHANNEL_FORMATS.get(shop.payment_channel, ()):
            channels = dict(shop._fields["payment_channel"]._description_selection(self.env))
            raise AccessError(
                self.env._(
                    "%(file)s is a file of the format %(format)s, which is not a bill of the payment "
                    "channel of shop %(shop)s (%(channel)s): only Accountants and Finance Managers "
                    "import it.",
                    file=filename,
                    format=label,
                    shop=shop.display_name,
                    channel=channels.get(shop.payment_channel, shop.payment_channel),
                )
            )

    @api.model
    def _import_max_bytes(self):
        # a setting of the import, read for whoever imports (system parameters are for admins)
        value = self.env["ir.config_parameter"].sudo().get_param(MAX_BYTES_PARAM)
        return int(value) if value else MAX_BYTES_DEFAULT

    @api.model
    def _check_import_size(self, filename, size):
        """Refuse a file above ``ecom_finance.import_max_bytes`` (default 200 MB)."""
        limit = self._import_max_bytes()
        if size > limit:
            raise UserError(
                self.env._(
                    "%(file)s is %(size)s bytes, above the import limit of %(limit)s bytes "
                    "(system parameter %(param)s).",
                    file=filename,
                    size=size,
                    limit=limit,
                    param=MAX_BYTES_PARAM,
                )
            )

    @api.model
    def _parse(self, filename, data, fmt, options):
        """The parsed file, streaming (``ecomfin.parsers.parse``); a zip within the size cap."""
        return parsers.parse(
            io.BytesIO(data),
            filename,
            fmt=fmt,
            max_unzipped_bytes=self._import_max_bytes(),
            **options["parse"],
        )

    @api.model
    def _import_format(self, shop, filename, data, fmt=None, order_profile=None, bank_profile=None):
        """The format of a file as its content says (a zip's: its statement's), before it is imported.

        Parsers stream: this reads the head of the file (of a zip's members) only.
        """
        options = self._parse_options(shop, fmt, filename, data, order_profile, bank_profile)
        try:
            return self._parse(filename, data, fmt, options).fmt
        except InputError as exc:
            raise UserError(str(exc)) from exc

    def _parse_options(self, shop, fmt, filename, data, order_profile, bank_profile):
        detected = fmt or parsers.detect_format(filename, data[:65536])
        parse = {}
        profile_name = False
        if detected == "bank_csv" or (fmt is None and detected is None and bank_profile):
            bank_profile = bank_profile or shop.bank_csv_profile_id
            if not bank_profile:
                raise UserError(
                    self.env._("%s: a bank CSV needs a column mapping; choose a bank CSV profile.", filename)
                )
            parse["profile"] = bank_profile._to_profile()
            if fmt is None:
                fmt = "bank_csv"
        elif detected == "orders_csv" or fmt == "orders_csv":
            canonical = data[:200].lstrip(b"\xef\xbb\xbf").startswith(b"order_ref,")
            profile_name = order_profile or ("canonical" if canonical else shop.order_profile) or "canonical"
            parse["profile"] = profile_name
        return {"parse": parse, "order_profile": profile_name, "bank_profile": bank_profile}

    # ------------------------------------------------------------------
    # Set-wise load
    # ------------------------------------------------------------------

    def _load(self, shop, filename, data, sha256, parsed, options, statement):
        vals = {
            "shop_id": shop.id,
            "fmt": parsed.fmt,
            "filename": filename,
            "sha256": sha256,
            "order_profile": options["order_profile"] or False,
            "bank_csv_profile_id": options["bank_profile"].id if options["bank_profile"] else False,
        }
        if statement:
            # A queued import: its row is written once, at the end (its progress goes to
            # ecom.job.progress meanwhile, see ecom.job.mixin).
            target = statement
        else:
            vals["name"] = f"{shop.code}/{parsed.fmt}/{sha256[:8]}"
            vals["state"] = "queued"
            with approved_change():  # the import's own record, rights checked in _import_data
                target = self.create(vals)
            self.env.flush_all()
        progress = statement._progress_reporter(data) if statement else None
        if parsed.fmt == "orders_csv":
            result = target._load_orders(shop, parsed, progress)
        else:
            result = target._load_lines(shop, parsed, progress)
        result.update(vals)
        result.update(state="done")
        result["name"] = self._statement_name(shop, parsed.fmt, result)
        # The import's own bookkeeping: nobody has the right to write imports (their content
        # is what the file said); the right to import was checked in _import_data.
        target.sudo().write(result)
        return target

    @api.model
    def _statement_name(self, shop, fmt, result):
        start, end = result.get("period_start"), result.get("period_end")
        period = f"{start:%Y-%m-%d}..{end:%Y-%m-%d}" if start and end else fields.Date.today().isoformat()
        return f"{shop.code}/{fmt}/{period}"

    def _progress_reporter(self, data):
        """A callback recording the rows loaded (see ``ecom.job.mixin._job_progress``)."""
        self.ensure_one()
        expected = max(data.count(b"\n"), 1)

        def report(rows):
            self._job_progress(rows, max(expected, rows))

        return report

    @staticmethod
    def _counted(rows, progress):
        if progress is None:
            yield from rows
            return
        count = 0
        for row in rows:
            yield row
            count += 1
            if count % PROGRESS_EVERY_ROWS == 0:
                progress(count)

    def _copy(self, table, columns, types, rows):
        """Create temporary ``table`` and COPY ``rows`` into it."""
        cr = self.env.cr
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(table)))
        cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE %s (%s) ON COMMIT DROP",
                SQL.identifier(table),
                SQL(", ").join(SQL("%s %s", SQL.identifier(c), SQL(types[c])) for c in columns),
            )
        )
        copy = SQL(
            "COPY %s (%s) FROM STDIN %s",
            SQL.identifier(table),
            SQL(", ").join(SQL.identifier(c) for c in columns),
            SQL(COPY_OPTIONS),
        )
        stream = CopyStream(rows)
        cr.copy_expert(copy.code, stream)
        if stream.error:
            raise stream.error

    def _check_currencies(self, table):
        unknown = self.env.execute_query(
            SQL(
                """SELECT DISTINCT t.currency FROM %s t
                   LEFT JOIN res_currency c ON c.name = t.currency WHERE c.id IS NULL""",
                SQL.identifier(table),
            )
        )
        if unknown:
            raise InputError(
                f"unknown currency {', '.join(sorted(r[0] for r in unknown))}",
                filename=self.filename,
                column="currency",
            )

    def _load_lines(self, shop, parsed, progress):
        self.ensure_one()
        types = {
            "line_no": "integer",
            "dedup_base": "varchar",
            "provider_txn_id": "varchar",
            "order_ref": "varchar",
            "merchant_order_ref": "varchar",
            "counterparty": "varchar",
            "line_type": "varchar",
            "gross": "numeric",
            "fee": "numeric",
            "net": "numeric",
            "currency": "varchar",
            "occurred_at": "timestamp",
            "payout_ref": "varchar",
            "memo": "varchar",
            "raw": "jsonb",
        }
        self._copy(
            LINES_TABLE, LINE_COLUMNS, types, self._counted(statement_rows(parsed, parsed.fmt), progress)
        )
        table = SQL.identifier(LINES_TABLE)
        self._check_currencies(LINES_TABLE)
        self.env.cr.execute(
            SQL(
                """
                WITH numbered AS (
                    SELECT t.*,
                           row_number() OVER (PARTITION BY t.dedup_base ORDER BY t.line_no) - 1 AS occurrence,
                           count(*) OVER (PARTITION BY t.dedup_base) AS same_key
                      FROM %(table)s t
                )
                INSERT INTO ecom_statement_line (
                    statement_id, shop_id, company_id, line_no, provider_txn_id, order_ref,
                    merchant_order_ref, counterparty, line_type, currency_id, gross, fee, net,
                    occurred_at, payout_ref, memo, raw, dedup_key, fingerprint_collision,
                    create_uid, create_date, write_uid, write_date)
                SELECT %(statement)s, %(shop)s, %(company)s, n.line_no, n.provider_txn_id, n.order_ref,
                       n.merchant_order_ref, n.counterparty, n.line_type, c.id, n.gross, n.fee, n.net,
                       n.occurred_at, n.payout_ref, n.memo, n.raw,
                       CASE WHEN n.occurrence = 0 THEN n.dedup_base
                            ELSE n.dedup_base || ':' || n.occurrence END,
                       n.same_key > 1,
                       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM numbered n
                  JOIN res_currency c ON c.name = n.currency
                 ORDER BY n.line_no
                ON CONFLICT (shop_id, dedup_key) DO NOTHING
                """,
                table=table,
                statement=self.id,
                shop=shop.id,
                company=shop.company_id.id,
                uid=self.env.uid,
            )
        )
        created = self.env.cr.rowcount
        totals = self.env.execute_query(
            SQL(
                "SELECT line_type, count(*), sum(gross) FROM %s GROUP BY line_type ORDER BY line_type",
                table,
            )
        )
        ((count, first, last, collisions, currencies),) = self.env.execute_query(
            SQL(
                """SELECT count(*), min(occurred_at), max(occurred_at),
                          count(*) FILTER (WHERE same_key > 1), array_agg(DISTINCT currency)
                     FROM (SELECT *, count(*) OVER (PARTITION BY dedup_base) AS same_key FROM %s) t""",
                table,
            )
        )
        self.env["ecom.statement.line"].invalidate_model()
        currency_code = parsed.currency or (currencies[0] if currencies and len(currencies) == 1 else None)
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", currency_code)], limit=1)
        )
        return {
            "line_count": count,
            "lines_created": created,
            "lines_skipped": count - created,
            "collision_count": collisions,
            "period_start": first,
            "period_end": last,
            "currency_id": currency.id,
            "account": parsed.account or False,
            "totals": {line_type: money_repr(amount, currency_code) for line_type, _n, amount in totals},
            "warnings": "\n".join(parsed.warnings) or False,
        }

    def _load_orders(self, shop, parsed, progress):
        self.ensure_one()
        types = {
            "line_no": "integer",
            "order_ref": "varchar",
            "order_time": "timestamp",
            "paid_time": "timestamp",
            "status": "varchar",
            "currency": "varchar",
            "amount_paid": "numeric",
            "refund_amount": "numeric",
            "sku": "varchar",
            "quantity": "numeric",
            "unit_price": "numeric",
            "line_amount": "numeric",
        }
        # the buyer's data stays out of the temporary table: {order_ref: {field: text}}
        personal = {}
        self._copy(
            ORDERS_TABLE, ORDER_LINE_COLUMNS, types, self._counted(order_rows(parsed, personal), progress)
        )
        table = SQL.identifier(ORDERS_TABLE)
        self._check_currencies(ORDERS_TABLE)
        self._map_skus(shop)
        sealed_columns = self._seal_new_orders(shop, personal)
        del personal
        cr = self.env.cr
        now = SQL("now() AT TIME ZONE 'UTC'")
        # The orders already known are updated in place: their values before the update are
        # read in the same statement (one snapshot), and the changes come back old -> new for
        # the audit trail.
        cr.execute(
            SQL(
                """
                WITH previous AS (
                    SELECT o.id, %(audited)s FROM ecom_order o
                     WHERE o.shop_id = %(shop)s AND o.name IN (SELECT t.order_ref FROM %(table)s t)
                ), written AS (
                INSERT INTO ecom_order (
                    id, name, shop_id, company_id, statement_id, status, currency_id, amount_paid,
                    refund_amount, order_time, paid_time, %(sealed_columns)s,
                    fulfilment_state, create_uid, create_date, write_uid, write_date)
                SELECT COALESCE(k.id, nextval(%(sequence)s::regclass)),
                       o.order_ref, %(shop)s, %(company)s, %(statement)s, o.status, o.currency_id,
                       o.amount_paid, o.refund_amount, o.order_time, o.paid_time, %(sealed_values)s,
                       'none',
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM (SELECT DISTINCT ON (t.order_ref)
                               t.order_ref, t.status, c.id AS currency_id, t.amount_paid, t.refund_amount,
                               t.order_time, t.paid_time
                          FROM %(table)s t
                          JOIN res_currency c ON c.name = t.currency
                         ORDER BY t.order_ref, t.line_no) o
                  LEFT JOIN %(sealed)s k ON k.order_ref = o.order_ref
                 ORDER BY o.order_ref
                ON CONFLICT (shop_id, name) DO UPDATE
                   SET status = EXCLUDED.status,
                       refund_amount = EXCLUDED.refund_amount,
                       last_statement_id = EXCLUDED.statement_id,
                       paid_time = COALESCE(EXCLUDED.paid_time, ecom_order.paid_time),
                       write_uid = EXCLUDED.write_uid,
                       write_date = EXCLUDED.write_date
                 WHERE (ecom_order.status, ecom_order.refund_amount)
                       IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.refund_amount)
                RETURNING ecom_order.id, %(returned)s, xmax = 0 AS inserted
                )
                SELECT w.id, w.inserted, CASE WHEN NOT w.inserted THEN %(changes)s END
                  FROM written w
                  LEFT JOIN previous p ON p.id = w.id
                 ORDER BY w.id
                """,
                table=table,
                sealed=SQL.identifier(SEALED_TABLE),
                sealed_columns=SQL(", ").join(SQL.identifier(column) for column in sealed_columns),
                sealed_values=SQL(", ").join(SQL.identifier("k", column) for column in sealed_columns),
                sequence=self._order_id_sequence(),
                shop=shop.id,
                company=shop.company_id.id,
                statement=self.id,
                uid=self.env.uid,
                now=now,
                audited=SQL(", ").join(SQL.identifier("o", column) for column in ORDER_UPDATED_COLUMNS),
                returned=SQL(", ").join(
                    SQL.identifier("ecom_order", column) for column in ORDER_UPDATED_COLUMNS
                ),
                changes=self._order_changes_sql("p", "w"),
            )
        )
        written = cr.fetchall()
        created_ids = [order_id for order_id, inserted, _changes in written if inserted]
        self._audit_order_updates(
            shop, [(order_id, changes) for order_id, inserted, changes in written if not inserted]
        )
        cr.execute(
            SQL(
                """
                INSERT INTO ecom_order_line (
                    order_id, company_id, line_no, sku, product_id, quantity, unit_price, subtotal,
                    create_uid, create_date, write_uid, write_date)
                SELECT o.id, %(company)s, t.line_no, t.sku, s.product_id, t.quantity, t.unit_price,
                       t.line_amount, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM %(table)s t
                  JOIN ecom_order o ON o.shop_id = %(shop)s AND o.name = t.order_ref
                  JOIN %(skus)s s ON s.sku = t.sku
                 WHERE o.id = ANY(%(created)s)
                 ORDER BY t.line_no
                """,
                table=table,
                skus=SQL.identifier(SKUS_TABLE),
                shop=shop.id,
                company=shop.company_id.id,
                created=created_ids,
                uid=self.env.uid,
                now=now,
            )
        )
        lines_created = cr.rowcount
        ((rows, orders, first, last, currencies),) = self.env.execute_query(
            SQL(
                """SELECT count(*), count(DISTINCT order_ref), min(order_time), max(order_time),
                          array_agg(DISTINCT currency) FROM %s""",
                table,
            )
        )
        totals = self.env.execute_query(
            SQL(
                """SELECT status, sum(amount_paid) FROM (
                       SELECT DISTINCT ON (order_ref) status, amount_paid FROM %s ORDER BY order_ref, line_no
                   ) o GROUP BY status ORDER BY status""",
                table,
            )
        )
        self.env["ecom.order"].invalidate_model()
        self.env["ecom.order.line"].invalidate_model()
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", currencies[0] if currencies and len(currencies) == 1 else None)], limit=1)
        )
        return {
            "line_count": rows,
            "lines_created": lines_created,
            "lines_skipped": rows - lines_created,
            "orders_created": len(created_ids),
            "orders_updated": len(written) - len(created_ids),
            "period_start": first,
            "period_end": last,
            "currency_id": currency.id,
            "totals": {status: money_repr(amount, currency.name) for status, amount in totals},
            "warnings": (
                self.env._("%s rows skipped by the profile (e.g. unpaid orders).", parsed.skipped_rows)
                if parsed.skipped_rows
                else False
            ),
        }

    @api.model
    def _order_changes_sql(self, old, new):
        """A jsonb ``{column: [old, new]}`` of the columns an import changes on a known order
        (``ORDER_UPDATED_COLUMNS``) between rows ``old`` and ``new``, the unchanged ones left out.

        The values are written as the audit trail writes an ORM change (``_ecom_audit_value`` of
        ``ecom_audit``): selections and amounts as they are, times as text, a many2one as the
        list of its id.
        """
        pairs = []
        for column, kind in ORDER_UPDATED_COLUMNS.items():
            before, after = SQL.identifier(old, column), SQL.identifier(new, column)
            pairs.append(
                SQL(
                    "%s, CASE WHEN %s IS DISTINCT FROM %s THEN jsonb_build_array(%s, %s) END",
                    column,
                    before,
                    after,
                    _audit_json(before, kind),
                    _audit_json(after, kind),
                )
            )
        return SQL("jsonb_strip_nulls(jsonb_build_object(%s))", SQL(", ").join(pairs))

    def _audit_order_updates(self, shop, changes):
        """One entry of the audit trail per known order the import changed: ``changes`` are
        (order id, {column: [old, new]}). The ORM audits its own writes; the import writes in SQL."""
        # the trail's buffer, written as ecom_audit's ORM hooks write it (nobody writes the trail)
        self.env["ecom.audit.log"].sudo()._append(
            [
                {
                    "model": "ecom.order",
                    "res_ids": str(order_id),
                    "operation": "write",
                    "changes": values,
                    "company_id": shop.company_id.id,
                }
                for order_id, values in changes
                if values
            ]
        )

    def _order_id_sequence(self):
        return self.env.execute_query(SQL("SELECT pg_get_serial_sequence('ecom_order', 'id')"))[0][0]

    def _seal_new_orders(self, shop, personal):
        """Encrypt the buyer's data of the orders this import creates into temporary ``SEALED_TABLE``.

        A token is bound to its order's id, so the ids of the new orders that have buyer
        data are drawn from their sequence first and encrypted for; the INSERT then uses
        them (the others draw theirs as they are inserted). Orders already imported keep
        what they have. ``personal``: {order_ref: {field: plaintext}} of the file's orders.
        Returns the token and index columns of ``ecom.order`` the table holds.
        """
        Order = self.env["ecom.order"]
        sealed_columns = [
            *Order._ecom_encrypted_fields.values(),
            *(index_field for index_field, _normalize in Order._ecom_blind_indexes.values()),
        ]
        rows = []
        if personal:
            new_refs = sorted(
                ref
                for (ref,) in self.env.execute_query(
                    SQL(
                        """SELECT DISTINCT t.order_ref FROM %s t
                            WHERE NOT EXISTS (SELECT FROM ecom_order o
                                               WHERE o.shop_id = %s AND o.name = t.order_ref)""",
                        SQL.identifier(ORDERS_TABLE),
                        shop.id,
                    )
                )
                if ref in personal
            )
            if new_refs:
                keyring = field_keyring(self.env)
                ids = self.env.execute_query(
                    SQL(
                        "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                        self._order_id_sequence(),
                        len(new_refs),
                    )
                )
                for ref, (order_id,) in zip(new_refs, ids, strict=True):
                    sealed = Order._ecom_sealed_values(keyring, order_id, personal[ref])
                    rows.append((ref, order_id, *(sealed[column] for column in sealed_columns)))
        types = {"order_ref": "varchar", "id": "integer", **dict.fromkeys(sealed_columns, "varchar")}
        self._copy(SEALED_TABLE, ("order_ref", "id", *sealed_columns), types, rows)
        return sealed_columns

    def _map_skus(self, shop):
        """Resolve the SKUs of the staged order lines to products of the shop's company.

        Unknown SKUs stop the import with their list, unless the shop creates placeholder
        products for them.
        """
        cr = self.env.cr
        company = shop.company_id.id
        self.env.flush_all()
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(SKUS_TABLE)))
        cr.execute(
            SQL(
                """
                CREATE TEMPORARY TABLE %(skus)s ON COMMIT DROP AS
                SELECT t.sku, min(pp.id) AS product_id
                  FROM (SELECT DISTINCT sku FROM %(table)s) t
                  LEFT JOIN (product_product pp
                             JOIN product_template pt
                               ON pt.id = pp.product_tmpl_id
                              AND pt.active
                              AND (pt.company_id IS NULL OR pt.company_id = %(company)s))
                         ON pp.default_code = t.sku AND pp.active
                 GROUP BY t.sku
                """,
                skus=SQL.identifier(SKUS_TABLE),
                table=SQL.identifier(ORDERS_TABLE),
                company=company,
            )
        )
        unknown = [
            row[0]
            for row in self.env.execute_query(
                SQL("SELECT sku FROM %s WHERE product_id IS NULL ORDER BY sku", SQL.identifier(SKUS_TABLE))
            )
        ]
        if not unknown:
            return
        if not shop.create_placeholder_products:
            shown = ", ".join(unknown[:50]) + (" ..." if len(unknown) > 50 else "")
            raise InputError(
                f"{len(unknown)} unknown SKU(s), no product has them as internal reference: {shown}",
                filename=self.filename,
                column="sku",
            )
        # The shop's configuration (set by a Finance Manager) asks for placeholders: they are
        # created whatever the importing user's rights on products, and flagged for review.
        products = (
            self.env["product.product"]
            .sudo()
            .create(
                [
                    {
                        "name": sku,
                        "default_code": sku,
                        "type": "consu",
                        "is_storable": True,
                        "company_id": company,
                        "ecom_placeholder": True,
                    }
                    for sku in unknown
                ]
            )
        )
        self.env.flush_all()
        cr.execute(
            SQL(
                """UPDATE %s s SET product_id = p.id
                     FROM product_product p
                    WHERE p.id = ANY(%s) AND p.default_code = s.sku AND s.product_id IS NULL""",
                SQL.identifier(SKUS_TABLE),
                products.ids,
            )
        )
        self.message_post(
            body=self.env._("%s placeholder products created for unknown SKUs.", len(products)),
        )

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
        self._check_import_size(filename, len(data))
        detected = self._import_format(shop, filename, data, fmt, order_profile, bank_profile)
        self._check_import_format(shop, detected, filename)
        sha256 = hashlib.sha256(data).hexdigest()
        existing = self._existing_import(shop, sha256)
        if existing:
            return existing.with_context(ecom_already_imported=existing.state == "done")
        with approved_change():  # the import's own record, rights checked above
            statement = self.create(
                {
                    "name": f"{shop.code}/{filename}",
                    "shop_id": shop.id,
                    "fmt": fmt or False,
                    "filename": filename,
                    "sha256": sha256,
                    "state": "queued",
                    "order_profile": order_profile or False,
                    "bank_csv_profile_id": bank_profile.id if bank_profile else False,
                }
            )
        # The file is attached by the import itself (attaching to a record needs the right to
        # write it, which nobody has on imports).
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create({"name": filename, "raw": data, "res_model": self._name, "res_id": statement.id})
        )
        # bookkeeping of the import itself, see _load
        statement.sudo().attachment_id = attachment
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
        # One posting at a time per settlement. A plain row lock is not enough under Odoo's
        # REPEATABLE READ: a second caller would wait, then still see no entries in its snapshot.
        # Touching the rows makes it fail with a serialization error instead, and Odoo retries
        # the request, which then finds the settlement posted.
        self.env.cr.execute(
            SQL("UPDATE ecom_statement SET write_date = write_date WHERE id = ANY(%s)", self.ids)
        )
        self.invalidate_recordset(["move_ids"])
        todo = self.filtered(lambda s: s.posting_state in ("to_post", "reversed"))
        not_postable = self.filtered(lambda s: s.posting_state == "none")
        if not_postable:
            raise UserError(
                self.env._(
                    "%s: only imported payment-channel statements with lines can be posted.",
                    ", ".join(not_postable.mapped("name")),
                )
            )
        vals_list = []
        for shop, statements in todo.grouped("shop_id").items():
            vals_list += statements._entry_vals(shop)
        moves = self.env["account.move"].create(vals_list)
        moves.action_post()
        # a note in the import's history; the entries themselves are audited by ecom_audit
        for statement in todo:
            count = len(moves.filtered(lambda move, statement=statement: move.ecom_statement_id == statement))
            statement._message_log(body=self.env._("%(count)s settlement entries posted.", count=count))
        return moves

    def _entry_vals(self, shop):
        """``account.move`` values of the statements of one shop, one per settlement and period."""
        shop._check_posting_setup()
        rules = self.env["ecom.posting.rule"]._rules_for(shop)
        labels = dict(self.env["ecom.posting.rule"]._fields["event_type"]._description_selection(self.env))
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
        ) in self._event_totals(shop, grain):
            group = groups.setdefault(
                (statement_id, period, currency_id), {"first": first_day, "last": last_day, "totals": {}}
            )
            group["first"] = min(group["first"], first_day)
            group["last"] = max(group["last"], last_day)
            group["totals"][event] = (amount, count)
        company = shop.company_id
        names = {statement.id: statement.name for statement in self}
        vals_list = []
        for (statement_id, _period, currency_id), group in sorted(groups.items()):
            date = group["last"]
            currency = self.env["res.currency"].browse(currency_id)
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
                    self.env._(
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
                        Command.create(self._entry_line_vals(shop, rules, line, currency, labels))
                        for line in lines
                    ],
                }
            )
        return vals_list

    def _entry_line_vals(self, shop, rules, line, currency, labels):
        rule = rules.get(line.event) if line.role == "event" else None
        if line.role == "clearing":
            name = self.env._("%(shop)s: owed by the channel", shop=shop.code)
        elif line.role == "payout_clearing":
            name = self.env._("%(shop)s: paid out", shop=shop.code)
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

    def _event_totals(self, shop, grain):
        """(statement, period, currency, first day, last day, event, amount, count) of their lines.

        Days are the shop's local days; each line yields its gross under the event of its
        type and the fee withheld from it as a payment fee (see ``ecomfin.posting``).
        """
        whens = []
        for line_type, event in TYPE_EVENTS.items():
            if isinstance(event, tuple):
                whens.append(
                    SQL("WHEN %s THEN (CASE WHEN l.gross >= 0 THEN %s ELSE %s END)", line_type, *event)
                )
            else:
                whens.append(SQL("WHEN %s THEN %s", line_type, event))
        local = SQL("timezone(%s, l.occurred_at AT TIME ZONE 'UTC')", shop.timezone)
        self.env.cr.execute(
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
                ids=self.ids,
            )
        )
        return [(*row[:6], Decimal(row[6]), row[7]) for row in self.env.cr.fetchall()]

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
