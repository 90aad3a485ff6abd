# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models
from odoo.tools import SQL

from odoo.addons.ecom_audit.roles import FINANCE_READERS

from ecomfin.risk import LEVELS as RISK_LEVELS

# what the overview counts as still to do
OPEN_STATES = ("open", "assigned")


class EcomShop(models.Model):
    _inherit = "ecom.shop"

    def _ecom_overview(self):
        """Add to each card the open differences by kind (``differences``: ``[{"kind", "label",
        "count", "amount"}]``), the open alerts (``alerts``) and, of those, the missing bills
        (``missing_bills``); whoever sees the shop sees its differences and alerts. For the finance
        readers, ``risk``: the highest risk score of the shop's latest day scored (``{"score",
        "level", "date", "count"}``, ``count`` the orders and day at medium or high)."""
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
        if self.env.user.has_groups(FINANCE_READERS):
            self._ecom_overview_risk(shops, result)
        return result

    def _ecom_overview_risk(self, shops, result):
        self.env["ecom.risk.score"].flush_model(["shop_id", "date", "score", "level"])
        levels = dict(self.env["ecom.risk.score"]._fields["level"]._description_selection(self.env))
        for shop_id, day, score, risky in self.env.execute_query(
            SQL(
                """SELECT DISTINCT ON (shop_id) shop_id, date,
                          max(score) OVER w, count(*) FILTER (WHERE level <> 'low') OVER w
                     FROM ecom_risk_score
                    WHERE shop_id = ANY(%s)
                   WINDOW w AS (PARTITION BY shop_id, date)
                    ORDER BY shop_id, date DESC""",
                shops.ids,
            )
        ):
            level = next(name for name, low in RISK_LEVELS if score >= low)
            result[shop_id]["risk"] = {
                "score": score,
                "level": level,
                "label": levels[level],
                "date": str(day),
                "count": risky,
            }
