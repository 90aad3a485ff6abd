# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ecomfin.devices import identify

# the notification type of a batch of scans on the bus (the device's channel)
BUS_EVENTS = "ecom_device/events"


class EcomScanEvent(models.Model):
    """One scan or RFID read sent by a device to ``POST /ecom/device/events``.

    Append-only: stored set-wise by the endpoint (``_receive``: one ``INSERT ... ON CONFLICT DO
    NOTHING``), unique per device and event id, so a batch sent again counts as duplicates. No
    user creates, edits or deletes them.
    """

    _name = "ecom.scan.event"
    _description = "Device Scan Event"
    _order = "scanned_at desc, id desc"
    _rec_name = "code"
    _check_company_auto = True

    device_id = fields.Many2one(
        # a device with scans is archived, not deleted (ecom.device refuses it); cascade only
        # when the addon is uninstalled
        "ecom.device",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    event_uid = fields.Char(string="Event ID", required=True, readonly=True)
    kind = fields.Selection([("barcode", "Barcode"), ("epc", "RFID EPC")], required=True, readonly=True)
    code = fields.Char(required=True, readonly=True)
    scanned_at = fields.Datetime(string="Scanned On", required=True, readonly=True, index=True)
    received_at = fields.Datetime(string="Received On", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True, index=True)
    location_id = fields.Many2one("stock.location", readonly=True)
    gtin = fields.Char(string="GTIN", readonly=True)
    serial = fields.Char(string="Serial Number", readonly=True)
    lot = fields.Char(readonly=True)
    expiry = fields.Date(string="Expiry Date", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True, index="btree_not_null")
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number", readonly=True)
    state = fields.Selection(
        [("known", "Product Found"), ("unknown", "Unknown Code")],
        string="Status",
        readonly=True,
        help="Unknown Code: no product has this barcode or the GTIN the code carries (any of its "
        "GTIN-8, -12, -13 or -14 writings).",
    )

    _sql_constraints = [
        (
            "device_event_uniq",
            "unique(device_id, event_uid)",
            "A device cannot send the same event twice.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        self._refuse_direct_change()
        return super().create(vals_list)

    def write(self, vals):
        self._refuse_direct_change()
        return super().write(vals)

    def _refuse_direct_change(self):
        """Append-only: the endpoint inserts the events (``_receive``); nobody, not even the
        superuser, creates or edits them through the ORM (no access right deletes them)."""
        raise AccessError(
            self.env._(
                "Scan events come from the devices only (POST /ecom/device/events) and are kept as "
                "they were sent."
            )
        )

    # ------------------------------------------------------------------
    # The endpoint's side (controllers/device_events.py)
    # ------------------------------------------------------------------

    @api.model
    def _lookup_sql(self, device, rows):
        """The events of a batch (``rows``: one SQL tuple each) with their product and lot: the
        product whose barcode is one of the event's writings (``barcodes``, from the core), of the
        device's company or shared, the first by id; its lot or serial number by name (the lot of
        the code, else its serial: a serial-tracked product's lot is its serial number)."""
        company_id = device.company_id.id
        return SQL(
            """SELECT v.*, p.id AS product_id, l.id AS lot_id
                 FROM (VALUES %(rows)s) AS v(event_uid, kind, code, scanned_at, gtin, serial, lot,
                                              expiry, barcodes)
                 LEFT JOIN LATERAL (
                       SELECT pp.id
                         FROM product_product pp
                         JOIN product_template pt ON pt.id = pp.product_tmpl_id
                        WHERE pp.barcode = ANY(v.barcodes)
                          AND pp.active
                          AND (pt.company_id IS NULL OR pt.company_id = %(company)s)
                        ORDER BY pp.id
                        LIMIT 1
                 ) p ON TRUE
                 LEFT JOIN LATERAL (
                       SELECT sl.id
                         FROM stock_lot sl
                        WHERE sl.product_id = p.id
                          AND sl.name = COALESCE(v.lot, v.serial)
                          AND (sl.company_id IS NULL OR sl.company_id = %(company)s)
                        ORDER BY sl.id
                        LIMIT 1
                 ) l ON TRUE""",
            rows=rows,
            company=company_id,
        )

    @api.model
    def _receive(self, device, events):
        """Store ``events`` (``(uid, kind, code, scanned_at)``, checked by
        ``ecomfin.device_events.parse_batch``) of ``device`` in one statement; the events it
        already has are skipped. Audited (one entry for the batch) and sent on the bus.

        Each event is decoded by the core (``ecomfin.devices.identify``: GS1 element strings,
        SGTIN-96 EPCs, plain GTINs) into its GTIN, serial, lot and expiry, and mapped in the same
        statement to its product (by barcode, any writing of the GTIN) and lot; an event whose
        product is not found is stored with ``state`` ``unknown``.

        :returns: ``(new events, number of duplicates)``
        """
        device.ensure_one()
        if not events:
            return self.browse(), 0
        now = fields.Datetime.now()
        uid = self.env.uid
        # products and lots read in the same statement: what the ORM still holds goes first
        self.env["product.product"].flush_model(["barcode", "active", "product_tmpl_id"])
        self.env["product.template"].flush_model(["company_id"])
        self.env["stock.lot"].flush_model(["name", "product_id", "company_id"])
        rows = []
        for event_uid, kind, code, scanned_at in events:
            read, barcodes = identify(kind, code)
            rows.append(
                SQL(
                    "(%s, %s, %s, %s::timestamp, %s, %s, %s, %s::date, %s::varchar[])",
                    event_uid,
                    kind,
                    code,
                    scanned_at,
                    read and read.gtin,
                    read and read.serial,
                    read and read.lot,
                    read and read.expiry,
                    list(barcodes),
                )
            )
        inserted = self.env.execute_query(
            SQL(
                """INSERT INTO %(table)s (device_id, event_uid, kind, code, scanned_at, received_at,
                                          company_id, warehouse_id, location_id, gtin, serial, lot,
                                          expiry, product_id, lot_id, state,
                                          create_uid, create_date, write_uid, write_date)
                   SELECT %(device)s, e.event_uid, e.kind, e.code, e.scanned_at, %(now)s,
                          %(company)s, %(warehouse)s, %(location)s, e.gtin, e.serial, e.lot,
                          e.expiry, e.product_id, e.lot_id,
                          CASE WHEN e.product_id IS NULL THEN 'unknown' ELSE 'known' END,
                          %(uid)s, %(now)s, %(uid)s, %(now)s
                     FROM (%(lookup)s) e
                   ON CONFLICT (device_id, event_uid) DO NOTHING
                   RETURNING id""",
                table=SQL.identifier(self._table),
                device=device.id,
                now=now,
                company=device.company_id.id,
                warehouse=device.warehouse_id.id or None,
                location=device.location_id.id or None,
                uid=uid,
                lookup=self._lookup_sql(device, SQL(", ").join(rows)),
            )
        )
        # rows written behind the ORM's back
        self.invalidate_model()
        new = self.browse(sorted(row[0] for row in inserted))
        duplicates = len(events) - len(new)
        if new:
            self._audit_batch(device, new, duplicates)
            self._notify(device, new)
        return new, duplicates

    def _audit_batch(self, device, events, duplicates):
        """One audit entry for a batch: the ORM's create hook does not see the INSERT."""
        scanned = events.mapped("scanned_at")
        self.env["ecom.audit.log"].sudo()._append(
            [
                {
                    "model": self._name,
                    "res_ids": ",".join(map(str, events.ids)),
                    "operation": "create",
                    "company_id": device.company_id.id,
                    "changes": {
                        "device_id": device.id,
                        "device": device.serial,
                        "count": len(events),
                        "duplicates": duplicates,
                        "scanned_at": [
                            fields.Datetime.to_string(min(scanned)),
                            fields.Datetime.to_string(max(scanned)),
                        ],
                    },
                }
            ]
        )

    def _notify(self, device, events):
        """The batch to the device's channel: the handheld screens of its bound operator listen to
        it (models/ir_websocket.py)."""
        device._bus_send(
            BUS_EVENTS,
            {
                "device_id": device.id,
                "events": [
                    {
                        "id": event.id,
                        "uid": event.event_uid,
                        "kind": event.kind,
                        "code": event.code,
                        "at": fields.Datetime.to_string(event.scanned_at),
                        "product_id": event.product_id.id or False,
                        "lot_id": event.lot_id.id or False,
                        "gtin": event.gtin or False,
                        "serial": event.serial or False,
                        "state": event.state,
                    }
                    for event in events
                ],
            },
        )
