# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""An RFID burst of a shelf becomes a count per product and lot, applied through the count
approval of ``stock.quant`` (ecom_finance)."""

from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from .rfid_common import BURST_AT, epc, make_rfid_fixtures
from .rfid_common import burst as make_burst


@tagged("post_install", "-at_install")
class TestRfidCount(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make_rfid_fixtures(cls)
        cls.operator = cls.users["warehouse_operator"]
        cls.accountant = cls.users["accountant"]
        # an old burst, more than a minute before: not part of the last one
        cls.env["ecom.scan.event"]._receive(
            cls.device_a, make_burst(BURST_AT - timedelta(minutes=5), "old")[:3]
        )
        cls.env["ecom.scan.event"]._receive(cls.device_a, make_burst())
        # counts of more than 1 unit need an approval
        cls.env["ecom.approval.threshold"].create(
            {
                "company_id": cls.company.id,
                "operation": "inventory_adjustment",
                "min_quantity": 1,
                "min_value": 1000,
            }
        )

    def new_count(self, user=None):
        Count = self.env["ecom.rfid.count"].with_user(user or self.operator)
        return Count.create({"device_id": self.device_a.id})

    def lines_of(self, count):
        return {
            (line.product_id, line.lot_id): (line.counted_quantity, line.system_quantity, line.difference)
            for line in count.line_ids
        }

    def on_hand(self, product):
        return product.with_company(self.company).with_context(location=self.shelf.id).qty_available

    def test_last_burst_counts_each_tag_once(self):
        count = self.new_count()
        count.action_count_last_burst()
        self.assertEqual(count.state, "proposed")
        self.assertEqual(
            (count.date_start, count.date_stop), (BURST_AT, BURST_AT + timedelta(milliseconds=2400))
        )
        self.assertEqual(count.read_count, 25)
        self.assertEqual(count.unknown_count, 1)
        # 25 reads: 7 teas read 21 times (5 on hand: over), 1 coffee read twice (2 on hand: under)
        self.assertEqual(
            self.lines_of(count),
            {(self.tea, self.env["stock.lot"]): (7, 5, 2), (self.coffee, self.env["stock.lot"]): (1, 2, -1)},
        )

    def test_whole_shelf_counts_unread_products_at_zero(self):
        mug = self.env["product.product"].create({"name": "Mug", "is_storable": True})
        self.env["stock.quant"]._update_available_quantity(mug, self.shelf, 3)
        read_only = self.new_count()
        read_only.action_count_last_burst()
        self.assertNotIn((mug, self.env["stock.lot"]), self.lines_of(read_only))
        whole = (
            self.env["ecom.rfid.count"]
            .with_user(self.operator)
            .create({"device_id": self.device_a.id, "whole_shelf": True})
        )
        whole.action_count_last_burst()
        lines = self.lines_of(whole)
        self.assertEqual(lines[(mug, self.env["stock.lot"])], (0, 3, -3))
        self.assertEqual(lines[(self.tea, self.env["stock.lot"])], (7, 5, 2))
        # the option is part of what was proposed: frozen afterwards
        with self.assertRaises(UserError):
            whole.write({"whole_shelf": False})

    def test_start_stop_window(self):
        count = self.new_count()
        count.action_start()
        self.assertTrue(count.date_start)
        self.assertEqual(count.state, "draft")
        # no read since the start: nothing to count
        count.action_stop()
        self.assertEqual((count.state, count.read_count, len(count.line_ids)), ("proposed", 0, 0))
        with self.assertRaises(UserError):
            count.write({"date_start": BURST_AT})

    def test_valuation_difference_is_finance_only(self):
        count = self.new_count()
        count.action_count_last_burst()
        for record, field in ((count, "value_difference"), (count.line_ids[:1], "value_difference")):
            with self.subTest(model=record._name), self.assertRaises(AccessError):
                record.with_user(self.operator).read([field])
        as_accountant = count.with_user(self.accountant)
        self.assertEqual(sorted(as_accountant.line_ids.mapped("value_difference")), [-25.0, 20.0])
        self.assertEqual(as_accountant.value_difference, -5.0)
        # what the form shows an operator: no cost
        fields_shown = count.with_user(self.operator).get_views([(False, "form")])["models"][
            "ecom.rfid.count.line"
        ]
        self.assertNotIn("value_difference", fields_shown)

    def test_apply_through_the_count_approval(self):
        count = self.new_count()
        count.action_count_last_burst()
        count.action_apply()
        # the teas (2 units) are above the threshold, the coffee (1) is not: nothing applied yet
        self.assertEqual(count.state, "to_approve")
        self.assertEqual((self.on_hand(self.tea), self.on_hand(self.coffee)), (5, 2))
        Request = self.env["ecom.approval.request"]
        request = Request.search(
            [("operation", "=", "inventory_adjustment"), ("requester_id", "=", self.operator.id)]
        )
        self.assertEqual(len(request), 1)
        self.assertEqual(self.env["stock.quant"].browse(request.res_id).product_id, self.tea)
        # applying again without the approval changes nothing
        count.action_apply()
        self.assertEqual((count.state, self.on_hand(self.tea)), ("to_approve", 5))
        with self.assertRaises(AccessError):
            request.with_user(self.operator).action_approve()
        request.with_user(self.accountant).action_approve()
        count.action_apply()
        self.assertEqual(count.state, "applied")
        self.assertEqual(count.applied_uid, self.operator)
        self.assertEqual((self.on_hand(self.tea), self.on_hand(self.coffee)), (7, 1))
        self.assertEqual(request.state, "applied")

    def test_small_count_applies_at_once(self):
        self.env["ecom.approval.threshold"].search([("company_id", "=", self.company.id)]).min_quantity = 5
        count = self.new_count()
        count.action_count_last_burst()
        count.action_apply()
        self.assertEqual(count.state, "applied")
        self.assertEqual((self.on_hand(self.tea), self.on_hand(self.coffee)), (7, 1))

    def test_missing_quant_is_created(self):
        new_shelf = self.env["stock.location"].create(
            {"name": "Shelf 9", "location_id": self.shelf.id, "usage": "internal"}
        )
        self.env["ecom.approval.threshold"].search([("company_id", "=", self.company.id)]).min_quantity = 10
        count = self.new_count()
        count.location_id = new_shelf
        count.action_count_last_burst()
        self.assertEqual(
            self.lines_of(count),
            {(self.tea, self.env["stock.lot"]): (7, 0, 7), (self.coffee, self.env["stock.lot"]): (1, 0, 1)},
        )
        count.action_apply()
        quants = self.env["stock.quant"].search([("location_id", "=", new_shelf.id)])
        self.assertEqual(sorted(quants.mapped("quantity")), [1, 7])

    def test_rights(self):
        # an operator of another warehouse: neither creates nor reads nor applies device A's counts
        with self.assertRaises(AccessError):
            self.new_count(self.operator_b)
        count = self.new_count()
        count.action_count_last_burst()
        for method in ("read", "action_apply", "action_propose", "action_count_last_burst"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                as_b = count.with_user(self.operator_b)
                as_b.read(["state"]) if method == "read" else getattr(as_b, method)()
        # finance roles read, do not count
        with self.assertRaises(AccessError):
            count.with_user(self.accountant).action_apply()
        # the state and lines are the actions' own
        for vals in ({"state": "applied"}, {"read_count": 3}, {"line_ids": [(5,)]}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                count.write(vals)
        with self.assertRaises(AccessError):
            self.env["ecom.rfid.count"].with_user(self.operator).create(
                {"device_id": self.device_a.id, "state": "applied"}
            )
        with self.assertRaises(AccessError):
            count.line_ids[:1].write({"counted_quantity": 99})
        with self.assertRaises(AccessError):
            count.copy({"state": "applied"})

    def test_serial_numbers_count_per_lot(self):
        """A serial-tracked product: each tag's serial is its lot; a serial on hand but not read
        is counted 0, a serial read but not on hand is added."""
        self.env["ecom.approval.threshold"].search([("company_id", "=", self.company.id)]).min_quantity = 10
        gtin = "6901234567816"
        tracked = self.env["product.product"].create(
            {"name": "Tracked Kettle", "barcode": gtin, "is_storable": True, "tracking": "serial"}
        )
        lots = self.env["stock.lot"].create(
            [
                {"name": str(serial), "product_id": tracked.id, "company_id": self.company.id}
                for serial in (1, 2, 3)
            ]
        )
        for lot in lots[:2]:
            self.env["stock.quant"]._update_available_quantity(tracked, self.shelf, 1, lot_id=lot)
        at = BURST_AT + timedelta(minutes=10)
        reads = [
            (f"kettle-{index}", "epc", epc(gtin, serial), at + timedelta(milliseconds=index))
            for index, serial in enumerate((1, 3, 3, 1))
        ]
        new, _duplicates = self.env["ecom.scan.event"]._receive(self.device_a, reads)
        self.assertEqual(new.lot_id, lots[0] | lots[2])
        count = self.new_count()
        count.action_count_last_burst()
        self.assertEqual(
            self.lines_of(count),
            {(tracked, lots[0]): (1, 1, 0), (tracked, lots[1]): (0, 1, -1), (tracked, lots[2]): (1, 0, 1)},
        )
        count.action_apply()
        self.assertEqual(count.state, "applied")
        quants = self.env["stock.quant"].search(
            [("product_id", "=", tracked.id), ("location_id", "=", self.shelf.id)]
        )
        self.assertEqual({q.lot_id: q.quantity for q in quants if q.quantity}, {lots[0]: 1, lots[2]: 1})
