# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class EcomReconcileResult(models.AbstractModel):
    """What a run found (its matches and differences): the run, shop and company of each."""

    _name = "ecom.reconcile.result.mixin"
    _description = "Reconciliation"

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
