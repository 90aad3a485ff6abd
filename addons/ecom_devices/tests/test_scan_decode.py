# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Events posted to ``POST /ecom/device/events`` come out decoded: GTIN, serial, lot, expiry,
their product (any writing of the GTIN) and lot, or marked unknown."""

from datetime import date

from odoo.tests import HttpCase, tagged

from .common import ENDPOINT, body, event
from .rfid_common import COFFEE_EAN, STRANGER_GTIN, TEA_EAN, epc, make_rfid_fixtures


@tagged("post_install", "-at_install")
class TestScanDecode(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_rfid_fixtures(cls)
        cls.token_a = cls.device_a.action_rotate_token()["token"]
        cls.coffee.product_tmpl_id.tracking = "lot"
        cls.lot = cls.env["stock.lot"].create(
            {"name": "L2026-12", "product_id": cls.coffee.id, "company_id": cls.company.id}
        )

    def post(self, *events):
        response = self.url_open(
            ENDPOINT,
            data=body(*events),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token_a}"},
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def scan(self, uid):
        return self.env["ecom.scan.event"].search(
            [("device_id", "=", self.device_a.id), ("event_uid", "=", uid)]
        )

    def test_events_are_decoded_and_mapped(self):
        # a GS1-128 label of the coffee (GTIN-14, lot, expiry), FNC1 as 0x1D after ]C1
        gs1_label = f"]C1\x1d010{COFFEE_EAN}10L2026-12\x1d17271231"
        answer = self.post(
            event("d-epc", kind="epc", code=epc(TEA_EAN, 6789)),
            event("d-gs1", code=gs1_label),
            event("d-ean", code=TEA_EAN),
            event("d-upc14", code="0" + COFFEE_EAN),
            event("d-stranger", kind="epc", code=epc(STRANGER_GTIN, 1)),
            event("d-text", code="SHELF-A-01"),
        )
        self.assertEqual(answer, {"accepted": 6, "duplicates": 0})
        rfid = self.scan("d-epc")
        self.assertEqual(
            (rfid.gtin, rfid.serial, rfid.product_id, rfid.state), ("0" + TEA_EAN, "6789", self.tea, "known")
        )
        label = self.scan("d-gs1")
        self.assertEqual(
            (label.gtin, label.lot, label.expiry, label.product_id, label.lot_id),
            ("0" + COFFEE_EAN, "L2026-12", date(2027, 12, 31), self.coffee, self.lot),
        )
        # the EAN-13 itself, and the same GTIN written with 14 digits
        self.assertEqual(self.scan("d-ean").product_id, self.tea)
        self.assertEqual(self.scan("d-upc14").product_id, self.coffee)
        for uid in ("d-stranger", "d-text"):
            with self.subTest(uid=uid):
                unknown = self.scan(uid)
                self.assertFalse(unknown.product_id)
                self.assertEqual(unknown.state, "unknown")
        self.assertEqual(self.scan("d-stranger").serial, "1")
        # what an operator of the warehouse reads
        operator = self.users["warehouse_operator"]
        self.assertEqual(rfid.with_user(operator).read(["serial", "state"])[0]["serial"], "6789")
