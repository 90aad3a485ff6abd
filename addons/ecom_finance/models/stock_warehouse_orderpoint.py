# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.tools.float_utils import float_compare

from odoo.addons.ecom_audit.approval import OwnFields

# written by the daily check only: refused in create, write, copy and import
OWN_FIELDS = OwnFields("ecom_orderpoint_level_write", {"ecom_level_alerted"})
#: the rules a user set limits on (not the empty ones Odoo's replenishment report makes)
LIMITED = ["|", ("product_min_qty", ">", 0), ("product_max_qty", ">", 0)]
LEVELS = [("low", "Below Minimum"), ("ok", "Within Limits"), ("over", "Above Maximum")]


class StockWarehouseOrderpoint(models.Model):
    """Low- and over-stock warnings from Odoo's reordering rules.

    A rule's *Stock Level* compares what Odoo's replenishment compares: the forecast against
    the rule's minimum (below it: the product runs short), and the quantity on hand against
    its maximum (above it: stock ties up cash). The Replenishment screen filters on it, and a
    daily check gives the product's responsible an activity when a rule enters a warning level
    (once, until the level changes).
    """

    _inherit = "stock.warehouse.orderpoint"

    ecom_stock_level = fields.Selection(
        LEVELS,
        string="Stock Level",
        compute="_compute_ecom_stock_level",
        search="_search_ecom_stock_level",
        help="Below Minimum: the forecast is under the rule's minimum. Above Maximum: the quantity "
        "on hand is over the rule's maximum.",
    )
    # the level its last warning was about (written by the daily check only)
    ecom_level_alerted = fields.Selection(LEVELS, string="Warned Level", readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_own_fields(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_own_fields([vals])
        return super().write(vals)

    def _check_own_fields(self, vals_list, creating=False):
        OWN_FIELDS.refuse(
            vals_list,
            lambda names: self.env._("A rule's stock warning is written by the daily check only: %s.", names),
            creating=creating,
        )

    @api.depends("qty_forecast", "qty_on_hand", "product_min_qty", "product_max_qty")
    def _compute_ecom_stock_level(self):
        for rule in self:
            rule.ecom_stock_level = rule._ecom_level()

    def _ecom_level(self):
        if not self.product_min_qty and not self.product_max_qty:
            return "ok"  # no limits (the rules Odoo's replenishment report makes for itself)
        rounding = self.product_uom.rounding or 0.01
        if float_compare(self.qty_forecast, self.product_min_qty, precision_rounding=rounding) < 0:
            return "low"
        if self.product_max_qty and (
            float_compare(self.qty_on_hand, self.product_max_qty, precision_rounding=rounding) > 0
        ):
            return "over"
        return "ok"

    def _search_ecom_stock_level(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise NotImplementedError(operator)
        wanted = {value} if operator in ("=", "!=") else set(value)
        # the quantities are computed per rule (Odoo's own, by warehouse and location): only the
        # rules with limits can be out of them, and they are few enough to be read at once
        rules = self.search(LIMITED)
        matching = rules.filtered(lambda rule: rule.ecom_stock_level in wanted)
        if "ok" in wanted:
            matching |= self.search([("id", "not in", rules.ids)])
        positive = operator in ("=", "in")
        return [("id", "in" if positive else "not in", matching.ids)]

    @api.model
    def _cron_ecom_stock_levels(self):
        """Give the responsible of each product whose rule entered a warning level an activity."""
        rules = self.search(LIMITED)
        for rule in rules:
            level = rule.ecom_stock_level
            if level == "ok":
                if rule.ecom_level_alerted:
                    rule._ecom_mark_alerted(False)
                continue
            if rule.ecom_level_alerted == level:
                continue
            rule._ecom_mark_alerted(level)
            template = rule.product_id.product_tmpl_id
            summary = (
                self.env._("%(product)s below its minimum in %(location)s")
                if level == "low"
                else self.env._("%(product)s above its maximum in %(location)s")
            ) % {"product": rule.product_id.display_name, "location": rule.location_id.display_name}
            template.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(template.responsible_id or rule.create_uid).id,
                summary=summary,
                note=self.env._(
                    "On hand %(on_hand)s, forecast %(forecast)s, minimum %(min)s, maximum %(max)s "
                    "(Inventory > Operations > Replenishment).",
                    on_hand=rule.qty_on_hand,
                    forecast=rule.qty_forecast,
                    min=rule.product_min_qty,
                    max=rule.product_max_qty,
                ),
            )
        return rules

    def _ecom_mark_alerted(self, level):
        with OWN_FIELDS.writing():
            self.ecom_level_alerted = level
