# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.ecom_audit.roles import FINANCE_READERS

from ecomfin.crypto import normalize_phone
from ecomfin.vocab import ORDER_STATUS_LABELS

from ..fulfilment import create_sale_orders, follow_status

_logger = logging.getLogger(__name__)

# Who reads the buyer's data: finance roles, and Shop Operators on the orders of their shops
# (record rules); never Warehouse Operators.
BUYER_READERS = f"{FINANCE_READERS},ecom_audit.group_ecom_shop_operator"
FULFIL_BATCH = 200


class EcomOrder(models.Model):
    """An order as the selling platform reports it, imported from its order export."""

    _name = "ecom.order"
    _description = "Platform Order"
    _inherit = ["ecom.encrypted.mixin", "ecom.approval.gate.mixin"]
    _order = "order_time desc, id desc"
    # booking a refund above the shop's threshold: approved by an Accountant, then booked
    _ecom_approval_operation = "refund"
    _check_company_auto = True
    _ecom_encrypted_fields = {
        "buyer_name": "buyer_name_token",
        "buyer_phone": "buyer_phone_token",
        "address": "address_token",
    }
    _ecom_blind_indexes = {"buyer_phone": ("buyer_phone_index", normalize_phone)}

    name = fields.Char(string="Order Reference", required=True, index=True, readonly=True)
    shop_id = fields.Many2one("ecom.shop", required=True, index=True, readonly=True, check_company=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    statement_id = fields.Many2one(
        "ecom.statement", string="Imported By", index=True, readonly=True, ondelete="set null"
    )
    last_statement_id = fields.Many2one(
        "ecom.statement",
        string="Last Changed By",
        index="btree_not_null",
        readonly=True,
        ondelete="set null",
        help="The import that last changed the order's status or refund (empty: none since its first).",
    )
    status = fields.Selection(ORDER_STATUS_LABELS, required=True, index=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount_paid = fields.Monetary(readonly=True)
    refund_amount = fields.Monetary(readonly=True)
    order_time = fields.Datetime(required=True, index=True, readonly=True)
    paid_time = fields.Datetime(readonly=True)
    buyer_name = fields.Char(
        compute="_compute_ecom_decrypted",
        inverse="_inverse_ecom_encrypted",
        readonly=True,
        groups=BUYER_READERS,
        help="Stored encrypted (AES-GCM).",
    )
    buyer_phone = fields.Char(
        compute="_compute_ecom_decrypted",
        inverse="_inverse_ecom_encrypted",
        search="_search_buyer_phone",
        readonly=True,
        groups=BUYER_READERS,
        help="Stored encrypted (AES-GCM); searched for the exact number, however it is written "
        "(+86 139-0000-0000 finds 13900000000).",
    )
    address = fields.Char(
        compute="_compute_ecom_decrypted",
        inverse="_inverse_ecom_encrypted",
        readonly=True,
        groups=BUYER_READERS,
        help="Stored encrypted (AES-GCM).",
    )
    # only the encryption writes these, and only the system reads them
    buyer_name_token = fields.Char(
        string="Buyer Name (encrypted)", readonly=True, copy=False, groups="base.group_system"
    )
    buyer_phone_token = fields.Char(
        string="Buyer Phone (encrypted)", readonly=True, copy=False, groups="base.group_system"
    )
    address_token = fields.Char(
        string="Address (encrypted)", readonly=True, copy=False, groups="base.group_system"
    )
    buyer_phone_index = fields.Char(
        string="Buyer Phone (blind index)",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups=BUYER_READERS,
    )
    line_ids = fields.One2many("ecom.order.line", "order_id", string="Lines", readonly=True)
    amount_lines = fields.Monetary(compute="_compute_amount_lines", string="Lines Total")
    sale_order_id = fields.Many2one(
        "sale.order", readonly=True, copy=False, index="btree_not_null", check_company=True
    )
    warehouse_id = fields.Many2one("stock.warehouse", string="Ships From", readonly=True, check_company=True)
    fulfilment_state = fields.Selection(
        [
            ("none", "Not in Stock Yet"),
            ("confirmed", "Reserved"),
            ("delivered", "Delivered"),
            ("returned", "Returned"),
            ("cancelled", "Cancelled"),
        ],
        default="none",
        required=True,
        readonly=True,
        help="Where Odoo's sale order and pickings stand; Fulfil aligns them with the platform status.",
    )
    cogs = fields.Monetary(
        string="Cost of Goods Sold",
        compute="_compute_cogs",
        currency_field="company_currency_id",
        groups=FINANCE_READERS,
        help="Value of the stock valuation layers of the order's deliveries less its returns.",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    margin_alerted = fields.Boolean(
        readonly=True,
        copy=False,
        groups=FINANCE_READERS,
        help="Its negative margin was already reported to the shop's responsible.",
    )
    stock_shortage = fields.Text(
        readonly=True,
        copy=False,
        help="Its delivery shipped more than the warehouse had on hand (the platform had shipped "
        "it): the stock of these products went negative.",
    )
    shortage_alerted = fields.Boolean(
        readonly=True, copy=False, help="Its shortage was already reported to the shop's responsible."
    )

    _sql_constraints = [
        ("name_shop_uniq", "unique(shop_id, name)", "This order already exists in this shop."),
    ]

    @api.depends("line_ids.subtotal")
    def _compute_amount_lines(self):
        for order in self:
            order.amount_lines = sum(order.line_ids.mapped("subtotal"))

    def _search_buyer_phone(self, operator, value):
        return self._ecom_search_index("buyer_phone", operator, value)

    def _compute_cogs(self):
        cogs = self.line_ids._cogs_by_line()
        for order in self:
            order.cogs = sum(cogs.get(line.id, 0.0) for line in order.line_ids)

    # ------------------------------------------------------------------
    # Stock: sale orders and pickings following the platform
    # ------------------------------------------------------------------

    @api.model
    def fulfil_orders(self, order_ids):
        """Bring sale orders and pickings in line with the platform statuses (web client, XML-RPC).

        A paid order becomes a confirmed sale order reserving stock in the warehouse its
        shop's rules choose; a shipped or completed one has its delivery validated (its
        cost leaves the stock valuation); a refunded one that had shipped gets a validated
        return; a cancelled one that had not shipped is cancelled. Safe to call again.

        :param list order_ids: ids of ``ecom.order`` records
        A refunded or cancelled order whose goods back to stock (at their cost) or refund are worth
        more than its shop's *Refunds Approved Above* is returned or cancelled only with an
        approved ``refund`` request: the first call asks for it (as the caller) and counts the
        order in ``awaiting_approval``; a call after the approval books it.

        :returns: ``{'sale_orders': n created, 'deliveries': n validated, 'returns': n, 'cancelled': n,
            'awaiting_approval': n}``
        """
        return self.browse([int(i) for i in order_ids]).exists()._fulfil()

    def action_fulfil(self):
        if len(self) > FULFIL_BATCH:
            # many orders: one background job, followed live on the fulfilment's form
            fulfilment = self._enqueue_fulfil()
            return {
                "type": "ir.actions.act_window",
                "res_model": "ecom.fulfilment",
                "res_id": fulfilment.id,
                "view_mode": "form",
                "views": [(False, "form")],
                "target": "current",
            }
        counts = self._fulfil()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(sale_orders)s sale orders, %(deliveries)s deliveries, %(returns)s returns, "
                    "%(cancelled)s cancellations, %(awaiting_approval)s refunds awaiting approval.",
                    **counts,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _enqueue_fulfil(self, batch_size=FULFIL_BATCH):
        """Fulfil these orders in the background: an ``ecom.fulfilment`` and its job, which works
        through them ``batch_size`` at a time, as this user (queue_job keeps it; each batch checks
        the rights again), its progress pushed to the fulfilment's open form. Answers the
        fulfilment."""
        self._check_fulfil_access()
        return self.env["ecom.fulfilment"]._start(self, batch_size)

    def _check_fulfil_access(self):
        """Accountants and Finance Managers fulfil the orders they can read.

        Fulfilment mirrors in Odoo what the platform already did (sold, shipped, refunded);
        the stock and sale operations it makes are done as the system once this right is
        checked, as the import writes its lines: the ecom roles hold no sales or stock rights.
        """
        if not self.env.user.has_group("ecom_audit.group_ecom_accountant"):
            raise AccessError(self.env._("Only Accountants and Finance Managers fulfil platform orders."))
        self.check_access("read")

    def _fulfil(self):
        self._check_fulfil_access()
        counts = {"sale_orders": 0, "deliveries": 0, "returns": 0, "cancelled": 0, "awaiting_approval": 0}
        for shop, orders in self.grouped("shop_id").items():
            system = orders.sudo().with_company(shop.company_id)
            to_create = system.filtered(
                lambda o: not o.sale_order_id and o.status not in ("cancelled", "refunded")
            )
            counts["sale_orders"] += len(to_create)
            to_create._create_sale_orders(shop.sudo())
            for order in system.filtered("sale_order_id"):
                if order._ecom_refund_awaits_approval():
                    counts["awaiting_approval"] += 1
                    continue
                done = order._follow_status()
                if done:
                    counts[done] += 1
        return counts

    def _create_sale_orders(self, shop):
        """Confirmed sale orders of these orders of ``shop`` (see ``fulfilment.create_sale_orders``)."""
        create_sale_orders(self, shop)

    def _follow_status(self):
        """Deliver, return or cancel this order's sale order as its status says; what was done."""
        return follow_status(self)

    # ------------------------------------------------------------------
    # Refunds above the shop's threshold: dual approval
    # ------------------------------------------------------------------

    def _ecom_refund_needs_approval(self):
        """Whether booking this order's refund or cancellation (its return, or the cancellation of
        its sale order) needs an approval: when the goods it brings back to stock, or the amount
        refunded, are worth more than the shop's threshold.

        The goods decide, whatever the platform's status (``refunded`` or ``cancelled``) and
        refund amount say: a refund of 0.01 returning a whole delivery is a return of the whole
        delivery."""
        self.ensure_one()
        threshold = self.shop_id.refund_approval_amount
        return (
            self.status in ("refunded", "cancelled")
            and self.fulfilment_state in ("confirmed", "delivered")
            and bool(threshold)
            and self._ecom_refund_value() > threshold
        )

    def _ecom_returned_moves(self):
        """The delivered stock moves that booking the refund returns (see ``_follow_status``)."""
        self.ensure_one()
        if self.fulfilment_state != "delivered":
            return self.env["stock.move"]
        deliveries = self.sale_order_id.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state == "done"
        )
        return deliveries.move_ids.filtered(lambda move: move.state == "done")

    def _ecom_returned_cost(self):
        """Value, in the company's currency, of the goods the return brings back to stock: the
        valuation of their deliveries (a return is valued like the delivery it returns), else
        their quantity at the product's cost."""
        self.ensure_one()
        value = 0.0
        for move in self._ecom_returned_moves():
            layers = move.stock_valuation_layer_ids
            if layers:
                value += abs(sum(layers.mapped("value")))
            else:
                value += move.product_qty * move.product_id.with_company(self.company_id).standard_price
        return self.company_id.currency_id.round(value)

    def _ecom_refund_value(self):
        """What booking the refund is worth, in the order's currency: the larger of the goods
        returned to stock and the amount refunded."""
        self.ensure_one()
        returned = self.company_id.currency_id._convert(
            self._ecom_returned_cost(), self.currency_id, self.company_id, fields.Date.context_today(self)
        )
        return self.currency_id.round(max(self.refund_amount, returned))

    def _ecom_approval_substance(self, request):
        """What a refund approval approves: the order, its status, the amount refunded and the
        goods returned to stock (product, quantity, value)."""
        self.ensure_one()
        return {
            "order": self.id,
            "name": self.name,
            "status": self.status,
            "refund_amount": self.currency_id.round(self.refund_amount),
            "currency": self.currency_id.name,
            "returned": sorted(
                [move.product_id.id, move.product_qty] for move in self._ecom_returned_moves()
            ),
            "returned_cost": self._ecom_returned_cost(),
        }

    def _ecom_refund_awaits_approval(self):
        """True when the refund of this order waits for an approval: an approved request for
        the same refund is consumed, else one is asked for (once) in the name of the caller."""
        self.ensure_one()
        if not self._ecom_refund_needs_approval():
            return False
        # the approval is looked up and asked for whoever fulfils (the requester is the caller)
        if self._ecom_consume_approval(as_system=True):
            return False
        self._ecom_ask_approval(
            self.env._(
                "Refund of order %(order)s: %(amount)s %(currency)s",
                order=self.name,
                amount=self._ecom_refund_value(),
                currency=self.currency_id.name,
            ),
            amount=self._ecom_refund_value(),
            currency=self.currency_id,
            company=self.company_id,
            as_system=True,
        )
        return True

    @api.model
    def _cron_stock_shortage(self):
        """Report the orders whose delivery drove stock negative: one activity per shop and check."""
        orders = self.search([("stock_shortage", "!=", False), ("shortage_alerted", "=", False)])
        for shop, shop_orders in orders.grouped("shop_id").items():
            shop_orders.shortage_alerted = True
            shop.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(shop.finance_user_id or shop.create_uid).id,
                summary=self.env._("%(count)s orders shipped with more than on hand", count=len(shop_orders)),
                note="\n".join(f"{order.name}: {order.stock_shortage}" for order in shop_orders[:20]),
            )
        return orders

    @api.model
    def _cron_negative_margin(self):
        """Report the orders whose margin turned negative: one activity per shop and check."""
        Report = self.env["ecom.order.margin.report"]
        rows = Report._read_group(
            [("is_negative", "=", True), ("order_id.margin_alerted", "=", False)],
            ["shop_id"],
            ["order_id:array_agg", "margin:sum"],
        )
        for shop, order_ids, margin in rows:
            orders = self.browse(sorted(set(order_ids)))
            orders.margin_alerted = True
            shop.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(shop.finance_user_id or shop.create_uid).id,
                summary=self.env._("%(count)s orders with a negative margin", count=len(orders)),
                note=self.env._(
                    "Orders %(orders)s lose %(margin)s %(currency)s in all (see Reporting > Order Margin).",
                    orders=", ".join(orders[:20].mapped("name")) + (" ..." if len(orders) > 20 else ""),
                    margin=round(-margin, 2),
                    currency=shop.company_id.currency_id.name,
                ),
            )
