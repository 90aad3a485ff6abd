# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Amazon Selling Partner API: settlement reports (the Amazon bill) and orders.

Authorisation is Login with Amazon (LWA, OAuth 2.0): the app's ``client_id`` and
``client_secret`` and the seller's long-lived ``refresh_token`` buy an access token valid one
hour (``POST {lwa_url}/auth/o2/token``), sent on every call as ``x-amz-access-token``. There is
no request signature any more: since 2 October 2023 SP-API needs neither AWS IAM nor AWS
Signature Version 4 (a SigV4 signature sent anyway is disregarded), see
https://developer-docs.amazon.com/sp-api/changelog/sp-api-will-no-longer-require-aws-iam-or-aws-signature-version-4
The token and its expiry are kept on the connector (``credentials['access_token']``,
``credentials['access_token_expires']``, a Unix time) and in :attr:`AmazonConnector.refreshed`
for the backend to store; a token due to expire within a minute is renewed before the call, and
a call refused with 403 ``Unauthorized`` (an expired or revoked token) renews it and is sent
again once.

Stream ``bill``: the settlement reports (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE``), which
Amazon makes by itself at the end of each settlement period (about every 14 days, not daily):
``getReports`` lists the reports created since the cursor's time, ``getReportDocument`` gives
each one's pre-signed download URL (and ``compressionAlgorithm`` GZIP when it is compressed).
A page is one settlement report, the flat file as downloaded (format ``amazon_settlement``).
The cursor holds the window (``since``: createdSince), the list page's ``nextToken``, the
reports of that list page already returned and, after the last page, the reports created at
the window's edge (the next window starts at that same time: ``createdSince`` is inclusive).

Stream ``orders``: ``getOrders`` (``LastUpdatedAfter``, ``NextToken``) and ``getOrderItems`` for
each order, rendered as the canonical orders CSV.

Rate limits: each operation has its own token bucket (rate and burst per Amazon's usage plans;
the rate an answer's ``x-amzn-RateLimit-Limit`` header gives replaces the default); an HTTP 429
is retried by the HTTP client (Amazon sends no ``Retry-After``: the backoff applies).
https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits
"""

import gzip
import json
import time
import zlib
from datetime import datetime, timezone
from decimal import Decimal

from .base import Connector, ConnectorError, Page, Stream, decode_cursor, encode_cursor
from .http import TokenBucket
from .render import ORDER_OPTIONS, orders_csv

LWA_URL = "https://api.amazon.com"
REPORTS = "/reports/2021-06-30"
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE"
#: the US marketplace, when the backend names none
DEFAULT_MARKETPLACE = "ATVPDKIKX0DER"
#: renew a token this many seconds before it expires
TOKEN_MARGIN = 60

#: operation -> (requests a second, burst), Amazon's published default usage plans
#: (https://developer-docs.amazon.com/sp-api/docs/reports-api-rate-limits,
#: https://developer-docs.amazon.com/sp-api/docs/orders-api-rate-limits)
RATE_LIMITS = {
    "getReports": (0.0222, 10),
    "getReportDocument": (0.0167, 15),
    "getOrders": (0.0167, 20),
    "getOrderItems": (0.5, 30),
}

ADDRESS_KEYS = ("AddressLine1", "AddressLine2", "City", "StateOrRegion", "PostalCode", "CountryCode")
#: SP-API order status -> canonical status (None: not an order yet, skipped)
ORDER_STATUS = {
    "Pending": None,
    "PendingAvailability": None,
    "Unshipped": "paid",
    "PartiallyShipped": "paid",
    "Shipped": "shipped",
    "InvoiceUnconfirmed": "shipped",
    "Canceled": "cancelled",
    "Unfulfillable": "cancelled",
}


def lwa_refresh_form(client_id, client_secret, refresh_token):
    """The form of the LWA token request that trades a refresh token for an access token.

    https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api#step-1-request-a-login-with-amazon-access-token
    """
    return {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": client_id,
        "client_secret": client_secret,
    }


def sp_api_headers(access_token):
    """The headers of an SP-API call: the LWA access token, no signature (see the module).

    https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api#step-3-add-headers-to-the-uri
    """
    return {
        "x-amz-access-token": access_token,
        "user-agent": "ecom-finance/18.0 (Language=Python)",
        "accept": "application/json",
    }


class AmazonConnector(Connector):
    platform = "amazon"
    streams = {
        "bill": Stream("bill", "amazon_settlement"),
        "orders": Stream("orders", "orders_csv"),
    }
    #: required; ``lwa_url`` (default https://api.amazon.com), ``marketplace_id`` (default the
    #: US marketplace), ``access_token`` and ``access_token_expires`` are optional
    credential_fields = ("client_id", "client_secret", "refresh_token")
    #: the credentials a backend may give besides (``lwa_url``: the fake's URL in the walk-through)
    optional_credential_fields = ("lwa_url", "marketplace_id", "access_token", "access_token_expires")
    page_size = 20

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: what the backend should store after the pull (a renewed access token)
        self.refreshed = {}
        self.clock = time.time
        self.buckets = {}
        self._lists = {}

    # -- authorisation ---------------------------------------------------------
    def access_token(self, renew=False):
        """The access token, renewed when asked, missing or about to expire."""
        token = self.credentials.get("access_token")
        expires = float(self.credentials.get("access_token_expires") or 0)
        if renew or not token or expires - TOKEN_MARGIN <= self.clock():
            token = self._renew()
        return token

    def _renew(self):
        url = (self.credentials.get("lwa_url") or LWA_URL).rstrip("/") + "/auth/o2/token"
        form = lwa_refresh_form(
            self.credentials["client_id"],
            self.credentials["client_secret"],
            self.credentials["refresh_token"],
        )
        try:
            response = self.http.request("POST", url, data=form)
        except ConnectorError as error:
            if error.status in (400, 401):
                body = _json(error.params.get("body"))
                raise ConnectorError(
                    "auth_failed",
                    {
                        "platform": self.platform,
                        "detail": body.get("error_description") or body.get("error") or error.params["body"],
                    },
                    status=error.status,
                    platform_code=body.get("error"),
                ) from None
            raise
        body = response.json()
        token = body["access_token"]
        expires = int(self.clock()) + int(body.get("expires_in", 3600))
        self.credentials.update(access_token=token, access_token_expires=expires)
        self.refreshed = {"access_token": token, "access_token_expires": expires}
        if body.get("refresh_token") and body["refresh_token"] != self.credentials["refresh_token"]:
            self.credentials["refresh_token"] = self.refreshed["refresh_token"] = body["refresh_token"]
        return token

    # -- calls -----------------------------------------------------------------
    def call(self, operation, path, params=None):
        """One SP-API call (GET): rate-limited per operation, the token renewed once on 403."""
        url = self.base_url + path
        for attempt in (0, 1):
            token = self.access_token(renew=attempt > 0)
            self._bucket(operation).take()
            try:
                response = self.http.request("GET", url, params=params, headers=sp_api_headers(token))
            except ConnectorError as error:
                if error.status == 403 and attempt == 0:
                    continue
                raise self._error(error) from None
            self._note_limit(operation, response.headers)
            return response.json()
        raise AssertionError("unreachable")

    def _bucket(self, operation):
        bucket = self.buckets.get(operation)
        if bucket is None:
            rate, burst = RATE_LIMITS[operation]
            bucket = self.buckets[operation] = TokenBucket(rate, burst, sleep=self.http.sleep)
        return bucket

    def _note_limit(self, operation, headers):
        """Follow the rate the answer says applies to this operation (the seller's usage plan)."""
        try:
            rate = float(headers.get("x-amzn-ratelimit-limit", ""))
        except ValueError:
            return
        bucket = self._bucket(operation)
        if rate > 0 and rate != bucket.rate:
            bucket.rate = rate

    def _error(self, error):
        """An SP-API refusal (``{"errors": [{"code", "message", "details"}]}``) as a ConnectorError."""
        if error.code != "http_status":
            return error
        body = _json(error.params.get("body"))
        first = (body.get("errors") or [{}])[0] if isinstance(body.get("errors"), list) else {}
        code = first.get("code") or str(error.status)
        detail = (
            " ".join(p for p in (first.get("message"), first.get("details")) if p) or error.params["body"]
        )
        if error.status in (401, 403):
            return ConnectorError(
                "auth_failed",
                {"platform": self.platform, "detail": detail},
                status=error.status,
                platform_code=code,
            )
        return ConnectorError(
            "platform_error",
            {"platform": self.platform, "code": code, "detail": detail},
            status=error.status,
            platform_code=code,
        )

    # -- streams ---------------------------------------------------------------
    def fetch(self, stream, cursor):
        if stream == "orders":
            return self._fetch_orders(cursor)
        return self._fetch_settlement(cursor)

    def _fetch_settlement(self, cursor):
        state = decode_cursor(cursor)
        since = state.get("since") or _iso(datetime(*self.since.timetuple()[:3], tzinfo=timezone.utc))
        token = state.get("token")
        done = set(state.get("done") or ())
        edge = set(state.get("edge") or ())
        newest = state.get("newest") or since
        newest_ids = set(state.get("newest_ids") or edge)
        while True:
            body = self._report_list(since, token)
            for report in body.get("reports") or ():
                report_id = report["reportId"]
                if (
                    report_id in done
                    or report_id in edge
                    or report.get("processingStatus") != "DONE"
                    or not report.get("reportDocumentId")
                ):
                    continue
                content = self._document(report["reportDocumentId"])
                done.add(report_id)
                created = report.get("createdTime") or since
                if _time(created) > _time(newest):
                    newest, newest_ids = created, {report_id}
                elif _time(created) == _time(newest):
                    newest_ids.add(report_id)
                next_state = {
                    "since": since,
                    "token": token,
                    "done": sorted(done),
                    "edge": sorted(edge),
                    "newest": newest,
                    "newest_ids": sorted(newest_ids),
                }
                return Page(
                    "bill",
                    cursor,
                    encode_cursor(next_state),
                    has_more=True,
                    filename=f"amazon-settlement-{report_id}.txt",
                    fmt="amazon_settlement",
                    content=content,
                    rows=max(0, content.count(b"\n") - 2),
                )
            if body.get("nextToken"):
                token, done = body["nextToken"], set()
                continue
            next_state = {"since": newest, "edge": sorted(newest_ids)}
            return Page("bill", cursor, encode_cursor(next_state), has_more=False)

    def _report_list(self, since, token):
        """A page of the settlement reports' list (kept for the pull: one page serves many)."""
        key = (since, token)
        if key not in self._lists:
            if token:
                params = {"nextToken": token}
            else:
                # reports are kept 90 days: Amazon refuses an older createdSince
                oldest = datetime.fromtimestamp(self.clock() - 89 * 86400, timezone.utc)
                params = {
                    "reportTypes": SETTLEMENT,
                    "processingStatuses": "DONE",
                    "createdSince": max(since, _iso(oldest), key=_time),
                    "pageSize": self.page_size,
                }
            self._lists = {key: self.call("getReports", f"{REPORTS}/reports", params)}
        return self._lists[key]

    def _document(self, document_id):
        """The report's content: its pre-signed URL downloaded (a 403 there means the URL expired:
        ask for a new one, once), then decompressed when it is GZIP."""
        for attempt in (0, 1):
            info = self.call("getReportDocument", f"{REPORTS}/documents/{document_id}")
            try:
                response = self.http.request("GET", info["url"], expect_json=False)
            except ConnectorError as error:
                if error.status == 403 and attempt == 0:
                    continue
                raise
            if (info.get("compressionAlgorithm") or "").upper() != "GZIP":
                return response.body
            try:
                return gzip.decompress(response.body)
            except (OSError, EOFError, zlib.error) as error:
                if attempt == 0:
                    continue
                raise ConnectorError(
                    "platform_error",
                    {"platform": self.platform, "code": "GZIP", "detail": str(error)},
                ) from None
        raise ConnectorError(
            "auth_failed", {"platform": self.platform, "detail": "report document URL refused"}, status=403
        )

    def _fetch_orders(self, cursor):
        state = decode_cursor(cursor)
        since = state.get("since") or _iso(datetime(*self.since.timetuple()[:3], tzinfo=timezone.utc))
        if state.get("token"):
            params = {"NextToken": state["token"], "MarketplaceIds": self._marketplace()}
        else:
            params = {
                "MarketplaceIds": self._marketplace(),
                "LastUpdatedAfter": since,
                "MaxResultsPerPage": min(100, self.page_size),
            }
        payload = self.call("getOrders", "/orders/v0/orders", params).get("payload") or {}
        found = payload.get("Orders") or []
        newest = max(
            [since, state.get("newest") or since, *(o.get("LastUpdateDate", since) for o in found)], key=_time
        )
        orders = [order for order in (self._order(raw) for raw in found) if order is not None]
        if payload.get("NextToken"):
            next_state, more = {"since": since, "token": payload["NextToken"], "newest": newest}, True
        else:
            next_state, more = {"since": newest}, False
        page = Page("orders", cursor, encode_cursor(next_state), has_more=more)
        if orders:
            page.content, page.rows = orders_csv(orders)
            page.filename = f"amazon-orders-{_stamp(since)}-{orders[0]['order_ref']}.csv"
            page.fmt = "orders_csv"
            page.options = dict(ORDER_OPTIONS)
        return page

    def _marketplace(self):
        return self.credentials.get("marketplace_id") or DEFAULT_MARKETPLACE

    def _order(self, raw):
        """An SP-API order with its items (``getOrderItems``, paged) as a canonical order."""
        if ORDER_STATUS.get(raw.get("OrderStatus"), "paid") is None:
            return None
        items, token = [], None
        while True:
            path = f"/orders/v0/orders/{raw['AmazonOrderId']}/orderItems"
            params = {"NextToken": token} if token else None
            payload = self.call("getOrderItems", path, params).get("payload") or {}
            items.extend(payload.get("OrderItems") or ())
            token = payload.get("NextToken")
            if not token:
                return canonical_order(raw, items)


def canonical_order(raw, items):
    """An SP-API order and its items as a canonical order (None: not paid yet).

    ``ItemPrice`` is the price of the item times its quantity. What ``OrderTotal`` adds to the
    items (shipping, taxes, promotions) goes on one more line without a SKU, so that the lines
    add up to the total as the canonical layout checks. Buyer and address are personal data
    SP-API only gives with a Restricted Data Token: without one they stay empty. Refunds are not
    in the Orders API (they are in the settlement reports).
    """
    status = ORDER_STATUS.get(raw.get("OrderStatus"), "paid")
    if status is None:
        return None
    lines = []
    for item in items:
        quantity = int(item.get("QuantityOrdered") or 0)
        price = Decimal((item.get("ItemPrice") or {}).get("Amount") or "0")
        if quantity > 0:
            unit = price / quantity
            if unit * quantity != price:
                unit = unit.quantize(Decimal("0.0001"))
            lines.append({"sku": item.get("SellerSKU") or "", "quantity": quantity, "unit_price": unit})
    items_total = sum((line["unit_price"] * line["quantity"] for line in lines), Decimal(0))
    total = raw.get("OrderTotal") or {}
    amount = Decimal(total["Amount"]) if total.get("Amount") else items_total
    if amount != items_total or not lines:
        lines.append({"sku": "", "quantity": 1, "unit_price": amount - items_total})
    address = raw.get("ShippingAddress") or {}
    return {
        "order_ref": raw["AmazonOrderId"],
        "order_time": _utc_text(raw.get("PurchaseDate")),
        "paid_time": _utc_text(raw.get("PurchaseDate")),
        "status": status,
        "currency": total.get("CurrencyCode") or "",
        "amount_paid": amount,
        "refund_amount": Decimal("0.00"),
        "buyer_name": (raw.get("BuyerInfo") or {}).get("BuyerName") or address.get("Name") or "",
        "buyer_phone": address.get("Phone") or "",
        "address": " ".join(address[key] for key in ADDRESS_KEYS if address.get(key)),
        "lines": lines,
    }


def _json(text):
    try:
        value = json.loads(text or "")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _time(text):
    """An SP-API ISO 8601 time (``2024-03-15T02:00:00Z`` or with an offset) as an aware datetime."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _iso(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc_text(text):
    return _time(text).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S") if text else ""


def _stamp(text):
    return _time(text).strftime("%Y%m%d%H%M%S")
