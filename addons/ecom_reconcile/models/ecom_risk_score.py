# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.ecom_audit.approval import OwnFields

from ecomfin import risk as core

from ..engine import risk as features

# the score and what it was made of: written by the scoring only (refused in create, write,
# copy and load)
SCORE_FIELDS = OwnFields(
    "ecom_risk_score_write",
    {"entity", "shop_id", "company_id", "date", "order_id", "run_id", "score", "level", "reasons"},
    defaults={},
)
THRESHOLD_PARAM = "ecom_reconcile.risk_alert_threshold"


class EcomRiskScore(models.Model):
    """How unusual an order or a shop's day is against the shop's own history (``ecomfin.risk``):
    a score 0..100, its level and the reasons, made at the end of each reconciliation run and by
    the daily check; one per entity and day (scoring a day again replaces its scores)."""

    _name = "ecom.risk.score"
    _description = "Risk Score"
    _order = "date desc, score desc, id"
    _rec_name = "shop_id"
    _check_company_auto = True

    entity = fields.Selection(
        [("day", "Shop Day"), ("order", "Order")], required=True, readonly=True, index=True
    )
    shop_id = fields.Many2one(
        "ecom.shop", required=True, readonly=True, index=True, check_company=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    date = fields.Date(required=True, readonly=True, index=True, help="The shop's local day scored.")
    order_id = fields.Many2one("ecom.order", readonly=True, index="btree_not_null", ondelete="cascade")
    run_id = fields.Many2one(
        "ecom.reconcile.run", readonly=True, ondelete="set null", help="The run at whose end it was scored."
    )
    score = fields.Integer(readonly=True, aggregator="max")
    level = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High")], required=True, readonly=True, index=True
    )
    reasons = fields.Json(
        string="Reason Codes", readonly=True, help="(code, parameters, points) of each feature giving points."
    )
    reasons_text = fields.Text(string="Reasons", compute="_compute_reasons_text")

    _sql_constraints = [
        (
            "entity_uniq",
            "unique NULLS NOT DISTINCT (entity, shop_id, date, order_id)",
            "A shop's day and an order are scored once a day.",
        ),
    ]

    @api.depends("reasons")
    def _compute_reasons_text(self):
        texts = reason_texts(self.env)
        for record in self:
            record.reasons_text = "\n".join(
                self.env._(
                    "%(reason)s (+%(points)s)", reason=core.reason_text(code, params, texts), points=points
                )
                for code, params, points in record.reasons or ()
            )

    @api.model_create_multi
    def create(self, vals_list):
        # copy() and load() create through here too
        self._check_own(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_own([vals])
        return super().write(vals)

    def _check_own(self, vals_list, creating=False):
        SCORE_FIELDS.refuse(
            vals_list,
            lambda names: self.env._("Risk scores are made by the scoring, not by hand: %s.", names),
            creating=creating,
        )

    # ------------------------------------------------------------------
    # Scoring
    # ------------------------------------------------------------------

    @api.model
    def _threshold(self):
        value = self.env["ir.config_parameter"].sudo().get_param(THRESHOLD_PARAM)
        return int(value) if value else core.DEFAULT_ALERT_THRESHOLD

    @api.model
    def _score_days(self, shops, date_from, date_to, run=None):
        """Score ``shops`` on the local days [date_from, date_to]: their days and their orders;
        the scores of those days are replaced; the scores at or above the threshold raise an
        alert (one per entity and day). Returns the scores.

        As the superuser: the callers (a run's end, the daily cron) checked the caller's right
        to run; the features read every channel and bank line of the shops, which the caller
        may not read one by one (shop operators run nothing, but the history is the shop's)."""
        shops = shops.sudo()
        if not shops:
            return self.browse()
        Score = self.sudo()
        found = features.scores(self.env, shops, date_from, date_to)
        company = {shop.id: shop.company_id.id for shop in shops}
        with SCORE_FIELDS.writing():
            Score.search(
                [("shop_id", "in", shops.ids), ("date", ">=", date_from), ("date", "<=", date_to)]
            ).unlink()
            scores = Score.create(
                [
                    {
                        "entity": entity,
                        "shop_id": shop_id,
                        "company_id": company[shop_id],
                        "date": day,
                        "order_id": order_id,
                        "run_id": run.id if run else False,
                        "score": result.score,
                        "level": result.level,
                        "reasons": [list(reason) for reason in result.reasons],
                    }
                    for entity, shop_id, day, order_id, result in found
                ]
            )
        scores._raise_alerts()
        return scores

    def _raise_alerts(self):
        """One alert (``risk_score``) per entity and day whose score reaches the threshold."""
        threshold = self._threshold()
        Alert = self.env["ecom.reconcile.alert"].sudo()
        new = Alert
        for shop in self.shop_id:
            rows = [
                (
                    "risk_score",
                    f"{record.date} {record.order_id.name}" if record.order_id else str(record.date),
                    1,
                    float(record.score),
                )
                for record in self
                if record.shop_id == shop and record.score >= threshold
            ]
            if rows:
                new |= Alert._insert(shop, rows)
        new._schedule_activities()
        return new

    @api.model
    def _cron_score(self, today=None):
        """Score yesterday (and the day before: late imports) of every active shop."""
        today = today or fields.Date.context_today(self)
        shops = self.env["ecom.shop"].search([("active", "=", True)])
        return self._score_days(shops, today - timedelta(days=2), today - timedelta(days=1))


def reason_texts(env):
    """``ecomfin.risk.REASON_TEXTS`` in the user's language (a test keeps them in step)."""
    return {
        "amount": env._("amount %(amount)s is %(z)s robust deviations above the shop's median of %(median)s"),
        "refund": env._("refund rate %(rate)s%% against the shop's usual %(usual)s%%"),
        "duplicates": env._(
            "%(count)s duplicate-looking payment(s): same amount and reference within minutes"
        ),
        "payout_delay": env._(
            "payout %(delay)s hours after settlement against the channel's usual %(median)s "
            "(90%% within %(p90)s)"
        ),
    }
