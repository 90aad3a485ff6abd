# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from odoo.addons.ecom_audit.approval import approved_change, in_approved_change
from odoo.addons.ecom_audit.const import notify_people
from odoo.addons.ecom_finance.const import SETTLEMENT_FORMATS

ALERT_CONDITIONS = [
    ("missing_bill", "Daily bill missing"),
    ("stale_difference", "Differences unresolved"),
    ("duplicate_payment", "Duplicate payment"),
    ("large_refund", "Large refund"),
    # raised by the risk scores (ecom.risk.score), one per order or shop's day over the threshold
    ("risk_score", "Risk score"),
]


class EcomReconcileAlert(models.Model):
    """Something a finance person should look at today: one per condition, shop and period."""

    _name = "ecom.reconcile.alert"
    _description = "Reconciliation Alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    shop_id = fields.Many2one("ecom.shop", required=True, index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    condition = fields.Selection(ALERT_CONDITIONS, required=True, index=True, readonly=True)
    period_key = fields.Char(
        required=True, readonly=True, help="The day, difference or line the alert is about: one alert each."
    )
    count = fields.Integer(readonly=True)
    amount = fields.Float(readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("done", "Done")], default="open", required=True, readonly=True, copy=False
    )

    _sql_constraints = [
        (
            "condition_period_uniq",
            "unique(shop_id, condition, period_key)",
            "This alert was already raised.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        """Alerts are raised by the daily check (``_insert``, in SQL), not by hand."""
        if not in_approved_change():
            raise AccessError(self.env._("Alerts are raised by the daily check, not created by hand."))
        return super().create(vals_list)

    def write(self, vals):
        # what the check found and the state: Done closes its to-dos (action_done), a write would not
        if not in_approved_change():
            raise AccessError(self.env._("An alert is closed with its Done button: it is not edited."))
        return super().write(vals)

    def action_done(self):
        # the caller's right first: a read-only role (Auditor) is refused even on no alert
        self.check_access("write")
        with approved_change():
            self.write({"state": "done"})
        self.activity_ids.action_feedback()

    @api.model
    def _cron_check(self, now=None):
        """Raise the alerts due at ``now`` (UTC); each condition and period once."""
        now = now or fields.Datetime.now()
        new = self.browse()
        for shop in self.env["ecom.shop"].search([("active", "=", True)]):
            rule = self.env["ecom.reconcile.rule"]._for_shop(shop)
            if rule:
                new |= self._check_shop(shop, rule, now)
        new._schedule_activities()
        return new

    def _check_shop(self, shop, rule, now):
        local_now = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(rule.timezone))
        yesterday = (local_now - timedelta(days=1)).date()
        due = datetime.combine(local_now.date(), datetime.min.time(), ZoneInfo(rule.timezone)) + timedelta(
            hours=rule.bill_due_hour
        )
        rows = []
        if local_now >= due:
            day_end = datetime.combine(local_now.date(), datetime.min.time(), ZoneInfo(rule.timezone))
            day_end_utc = day_end.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
            has_bill = (
                self.env["ecom.statement"]
                .sudo()
                .search_count(
                    [
                        ("shop_id", "=", shop.id),
                        ("state", "=", "done"),
                        ("fmt", "in", sorted(SETTLEMENT_FORMATS)),
                        ("period_end", ">=", day_end_utc - timedelta(hours=1)),
                    ],
                    limit=1,
                )
            )
            if not has_bill:
                rows.append(("missing_bill", str(yesterday), 0, 0.0))
        stale = (
            self.env["ecom.reconcile.difference"]
            .sudo()
            ._read_group(
                [
                    ("shop_id", "=", shop.id),
                    ("state", "in", ("open", "assigned")),
                    ("create_date", "<", now - timedelta(days=rule.stale_days)),
                ],
                aggregates=["__count", "amount:sum"],
            )
        )
        if stale and stale[0][0]:
            rows.append(("stale_difference", str(local_now.date()), stale[0][0], stale[0][1] or 0.0))
        for difference in (
            self.env["ecom.reconcile.difference"]
            .sudo()
            .search(
                [
                    ("shop_id", "=", shop.id),
                    ("kind", "=", "duplicate_payment"),
                    ("state", "in", ("open", "assigned")),
                ]
            )
        ):
            rows.append(
                ("duplicate_payment", difference.reference or str(difference.id), 1, difference.amount)
            )
        if rule.refund_alert_amount:
            for line in (
                self.env["ecom.statement.line"]
                .sudo()
                .search(
                    [
                        ("shop_id", "=", shop.id),
                        ("line_type", "=", "refund"),
                        ("gross", "<=", -rule.refund_alert_amount),
                        ("occurred_at", ">=", now - timedelta(days=7)),
                    ]
                )
            ):
                rows.append(("large_refund", f"line-{line.id}", 1, -line.gross))
        return self._insert(shop, rows) if rows else self.browse()

    def _insert(self, shop, rows):
        """Insert the alerts not raised yet; return them."""
        now = fields.Datetime.now()
        labels = dict(self._fields["condition"]._description_selection(self.env))
        values = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s, %s, %s, %s, 'open', %s, %s, %s, %s)",
                f"{shop.code}: {labels[condition]} {key}",
                shop.id,
                shop.company_id.id,
                condition,
                key,
                count,
                amount,
                self.env.uid,
                now,
                self.env.uid,
                now,
            )
            for condition, key, count, amount in rows
        )
        # one alert per condition, shop and period: the unique index drops the repeats
        self.env.cr.execute(
            SQL(
                """INSERT INTO ecom_reconcile_alert (
                       name, shop_id, company_id, condition, period_key, count, amount, state,
                       create_uid, create_date, write_uid, write_date)
                   VALUES %s ON CONFLICT (shop_id, condition, period_key) DO NOTHING
                   RETURNING id""",
                values,
            )
        )
        inserted = self.browse([row[0] for row in self.env.cr.fetchall()])
        self.invalidate_model()
        return inserted

    def _schedule_activities(self):
        for alert in self:
            rule = self.env["ecom.reconcile.rule"]._for_shop(alert.shop_id)
            if rule.alert_user_id:
                alert.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=alert.name,
                    user_id=rule.alert_user_id.id,
                )
                # and at once in their web client (the activity stays as the lasting trace)
                notify_people(
                    self.env,
                    rule.alert_user_id.partner_id,
                    self.env._("Reconciliation alert: %s", alert.shop_id.display_name),
                    alert.name,
                )
