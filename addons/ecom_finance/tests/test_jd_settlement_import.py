# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""JD's 日账单明细 (``jd_settlement``): downloaded or pulled, it imports, books and is a bill of
the ``jd_pay`` channel."""

import base64
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from odoo.exceptions import AccessError
from odoo.tests import tagged

import ecomfin
from ecomfin.connectors.fake import FakeShop
from ecomfin.connectors.fake.jd import bill_items
from ecomfin.connectors.jd import settlement_csv
from ecomfin.parsers import parse

from .common import EcomShopCase

FIXTURE = Path(ecomfin.__file__).resolve().parents[1] / "tests" / "fixtures" / "jd_settlement_gbk.csv"


def b64(data):
    return base64.b64encode(data).decode()


@tagged("post_install", "-at_install")
class TestJdSettlementImport(EcomShopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.CNY").active = True
        cls.shop_jd = cls.env["ecom.shop"].create(
            {
                "name": "Own JD Shop",
                "code": "J-OWN",
                "company_id": cls.company.id,
                "platform": "jd",
                "payment_channel": "jd_pay",
                "user_ids": [(4, cls.users["shop_operator"].id)],
            }
        )

    def _import(self, data, filename, shop=None, role="accountant"):
        Statement = self.env["ecom.statement"].with_user(self.users[role])
        return Statement.import_file((shop or self.shop_jd).id, filename, b64(data), False)

    def test_the_download_imports_with_its_totals_once(self):
        data = FIXTURE.read_bytes()
        expected = parse(data, FIXTURE.name)
        lines = expected.read_all()
        result = self._import(data, FIXTURE.name)
        self.assertEqual(result["fmt"], "jd_settlement")
        self.assertEqual(result["lines_created"], len(lines))
        self.assertEqual(
            {kind: Decimal(total) for kind, total in result["totals"].items()},
            {kind: total for kind, (_count, total) in expected.totals.items()},
        )
        statement = self.env["ecom.statement"].browse(result["statement_id"])
        self.assertEqual(statement.state, "done")
        self.assertEqual(statement.fmt, "jd_settlement")
        refund = statement.line_ids.filtered(lambda line: line.line_type == "refund")
        self.assertEqual((refund.order_ref, refund.gross), ("283746501111", -68.0))
        again = self._import(data, "again.csv")
        self.assertTrue(again["already_imported"])

    def test_a_pulled_day_imports_like_a_download(self):
        shop = FakeShop(20, seed=7, days=1, today=date(2026, 12, 1))
        day = shop.first_day
        rows = [item for row in shop.bill_rows(day) for item in bill_items(row, day)]
        content = settlement_csv(rows)
        result = self._import(content, f"jd-settlement-{day:%Y%m%d}.csv")
        self.assertEqual(result["fmt"], "jd_settlement")
        self.assertEqual(result["lines_created"], len(rows))
        # the same day pulled again adds nothing
        self.assertTrue(self._import(content, "pulled-again.csv")["already_imported"])
        # the next day, overlapping nothing, adds its own lines
        later = [item for row in shop.bill_rows(day + timedelta(days=1)) for item in bill_items(row, day)]
        self.assertEqual(self._import(settlement_csv(later), "next.csv")["lines_created"], len(later))

    def test_a_bill_of_the_shops_channel_for_its_operator_only(self):
        data = FIXTURE.read_bytes()
        result = self._import(data, FIXTURE.name, role="shop_operator")
        self.assertEqual(result["lines_created"], 8)
        with self.assertRaises(AccessError):
            self._import(data, FIXTURE.name, shop=self.shop_own, role="shop_operator")

    def test_accounting_setup_and_posting(self):
        done = self.shop_jd.with_user(self.users["manager"]).action_setup_accounting()
        self.assertIn("121511", done["params"]["message"])
        self.assertEqual(self.shop_jd.clearing_account_id.code, "121511")
        result = self._import(FIXTURE.read_bytes(), FIXTURE.name)
        moves = self.env["account.move"].browse(
            self.env["ecom.statement"]
            .with_user(self.users["accountant"])
            .post_entries([result["statement_id"]])
        )
        self.assertEqual(len(moves), 1)
        self.assertEqual(moves.state, "posted")
        # every line type of the file has its account: sale, refund, commission, fee, promotion
        self.assertEqual(
            set(moves.line_ids.mapped("ecom_event_type")) - {False},
            {"sale", "refund", "commission", "service_fee", "promotion_merchant"},
        )
