# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models
from odoo.tools import SQL

# what the overview counts as still to do
OPEN_STATES = ("open", "assigned")


class EcomShop(models.Model):
    _inherit = "ecom.shop"

    def _ecom_overview(self):
        """Add to each card the open differences by kind (``differences``: ``[{"kind", "label",
        "count", "amount"}]``), the open alerts (``alerts``) and, of those, the missing bills
        (``missing_bills``); whoever sees the shop sees its differences and alerts."""
        result = super()._ecom_overview()
        shops = self.filtered("id")
        if not shops:
            return result
        Difference = self.env["ecom.reconcile.difference"]
        Difference.flush_model(["shop_id", "kind", "state", "amount", "active"])
        self.env["ecom.reconcile.alert"].flush_model(["shop_id", "condition", "state"])
        labels = dict(Difference._fields["kind"]._description_selection(self.env))
        for shop_id in shops.ids:
            result[shop_id].update(differences=[], alerts=0, missing_bills=0)
        for shop_id, kind, count, amount in self.env.execute_query(
            SQL(
                """SELECT shop_id, kind, count(*), sum(amount)
                     FROM ecom_reconcile_difference
                    WHERE shop_id = ANY(%s) AND state = ANY(%s) AND active
                    GROUP BY shop_id, kind
                    ORDER BY shop_id, count(*) DESC, kind""",
                shops.ids,
                list(OPEN_STATES),
            )
        ):
            result[shop_id]["differences"].append(
                {"kind": kind, "label": labels.get(kind, kind), "count": count, "amount": amount or 0.0}
            )
        for shop_id, alerts, missing in self.env.execute_query(
            SQL(
                """SELECT shop_id, count(*), count(*) FILTER (WHERE condition = 'missing_bill')
                     FROM ecom_reconcile_alert
                    WHERE shop_id = ANY(%s) AND state = 'open'
                    GROUP BY shop_id""",
                shops.ids,
            )
        ):
            result[shop_id].update(alerts=alerts, missing_bills=missing)
        return result
