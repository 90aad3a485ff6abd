# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

# the notification type of a batch of scans on the bus (the device's channel)
BUS_EVENTS = "ecom_device/events"
GTIN_LENGTHS = (8, 12, 13, 14)


def gtin_of(code):
    """The code as a GTIN-14 when it is a plain GTIN (8, 12, 13 or 14 digits), else None."""
    return code.zfill(14) if code.isdigit() and len(code) in GTIN_LENGTHS else None


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
    product_id = fields.Many2one("product.product", readonly=True, index="btree_not_null")

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
    def _products_by_code(self, device, codes):
        """The products whose barcode is one of ``codes`` (or the same GTIN), by code."""
        wanted = {}
        for code in set(codes):
            gtin = gtin_of(code)
            forms = {code}
            if gtin:
                # the GTIN-14, -13, -12 and -8 writings of the same number
                forms |= {gtin[i:] for i in range(7) if gtin[:i] == "0" * i}
            for form in forms:
                wanted.setdefault(form, set()).add(code)
        if not wanted:
            return {}
        products = self.env["product.product"].search(
            [("barcode", "in", list(wanted)), ("company_id", "in", (False, device.company_id.id))]
        )
        found = {}
        for product in products:
            for code in wanted.get(product.barcode, ()):
                found.setdefault(code, product.id)
        return found

    @api.model
    def _receive(self, device, events):
        """Store ``events`` (``(uid, kind, code, scanned_at)``, checked by
        ``ecomfin.device_events.parse_batch``) of ``device`` in one statement; the events it
        already has are skipped. Audited (one entry for the batch) and sent on the bus.

        :returns: ``(new events, number of duplicates)``
        """
        device.ensure_one()
        if not events:
            return self.browse(), 0
        now = fields.Datetime.now()
        uid = self.env.uid
        # barcodes: their GTIN and product when the code is a plain GTIN; RFID reads (EPC
        # SGTIN-96) and GS1 element strings keep their code only until the core decoders
        # (ecomfin.devices) are merged: their GTIN, serial and lot go here then (ROADMAP)
        products = self._products_by_code(
            device, [code for _id, kind, code, _at in events if kind == "barcode"]
        )
        rows = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                device.id,
                event_uid,
                kind,
                code,
                scanned_at,
                now,
                device.company_id.id,
                device.warehouse_id.id or None,
                device.location_id.id or None,
                gtin_of(code) if kind == "barcode" else None,
                products.get(code) if kind == "barcode" else None,
                uid,
                now,
                uid,
                now,
            )
            for event_uid, kind, code, scanned_at in events
        )
        inserted = self.env.execute_query(
            SQL(
                """INSERT INTO %s (device_id, event_uid, kind, code, scanned_at, received_at, company_id,
                                   warehouse_id, location_id, gtin, product_id,
                                   create_uid, create_date, write_uid, write_date)
                   VALUES %s
                   ON CONFLICT (device_id, event_uid) DO NOTHING
                   RETURNING id""",
                SQL.identifier(self._table),
                rows,
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
                    }
                    for event in events
                ],
            },
        )
