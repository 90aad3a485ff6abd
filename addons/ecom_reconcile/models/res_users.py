# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime, timedelta

from odoo import api, fields, models

from odoo.addons.ecom_audit.roles import MANAGER

from .ecom_shop import OPEN_STATES

# ir.config_parameter: how often the Finance Managers get the digest (daily, weekly or off), and
# when it last went (the next one tells what is new since)
DIGEST_FREQUENCY = "ecom_reconcile.digest_frequency"
DIGEST_LAST_SENT = "ecom_reconcile.digest_last_sent"
# receivables the channels owe for longer than this many days are "ageing"
AGEING_DAYS = 30


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _cron_ecom_digest(self):
        """Send each Finance Manager the digest (``ecom_reconcile.digest_frequency``: ``daily``
        by default, ``weekly`` on Mondays, ``off``): what is new since the last one."""
        # the digest's own system parameters: its frequency and when it last went
        params = self.env["ir.config_parameter"].sudo()
        frequency = params.get_param(DIGEST_FREQUENCY) or "daily"
        now = fields.Datetime.now()
        if frequency == "off" or (frequency == "weekly" and now.weekday() != 0):
            return self.browse()
        period = timedelta(days=7 if frequency == "weekly" else 1)
        last = _moment(params.get_param(DIGEST_LAST_SENT)) or now - period
        managers = self.env.ref(MANAGER).users.filtered(lambda user: user.active and not user.share)
        template = self.env.ref("ecom_reconcile.mail_template_finance_digest")
        for manager in managers.filtered("email"):
            # what each may read: the digest is computed as its reader
            values = manager._ecom_digest_values(last)
            template.with_context(digest=values).send_mail(manager.id)
        # to the microsecond: what was created in the second before it is not new next time
        params.set_param(DIGEST_LAST_SENT, now.isoformat(sep=" "))
        return managers

    def _ecom_digest_values(self, since):
        """The digest of this user, as this user: new differences since ``since`` (by shop), the
        differences still open, receivables older than AGEING_DAYS, open alerts and the approval
        requests waiting."""
        self.ensure_one()
        since = _moment(since)
        env = self.with_user(self).env
        Difference = env["ecom.reconcile.difference"]
        new = Difference._read_group(
            [("create_date", ">=", since)], ["shop_id"], ["__count", "amount:sum"], order="shop_id"
        )
        aging = env["ecom.receivable.aging.report"]._read_group(
            [("age_days", ">", AGEING_DAYS)], [], ["__count", "amount_residual:sum"]
        )
        return {
            "since": fields.Datetime.to_string(since),
            "new_differences": [
                {"shop": shop.display_name, "count": count, "amount": round(amount or 0.0, 2)}
                for shop, count, amount in new
            ],
            "open_differences": Difference.search_count([("state", "in", OPEN_STATES)]),
            "ageing_count": aging[0][0] if aging else 0,
            "ageing_amount": round((aging[0][1] or 0.0) if aging else 0.0, 2),
            "alerts": env["ecom.reconcile.alert"].search_count([("state", "=", "open")]),
            "approvals": env["ecom.approval.request"].search_count([("state", "=", "pending")]),
            "currency": self.company_id.currency_id.symbol,
        }


def _moment(value):
    """A naive UTC datetime from a datetime or its ISO text (with or without microseconds)."""
    if not value or isinstance(value, datetime):
        return value or None
    return datetime.fromisoformat(value)
