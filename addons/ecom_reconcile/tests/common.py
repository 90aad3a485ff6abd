# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import hashlib
from datetime import datetime

from odoo.addons.ecom_finance.tests.common import EcomShopCase


class ReconcileCase(EcomShopCase):
    """Helpers writing orders, channel lines and bank lines as imports would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.currency = cls.env.company.currency_id
        cls._seq = 0

    @classmethod
    def _statement(cls, shop, fmt):
        cls._seq += 1
        return cls.env["ecom.statement"].create(
            {
                "name": f"{shop.code}/{fmt}/{cls._seq}",
                "shop_id": shop.id,
                "fmt": fmt,
                "filename": f"{fmt}-{cls._seq}.csv",
                "sha256": hashlib.sha256(f"{shop.id}-{fmt}-{cls._seq}".encode()).hexdigest(),
                "state": "done",
                "period_start": datetime(2024, 3, 1),
                "period_end": datetime(2024, 3, 8),
            }
        )

    @classmethod
    def _lines(cls, shop, fmt, rows):
        """rows: (when, line_type, gross, fee, merchant_order_ref, memo) tuples."""
        statement = cls._statement(shop, fmt)
        Line = cls.env["ecom.statement.line"]
        lines = Line
        for index, (when, line_type, gross, fee, ref, memo) in enumerate(rows, start=1):
            cls._seq += 1
            lines |= Line.create(
                {
                    "statement_id": statement.id,
                    "shop_id": shop.id,
                    "company_id": shop.company_id.id,
                    "line_no": index,
                    "provider_txn_id": f"TXN{cls._seq}",
                    "merchant_order_ref": ref,
                    "line_type": line_type,
                    "currency_id": cls.currency.id,
                    "gross": gross,
                    "fee": fee,
                    "net": gross - fee,
                    "occurred_at": when,
                    "memo": memo,
                    "dedup_key": f"test:{cls._seq}",
                }
            )
        return lines

    @classmethod
    def _order(cls, shop, name, amount, when, status="paid", refund=0.0):
        return cls.env["ecom.order"].create(
            {
                "name": name,
                "shop_id": shop.id,
                "company_id": shop.company_id.id,
                "status": status,
                "currency_id": cls.currency.id,
                "amount_paid": amount,
                "refund_amount": refund,
                "order_time": when,
                "paid_time": when,
            }
        )
