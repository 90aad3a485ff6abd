# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models

from odoo.addons.ecom_audit.roles import FINANCE_READERS

from ecomfin.vocab import LINE_TYPE_LABELS


class EcomStatementLine(models.Model):
    """One money movement of an imported statement, in the normalized shape of ``ecomfin``.

    Append-only: lines are written set-wise by the import (``ecom.statement``) and
    nobody has the right to change or delete one; they go with their statement.
    """

    _name = "ecom.statement.line"
    _description = "E-commerce Statement Line"
    _order = "occurred_at desc, id desc"
    _check_company_auto = True

    statement_id = fields.Many2one(
        "ecom.statement", required=True, index=True, ondelete="cascade", readonly=True
    )
    # no index of its own: the unique index (shop_id, dedup_key) serves searches by shop
    shop_id = fields.Many2one("ecom.shop", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    line_no = fields.Integer(string="File Line", readonly=True)
    provider_txn_id = fields.Char(string="Provider Transaction", index="btree_not_null", readonly=True)
    order_ref = fields.Char(string="Order Reference", index="btree_not_null", readonly=True)
    merchant_order_ref = fields.Char(string="Merchant Order Reference", index="btree_not_null", readonly=True)
    # the bank side of a line (the payer's or payee's name, the row as the file had it): for finance
    # roles; Shop Operators see the amounts and references of their shops' lines
    counterparty = fields.Char(readonly=True, groups=FINANCE_READERS)
    line_type = fields.Selection(LINE_TYPE_LABELS, string="Type", required=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    gross = fields.Monetary(readonly=True)
    fee = fields.Monetary(readonly=True)
    net = fields.Monetary(readonly=True)
    occurred_at = fields.Datetime(string="Date", required=True, index=True, readonly=True)
    payout_ref = fields.Char(string="Payout Reference", index="btree_not_null", readonly=True)
    memo = fields.Char(readonly=True)
    raw = fields.Json(string="Raw Row", readonly=True, groups=FINANCE_READERS)
    dedup_key = fields.Char(string="Unique Key", required=True, readonly=True)
    fingerprint_collision = fields.Boolean(
        readonly=True,
        help="Another line of the same file has the same key: both were kept, check they are "
        "genuinely two movements.",
    )

    _sql_constraints = [
        (
            "dedup_key_shop_uniq",
            "unique(shop_id, dedup_key)",
            "This statement line was already imported for this shop.",
        ),
    ]
