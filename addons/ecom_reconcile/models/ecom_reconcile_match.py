from odoo import fields, models

MATCH_KINDS = [("order_payment", "Order and payment"), ("payout", "Settlement and bank credit")]
CARDINALITIES = [("1:1", "1:1"), ("1:N", "1:N"), ("N:1", "N:1")]


class EcomReconcileMatch(models.Model):
    """Lines of the sources that a run found to agree: an order with its payments, or
    settled channel lines with the bank credit(s) that paid them."""

    _name = "ecom.reconcile.match"
    _description = "Reconciliation Match"
    _order = "run_id, id"
    _check_company_auto = True

    run_id = fields.Many2one(
        "ecom.reconcile.run",
        string="Reconciliation Run",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    shop_id = fields.Many2one("ecom.shop", required=True, index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
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
