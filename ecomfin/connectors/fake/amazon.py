# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Amazon SP-API over a fake shop: the LWA token endpoint, the Reports API (settlement reports,
their documents and pre-signed downloads) and the Orders API (getOrders, getOrderItems).

The fake serves the LWA token endpoint itself (the backend's ``lwa_url`` credential is set to
the fake's URL). Tokens live one hour; a call with an unknown or expired token is answered as
SP-API does (403 ``Unauthorized``). A settlement period is ``settlement_days`` days (Amazon's
are about 14); each period over before the shop's today has one report, created two hours after
the period's end, listed newest first. Every answer carries ``x-amzn-RateLimit-Limit``
(``rate_limits``: the published defaults unless the test gives others).
"""

import base64
import gzip
import hashlib
import hmac
import io
import json
import secrets
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from ..amazon import RATE_LIMITS, SETTLEMENT
from .server import FakeApi, Reply

COLUMNS = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount",
    "currency", "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id",
    "marketplace-name", "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date",
    "posted-date-time", "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id",
    "sku", "quantity-purchased", "promotion-id",
)  # fmt: skip
MARKETPLACES = {"USD": "Amazon.com", "CNY": "Amazon.cn", "EUR": "Amazon.de", "GBP": "Amazon.co.uk"}
#: the key the fake "S3" signs its download URLs with
_URL_KEY = b"fake-s3-presign-key"


class FakeAmazon(FakeApi):
    platform = "amazon"
    credentials = {
        "client_id": "amzn1.application-oa2-client.fake",
        "client_secret": "amzn1.oa2-cs.v1.fake-secret",
        "refresh_token": "Atzr|fake-refresh-token",
    }

    def __init__(self, shop, credentials=None, *, settlement_days=14, rate_limits=None, token_life=3600):
        super().__init__(shop, credentials)
        self.settlement_days = settlement_days
        self.rate_limits = {op: str(rate) for op, (rate, _burst) in RATE_LIMITS.items()}
        self.rate_limits.update({op: str(rate) for op, rate in (rate_limits or {}).items()})
        self.token_life = token_life
        self.tokens = {}
        self.stats.update(tokens_issued=0, downloads=0)

    def credentials_for(self, url):
        # the fake serves Login with Amazon itself
        return {**self.credentials, "lwa_url": url}

    # -- dispatch --------------------------------------------------------------
    def handle(self, request):
        if request.path == "/auth/o2/token":
            return self._token(request)
        if request.path.startswith("/sp-documents/"):
            return self._download(request)
        token = request.headers.get("x-amz-access-token", "")
        expires = self.tokens.get(token)
        if expires is None:
            return self.bad_signature(
                _unauthorized("The access token you provided is revoked, malformed or invalid.")
            )
        if expires <= time.time():
            return _unauthorized("The access token you provided has expired.")
        path = request.path
        if path == "/reports/2021-06-30/reports":
            return self._limited("getReports", self._reports(request))
        if path.startswith("/reports/2021-06-30/documents/"):
            return self._limited("getReportDocument", self._document(path.rsplit("/", 1)[1], request))
        if path == "/orders/v0/orders":
            return self._limited("getOrders", self._orders(request))
        if path.startswith("/orders/v0/orders/") and path.endswith("/orderItems"):
            return self._limited("getOrderItems", self._items(path.split("/")[4]))
        return _error(404, "NotFound", "Resource not found")

    def expired_reply(self, request):
        if request.path.startswith("/sp-documents/"):
            return _s3_denied("Request has expired")
        return _unauthorized("The access token you provided has expired.")

    def _limited(self, operation, reply):
        reply.headers["x-amzn-RateLimit-Limit"] = self.rate_limits[operation]
        reply.headers["x-amzn-RequestId"] = secrets.token_hex(8)
        return reply

    # -- Login with Amazon -----------------------------------------------------
    def _token(self, request):
        form = request.form()
        if request.method != "POST" or form.get("grant_type") != "refresh_token":
            return Reply.json(
                {"error": "unsupported_grant_type", "error_description": "Invalid grant type"}, 400
            )
        if (
            form.get("client_id") != self.credentials["client_id"]
            or form.get("client_secret") != (self.credentials["client_secret"])
        ):
            return self.bad_signature(
                Reply.json(
                    {"error": "invalid_client", "error_description": "Client authentication failed"}, 401
                )
            )
        if form.get("refresh_token") != self.credentials["refresh_token"]:
            return self.bad_signature(
                Reply.json(
                    {
                        "error": "invalid_grant",
                        "error_description": "The request has an invalid grant parameter",
                    },
                    400,
                )
            )
        token = "Atza|" + secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = time.time() + self.token_life
            self.stats["tokens_issued"] += 1
        return Reply.json(
            {
                "access_token": token,
                "refresh_token": self.credentials["refresh_token"],
                "token_type": "bearer",
                "expires_in": self.token_life,
            }
        )

    # -- Reports API -----------------------------------------------------------
    def settlements(self):
        """The settlement periods over: dicts with ``id``, ``start``, ``end``, ``created``."""
        periods = []
        start = self.shop.first_day
        while start + timedelta(days=self.settlement_days) <= self.shop.today:
            end = start + timedelta(days=self.settlement_days)
            number = f"{self.shop.seed}{start:%Y%m%d}"
            periods.append(
                {
                    "id": number,
                    "start": start,
                    "end": end,
                    "created": datetime(end.year, end.month, end.day, 2, tzinfo=timezone.utc),
                }
            )
            start = end
        return periods

    def _reports(self, request):
        query = request.query
        if query.get("nextToken"):
            try:
                state = json.loads(base64.urlsafe_b64decode(query["nextToken"]))
            except ValueError:
                return _error(400, "InvalidInput", "Invalid nextToken")
        else:
            if query.get("reportTypes") != SETTLEMENT:
                return _error(400, "InvalidInput", "reportTypes must be given")
            state = {
                "since": query.get("createdSince", ""),
                "size": int(query.get("pageSize", 10)),
                "offset": 0,
            }
        if not 1 <= state["size"] <= 100:
            return _error(400, "InvalidInput", "pageSize must be between 1 and 100")
        since = _parse(state["since"]) if state["since"] else datetime.min.replace(tzinfo=timezone.utc)
        found = [period for period in self.settlements() if period["created"] >= since]
        found.sort(key=lambda period: period["created"], reverse=True)
        page = found[state["offset"] : state["offset"] + state["size"]]
        body = {"reports": [_report(period) for period in page]}
        if state["offset"] + state["size"] < len(found):
            body["nextToken"] = base64.urlsafe_b64encode(
                json.dumps({**state, "offset": state["offset"] + state["size"]}).encode()
            ).decode()
        return Reply.json(body)

    def _document(self, document_id, request):
        number = document_id.rsplit(".", 1)[-1]
        if not any(period["id"] == number for period in self.settlements()):
            return _error(404, "NotFound", f"Report document {document_id} not found")
        compressed = int(number[-1]) % 2 == 0
        expires = int(time.time()) + 300
        path = f"/sp-documents/{number}"
        signature = _presign(path, expires)
        host = request.headers.get("host", "127.0.0.1")
        body = {
            "reportDocumentId": document_id,
            "url": f"http://{host}{path}?X-Amz-Expires={expires}&X-Amz-Signature={signature}",
        }
        if compressed:
            body["compressionAlgorithm"] = "GZIP"
        return Reply.json(body)

    def _download(self, request):
        number = request.path.rsplit("/", 1)[1]
        expires = request.query.get("X-Amz-Expires", "0")
        if not hmac.compare_digest(request.query.get("X-Amz-Signature", ""), _presign(request.path, expires)):
            return self.bad_signature(_s3_denied("The request signature we calculated does not match"))
        if int(expires) < time.time():
            return _s3_denied("Request has expired")
        period = next((p for p in self.settlements() if p["id"] == number), None)
        if period is None:
            return _s3_denied("The specified key does not exist.")
        content = self.settlement_file(period)
        with self.lock:
            self.stats["downloads"] += 1
        if int(number[-1]) % 2 == 0:
            content = gzip.compress(content, mtime=0)
        return Reply(200, content, {"Content-Type": "application/octet-stream"})

    def settlement_file(self, period):
        """The settlement V2 flat file of ``period`` (tab-separated, the summary row first)."""
        rows = []
        day = period["start"]
        while day < period["end"]:
            for movement in self.shop.bill_rows(day):
                rows.extend(self._amounts(movement))
            day += timedelta(days=1)
        total = sum((row["amount"] for row in rows), Decimal("0"))
        out = io.StringIO()
        out.write("\t".join(COLUMNS) + "\n")
        summary = {
            "settlement-id": period["id"],
            "settlement-start-date": f"{period['start']:%Y-%m-%d} 00:00:00 UTC",
            "settlement-end-date": f"{period['end']:%Y-%m-%d} 00:00:00 UTC",
            "deposit-date": f"{period['end'] + timedelta(days=2):%Y-%m-%d} 00:00:00 UTC",
            "total-amount": f"{total:.2f}",
            "currency": self.shop.currency,
        }
        out.write("\t".join(summary.get(column, "") for column in COLUMNS) + "\n")
        marketplace = MARKETPLACES.get(self.shop.currency, "Amazon.com")
        for row in rows:
            values = {
                "settlement-id": period["id"],
                "marketplace-name": marketplace,
                "posted-date": f"{row['time']:%Y-%m-%d}",
                "posted-date-time": f"{row['time']:%Y-%m-%d %H:%M:%S} UTC",
                "fulfillment-id": "AFN",
                **{key: value for key, value in row.items() if key not in ("time", "amount")},
                "amount": f"{row['amount']:.2f}",
            }
            out.write("\t".join(str(values.get(column, "")) for column in COLUMNS) + "\n")
        return out.getvalue().encode("utf-8")

    def _amounts(self, movement):
        """The settlement rows of one of the shop's movements (a payout is the settlement's
        deposit itself, not a row)."""
        if movement["type"] == "payout":
            return []
        order = self.shop.order(_index(movement["order_ref"]))
        base = {
            "order-id": order["order_ref"],
            "merchant-order-id": order["order_ref"],
            "time": movement["time"],
        }
        if movement["type"] == "refund":
            return [
                {
                    **base,
                    "transaction-type": "Refund",
                    "adjustment-id": f"A{order['order_ref']}",
                    "amount-type": "ItemPrice",
                    "amount-description": "Principal",
                    "amount": -order["refund_amount"],
                }
            ]
        rows = [
            {
                **base,
                "transaction-type": "Order",
                "amount-type": "ItemPrice",
                "amount-description": "Principal",
                "sku": line["sku"],
                "quantity-purchased": str(line["quantity"]),
                "amount": line["unit_price"] * line["quantity"],
            }
            for line in order["lines"]
        ]
        rows.append(
            {
                **base,
                "transaction-type": "Order",
                "amount-type": "ItemFees",
                "amount-description": "Commission",
                "amount": -order["fee"],
            }
        )
        return rows

    # -- Orders API --------------------------------------------------------------
    def _orders(self, request):
        query = request.query
        if query.get("NextToken"):
            try:
                state = json.loads(base64.urlsafe_b64decode(query["NextToken"]))
            except ValueError:
                return _error(400, "InvalidInput", "Invalid NextToken")
        else:
            if not query.get("MarketplaceIds") or not query.get("LastUpdatedAfter"):
                return _error(400, "InvalidInput", "MarketplaceIds and LastUpdatedAfter are required")
            state = {
                "after": query["LastUpdatedAfter"],
                "size": int(query.get("MaxResultsPerPage", 100)),
                "offset": 0,
            }
        after = _parse(state["after"])
        found = [order for order in self._all_orders() if _updated(order) >= after]
        page = found[state["offset"] : state["offset"] + state["size"]]
        payload = {"Orders": [self._order_object(order) for order in page]}
        if state["offset"] + state["size"] < len(found):
            payload["NextToken"] = base64.urlsafe_b64encode(
                json.dumps({**state, "offset": state["offset"] + state["size"]}).encode()
            ).decode()
        return Reply.json({"payload": payload})

    def _all_orders(self):
        cached = getattr(self, "_orders_cache", None)
        if cached is None:
            cached = sorted(self.shop.orders(), key=lambda order: (_updated(order), order["index"]))
            self._orders_cache = cached
        return cached

    def _order_object(self, order):
        status = {"paid": "Unshipped", "shipped": "Shipped", "completed": "Shipped", "refunded": "Shipped"}
        return {
            "AmazonOrderId": order["order_ref"],
            "PurchaseDate": _z(order["order_time"]),
            "LastUpdateDate": _z(_updated_naive(order)),
            "OrderStatus": status[order["status"]],
            "OrderTotal": {"CurrencyCode": order["currency"], "Amount": f"{order['amount_paid']:.2f}"},
            "MarketplaceId": "ATVPDKIKX0DER",
            "BuyerInfo": {"BuyerName": order["buyer_name"]},
            "ShippingAddress": {
                "Name": order["buyer_name"],
                "AddressLine1": order["address"],
                "Phone": order["buyer_phone"],
            },
        }

    def _items(self, order_id):
        try:
            order = self.shop.order(_index(order_id))
        except ValueError:
            order = None
        if order is None or order["order_ref"] != order_id or order["index"] >= self.shop.count:
            return _error(404, "NotFound", f"Order {order_id} not found")
        items = [
            {
                "ASIN": f"B0{number:08d}",
                "SellerSKU": line["sku"],
                "OrderItemId": f"{order['index']}{number}",
                "QuantityOrdered": line["quantity"],
                "ItemPrice": {
                    "CurrencyCode": order["currency"],
                    "Amount": f"{line['unit_price'] * line['quantity']:.2f}",
                },
            }
            for number, line in enumerate(order["lines"], 1)
        ]
        return Reply.json({"payload": {"AmazonOrderId": order_id, "OrderItems": items}})


def _report(period):
    created = period["created"]
    return {
        "reportId": period["id"],
        "reportType": SETTLEMENT,
        "dataStartTime": _z(datetime.combine(period["start"], datetime.min.time())),
        "dataEndTime": _z(datetime.combine(period["end"], datetime.min.time())),
        "createdTime": created.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "processingStatus": "DONE",
        "processingStartTime": created.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "processingEndTime": (created + timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "reportDocumentId": f"amzn1.spdoc.1.4.na.{period['id']}",
        "marketplaceIds": ["ATVPDKIKX0DER"],
    }


def _presign(path, expires):
    return hmac.new(_URL_KEY, f"{path}:{expires}".encode(), hashlib.sha256).hexdigest()


def _index(order_ref):
    """The shop's index of an order reference (``F1-0000042`` -> 41)."""
    return int(order_ref.rsplit("-", 1)[1]) - 1


def _updated_naive(order):
    return order["refunded_at"] or order["paid_time"]


def _updated(order):
    return _updated_naive(order).replace(tzinfo=timezone.utc)


def _z(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text):
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _error(status, code, message):
    return Reply.json({"errors": [{"code": code, "message": message}]}, status)


def _unauthorized(details):
    return Reply.json(
        {
            "errors": [
                {
                    "code": "Unauthorized",
                    "message": "Access to requested resource is denied.",
                    "details": details,
                }
            ]
        },
        403,
    )


def _s3_denied(message):
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>AccessDenied</Code><Message>{message}</Message></Error>"
    ).encode()
    return Reply(403, body, {"Content-Type": "application/xml"})
