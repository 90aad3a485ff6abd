# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Stripe: balance transactions (``GET /v1/balance_transactions``), a bearer secret key.

Stream ``balance``: the account's balance transactions (charges, refunds, fees, payouts...), in
the ``stripe_balance`` format (the API's JSON list, which that parser reads in minor units).
Stripe lists newest first and pages with ``starting_after``; an incremental pull asks for
``created[gte]`` the newest transaction already stored, so the cursor holds that time and,
inside one pull, the last id read. A page overlapping the last one only adds new lines.
"""

from .base import Connector, ConnectorError, Page, Stream, decode_cursor, encode_cursor


class StripeConnector(Connector):
    platform = "stripe"
    streams = {"balance": Stream("balance", "stripe_balance")}
    credential_fields = ("secret_key",)
    page_size = 100

    def fetch(self, stream, cursor):
        state = decode_cursor(cursor)
        since = state.get("since")
        if since is None:
            since = _unix_day(self.since)
        params = {"limit": self.page_size, "created[gte]": since}
        if state.get("after"):
            params["starting_after"] = state["after"]
        response = self.http.request(
            "GET",
            f"{self.base_url}/v1/balance_transactions",
            params=params,
            headers={"Authorization": f"Bearer {self.credentials['secret_key']}"},
            accept_status=(400, 401, 402, 403, 404),
        )
        body = response.json()
        if response.status == 401 or "error" in body:
            raise _error(body, response.status)
        data = body.get("data") or []
        newest = max([since, state.get("newest", since), *(item.get("created", 0) for item in data)])
        if body.get("has_more") and data:
            next_state = {"since": since, "after": data[-1]["id"], "newest": newest}
            more = True
        else:
            next_state = {"since": newest}
            more = False
        page = Page(stream, cursor, encode_cursor(next_state), has_more=more, rows=len(data))
        if data:
            page.filename = f"stripe-balance-{since}-{data[0]['id']}.json"
            page.fmt = "stripe_balance"
            page.content = response.body
        return page


def _unix_day(day):
    from datetime import datetime, timezone

    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


def _error(body, status):
    error = body.get("error") or {}
    if status == 401:
        return ConnectorError(
            "auth_failed", {"platform": "stripe", "detail": error.get("message", "")}, status=401
        )
    return ConnectorError(
        "platform_error",
        {
            "platform": "stripe",
            "code": error.get("code") or error.get("type", ""),
            "detail": error.get("message", ""),
        },
        status=status,
        platform_code=error.get("code"),
    )
