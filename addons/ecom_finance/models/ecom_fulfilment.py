# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.ecom_audit.approval import OwnFields

# Written by the fulfilment's own code only; refused in create, write, copy and import.
OWN_FIELDS = OwnFields(
    "ecom_fulfilment_write",
    {"state", "counts", "order_ids", "order_count", "batch_size", "job_uuid"},
    defaults={"state": "queued"},
)
COUNT_KEYS = ("sale_orders", "deliveries", "returns", "cancelled", "awaiting_approval")


class EcomFulfilment(models.Model):
    """Platform orders fulfilled in the background (*Fulfil* on many orders): one job works through
    them batch by batch, its progress followed live on this record's form (ecom.job.mixin), the
    counts of what it did kept at the end."""

    _name = "ecom.fulfilment"
    _description = "Background Fulfilment"
    _inherit = ["mail.thread", "ecom.job.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    order_ids = fields.Many2many("ecom.order", string="Orders", readonly=True, copy=False)
    order_count = fields.Integer(string="Orders to Fulfil", readonly=True, copy=False)
    batch_size = fields.Integer(
        readonly=True, copy=False, help="Orders fulfilled between two progress reports."
    )
    state = fields.Selection(
        [("queued", "Queued"), ("done", "Done")],
        default="queued",
        required=True,
        readonly=True,
        tracking=True,
    )
    counts = fields.Json(readonly=True, copy=False, help="What the fulfilment did, by kind.")
    counts_display = fields.Text(string="Result", compute="_compute_counts_display")

    def _compute_counts_display(self):
        for fulfilment in self:
            counts = fulfilment.counts or {}
            fulfilment.counts_display = (
                self.env._(
                    "%(sale_orders)s sale orders, %(deliveries)s deliveries, %(returns)s returns, "
                    "%(cancelled)s cancellations, %(awaiting_approval)s refunds awaiting approval.",
                    **{key: counts.get(key, 0) for key in COUNT_KEYS},
                )
                if counts
                else False
            )

    # ------------------------------------------------------------------
    # Protected fields
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # copy() and load() create through here too
        self._check_own_fields(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_own_fields([vals])
        return super().write(vals)

    def _check_own_fields(self, vals_list, creating=False):
        OWN_FIELDS.refuse(
            vals_list,
            lambda names: self.env._("A fulfilment is made and written by Fulfil only: %s.", names),
            creating=creating,
        )

    # ------------------------------------------------------------------
    # The job
    # ------------------------------------------------------------------

    @api.model
    def _start(self, orders, batch_size):
        """A fulfilment of ``orders`` (the caller's, rights checked) and its job; answers it."""
        orders._check_fulfil_access()
        with OWN_FIELDS.writing():
            # the fulfilment's own bookkeeping, made for the caller who may fulfil these orders
            fulfilment = self.sudo().create(
                {
                    "name": self.env._("Fulfil %(count)s platform orders", count=len(orders)),
                    "company_id": orders[:1].company_id.id or self.env.company.id,
                    "order_ids": [(6, 0, orders.ids)],
                    "order_count": len(orders),
                    "batch_size": batch_size,
                }
            )
        fulfilment = fulfilment.sudo(False)
        fulfilment._job_enqueue()
        return fulfilment

    def _job_check_rights(self):
        if not self.env.user.has_group("ecom_audit.group_ecom_accountant"):
            raise AccessError(self.env._("Only Accountants and Finance Managers fulfil platform orders."))
        self.check_access("read")

    def _job_enqueue(self):
        self.ensure_one()
        job = self.with_delay(description=self.name)._job_fulfil()
        with OWN_FIELDS.writing():
            # the fulfilment's own bookkeeping
            self.sudo().job_uuid = job.uuid
        return job

    def _job_fulfil(self):
        """queue_job: fulfil the orders batch by batch (each checks the rights again), reporting
        the progress after each."""
        self.ensure_one()
        if self.state == "done":
            return self.env._("already done")
        self._job_check_rights()
        orders = self.order_ids
        totals = dict.fromkeys(COUNT_KEYS, 0)
        batch = max(1, self.batch_size or 1)
        self._job_progress(0, len(orders))
        for start in range(0, len(orders), batch):
            for key, value in orders[start : start + batch]._fulfil().items():
                totals[key] = totals.get(key, 0) + value
            self._job_progress(min(start + batch, len(orders)), len(orders))
        with OWN_FIELDS.writing():
            # the fulfilment's own result
            self.sudo().write({"state": "done", "counts": totals})
        return totals

    def action_open_orders(self):
        """The orders of this fulfilment."""
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Platform Orders"),
            "res_model": "ecom.order",
            "view_mode": "list,form",
            "domain": [("id", "in", self.order_ids.ids)],
        }
