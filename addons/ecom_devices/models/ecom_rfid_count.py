# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_is_zero

from odoo.addons.ecom_audit.approval import OwnFields, substance_hash
from odoo.addons.ecom_finance.const import COST_GROUPS

# Who counts: Inventory users (Warehouse Operators get it through their role), in the
# warehouses the record rules give them.
COUNTER = "stock.group_stock_user"
# Two reads of a device further apart than this (seconds) belong to two bursts (Count from Last
# Burst): a reader passed along a shelf reads its tags many times a second.
BURST_GAP = 30
# Written by the count's own actions only; refused in create, write and copy.
PROTECTED_FIELDS = frozenset(
    {"state", "line_ids", "read_count", "unknown_count", "proposed_at", "applied_at", "applied_uid"}
)
# What a proposal was made from: frozen once there is one (propose again from a draft).
SOURCE_FIELDS = frozenset({"device_id", "location_id", "date_start", "date_stop", "whole_shelf"})
# set while the count's actions write its protected fields and lines (RPC cannot reach it)
COUNT_FIELDS = OwnFields("ecom_rfid_count_write", PROTECTED_FIELDS)
count_write = COUNT_FIELDS.writing
in_count_write = COUNT_FIELDS.is_writing


class EcomRfidCount(models.Model):
    """A shelf counted with an RFID reader: the reads of a device between a start and a stop
    (or its last burst of reads) become a count per product and lot against the quantity on hand
    at the device's location, applied through Odoo's count (``stock.quant``: its approval above
    the company's thresholds, ecom_finance)."""

    _name = "ecom.rfid.count"
    _description = "RFID Count"
    # the valuation difference is refused to operators like the costs (ecom_finance)
    _inherit = ["mail.thread", "ecom.cost.fields.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, default=lambda self: self.env._("RFID Count"), tracking=True
    )
    device_id = fields.Many2one(
        "ecom.device",
        required=True,
        check_company=True,
        tracking=True,
        domain="[('warehouse_id', '!=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_from_device", store=True, precompute=True, index=True
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse", compute="_compute_from_device", store=True, precompute=True, index=True
    )
    location_id = fields.Many2one(
        "stock.location",
        compute="_compute_location_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        check_company=True,
        tracking=True,
        domain="[('usage', '=', 'internal'), ('warehouse_id', '=', warehouse_id)]",
        help="The shelf counted: its quants are the system quantities (the device's location by default).",
    )
    whole_shelf = fields.Boolean(
        string="Unread Products at Zero",
        tracking=True,
        help="The whole shelf is tagged: a product on hand at the shelf that no tag was read for is "
        "counted at 0. Off, only the products read are counted (a shelf holding untagged stock).",
    )
    date_start = fields.Datetime(string="Start", tracking=True)
    date_stop = fields.Datetime(string="Stop", tracking=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("proposed", "Proposed"),
            ("to_approve", "Waiting for Approval"),
            ("applied", "Applied"),
        ],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        tracking=True,
    )
    line_ids = fields.One2many("ecom.rfid.count.line", "count_id", string="Lines", readonly=True, copy=False)
    read_count = fields.Integer(
        string="Reads", readonly=True, copy=False, help="RFID reads of the device in the window."
    )
    unknown_count = fields.Integer(
        string="Unknown Tags",
        readonly=True,
        copy=False,
        help="Distinct tags read in the window that are no product's: not counted.",
    )
    proposed_at = fields.Datetime(string="Proposed On", readonly=True, copy=False)
    applied_at = fields.Datetime(string="Applied On", readonly=True, copy=False)
    applied_uid = fields.Many2one("res.users", string="Applied By", readonly=True, copy=False)
    currency_id = fields.Many2one(related="company_id.currency_id")
    value_difference = fields.Monetary(
        string="Valuation Difference",
        compute="_compute_value_difference",
        groups=COST_GROUPS,
        help="The lines' quantity differences at the products' costs.",
    )

    @api.depends("device_id")
    def _compute_from_device(self):
        for count in self:
            count.company_id = count.device_id.company_id or self.env.company
            count.warehouse_id = count.device_id.warehouse_id

    @api.depends("device_id")
    def _compute_location_id(self):
        for count in self:
            if count.location_id.warehouse_id != count.warehouse_id or not count.location_id:
                count.location_id = count.device_id.location_id

    @api.depends("line_ids.value_difference")
    def _compute_value_difference(self):
        for count in self:
            count.value_difference = sum(count.line_ids.mapped("value_difference"))

    # ------------------------------------------------------------------
    # Protected fields
    # ------------------------------------------------------------------

    def _check_protected(self, vals_list, creating=False):
        COUNT_FIELDS.refuse(
            vals_list,
            lambda names: self.env._(
                "An RFID count's state and lines change with its buttons only: %s.", names
            ),
            creating=creating,
        )

    @api.model_create_multi
    def create(self, vals_list):
        # copy() and load() create through here too
        self._check_protected(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_protected([vals])
        if not in_count_write() and SOURCE_FIELDS & set(vals) and self.filtered(lambda c: c.state != "draft"):
            raise UserError(
                self.env._("A proposed or applied RFID count keeps its device, shelf and window.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_applied(self):
        if self.filtered(lambda c: c.state in ("to_approve", "applied")):
            raise UserError(self.env._("An RFID count waiting for approval or applied cannot be deleted."))

    # ------------------------------------------------------------------
    # Actions (the form's buttons, XML-RPC too)
    # ------------------------------------------------------------------

    def _check_counter(self, states=None):
        """Inventory users count, in the warehouses the record rules give them; ``states``: the
        states the counts must be in."""
        if not self.env.su and not self.env.user.has_group(COUNTER):
            raise AccessError(self.env._("Only Inventory users (Warehouse Operators) make RFID counts."))
        self.check_access("write")
        if states:
            wrong = self.filtered(lambda c: c.state not in states)
            if wrong:
                raise UserError(
                    self.env._(
                        "%(counts)s: not possible in this state (%(state)s).",
                        counts=", ".join(wrong.mapped("name")),
                        state=dict(self._fields["state"]._description_selection(self.env))[wrong[0].state],
                    )
                )

    def action_start(self):
        """Start reading now: the device's reads from now on are counted (until Stop)."""
        self._check_counter(("draft",))
        self.write({"date_start": fields.Datetime.now(), "date_stop": False})
        return True

    def action_stop(self):
        """Stop reading now and propose the count from the reads since Start."""
        self._check_counter(("draft",))
        if self.filtered(lambda c: not c.date_start):
            raise UserError(self.env._("Start the RFID count before stopping it."))
        self.write({"date_stop": fields.Datetime.now()})
        return self.action_propose()

    def action_count_last_burst(self):
        """Count the device's last burst of RFID reads: the reads before its last one, back to a
        pause of more than BURST_GAP seconds."""
        self._check_counter(("draft", "proposed"))
        for count in self:
            start, stop = count._last_burst()
            if not start:
                raise UserError(
                    self.env._("The device %(device)s has sent no RFID reads.", device=count.device_id.name)
                )
            with count_write():
                count.write({"date_start": start, "date_stop": stop})
        return self.action_propose()

    def _last_burst(self):
        """``(first read, last read)`` of the device's last burst, in one query."""
        self.ensure_one()
        self.env["ecom.scan.event"].flush_model(["device_id", "kind", "scanned_at"])
        rows = self.env.execute_query(
            SQL(
                """SELECT MIN(scanned_at), MAX(scanned_at)
                     FROM (SELECT scanned_at,
                                  COUNT(*) FILTER (WHERE gap > %(gap)s)
                                      OVER (ORDER BY scanned_at DESC, id DESC) AS burst
                             FROM (SELECT id, scanned_at,
                                          LAG(scanned_at) OVER (ORDER BY scanned_at DESC, id DESC)
                                              - scanned_at AS gap
                                     FROM ecom_scan_event
                                    WHERE device_id = %(device)s AND kind = 'epc') AS reads
                          ) AS bursts
                    WHERE burst = 0""",
                gap=timedelta(seconds=BURST_GAP),
                device=self.device_id.id,
            )
        )
        return rows[0] if rows else (None, None)

    def action_propose(self):
        """Count the reads of the window per product and lot (one per tag: a tag read many
        times counts once) against the quantity on hand at the shelf."""
        self._check_counter(("draft", "proposed"))
        if self.filtered(lambda c: not c.date_start):
            raise UserError(self.env._("Start the RFID count (or count from the last burst) first."))
        now = fields.Datetime.now()
        Line = self.env["ecom.rfid.count.line"]
        for count in self:
            stop = count.date_stop or now
            rows = self.env.execute_query(count._proposal_sql(stop))
            reads, unknown = self.env.execute_query(count._reads_sql(stop))[0]
            with count_write():
                count.line_ids.unlink()
                Line.create(
                    [
                        {
                            "count_id": count.id,
                            "product_id": product_id,
                            "lot_id": lot_id,
                            "counted_quantity": counted,
                            "system_quantity": system,
                        }
                        for product_id, lot_id, counted, system in rows
                    ]
                )
                count.write(
                    {
                        "date_stop": stop,
                        "state": "proposed",
                        "proposed_at": now,
                        "read_count": reads,
                        "unknown_count": unknown,
                    }
                )
        return True

    def _window_sql(self, stop):
        return SQL(
            "e.device_id = %s AND e.kind = 'epc' AND e.scanned_at >= %s AND e.scanned_at <= %s",
            self.device_id.id,
            self.date_start,
            stop,
        )

    def _proposal_sql(self, stop):
        """One row per product and lot read in the window, with all the lots of those products on
        the shelf (of every product on hand at the shelf with ``whole_shelf``: those not read at
        0): ``(product, lot, distinct tags read, quantity on hand)``. The quants in a package or
        of an owner are not counted (an RFID count counts loose stock)."""
        self.env["ecom.scan.event"].flush_model()
        self.env["stock.quant"].flush_model(["product_id", "lot_id", "location_id", "quantity"])
        return SQL(
            """WITH reads AS (
                    SELECT e.product_id, e.lot_id, COUNT(DISTINCT COALESCE(e.serial, e.code)) AS counted
                      FROM ecom_scan_event e
                     WHERE %(window)s AND e.product_id IS NOT NULL
                     GROUP BY e.product_id, e.lot_id
               ), onhand AS (
                    SELECT q.product_id, q.lot_id, SUM(q.quantity) AS quantity
                      FROM stock_quant q
                     WHERE q.location_id = %(location)s
                       AND q.package_id IS NULL AND q.owner_id IS NULL
                       AND (%(whole_shelf)s OR q.product_id IN (SELECT product_id FROM reads))
                     GROUP BY q.product_id, q.lot_id
               )
               SELECT pp.id, sl.id, COALESCE(r.counted, 0), COALESCE(o.quantity, 0)
                 FROM reads r
                 FULL JOIN onhand o ON o.product_id = r.product_id AND o.lot_id IS NOT DISTINCT FROM r.lot_id
                 JOIN product_product pp ON pp.id = COALESCE(r.product_id, o.product_id)
                 JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 LEFT JOIN stock_lot sl ON sl.id = COALESCE(r.lot_id, o.lot_id)
                WHERE pt.is_storable AND (r.product_id IS NOT NULL OR o.quantity <> 0)
                ORDER BY pp.id, sl.name NULLS FIRST""",
            window=self._window_sql(stop),
            whole_shelf=bool(self.whole_shelf),
            location=self.location_id.id,
        )

    def _reads_sql(self, stop):
        """``(reads, distinct unknown tags)`` of the window."""
        return SQL(
            """SELECT COUNT(*), COUNT(DISTINCT e.code) FILTER (WHERE e.product_id IS NULL)
                 FROM ecom_scan_event e
                WHERE %s""",
            self._window_sql(stop),
        )

    def action_apply(self):
        """Set the counted quantities on the shelf's quants (creating those missing) and apply
        them through Odoo's count: the counts above the company's thresholds are sent for
        approval first (the count waits), and applied once a second person approved them."""
        self._check_counter(("proposed", "to_approve"))
        result = True
        for count in self:
            quants = count._set_quantities()
            pending = quants.filtered(lambda q: q._ecom_needs_approval()) - count._approved(quants)
            if pending:
                pending.action_ecom_request_adjustment()
                with count_write():
                    count.write({"state": "to_approve"})
                continue
            applied = quants.action_apply_inventory()
            if isinstance(applied, dict):
                # Odoo's conflict or tracking dialog: the count stays proposed until it is done
                result = applied
                continue
            with count_write():
                count.write(
                    {"state": "applied", "applied_at": fields.Datetime.now(), "applied_uid": self.env.uid}
                )
        return result

    def _set_quantities(self):
        """The shelf's quants of the lines with a difference, their counted quantity set."""
        self.ensure_one()
        Quant = self.env["stock.quant"].with_context(inventory_mode=True)
        lines = self.line_ids.filtered(
            lambda line: not float_is_zero(
                line.difference, precision_rounding=line.product_id.uom_id.rounding
            )
        )
        if not lines:
            return Quant
        existing = Quant.search(
            [
                ("location_id", "=", self.location_id.id),
                ("product_id", "in", lines.product_id.ids),
                ("package_id", "=", False),
                ("owner_id", "=", False),
            ]
        )
        by_key = {(quant.product_id.id, quant.lot_id.id): quant for quant in existing}
        quants = Quant.browse()
        missing = []
        for line in lines:
            quant = by_key.get((line.product_id.id, line.lot_id.id))
            if quant:
                quant.inventory_quantity = line.counted_quantity
                quants |= quant
            else:
                missing.append(
                    {
                        "product_id": line.product_id.id,
                        "location_id": self.location_id.id,
                        "lot_id": line.lot_id.id or False,
                        "inventory_quantity": line.counted_quantity,
                    }
                )
        if missing:
            quants |= Quant.create(missing)
        return quants

    def _approved(self, quants):
        """The quants with an approved request for their count as it is now."""
        if not quants:
            return quants
        # the requests are finance data: looked up (not read out) for whoever counts
        requests = (
            self.env["ecom.approval.request"]
            .sudo()
            .search(
                [
                    ("operation", "=", "inventory_adjustment"),
                    ("res_model", "=", "stock.quant"),
                    ("res_id", "in", quants.ids),
                    ("state", "=", "approved"),
                ]
            )
        )
        approved = {(request.res_id, request.substance_hash) for request in requests}
        return quants.filtered(lambda q: (q.id, substance_hash(q._ecom_approval_substance(None))) in approved)
