# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Stripe's ``GET /v1/balance_transactions`` over a fake shop (bearer key, cursor paging)."""

from datetime import timedelta, timezone

from .server import FakeApi, Reply


class FakeStripe(FakeApi):
    platform = "stripe"
    credentials = {"secret_key": "sk_test_fake"}

    def handle(self, request):
        if request.headers.get("authorization") != f"Bearer {self.credentials['secret_key']}":
            return self.bad_signature(
                Reply.json(
                    {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}, 401
                )
            )
        if request.path != "/v1/balance_transactions":
            return Reply.json(
                {"error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}}, 404
            )
        limit = min(100, int(request.query.get("limit", 10)))
        since = int(request.query.get("created[gte]", 0))
        items = [item for item in self._transactions() if item["created"] >= since]
        items.sort(key=lambda item: (-item["created"], item["id"]))
        after = request.query.get("starting_after")
        if after:
            ids = [item["id"] for item in items]
            items = items[ids.index(after) + 1 :] if after in ids else []
        page = items[:limit]
        return Reply.json(
            {
                "object": "list",
                "url": "/v1/balance_transactions",
                "has_more": len(items) > limit,
                "data": page,
            }
        )

    def _transactions(self):
        cached = getattr(self, "_cache", None)
        if cached is None:
            cached = []
            day = self.shop.first_day
            while day < self.shop.today:
                cached.extend(_object(row) for row in self.shop.bill_rows(day))
                day += timedelta(days=1)
            self._cache = cached
        return cached

    def expired_reply(self, request):
        return Reply.json(
            {"error": {"type": "invalid_request_error", "message": "Expired API Key provided"}}, 401
        )


def _object(row):
    created = int(row["time"].replace(tzinfo=timezone.utc).timestamp())
    category = {"sale": "charge", "refund": "refund", "payout": "payout"}[row["type"]]
    return {
        "id": f"txn_{row['id']}",
        "object": "balance_transaction",
        "amount": int(row["gross"] * 100),
        "fee": int(row["fee"] * 100),
        "net": int(row["net"] * 100),
        "currency": row["currency"].lower(),
        "created": created,
        "available_on": created + 2 * 86400,
        "reporting_category": category,
        "type": "payment" if category == "charge" else category,
        "source": f"ch_{row['order_ref']}" if row["order_ref"] else f"po_{row['id']}",
        "description": row["order_ref"] or "Payout",
    }
