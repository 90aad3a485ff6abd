# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.ecom_audit.approval import OwnFields
from odoo.addons.ecom_audit.roles import ACCOUNTANT, MANAGER

from ecomfin.connectors import DEFAULT_URLS, PLATFORMS, ConnectorError, RetryPolicy, connector_for
from ecomfin.vocab import CONNECTOR_PLATFORM_LABELS

from ..import_errors import message_text
from ..pulling import pull_backend
from .ecom_connector_cursor import OWN_FIELDS as CURSOR_FIELDS

# Written by the backend's own code (its pulls, its schedule): refused in create, write, copy
# and import.
OWN_FIELDS = OwnFields(
    "ecom_connector_backend_write",
    {"state", "cron_id", "job_uuid", "last_result", "last_pull_at"},
    defaults={"state": "idle"},
)
#: pages a background job pulls before it queues the next job (each job is a transaction: a
#: runner killed half-way loses at most that many pages, which the next job pulls again)
PAGES_PER_JOB = 20


class EcomConnectorBackend(models.Model):
    """A platform's or payment channel's API, pulled for one shop on a schedule.

    The pages pulled are imports of the shop (``ecom.statement``), made exactly as an upload
    of the same file (``pulling.py``). ``pull`` pulls synchronously (XML-RPC, scripts);
    **Pull Now** and the backend's own cron queue a job on the platform's channel
    (``root.ecom.connectors.<platform>``: a slow platform does not hold the others), whose
    progress the form follows live. The credentials are encrypted at rest and readable by
    Finance Managers only; a pull decrypts them for the platform, never for its caller.
    """

    _name = "ecom.connector.backend"
    _description = "Connector Backend"
    _inherit = ["mail.thread", "ecom.encrypted.mixin", "ecom.job.mixin"]
    _order = "name, id"
    _check_company_auto = True
    _ecom_encrypted_fields = {"credentials": "credentials_token"}

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    # the backend's company is its shop's (no check_company: it would ask the shop to be in the
    # company of a backend that has none before its shop is chosen)
    shop_id = fields.Many2one(
        "ecom.shop",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        domain="[('company_id', 'in', allowed_company_ids)]",
    )
    company_id = fields.Many2one(
        related="shop_id.company_id", store=True, index=True, precompute=True, readonly=True
    )
    platform = fields.Selection(CONNECTOR_PLATFORM_LABELS, required=True, tracking=True)
    base_url = fields.Char(
        "Base URL",
        required=True,
        tracking=True,
        help="The address of the platform's API. Point it at the bundled fake server "
        "(python -m ecomfin.connectors.fake) to try a backend without the platform.",
    )
    since = fields.Date(
        "First Day",
        required=True,
        default=lambda self: fields.Date.context_today(self) - timedelta(days=7),
        tracking=True,
        help="Where a stream with no cursor starts.",
    )
    interval_minutes = fields.Integer(
        "Pull Every (Minutes)", default=60, required=True, tracking=True, help="The backend's schedule."
    )
    rate_limit = fields.Float(
        "Requests per Second",
        tracking=True,
        help="At most this many requests a second to the platform (token bucket). Empty: the "
        "platform's published limit.",
    )
    credentials = fields.Text(
        compute="_compute_ecom_decrypted",
        inverse="_inverse_ecom_encrypted",
        groups=MANAGER,
        help="The platform's credentials as JSON (the fake server prints them), stored encrypted.",
    )
    # only the encryption writes it; the token is for the system only
    credentials_token = fields.Char(readonly=True, copy=False, groups="base.group_system")
    credentials_set = fields.Boolean(compute="_compute_credentials_set")
    credential_names = fields.Char(
        compute="_compute_credential_names", help="What the platform's credentials hold."
    )
    cursor_ids = fields.One2many("ecom.connector.cursor", "backend_id", string="Streams", readonly=True)
    statement_ids = fields.One2many("ecom.statement", "connector_backend_id", string="Imports", readonly=True)
    statement_count = fields.Integer(compute="_compute_statement_count")
    state = fields.Selection(
        [("idle", "Idle"), ("queued", "Pulling")], default="idle", required=True, readonly=True, copy=False
    )
    cron_id = fields.Many2one("ir.cron", string="Schedule", readonly=True, copy=False, ondelete="set null")
    next_run = fields.Datetime(related="cron_id.nextcall", string="Next Pull")
    last_pull_at = fields.Datetime("Last Pull", readonly=True, copy=False)
    last_success = fields.Datetime(compute="_compute_health")
    last_error = fields.Text(compute="_compute_health")
    health = fields.Selection(
        [("new", "Not Pulled Yet"), ("ok", "OK"), ("error", "Failing")], compute="_compute_health"
    )
    last_result = fields.Json("Last Result Data", readonly=True, copy=False)
    last_result_display = fields.Text(string="Last Result", compute="_compute_last_result_display")

    _sql_constraints = [
        (
            "interval_positive",
            "CHECK(interval_minutes > 0)",
            "A backend is pulled at least every so many minutes.",
        ),
        (
            "rate_not_negative",
            "CHECK(rate_limit IS NULL OR rate_limit >= 0)",
            "The rate limit cannot be negative.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    def _compute_credentials_set(self):
        # whether a token is stored, without decrypting it (every reader of the backend)
        for backend in self:
            backend.credentials_set = bool(backend.sudo().credentials_token)

    @api.depends("platform")
    def _compute_credential_names(self):
        for backend in self:
            cls = PLATFORMS.get(backend.platform)
            if not cls:
                backend.credential_names = False
                continue
            names = ", ".join(cls.credential_fields)
            if cls.optional_credential_fields:
                names = self.env._(
                    "%(required)s (optional: %(optional)s)",
                    required=names,
                    optional=", ".join(cls.optional_credential_fields),
                )
            backend.credential_names = names

    def _compute_statement_count(self):
        counts = dict(
            self.env["ecom.statement"]._read_group(
                [("connector_backend_id", "in", self.ids)], ["connector_backend_id"], ["__count"]
            )
        )
        for backend in self:
            backend.statement_count = counts.get(backend, 0)

    @api.depends("cursor_ids.last_success", "cursor_ids.last_error", "last_result")
    def _compute_health(self):
        for backend in self:
            cursors = backend.cursor_ids
            successes = [c.last_success for c in cursors if c.last_success]
            errors = [f"{c.stream}: {c.last_error}" for c in cursors if c.last_error]
            if not errors and backend.last_result and not backend.last_result.get("statement_ids"):
                # a pull that could not start (the backend is set up wrong) has no stream error
                errors = list(backend.last_result.get("errors") or [])
            backend.last_success = max(successes) if successes else False
            backend.last_error = "\n".join(errors) or False
            backend.health = "error" if errors else ("ok" if successes else "new")

    def _compute_last_result_display(self):
        for backend in self:
            result = backend.last_result or {}
            backend.last_result_display = (
                self.env._(
                    "%(created)s new lines, %(skipped)s already there, %(imports)s imports.",
                    created=result.get("lines_created", 0),
                    skipped=result.get("lines_skipped", 0),
                    imports=len(result.get("statement_ids", [])),
                )
                + "".join(f"\n{error}" for error in result.get("errors", []))
                if result
                else False
            )

    @api.onchange("platform")
    def _onchange_platform(self):
        if self.platform and not self.base_url:
            self.base_url = DEFAULT_URLS.get(self.platform)

    # ------------------------------------------------------------------
    # Protected fields, credentials, schedule
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # copy() and load() create through here too
        self._check_own_fields(vals_list, creating=True)
        for vals in vals_list:
            self._check_credentials_text(vals.get("platform"), vals.get("credentials"))
        backends = super().create(vals_list)
        backends._sync_crons()
        return backends

    def write(self, vals):
        self._check_own_fields([vals])
        if "credentials" in vals or "platform" in vals:
            for backend in self:
                credentials = vals["credentials"] if "credentials" in vals else None
                self._check_credentials_text(vals.get("platform", backend.platform), credentials)
        result = super().write(vals)
        if {"name", "active", "interval_minutes"} & set(vals):
            self._sync_crons()
        return result

    def unlink(self):
        crons = self.sudo().cron_id
        result = super().unlink()
        # the backends' own schedules go with them
        crons.unlink()
        return result

    def _check_own_fields(self, vals_list, creating=False):
        OWN_FIELDS.refuse(
            vals_list,
            lambda names: self.env._("A backend's state and schedule are written by its pulls: %s.", names),
            creating=creating,
        )

    def _check_credentials_text(self, platform, text):
        """Refuse credentials that are not a JSON object of texts, or miss what ``platform`` needs."""
        if not text:
            return
        try:
            value = json.loads(text)
        except ValueError as error:
            raise UserError(self.env._("The credentials are not valid JSON: %s", error)) from error
        if not isinstance(value, dict) or not all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in value.values()
        ):
            raise UserError(self.env._('The credentials are a JSON object of texts: {"name": "value", ...}.'))
        cls = PLATFORMS.get(platform)
        missing = [name for name in (cls.credential_fields if cls else ()) if not value.get(name)]
        if missing:
            raise UserError(self.env._("The credentials miss %s.", ", ".join(missing)))

    def _sync_crons(self):
        """Each backend has its own schedule (an ``ir.cron`` calling ``_cron_pull``), active while
        the backend is; made and kept by the backend's code (creating crons is the system's)."""
        model = self.env["ir.model"]._get_id(self._name)
        for backend in self:
            values = {
                "name": self.env._("Pull %s", backend.name),
                "active": backend.active,
                "interval_number": backend.interval_minutes,
                "interval_type": "minutes",
            }
            cron = backend.sudo().cron_id
            if cron:
                cron.write(values)
                continue
            cron = (
                self.env["ir.cron"]
                .sudo()
                .create(
                    {
                        **values,
                        "model_id": model,
                        "state": "code",
                        "code": f"model.browse({backend.id})._cron_pull()",
                        # the pulls run with the rights of who set the backend up
                        "user_id": self.env.uid,
                    }
                )
            )
            with OWN_FIELDS.writing():
                # the backend's own schedule
                backend.sudo().cron_id = cron

    def _credentials_dict(self):
        """The decrypted credentials, for the platform only (the pull's own read: an Accountant
        pulls without seeing them)."""
        self.ensure_one()
        text = self.sudo().credentials
        return json.loads(text) if text else {}

    def _keep_refreshed_credentials(self, refreshed):
        """Keep the tokens a platform renewed during a pull (Amazon LWA, Douyin...)."""
        credentials = {**self._credentials_dict(), **refreshed}
        # the backend's own credentials, renewed by the platform for this pull
        self.sudo().credentials = json.dumps(credentials, sort_keys=True)

    def _connector(self):
        self.ensure_one()
        params = self.env["ir.config_parameter"].sudo()
        retry = RetryPolicy(
            attempts=int(params.get_param("ecom_finance.connector_attempts", 5)),
            base=float(params.get_param("ecom_finance.connector_backoff", 0.5)),
        )
        try:
            return connector_for(
                self.platform,
                self.base_url,
                self._credentials_dict(),
                since=self.since,
                rate=self.rate_limit or None,
                retry=retry,
            )
        except ConnectorError as error:
            raise UserError(message_text(self.env, error.message)) from error

    def _cursor_of(self, stream):
        """The cursor of ``stream`` (made at its first pull)."""
        self.ensure_one()
        Cursor = self.env["ecom.connector.cursor"]
        cursor = Cursor.search([("backend_id", "=", self.id), ("stream", "=", stream)], limit=1)
        if cursor:
            return cursor
        with CURSOR_FIELDS.writing():
            # the stream's own cursor, made by the pull
            return Cursor.sudo().create({"backend_id": self.id, "stream": stream}).sudo(False)

    def _on_missing_day(self, stream, day):
        """A pull found no bill for ``day`` (a past day): ecom_reconcile raises its alert."""

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    def _check_pull_access(self):
        """Accountants and Finance Managers pull the backends of their companies, into imports
        they may make (the rights of an upload of the same files are checked page by page)."""
        # the superuser: a backend's schedule set up by the system (the demo data's)
        if not self.env.is_superuser() and not self.env.user.has_group(ACCOUNTANT):
            raise AccessError(self.env._("Only Accountants and Finance Managers pull connector backends."))
        self.check_access("read")
        for shop in self.shop_id:
            self.env["ecom.statement"]._check_import_access(shop)

    @api.model
    def pull(self, backend_ids):
        """Pull the backends now, synchronously (XML-RPC, scripts).

        :param list backend_ids: ids of ``ecom.connector.backend`` records
        :returns: ``{"lines_created": n, "lines_skipped": m, "statement_ids": [...],
            "errors": [...]}``; pulling again with nothing new creates nothing. A stream that
            fails keeps what it stored before the failure (its cursor says where it stopped)
            and names the failure in ``errors``; the next pull resumes there.
        """
        backends = self.browse(list(dict.fromkeys(int(i) for i in backend_ids))).exists()
        backends._check_pull_access()
        total = {"lines_created": 0, "lines_skipped": 0, "statement_ids": [], "errors": []}
        for backend in backends:
            result = backend._pull()
            for key in ("lines_created", "lines_skipped"):
                total[key] += result[key]
            total["statement_ids"] += result["statement_ids"]
            total["errors"] += [f"{backend.name}: {error}" for error in result["errors"]]
        return total

    def _pull(self, max_pages=None, progress=None):
        self.ensure_one()
        try:
            connector = self._connector()
        except UserError as error:
            # a backend set up wrong (credentials missing, say): said on the backend, as a
            # platform's refusal is, not a failed job
            result = {"lines_created": 0, "lines_skipped": 0, "statement_ids": [], "errors": [str(error)]}
            result["has_more"] = False
        else:
            result = pull_backend(self, connector, max_pages=max_pages, progress=progress)
        with OWN_FIELDS.writing():
            # the backend's own bookkeeping of its pull
            self.sudo().write(
                {
                    "last_pull_at": fields.Datetime.now(),
                    "last_result": {
                        key: result[key]
                        for key in ("lines_created", "lines_skipped", "statement_ids", "errors")
                    },
                }
            )
        return result

    def action_pull_now(self):
        """**Pull Now**: queue a pull on the platform's channel; the form follows its progress."""
        self._check_pull_access()
        for backend in self:
            if backend.state == "queued" and not backend.job_stuck:
                continue
            backend._job_progress_reset()
            backend._job_enqueue()
        return True

    def action_open_imports(self):
        self.check_access("read")
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Imports of %s", self.name),
            "res_model": "ecom.statement",
            "view_mode": "list,form",
            "domain": [("connector_backend_id", "=", self.id)],
            "context": {"create": False},
        }

    @api.model
    def _cron_pull_backend(self, backend_id):
        """The schedule of one backend (its ``ir.cron``): queue a pull unless one is queued."""
        backend = self.browse(backend_id).exists()
        if not backend.credentials_set:
            return  # nothing to pull with yet (a new backend, the demo's): not a failure
        if backend and backend.active and (backend.state != "queued" or backend.job_stuck):
            backend._job_progress_reset()
            backend._job_enqueue()

    def _cron_pull(self):
        for backend in self:
            self._cron_pull_backend(backend.id)

    # ------------------------------------------------------------------
    # The job (ecom.job.mixin)
    # ------------------------------------------------------------------

    def _job_check_rights(self):
        self._check_pull_access()

    def _job_enqueue(self):
        self.ensure_one()
        channel = f"root.ecom.connectors.{self.platform}"
        job = self.with_delay(channel=channel, description=self.env._("Pull %s", self.name))._job_pull()
        with OWN_FIELDS.writing():
            # the backend's own bookkeeping of its job
            self.sudo().write({"state": "queued", "job_uuid": job.uuid})
        return job

    def _job_pull(self):
        """queue_job: pull up to ``PAGES_PER_JOB`` pages, then queue the rest as another job."""
        self.ensure_one()
        self._job_check_rights()
        done = {"pages": 0}

        def progress(pages, expected):
            done["pages"] = pages
            self._job_progress(pages, expected)

        result = self._pull(max_pages=PAGES_PER_JOB, progress=progress)
        if result["has_more"]:
            self._job_enqueue()
        else:
            with OWN_FIELDS.writing():
                # the backend's own bookkeeping: its pull is over
                self.sudo().state = "idle"
        return self.env._(
            "%(pages)s pages, %(created)s new lines%(more)s",
            pages=done["pages"],
            created=result["lines_created"],
            more=self.env._(", more queued") if result["has_more"] else "",
        )
