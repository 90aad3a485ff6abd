# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from odoo import fields, models


class EcomConnectorBackend(models.Model):
    _inherit = "ecom.connector.backend"

    def _on_missing_day(self, stream, day):
        """A scheduled pull found no bill for ``day``: once the bill is due (the shop's rule's
        hour, the day after), the missing-bill alert of that day is raised, as when no file
        was imported (``ecom.reconcile.alert._cron_check``); once per shop and day."""
        super()._on_missing_day(stream, day)
        shop = self.shop_id
        rule = self.env["ecom.reconcile.rule"]._for_shop(shop)
        if not rule:
            return
        zone = ZoneInfo(rule.timezone)
        due = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone) + timedelta(
            hours=rule.bill_due_hour
        )
        now = fields.Datetime.now().replace(tzinfo=ZoneInfo("UTC"))
        if now < due:
            return
        Alert = self.env["ecom.reconcile.alert"]
        # the alert is the system's, raised for whoever pulled (an Accountant may not create
        # alerts; the cron's check raises the same alert the same way)
        Alert.sudo()._insert(shop, [("missing_bill", str(day), 0, 0.0)])._schedule_activities()
