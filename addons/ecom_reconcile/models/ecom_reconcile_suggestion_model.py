# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.ecom_audit.approval import approved_change, in_approved_change

from ecomfin import suggest as core

# a shop and channel keeps the defaults until people decided this many suggestions of it
MIN_DECISIONS = 5


class EcomReconcileSuggestionModel(models.Model):
    """The weights of the suggestion features learned for a shop and its payment channel.

    Append-only: each fit adds a version (``ecomfin.suggest.Model.version``, a hash of the
    weights), the last one is used by new runs; a run keeps the versions it was made with
    (``suggestion_models`` of its summary), so its differences are scored as they were.
    """

    _name = "ecom.reconcile.suggestion.model"
    _description = "Suggestion Weights"
    _order = "shop_id, id desc"
    _check_company_auto = True

    shop_id = fields.Many2one("ecom.shop", required=True, index=True, readonly=True, check_company=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    channel = fields.Char(required=True, readonly=True, help="The shop's payment channel when fitted.")
    version = fields.Char(required=True, index=True, readonly=True)
    weights = fields.Json(required=True, readonly=True)
    decision_count = fields.Integer(readonly=True, help="Decisions the weights were fitted on.")

    @api.model_create_multi
    def create(self, vals_list):
        # copy() and load() create through here too: weights are fitted, not typed
        if not in_approved_change():
            raise AccessError(
                self.env._("Suggestion weights are learned from decisions, not written by hand.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not in_approved_change():
            raise AccessError(self.env._("Suggestion weights are not editable: a new fit adds a version."))
        return super().write(vals)

    def _core_model(self):
        """The core's model of these weights (the defaults for no record)."""
        return core.Model(dict(self.weights)) if self else core.DEFAULT_MODEL

    def _model_version(self):
        return self.version if self else core.DEFAULT_MODEL.version

    @api.model
    def _current(self, shop):
        """The last weights fitted for ``shop`` and its channel (an empty recordset: defaults)."""
        return self.search(
            [("shop_id", "=", shop.id), ("channel", "=", shop.payment_channel)], order="id desc", limit=1
        )

    @api.model
    def _for_difference(self, difference):
        """The weights a difference is scored with: those its run was made with, else the last."""
        recorded = (difference.run_id.suggestion_models or {}).get(str(difference.shop_id.id))
        if recorded:
            if recorded == core.DEFAULT_MODEL.version:
                return self.browse()
            found = self.search(
                [("shop_id", "=", difference.shop_id.id), ("version", "=", recorded)], limit=1
            )
            if found:
                return found
        return self._current(difference.shop_id)

    @api.model
    def _versions(self, shops):
        """{shop id (text): model version} of ``shops`` now: a run's summary keeps it."""
        return {str(shop.id): self._current(shop)._model_version() for shop in shops}

    @api.model
    def _fit(self, shops=None):
        """Fit the weights of each shop and channel from its decisions (``ecomfin.suggest.fit``,
        regularized towards the defaults); a new version is added where the weights changed.
        Returns the versions added."""
        Decision = self.env["ecom.reconcile.suggestion.decision"]
        shops = shops if shops is not None else self.env["ecom.shop"].search([("active", "=", True)])
        added = self.browse()
        for shop in shops:
            decisions = Decision.search([("shop_id", "=", shop.id), ("channel", "=", shop.payment_channel)])
            if len(decisions) < MIN_DECISIONS:
                continue
            model = core.fit(decisions._examples())
            if model.version == self._current(shop)._model_version():
                continue
            # the system's own record of what it learned (nobody has the right to create one)
            with approved_change():
                added |= self.sudo().create(
                    {
                        "shop_id": shop.id,
                        "company_id": shop.company_id.id,
                        "channel": shop.payment_channel,
                        "version": model.version,
                        "weights": model.weights,
                        "decision_count": len(decisions),
                    }
                )
        return added

    @api.model
    def _cron_fit(self):
        return self._fit()
