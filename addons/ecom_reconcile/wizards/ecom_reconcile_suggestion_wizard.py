# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models


class EcomReconcileSuggestionWizard(models.TransientModel):
    """The suggestions of a difference, best first, each with Accept and Reject
    (``ecom.reconcile.difference.action_suggestions``). Every button goes through the
    difference's ``accept_suggestion`` / ``reject_suggestion`` and their checks."""

    _name = "ecom.reconcile.suggestion.wizard"
    _description = "Suggested Matches"

    difference_id = fields.Many2one("ecom.reconcile.difference", required=True, readonly=True)
    line_ids = fields.One2many("ecom.reconcile.suggestion.wizard.line", "wizard_id", readonly=True)

    @api.model
    def _open(self, difference):
        """The dialog of ``difference``'s suggestions as ``suggest`` gives them now."""
        found = self.env["ecom.reconcile.difference"].suggest(difference.ids)[str(difference.id)]
        wizard = self.create(
            {
                "difference_id": difference.id,
                "line_ids": [
                    fields.Command.create(
                        {
                            "index": index,
                            "confidence": suggestion["confidence"],
                            "reasons": "\n".join(suggestion["reasons"]),
                            "statement_line_ids": [fields.Command.set(suggestion["line_ids"])],
                            "order_ids": [fields.Command.set(suggestion["order_ids"])],
                        }
                    )
                    for index, suggestion in enumerate(found)
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Suggested Matches for %s", difference.name),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }


class EcomReconcileSuggestionWizardLine(models.TransientModel):
    _name = "ecom.reconcile.suggestion.wizard.line"
    _description = "Suggested Match"
    _order = "index"

    wizard_id = fields.Many2one("ecom.reconcile.suggestion.wizard", required=True, ondelete="cascade")
    index = fields.Integer(readonly=True)
    confidence = fields.Float(readonly=True, digits=(3, 4))
    reasons = fields.Text(readonly=True)
    statement_line_ids = fields.Many2many("ecom.statement.line", string="Channel Lines", readonly=True)
    order_ids = fields.Many2many("ecom.order", string="Orders", readonly=True)

    def action_accept(self):
        self.ensure_one()
        difference = self.wizard_id.difference_id
        self.env["ecom.reconcile.difference"].accept_suggestion(
            difference.id, self.index, self.statement_line_ids.ids, self.order_ids.ids
        )
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_reject(self):
        self.ensure_one()
        difference = self.wizard_id.difference_id
        self.env["ecom.reconcile.difference"].reject_suggestion(
            difference.id, self.index, self.statement_line_ids.ids, self.order_ids.ids
        )
        return self.env["ecom.reconcile.suggestion.wizard"]._open(difference)
