# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Every internal role against every public method and every protected field of our addons.

The big brother of ``test_public_methods``: the methods and the fields are found, not listed.

1. Each public method a class of our addons defines (its own or an override) on a model our addons
   define or extend (``ecom.*``, ``account.move``, ``stock.quant``, ``stock.scrap``, ``res.users`` ...)
   is called as each role on records that role may see (the demo company's), and must give the outcome
   of ``EXPECTED``: the roles listed are allowed (no ``AccessError``; a ``UserError`` for a business
   reason, such as nothing to post, is still allowed by rights), every other role is refused with an
   ``AccessError`` raised before anything was written (no table of the database changed). A method
   found that is not in ``EXPECTED`` fails the test: add it there.
2. Each state-like or protected field of each ``ecom.*`` model, and of the other models listed in
   ``GUARDED_FIELDS`` (``res.partner``: VIES's answer) (``state``, ``*_state``,
   ``request_id``, ``approval*``, ``job_uuid``, and the lists the models guard: ``PROTECTED_FIELDS``,
   ``WORKFLOW_FIELDS``, ``SUMMARY_FIELDS`` ...) is set by ``create``, ``write``, ``copy`` (a default) and
   ``load`` as each role: each is refused (``AccessError`` or ``UserError``) and the value stays as it was.
"""

import inspect
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.ecom_audit.models import ecom_access_grant
from odoo.addons.ecom_audit.tests.common import ROLE_GROUPS, make_role_user
from odoo.addons.ecom_finance.models import (
    ecom_connector_backend,
    ecom_connector_cursor,
    res_partner,
    stock_warehouse_orderpoint,
)
from odoo.addons.ecom_reconcile.models import ecom_reconcile_difference, ecom_reconcile_run, ecom_risk_score

from .test_public_methods import READ_PATHS

SHOP = "shop_operator"
WAREHOUSE = "warehouse_operator"
ACCOUNTANT = "accountant"
MANAGER = "manager"
AUDITOR = "auditor"
ROLES = (SHOP, WAREHOUSE, ACCOUNTANT, MANAGER, AUDITOR)

NOBODY = frozenset()
EVERYONE = frozenset(ROLES)
# may see the finance data of every shop of their companies (README, "Roles")
FINANCE = frozenset({ACCOUNTANT, MANAGER})
# read everything, including what operators may not read (costs, entries, reports)
FINANCE_READERS = frozenset({ACCOUNTANT, MANAGER, AUDITOR})

# (model, method): the roles allowed to call it (README, "Roles"); every other role gets an
# AccessError. Rows marked "no demo record" are not called while the demo data has none.
EXPECTED = {
    # accounting: Odoo's Accountant rights; the Auditor reads only
    ("account.move", "action_ecom_request_post"): FINANCE,
    ("account.move", "button_draft"): FINANCE,
    # budget control (issue 17): Accountants ask a Finance Manager to let a manual entry exceed its budget
    ("account.move", "action_ecom_request_budget_approval"): FINANCE,
    ("account.move", "export_data"): FINANCE_READERS,
    ("account.move.line", "action_ecom_open_source_lines"): FINANCE_READERS,
    ("account.move.line", "export_data"): FINANCE_READERS,
    # Odoo's bank statement lines, fed by bank imports (ecom_finance): accounting readers
    ("account.bank.statement.line", "export_data"): FINANCE_READERS,
    # the background jobs themselves: queue_job's managers (administrators) only
    ("queue.job", "export_data"): NOBODY,
    # approvals: grants are Finance Managers'; a level is decided by its group, never by the
    # requester, who alone cancels
    ("ecom.access.grant", "action_request"): {MANAGER},
    ("ecom.access.grant", "action_revoke"): {MANAGER},
    ("ecom.access.grant", "export_data"): {MANAGER, AUDITOR},
    ("ecom.approval.line", "export_data"): FINANCE_READERS,  # no demo record
    ("ecom.approval.request", "action_approve"): FINANCE,
    ("ecom.approval.request", "action_cancel"): NOBODY,
    ("ecom.approval.request", "action_reject"): FINANCE,
    ("ecom.approval.request", "export_data"): FINANCE_READERS,
    ("ecom.approval.threshold", "export_data"): {MANAGER, AUDITOR},  # no demo record
    # the audit trail and its access alerts: Auditors
    ("ecom.audit.anomaly", "action_mark_reviewed"): {AUDITOR},  # no demo record
    ("ecom.audit.anomaly", "action_open_entries"): {AUDITOR},  # no demo record
    ("ecom.audit.anomaly", "export_data"): {AUDITOR},  # no demo record
    ("ecom.audit.log", "export_data"): {AUDITOR},
    ("ecom.audit.log", "verify_chain"): {AUDITOR},
    ("ecom.audit.pending", "export_data"): NOBODY,  # no demo record
    # setup and finance data
    ("ecom.bank.csv.profile", "export_data"): FINANCE_READERS,  # no demo record
    ("ecom.budget", "export_data"): FINANCE_READERS,  # no demo record
    # warehouse devices: read by Warehouse Operators and Auditors; registered, and their tokens
    # issued, rotated and revoked, by Inventory Administrators (stock.group_stock_manager), none of
    # the ecom roles; their scans are read only, in the Operators' own warehouses
    ("ecom.device", "action_revoke_token"): NOBODY,
    ("ecom.device", "action_rotate_token"): NOBODY,
    ("ecom.device", "action_rotate_token_dialog"): NOBODY,
    ("ecom.device", "export_data"): {WAREHOUSE, AUDITOR},
    ("ecom.scan.event", "export_data"): {WAREHOUSE, AUDITOR},  # no demo record
    # RFID counts: made and applied by Warehouse Operators (Inventory users) in their warehouses,
    # read by the finance roles (who alone read the valuation difference)
    ("ecom.rfid.count", "action_apply"): {WAREHOUSE},
    ("ecom.rfid.count", "action_count_last_burst"): {WAREHOUSE},
    ("ecom.rfid.count", "action_propose"): {WAREHOUSE},
    ("ecom.rfid.count", "action_start"): {WAREHOUSE},
    ("ecom.rfid.count", "action_stop"): {WAREHOUSE},
    ("ecom.rfid.count", "export_data"): {WAREHOUSE, *FINANCE_READERS},
    ("ecom.rfid.count.line", "export_data"): {WAREHOUSE, *FINANCE_READERS},  # no demo record
    ("ecom.job.progress", "export_data"): NOBODY,  # no demo record
    ("ecom.order.margin.report", "export_data"): FINANCE_READERS,
    ("ecom.receivable.aging.report", "export_data"): FINANCE_READERS,
    ("ecom.stock.valuation.report", "export_data"): FINANCE_READERS,
    # the stock ledger (进销存) and its check against the books (ecom_finance): finance readers
    ("ecom.stock.ledger.report", "export_data"): FINANCE_READERS,
    ("ecom.stock.ledger.check", "export_data"): FINANCE_READERS,  # no demo record
    ("ecom.stock.ledger.check", "run_check"): FINANCE_READERS,
    ("ecom.stock.ledger.check.line", "export_data"): FINANCE_READERS,  # no demo record
    ("ecom.warehouse.rule", "export_data"): FINANCE_READERS,  # no demo record
    # orders: Shop Operators read their shops' orders; Accountants fulfil them
    ("ecom.order", "action_fulfil"): FINANCE,
    ("ecom.order", "export_data"): {SHOP, *FINANCE_READERS},
    ("ecom.order", "fulfil_orders"): FINANCE,
    ("ecom.order.line", "export_data"): {SHOP, *FINANCE_READERS},
    # posting and matching rules: Finance Managers ask for changes, readers read
    ("ecom.approval.threshold", "action_archive"): {MANAGER},
    ("ecom.approval.threshold", "action_unarchive"): {MANAGER},
    ("ecom.approval.threshold", "ecom_request_create"): {MANAGER},
    ("ecom.approval.threshold", "ecom_request_unlink"): {MANAGER},
    ("ecom.approval.threshold", "ecom_request_write"): {MANAGER},
    ("ecom.approval.threshold", "web_save"): {MANAGER},
    ("ecom.posting.rule", "action_archive"): {MANAGER},
    ("ecom.posting.rule", "action_unarchive"): {MANAGER},
    ("ecom.posting.rule", "ecom_request_create"): {MANAGER},
    ("ecom.posting.rule", "ecom_request_unlink"): {MANAGER},
    ("ecom.posting.rule", "ecom_request_write"): {MANAGER},
    ("ecom.posting.rule", "export_data"): FINANCE_READERS,
    ("ecom.posting.rule", "web_save"): {MANAGER},
    ("ecom.reconcile.rule", "action_archive"): {MANAGER},
    ("ecom.reconcile.rule", "action_unarchive"): {MANAGER},
    ("ecom.reconcile.rule", "ecom_request_create"): {MANAGER},
    ("ecom.reconcile.rule", "ecom_request_unlink"): {MANAGER},
    ("ecom.reconcile.rule", "ecom_request_write"): {MANAGER},
    ("ecom.reconcile.rule", "export_data"): {SHOP, *FINANCE_READERS},
    ("ecom.reconcile.rule", "web_save"): {MANAGER},
    # reconciliation: Shop Operators work on their shops' differences and alerts; Accountants
    # run, reconcile and reopen; write-offs are Finance Managers'
    ("ecom.reconcile.alert", "action_done"): {SHOP, *FINANCE},
    ("ecom.reconcile.alert", "export_data"): {SHOP, *FINANCE_READERS},
    # risk scores: the finance readers only
    ("ecom.risk.score", "export_data"): FINANCE_READERS,
    ("ecom.reconcile.difference", "action_assign_to_me"): {SHOP, *FINANCE},
    ("ecom.reconcile.difference", "action_reopen"): FINANCE,
    ("ecom.reconcile.difference", "action_request_write_off"): {MANAGER},
    ("ecom.reconcile.difference", "action_resolve"): {SHOP, *FINANCE},
    ("ecom.reconcile.difference", "action_write_off"): {MANAGER},
    ("ecom.reconcile.difference", "export_data"): {SHOP, *FINANCE_READERS},
    # suggested matches (issue 21): Accountants ask for them, accept and reject them
    ("ecom.reconcile.difference", "accept_suggestion"): FINANCE,
    ("ecom.reconcile.difference", "action_suggestions"): FINANCE,
    ("ecom.reconcile.difference", "reject_suggestion"): FINANCE,
    ("ecom.reconcile.difference", "suggest"): FINANCE,
    ("ecom.reconcile.suggestion.decision", "export_data"): FINANCE_READERS,  # no demo record
    ("ecom.reconcile.suggestion.model", "export_data"): FINANCE_READERS,  # no demo record
    ("ecom.reconcile.match", "export_data"): {SHOP, *FINANCE_READERS},
    ("ecom.reconcile.run", "action_export_xlsx"): {SHOP, *FINANCE_READERS},  # their shops' part
    ("ecom.reconcile.run", "action_open_clearing_items"): FINANCE_READERS,
    ("ecom.reconcile.run", "action_reconcile_clearing"): FINANCE,
    ("ecom.reconcile.run", "action_retry_job"): FINANCE,
    ("ecom.reconcile.run", "action_run"): FINANCE,
    ("ecom.reconcile.run", "action_run_full"): FINANCE,
    ("ecom.reconcile.run", "action_run_in_background"): FINANCE,
    ("ecom.reconcile.run", "export_data"): {SHOP, *FINANCE_READERS},
    ("ecom.reconcile.run", "run_reconciliation"): FINANCE,
    # shops: their accounting setup is Finance Managers'
    ("ecom.shop", "action_setup_accounting"): {MANAGER},
    ("ecom.shop", "ecom_request_write"): {MANAGER},
    ("ecom.shop", "export_data"): {SHOP, *FINANCE_READERS},
    ("ecom.shop", "web_save"): {MANAGER},
    # imports: Shop Operators import for their shops; posting and reversing is accounting
    ("ecom.statement", "action_open_import_wizard"): {SHOP, *FINANCE},
    ("ecom.statement", "action_open_bank_statement_lines"): FINANCE_READERS,
    # the export of a period's vouchers to Yonyou / Kingdee (a wizard: test_wizard_methods)
    ("ecom.voucher.export.wizard", "action_export"): FINANCE_READERS,
    # ... and their batch print (记账凭证, one per page)
    ("ecom.voucher.export.wizard", "action_print"): FINANCE_READERS,
    # the voucher numbers' counters: the system's (administrators read them)
    ("ecom.voucher.counter", "export_data"): NOBODY,
    # background fulfilments: made by Fulfil (Accountants), read by the finance readers
    ("ecom.fulfilment", "action_open_orders"): FINANCE_READERS,
    ("ecom.fulfilment", "action_retry_job"): FINANCE,
    ("ecom.fulfilment", "export_data"): FINANCE_READERS,
    # connector backends (ecom_finance): set up by Finance Managers, pulled by Accountants
    ("ecom.connector.backend", "action_open_imports"): FINANCE_READERS,
    ("ecom.connector.backend", "action_pull_now"): FINANCE,
    ("ecom.connector.backend", "action_retry_job"): FINANCE,
    ("ecom.connector.backend", "export_data"): FINANCE_READERS,
    ("ecom.connector.backend", "pull"): FINANCE,
    ("ecom.connector.cursor", "action_reset"): {MANAGER},
    ("ecom.connector.cursor", "export_data"): FINANCE_READERS,
    ("ecom.statement", "action_open_moves"): FINANCE_READERS,
    ("ecom.statement", "action_post_entries"): FINANCE,
    ("ecom.statement", "action_retry_job"): {SHOP, *FINANCE},
    # the login lockout's state: Settings administrators read it
    ("ecom.login.lock", "export_data"): NOBODY,  # no demo record
    ("ecom.statement", "action_reverse_entries"): FINANCE,
    ("ecom.statement", "export_data"): {SHOP, *FINANCE_READERS},
    ("ecom.statement", "import_file"): {SHOP, *FINANCE},
    ("ecom.statement", "post_entries"): FINANCE,
    ("ecom.statement.line", "export_data"): {SHOP, *FINANCE_READERS},
    # Odoo models: read as Odoo lets every internal user (costs are test_read_paths')
    ("product.product", "export_data"): EVERYONE,
    ("product.template", "export_data"): EVERYONE,
    ("res.groups", "export_data"): EVERYONE,
    ("res.users", "action_ecom_unlock_login"): NOBODY,  # Settings administrators (ecom_audit.lockout)
    # the VIES check of a buyer's EU VAT number (ecom_finance): Accountants
    ("res.partner", "action_ecom_check_vies"): FINANCE,
    ("res.partner", "export_data"): EVERYONE,  # Odoo: every internal user reads partners
    # the voucher print (ecom_finance); Odoo: every internal user reads the report actions
    ("ir.actions.report", "export_data"): EVERYONE,
    ("res.users", "export_data"): EVERYONE,
    # stock: Warehouse Operators in their warehouses (every internal user reads quants in Odoo)
    ("stock.move", "export_data"): {WAREHOUSE, *FINANCE_READERS},
    ("stock.quant", "action_ecom_request_adjustment"): {WAREHOUSE},
    # the handheld screen (ecom_devices): inventory users, in the warehouses they may work
    ("stock.picking", "ecom_handheld_pickings"): {WAREHOUSE},
    ("stock.picking", "ecom_handheld_scan"): {WAREHOUSE},
    ("stock.picking", "ecom_handheld_validate"): {WAREHOUSE},
    ("stock.picking", "ecom_handheld_view"): {WAREHOUSE},
    ("stock.quant", "ecom_handheld_count_apply"): {WAREHOUSE},
    ("stock.quant", "ecom_handheld_count_scan"): {WAREHOUSE},
    ("stock.quant", "ecom_handheld_count_view"): {WAREHOUSE},
    ("stock.quant", "export_data"): EVERYONE,
    ("stock.scrap", "action_ecom_request_scrap"): {WAREHOUSE},
    ("stock.scrap", "do_scrap"): {WAREHOUSE},
    ("stock.scrap", "export_data"): {WAREHOUSE},
    # audited by ecom_finance (``_ecom_audited_fields``); read by Odoo's stock managers only
    ("stock.valuation.layer", "export_data"): NOBODY,
    # reordering rules (ecom_finance: their stock level): Odoo's inventory users
    ("stock.warehouse.orderpoint", "export_data"): {WAREHOUSE},
    # audited by ecom_finance (issue 22): exported by whoever Odoo lets read them
    ("account.account", "export_data"): EVERYONE,
    ("account.journal", "export_data"): FINANCE_READERS,
    ("product.category", "export_data"): EVERYONE,
    # no role buys; Odoo lets inventory users (receipts) and accounting users (bills) read orders
    # (exercised since the fixture's draft order: the demo company had none)
    ("purchase.order", "export_data"): {WAREHOUSE, *FINANCE_READERS},
    # budget control (issue 17): purchase users and Accountants (who bill orders) ask for a budget
    # overrun; whoever Odoo lets write the order confirms it
    ("purchase.order", "action_ecom_request_budget_approval"): FINANCE,
    ("purchase.order", "button_confirm"): FINANCE,
    ("purchase.order.line", "export_data"): {WAREHOUSE, *FINANCE_READERS},
    ("res.partner.bank", "export_data"): EVERYONE,  # Odoo: every internal user reads them
    ("sale.order", "export_data"): {WAREHOUSE, *FINANCE_READERS},
    ("sale.order.line", "export_data"): {WAREHOUSE, *FINANCE_READERS},
    ("stock.lot", "export_data"): {WAREHOUSE},
    ("stock.move.line", "export_data"): EVERYONE,
    ("stock.picking", "export_data"): {WAREHOUSE, *FINANCE_READERS},
}

# the records a method needs to do its work rather than stop at a business check
TARGETS = {
    ("account.move", "action_ecom_request_post"): [("state", "=", "draft")],
    ("account.move", "button_draft"): [("state", "=", "posted"), ("ecom_statement_id", "!=", False)],
    ("account.move", "action_ecom_request_budget_approval"): [("state", "=", "draft")],
    ("ecom.statement", "action_reverse_entries"): [("move_ids.state", "=", "posted")],
    ("ecom.statement", "action_post_entries"): [("move_ids", "=", False)],
    # a partner without a VAT number: the check stops at its business check, never asks VIES
    ("res.partner", "action_ecom_check_vies"): [("vat", "=", False)],
}

# the ORM's and the web client's read paths (test_public_methods and test_read_paths try them),
# and the ORM's CRUD, which test_protected_fields tries field by field
SKIPPED = READ_PATHS | {"create", "write", "unlink", "copy", "load"}

# fields the models guard by name, besides the state-like ones found by their names
GUARDED_FIELDS = {
    "ecom.access.grant": ecom_access_grant.PROTECTED_FIELDS,
    "ecom.reconcile.difference": ecom_reconcile_difference.PROTECTED_FIELDS
    | ecom_reconcile_difference.WORKFLOW_FIELDS,
    "ecom.reconcile.run": ecom_reconcile_run.SUMMARY_FIELDS,
    # written by the scoring only (a run's end, the daily cron)
    "ecom.risk.score": ecom_risk_score.SCORE_FIELDS.fields,
    # written by accept_suggestion / reject_suggestion and the learning only
    "ecom.reconcile.suggestion.decision": {
        "decision",
        "match_id",
        "undone",
        "gap_open",
        "model_version",
        "fx_gap",
    },
    # written by the runs and accept_suggestion only: what the match left, the FX gap apart
    "ecom.reconcile.match": {"residual", "fx_gap", "fx_rate"},
    # a rule changes through an approved request only (ecom.approval.mixin)
    "ecom.reconcile.rule": {"amount_tolerance", "amount_tolerance_pct", "fx_tolerance_pct"},
    "ecom.reconcile.suggestion.model": {"version", "weights"},
    "ecom.approval.request": {"levels_required", "levels_approved", "substance_hash", "requester_id"},
    "ecom.approval.line": {"decision", "user_id", "level"},
    # ecom_devices: written by the token actions and the event endpoint only
    "ecom.device": {"token_prefix", "token_hash", "token_rotated_at", "token_last_used_at"},
    # ecom_devices: written by the RFID count's actions only (ecom_rfid_count.PROTECTED_FIELDS)
    "ecom.rfid.count": {
        "state",
        "line_ids",
        "read_count",
        "unknown_count",
        "proposed_at",
        "applied_at",
        "applied_uid",
    },
    # ecom_finance: written by the backend's pulls and schedule only (OWN_FIELDS of each model)
    "ecom.connector.backend": ecom_connector_backend.OWN_FIELDS.fields,
    "ecom.connector.cursor": ecom_connector_cursor.OWN_FIELDS.fields,
    # ecom_finance: the level a reordering rule's warning was about, written by the daily check
    "stock.warehouse.orderpoint": stock_warehouse_orderpoint.OWN_FIELDS.fields,
    # ecom_finance: what a check of the stock against the books found, written by the check only
    "ecom.stock.ledger.check": {"result", "stock_value", "book_value", "difference", "scheduled", "line_ids"},
    # ecom_finance: VIES's answer, written by the VIES check only (res_partner.OWN_FIELDS)
    "res.partner": res_partner.OWN_FIELDS.fields,
}

# guarded fields a role may still write directly: the model has no guard for them
# (model, field) -> roles that may write it directly: none today (an alert's state changes with
# its Done button only)
WRITABLE_FIELDS = {}


def _is_state_like(name):
    return (
        name == "state"
        or name.endswith("_state")
        or name in ("request_id", "job_uuid")
        or name.startswith("approval")
    )


@tagged("post_install", "-at_install")
class TestRoleMatrix(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.demo_company_ecom", raise_if_not_found=False)
        if not cls.company:
            return
        cls.users = {
            role: make_role_user(
                cls.env,
                role,
                cls.company,
                login=f"ecom_matrix_{role}",
                extra_groups=("stock.group_stock_user",) if role == WAREHOUSE else (),
            )
            for role in ROLES
        }
        # the demo connector backends point at fake servers that do not run here and have no
        # credentials: a pull stops at that (a refused connection, when given some, at once)
        cls.env["ir.config_parameter"].sudo().set_param("ecom_finance.connector_attempts", "1")
        # shops and warehouses as the demo users have them
        demo_shop_user = cls.env.ref("ecom_finance.demo_user_shop")
        for shop in cls.env["ecom.shop"].search([("user_ids", "in", demo_shop_user.ids)]):
            shop.user_ids = [Command.link(cls.users[SHOP].id)]
        cls.users[WAREHOUSE].ecom_warehouse_ids = cls.env.ref(
            "ecom_finance.demo_user_warehouse"
        ).ecom_warehouse_ids
        # someone else's pending request, for the roles to decide on
        requester = new_test_user(
            cls.env,
            login="ecom_matrix_requester",
            groups="base.group_user,ecom_audit.group_ecom_manager",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        difference = cls.env["ecom.reconcile.difference"].search(
            [("company_id", "=", cls.company.id), ("state", "in", ("open", "assigned"))], limit=1
        )
        if difference:
            if not difference.resolution:
                difference.resolution = "Fee charged twice by the platform."
            difference.with_user(requester).action_request_write_off()
        cls._make_fixtures()

    @classmethod
    def _make_fixtures(cls):
        """What the demo data lacks for the methods to find a record: a draft manual entry, a draft
        scrap, a draft purchase order, an open alert, a draft access grant."""
        env, company = cls.env, cls.company
        journal = env["account.journal"].search(
            [("company_id", "=", company.id), ("code", "=", "ECOM")], limit=1
        )
        accounts = env["account.account"].search([("company_ids", "in", company.ids)], limit=2)
        if journal and len(accounts) == 2:
            env["account.move"].create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "line_ids": [
                        Command.create({"account_id": accounts[0].id, "debit": 100.0}),
                        Command.create({"account_id": accounts[1].id, "credit": 100.0}),
                    ],
                }
            )
        warehouse = env.ref("ecom_finance.demo_user_warehouse").ecom_warehouse_ids[:1]
        product = env["product.product"].search([("is_storable", "=", True)], limit=1)
        if warehouse and product:
            env["stock.scrap"].create(
                {
                    "product_id": product.id,
                    "scrap_qty": 1.0,
                    "company_id": company.id,
                    "location_id": warehouse.lot_stock_id.id,
                }
            )
        # a draft purchase order (budget control: asked for, confirmed)
        vendor = env["res.partner"].search([("supplier_rank", ">", 0)], limit=1) or env["res.partner"].create(
            {"name": "Matrix Vendor"}
        )
        service = env["product.product"].search(
            [("type", "=", "service"), ("purchase_ok", "=", True)], limit=1
        )
        if service:
            env["purchase.order"].create(
                {
                    "partner_id": vendor.id,
                    "company_id": company.id,
                    "order_line": [
                        Command.create({"product_id": service.id, "product_qty": 1.0, "price_unit": 10.0})
                    ],
                }
            )
        # raised as the daily check raises them
        env["ecom.reconcile.alert"]._insert(
            env.ref("ecom_finance.demo_shop_tmall"),
            [(env["ecom.reconcile.alert"]._fields["condition"].get_values(env)[0], "matrix", 1, 10.0)],
        )
        # scored as a run's end scores them
        env["ecom.risk.score"]._score_days(
            env["ecom.shop"].search([("company_id", "=", company.id)]), date(2026, 12, 1), date(2026, 12, 3)
        )
        env["ecom.access.grant"].create(
            {
                "company_id": company.id,
                "user_id": cls.users[WAREHOUSE].id,
                "group_id": env.ref(ROLE_GROUPS[AUDITOR]).id,
                "reason": "Month-end close",
            }
        )

    # ------------------------------------------------------------------
    # Finding what to try
    # ------------------------------------------------------------------

    @staticmethod
    def _ours(cls_):
        return cls_.__module__.startswith("odoo.addons.ecom_")

    def _our_models(self):
        """Models our addons define or extend (the extension of ``base`` every model gets aside)."""
        names = []
        for model_name in sorted(self.env.registry):
            Model = self.env[model_name]
            if Model._abstract or Model._transient:
                continue
            if any(
                self._ours(cls_) and getattr(cls_, "_inherit", None) != "base" and cls_._name != "base"
                for cls_ in type(Model).__mro__[1:]
                if isinstance(getattr(cls_, "_name", None), str)
            ):
                names.append(model_name)
        return names

    def _public_methods(self, Model):
        names = []
        for name, _member in inspect.getmembers(type(Model), inspect.isfunction):
            if name.startswith("_") or name in SKIPPED:
                continue
            if any(name in vars(cls_) and self._ours(cls_) for cls_ in type(Model).__mro__):
                names.append(name)
        return names

    def _targets(self, Model, user, method=None):
        """A record of the demo company (or of none) that ``user`` may see, else any; the one a
        method needs to get past its business checks (``TARGETS``) where there is one."""
        domain = [("company_id", "in", (self.company.id, False))] if "company_id" in Model._fields else []
        wanted = TARGETS.get((Model._name, method))
        if wanted and Model.search(domain + wanted, limit=1):
            domain = domain + wanted
        try:
            records = Model.with_user(user).search(domain, limit=1)
        except AccessError:
            records = Model.browse()
        if not records:
            records = Model.search(domain, limit=1)
        return records.with_user(user)

    def _args(self, model_name, name, user, target):
        """The arguments of the model methods; the others take none (or optional ones)."""

        def visible(model):
            return self._targets(self.env[model], user).ids

        def visible_location():
            locations = self.env["stock.location"].with_user(user)
            try:
                return locations.search(
                    [("usage", "=", "internal"), ("company_id", "=", self.company.id)], limit=1
                ).id
            except AccessError:
                return False

        company = self.company
        return {
            "run_reconciliation": lambda: (visible("ecom.shop"), "2024-03-01", "2024-03-07"),
            "suggest": lambda: (visible("ecom.reconcile.difference"),),
            "accept_suggestion": lambda: (visible("ecom.reconcile.difference")[0], 0),
            "reject_suggestion": lambda: (visible("ecom.reconcile.difference")[0], 0),
            "post_entries": lambda: (visible("ecom.statement"),),
            "pull": lambda: (visible("ecom.connector.backend"),),
            "fulfil_orders": lambda: (visible("ecom.order"),),
            "import_file": lambda: (visible("ecom.shop")[0], "x.csv", "eA=="),
            "ecom_request_create": lambda: ({"company_id": company.id},),
            "ecom_request_write": lambda: ({"active": False},),
            "export_data": lambda: (["id"],),
            "web_save": lambda: ({"active": False}, {}),
            "run_check": lambda: ("2024-03-31",),
            # the handheld screen (ecom_devices): a code that is no product, where the role counts
            "ecom_handheld_pickings": lambda: ("incoming",),
            "ecom_handheld_scan": lambda: ("NO-SUCH-CODE",),
            "ecom_handheld_count_view": lambda: (visible_location(),),
            "ecom_handheld_count_scan": lambda: (visible_location(), "NO-SUCH-CODE"),
            "ecom_handheld_count_apply": lambda: (visible_location(),),
        }.get(name, tuple)()

    # ------------------------------------------------------------------
    # Calling
    # ------------------------------------------------------------------

    def _written(self):
        """Rows inserted, updated and deleted so far in this transaction, per table (after the
        pending writes and the hooks run before a commit, such as tracking)."""
        self.env.cr.flush()
        self.env.cr.execute(
            """SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables
                WHERE n_tup_ins + n_tup_upd + n_tup_del > 0"""
        )
        return dict(self.env.cr.fetchall())

    def _try(self, call, refusals=()):
        """``('allowed', None)``, or ``('refused', tables written before the refusal)``: an
        ``AccessError``, or one of ``refusals`` (for the fields, a ``UserError`` refuses too).
        Whatever the call did is rolled back."""
        # the savepoint flushes what was pending before the call: only the call's writes count
        savepoint = self.env.cr.savepoint()
        try:
            before = self._written()
            with mute_logger("odoo.models", "odoo.addons.ecom_audit", "odoo.addons.ecom_finance"):
                call()
        except (AccessError, *refusals):
            try:
                after = self._written()
            except Exception as error:  # noqa: BLE001 a pending write that fails is a write too
                after = {"(pending write)": str(error)}
            return "refused", {t: n for t, n in after.items() if before.get(t) != n}
        except UserError:
            return "allowed", None
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all(flush=False)
        return "allowed", None

    # ------------------------------------------------------------------
    # 1. Methods
    # ------------------------------------------------------------------

    def test_role_method_matrix(self):
        if not self.company:
            self.skipTest("ecom_finance was installed without demo data")
        missing, wrong, written, checked = [], [], [], 0
        for model_name in self._our_models():
            Model = self.env[model_name]
            for name in self._public_methods(Model):
                key = (model_name, name)
                if key not in EXPECTED:
                    missing.append(key)
                api_model = getattr(getattr(type(Model), name), "_api", None) == "model"
                for role in ROLES:
                    user = self.users[role]
                    target = Model.with_user(user) if api_model else self._targets(Model, user, name)
                    if not target and not api_model:
                        continue  # nothing to call it on
                    args = self._args(model_name, name, user, target)
                    outcome, changed = self._try(lambda t=target, n=name, a=args: getattr(t, n)(*a))
                    checked += 1
                    if outcome == "refused" and changed:
                        written.append(f"{model_name}.{name} as {role}: refused after writing {changed}")
                    if key in EXPECTED and (outcome == "allowed") != (role in EXPECTED[key]):
                        wrong.append(f"{model_name}.{name} as {role}: {outcome}")
        if missing:
            self.fail(
                "Public methods not in EXPECTED of test_role_matrix.py: add each with the roles allowed "
                "(README, 'Roles'):\n" + "\n".join(f"    {key!r}" for key in missing),
            )
        self.assertFalse(wrong, "Outcomes other than EXPECTED:\n" + "\n".join(wrong))
        self.assertFalse(written, "\n".join(written))
        self.assertGreater(checked, 300)

    def test_wizard_methods(self):
        """The wizards' public methods in ``EXPECTED`` (wizards are not found by the matrix above):
        each role opens the wizard with its defaults and calls the method; a role that may not
        open it is refused by the access rights, one that may open it but not call it by the method."""
        if not self.company:
            self.skipTest("ecom_finance was installed without demo data")
        wrong, written, checked = [], [], 0
        for (model_name, name), allowed in EXPECTED.items():
            if not self.env[model_name]._transient:
                continue
            for role in ROLES:
                Model = self.env[model_name].with_user(self.users[role]).with_company(self.company)
                outcome, changed = self._try(lambda M=Model, n=name: getattr(M.create({}), n)())
                checked += 1
                if outcome == "refused" and changed:
                    written.append(f"{model_name}.{name} as {role}: refused after writing {changed}")
                if (outcome == "allowed") != (role in allowed):
                    wrong.append(f"{model_name}.{name} as {role}: {outcome}")
        self.assertFalse(wrong, "Outcomes other than EXPECTED:\n" + "\n".join(wrong))
        self.assertFalse(written, "\n".join(written))
        self.assertGreaterEqual(checked, len(ROLES))

    def test_operators_outside_their_shops_and_warehouses(self):
        """A Shop Operator on a record of another shop, a Warehouse Operator on a quant or scrap of
        another warehouse: every method they may call on their own is refused there."""
        if not self.company:
            self.skipTest("ecom_finance was installed without demo data")
        # of Tmall only: the demo data's records are Tmall's and Douyin's
        shop_user = make_role_user(self.env, SHOP, self.company, login="ecom_matrix_shop_tmall")
        self.env.ref("ecom_finance.demo_shop_tmall").user_ids = [Command.link(shop_user.id)]
        warehouse_user = self.users[WAREHOUSE]
        other_shops = self.env["ecom.shop"].search(
            [("company_id", "=", self.company.id), ("user_ids", "not in", shop_user.ids)]
        )
        other_locations = self.env["stock.location"].search(
            [
                ("company_id", "=", self.company.id),
                ("warehouse_id", "!=", False),
                ("warehouse_id", "not in", warehouse_user.ecom_warehouse_ids.ids),
            ]
        )
        cases = []
        for (model_name, name), roles in EXPECTED.items():
            Model = self.env[model_name]
            if getattr(getattr(type(Model), name, None), "_api", None) == "model":
                continue
            if SHOP in roles and "shop_id" in Model._fields:
                record = Model.search([("shop_id", "in", other_shops.ids)], limit=1)
                cases.append((record, name, shop_user))
            if WAREHOUSE in roles and "location_id" in Model._fields and model_name.startswith("stock."):
                record = Model.search([("location_id", "in", other_locations.ids)], limit=1)
                cases.append((record, name, warehouse_user))
        checked = 0
        for record, name, user in cases:
            if not record:
                continue
            outcome, changed = self._try(
                lambda r=record, n=name, u=user: getattr(r.with_user(u), n)(*self._args(r._name, n, u, r))
            )
            checked += 1
            with self.subTest(model=record._name, method=name, user=user.login):
                self.assertEqual(outcome, "refused")
                self.assertFalse(changed)
        self.assertGreater(checked, 10)

    # ------------------------------------------------------------------
    # 2. Protected fields
    # ------------------------------------------------------------------

    def _guarded_fields(self, Model):
        names = set(GUARDED_FIELDS.get(Model._name, ()))
        names |= {name for name in Model._fields if _is_state_like(name)}
        return sorted(
            name
            for name in names
            if name in Model._fields and Model._fields[name].store and not Model._fields[name].related
        )

    def _other_value(self, record, name):
        """A value of field ``name`` other than ``record``'s, as ``write`` and ``load`` take it."""
        field = record._fields[name]
        current = record[name]
        if field.type == "selection":
            keys = [key for key, _label in field._description_selection(self.env)]
            default = record.default_get([name]).get(name)
            # not the default either: a new record may start in its default state
            key = next((key for key in keys if key not in (current, default)), None) or next(
                key for key in keys if key != current
            )
            return key, key
        if field.type == "many2one":
            other = self.env[field.comodel_name].search([("id", "not in", current.ids)], limit=1)
            return other.id, str(other.id)
        if field.type in ("many2many", "one2many"):
            other = self.env[field.comodel_name].search([("id", "not in", current.ids)], limit=1)
            return [Command.set(other.ids)], None
        if field.type in ("integer", "float", "monetary"):
            return (current or 0) + 7, str((current or 0) + 7)
        if field.type == "boolean":
            return not current, str(not current)
        if field.type == "date":
            return "2001-02-03", "2001-02-03"
        if field.type == "datetime":
            return "2001-02-03 04:05:06", "2001-02-03 04:05:06"
        if field.type == "json":
            return {"forged": 1}, None
        return "forged", "forged"

    def _snapshot(self, record, name):
        self.env.invalidate_all()
        return record.sudo()[name], self.env[record._name].sudo().with_context(
            active_test=False
        ).search_count([])

    def test_protected_fields(self):
        """create, write, copy and load of a state-like or protected field, as each role, are
        refused and leave the value (and the number of records) as it was."""
        if not self.company:
            self.skipTest("ecom_finance was installed without demo data")
        failures, checked = [], 0
        for model_name in self._our_models():
            Model = self.env[model_name]
            if not model_name.startswith("ecom.") and model_name not in GUARDED_FIELDS:
                continue
            record = Model.with_context(active_test=False).search([], limit=1)
            if not record:
                continue
            for name in self._guarded_fields(Model):
                value, text = self._other_value(record, name)
                vals = {**(record.copy_data()[0] if model_name != "ecom.statement" else {}), name: value}
                for role in ROLES:
                    if role in WRITABLE_FIELDS.get((model_name, name), ()):
                        continue
                    user = self.users[role]
                    calls = {
                        "create": lambda u=user, v=vals, m=Model: m.with_user(u).create(v),
                        "write": lambda u=user, n=name, v=value, r=record: r.with_user(u).write({n: v}),
                        "copy": lambda u=user, n=name, v=value, r=record: r.with_user(u).copy({n: v}),
                    }
                    if text is not None:
                        column = f"{name}/.id" if record._fields[name].type == "many2one" else name
                        calls["load"] = lambda u=user, c=column, t=text, r=record: self._load(
                            r.browse().with_user(u), [".id", c], [[str(r.id), t]]
                        )
                    for operation, call in calls.items():
                        before = self._snapshot(record, name)
                        outcome, _changed = self._try(call, refusals=(UserError,))
                        after = self._snapshot(record, name)
                        checked += 1
                        if outcome != "refused" or before != after:
                            failures.append(f"{model_name}.{name}: {operation} as {role} was {outcome}")
        self.assertFalse(failures, "Protected fields set:\n" + "\n".join(failures))
        self.assertGreater(checked, 500)

    def _load(self, Model, columns, rows):
        """``load`` reports its errors instead of raising them: raise them here."""
        result = Model.load(columns, rows)
        errors = [message for message in result["messages"] if message["type"] == "error"]
        if errors or not result["ids"]:
            raise UserError(errors[0]["message"] if errors else "nothing loaded")
        return result
