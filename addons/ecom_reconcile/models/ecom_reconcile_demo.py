# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import hashlib
import random
from datetime import date, datetime, time, timedelta

from odoo import api, models


class EcomReconcileDemo(models.AbstractModel):
    """Demo data: a week of orders, channel bills and bank credits, posted and shipped, and one
    finished run."""

    _name = "ecom.reconcile.demo"
    _description = "E-commerce Reconciliation Demo Data"

    @api.model
    def _load_demo_week(self):
        tmall = self.env.ref("ecom_finance.demo_shop_tmall", raise_if_not_found=False)
        douyin = self.env.ref("ecom_finance.demo_shop_douyin", raise_if_not_found=False)
        if (
            not tmall
            or not douyin
            or self.env["ecom.order"].search_count([("shop_id", "in", (tmall | douyin).ids)])
        ):
            return
        first_day = date.today() - timedelta(days=8)
        rnd = random.Random(2024)
        # the goods the shops sell (the company also buys services: ecom_finance's demo payables)
        products = self.env["product.product"].search(
            [
                ("company_id", "=", tmall.company_id.id),
                ("is_storable", "=", True),
                ("default_code", "!=", False),
            ],
            order="id",
        )
        for shop, payout_style in ((tmall, "alipay"), (douyin, "wechat")):
            self._demo_shop_week(shop, payout_style, first_day, rnd, products)
        shops = tmall | douyin
        # the books: the week's settlements posted, the orders shipped from both warehouses
        settlements = self.env["ecom.statement"].search(
            [("shop_id", "in", shops.ids), ("fmt", "in", ("alipay", "wechat_trade"))]
        )
        settlements.post_entries(settlements.ids)
        orders = self.env["ecom.order"].search([("shop_id", "in", shops.ids)])
        orders.fulfil_orders(orders.ids)
        self.env["ecom.reconcile.run"].run_reconciliation(
            (tmall | douyin).ids, first_day.isoformat(), (first_day + timedelta(days=6)).isoformat()
        )

    def _demo_shop_week(self, shop, payout_style, first_day, rnd, products):
        currency = shop.currency_id
        channel_fmt = "alipay" if payout_style == "alipay" else "wechat_trade"
        channel = self._demo_statement(shop, channel_fmt, first_day)
        bank = self._demo_statement(shop, "bank_csv", first_day)
        orders, lines, daily_net = [], [], {}
        plants = {
            3: "missing_payment",
            7: "amount_mismatch",
            11: "duplicate_payment",
            15: "refund_mismatch",
            19: "status_mismatch",
            23: "timing",
        }
        for number in range(1, 29):
            day = first_day + timedelta(days=(number - 1) // 4)
            paid_at = datetime.combine(day, time(2 + number % 10, 5 * (number % 12)))
            product = products[number % len(products)] if products else False
            quantity = 1 + number % 3
            amount = round(float(product.list_price if product else 99) * quantity, 2)
            ref = f"{shop.code}-{first_day:%m%d}-{number:03d}"
            plant = plants.get(number)
            status, refund = ("cancelled", 0.0) if plant == "status_mismatch" else ("completed", 0.0)
            if plant == "refund_mismatch":
                status, refund = "partially_refunded", round(amount / 2, 2)
            orders.append(
                {
                    "name": ref,
                    "shop_id": shop.id,
                    "company_id": shop.company_id.id,
                    "status": status,
                    "currency_id": currency.id,
                    "amount_paid": amount,
                    "refund_amount": refund,
                    "order_time": paid_at - timedelta(minutes=3),
                    "paid_time": paid_at,
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "sku": product.default_code,
                                "product_id": product.id,
                                "quantity": quantity,
                                "unit_price": product.list_price,
                                "subtotal": amount,
                            },
                        )
                    ]
                    if product
                    else [],
                }
            )
            if plant == "missing_payment":
                continue
            paid = amount - 1.0 if plant == "amount_mismatch" else amount
            when = paid_at + timedelta(days=4) if plant == "timing" else paid_at + timedelta(seconds=20)
            for _copy in range(2 if plant == "duplicate_payment" else 1):
                fee = round(paid * 0.006, 2)
                lines.append((channel, when, "sale", paid, fee, ref))
                daily_net[when.date()] = daily_net.get(when.date(), 0.0) + paid - fee
            if plant == "refund_mismatch":
                back = round(amount / 4, 2)  # the channel refunded a quarter, the platform says half
                lines.append((channel, when + timedelta(hours=5), "refund", -back, 0.0, ref))
                daily_net[when.date()] -= back
        # a payment nobody ordered
        stray = datetime.combine(first_day + timedelta(days=2), time(9, 30))
        lines.append((channel, stray, "sale", 66.0, 0.4, f"{shop.code}-UNKNOWN"))
        daily_net[stray.date()] = daily_net.get(stray.date(), 0.0) + 65.6
        self.env["ecom.order"].create(orders)
        # payouts: every day's net reaches the bank the next morning, but one day is short and one is missing
        days = sorted(daily_net)
        for index, day in enumerate(days):
            net = round(daily_net[day], 2)
            credit_day = datetime.combine(day + timedelta(days=1), time(1, 0))
            if payout_style == "alipay":
                lines.append((channel, datetime.combine(day, time(15, 0)), "payout", -net, 0.0, False))
            if index == len(days) - 2:
                continue  # missing_payout
            if index == 1:
                net -= 5.0  # payout_mismatch
            lines.append((bank, credit_day, "adjustment", net, 0.0, False))
        Line = self.env["ecom.statement.line"]
        Line.create(
            [
                {
                    "statement_id": statement.id,
                    "shop_id": shop.id,
                    "company_id": shop.company_id.id,
                    "line_no": index,
                    "provider_txn_id": f"{statement.fmt}-{shop.code}-{index:05d}",
                    "merchant_order_ref": ref or False,
                    "line_type": line_type,
                    "currency_id": currency.id,
                    "gross": gross,
                    "fee": fee,
                    "net": round(gross - fee, 2),
                    "occurred_at": when,
                    "memo": "支付宝提现"
                    if line_type == "payout"
                    else ("财付通结算" if statement == bank else False),
                    "counterparty": "Bank" if statement == bank else False,
                    "dedup_key": f"demo:{statement.id}:{index}",
                }
                for index, (statement, when, line_type, gross, fee, ref) in enumerate(lines, start=1)
            ]
        )
        for statement in (channel, bank):
            statement.line_count = len(statement.line_ids)
            statement.lines_created = statement.line_count

    def _demo_statement(self, shop, fmt, first_day):
        label = f"demo {shop.code} {fmt} {first_day}"
        return self.env["ecom.statement"].create(
            {
                "name": f"{shop.code}/{fmt}/{first_day}..{first_day + timedelta(days=6)}",
                "shop_id": shop.id,
                "fmt": fmt,
                "filename": f"{shop.code.lower()}-{fmt}-{first_day:%Y%m%d}.csv",
                "sha256": hashlib.sha256(label.encode()).hexdigest(),
                "state": "done",
                "currency_id": shop.currency_id.id,
                "period_start": datetime.combine(first_day, time.min),
                "period_end": datetime.combine(first_day + timedelta(days=7), time.min),
            }
        )
