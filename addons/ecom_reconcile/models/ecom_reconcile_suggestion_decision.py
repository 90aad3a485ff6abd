# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.ecom_audit.approval import approved_change, in_approved_change

from ecomfin import suggest as core

DECISIONS = [("accepted", "Accepted"), ("rejected", "Rejected")]


class EcomReconcileSuggestionDecision(models.Model):
    """What a person did with a suggested match: accepted (the match it made) or rejected.

    Written by ``accept_suggestion`` and ``reject_suggestion`` of the differences only (nobody
    has the right to create, change or delete one); the features and the weights' version are
    kept as they were shown, so the learning (``ecom.reconcile.suggestion.model``) and an audit
    see what the person saw.
    """

    _name = "ecom.reconcile.suggestion.decision"
    _description = "Suggestion Decision"
    _order = "id desc"
    _check_company_auto = True

    difference_id = fields.Many2one(
        "ecom.reconcile.difference", index="btree_not_null", readonly=True, ondelete="set null"
    )
    shop_id = fields.Many2one("ecom.shop", required=True, index=True, readonly=True, check_company=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    channel = fields.Char(required=True, readonly=True)
    decision = fields.Selection(DECISIONS, required=True, readonly=True)
    user_id = fields.Many2one("res.users", required=True, readonly=True, default=lambda self: self.env.user)
    line_ids = fields.Json(string="Lines", readonly=True, help="Ids of the channel lines suggested.")
    order_ids = fields.Json(string="Orders", readonly=True, help="Ids of the orders suggested.")
    confidence = fields.Float(digits=(3, 4), readonly=True)
    reasons = fields.Text(readonly=True)
    features = fields.Json(readonly=True, help="The feature values shown (ecomfin.suggest.FEATURES).")
    passed_over = fields.Json(
        readonly=True, help="The features of the suggestions ranked above the one accepted: not taken."
    )
    model_version = fields.Char(readonly=True)
    match_id = fields.Many2one(
        "ecom.reconcile.match", readonly=True, ondelete="set null", index="btree_not_null"
    )
    closed_difference_ids = fields.Many2many(
        "ecom.reconcile.difference",
        "ecom_reconcile_suggestion_decision_closed_rel",
        "decision_id",
        "difference_id",
        readonly=True,
        help="The differences the accepted match explained (the one it was accepted on and the "
        "difference of the other side).",
    )
    gap = fields.Float(
        digits=(16, 2),
        readonly=True,
        help="What the channel's lines and the order still differ by (lines - order).",
    )
    fx_gap = fields.Float(
        string="FX Gap",
        digits=(16, 2),
        readonly=True,
        help="Across currencies: the gap within the rule's FX tolerance, kept apart from the gap (in the "
        "order's currency).",
    )
    gap_open = fields.Boolean(
        readonly=True,
        help="The gap is beyond the rule's tolerance: the differences it explained close by a write-off "
        "(and its approval) only.",
    )
    undone = fields.Boolean(readonly=True, help="Accepted, then undone by reopening the difference.")

    @api.model_create_multi
    def create(self, vals_list):
        # copy() and load() create through here too
        if not in_approved_change():
            raise AccessError(self.env._("Decisions are made with Accept and Reject on a difference."))
        return super().create(vals_list)

    def write(self, vals):
        if not in_approved_change():
            raise AccessError(self.env._("A decision on a suggestion is kept as it was made."))
        return super().write(vals)

    def _examples(self):
        """Training examples (features, label) of these decisions: an accepted one is 1 and those
        passed over above it 0 (unless undone: then it is 0 itself), a rejected one 0."""
        examples = []
        for decision in self:
            values = tuple(decision.features or ())
            if len(values) != len(core.FEATURES):
                continue  # features of another vocabulary: not comparable
            if decision.decision == "accepted":
                examples.append((values, 0 if decision.undone else 1))
                examples.extend(
                    (tuple(other), 0) for other in decision.passed_over or () if len(other) == len(values)
                )
            else:
                examples.append((values, 0))
        return examples

    @api.model
    def _rejected(self, differences):
        """{difference id: {(line ids, order ids)}} rejected for ``differences``."""
        found = {}
        # read as the superuser: what was rejected is left out whoever asks (the callers' right
        # to the differences was checked by suggest), and nothing of the decisions is returned
        for decision in self.sudo().search(
            [("difference_id", "in", differences.ids), ("decision", "=", "rejected")]
        ):
            key = (tuple(decision.line_ids or ()), tuple(decision.order_ids or ()))
            found.setdefault(decision.difference_id.id, set()).add(key)
        return found

    def _undo(self):
        """Undo accepted decisions: their matches go, the differences they closed are open again."""
        with approved_change():
            # the matches the system made for them (nobody has the right to delete a match; the
            # caller's right to reopen was checked by action_reopen)
            self.match_id.sudo().unlink()
            self.sudo().write({"undone": True})
