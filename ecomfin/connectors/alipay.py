# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Alipay: the daily 账务明细 (account ledger) bill through the open API gateway.

Stream ``bill`` (daily, Beijing days): ``alipay.data.dataservice.bill.downloadurl.query`` with
``bill_type=signcustomer`` gives a download address, valid 30 seconds, of the day's bill: a
zip holding the 账务明细 CSV (GBK) and its 汇总 (summary) CSV. The page is that zip exactly as
downloaded (fmt ``alipay``): :func:`ecomfin.parsers.parse` reads a zip's members and leaves
the 汇总 member out, so the zip imports as the ONE statement of its detail file, and a zip
downloaded by hand from the merchant centre is the same file (same hash: imported once).

Requests are signed ``RSA2`` with the app's private key; the answer is verified with Alipay's
public key over the exact text of its ``..._response`` member (see :func:`response_node`).
A day whose bill Alipay does not have yet (``isp.bill_not_exist``) is a missing day.
"""

import io
import json
import zipfile
from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from . import rsa
from .base import Connector, ConnectorError, Page, Stream

METHOD = "alipay.data.dataservice.bill.downloadurl.query"
SUCCESS = "10000"
#: sub codes of an unusable app key or signature
AUTH_CODES = frozenset(
    {"isv.invalid-signature", "isv.missing-signature", "isv.invalid-app-id", "isv.invalid-signature-type"}
)
#: sub codes of an expired or revoked app_auth_token (a third-party app acting for the merchant)
TOKEN_CODES = frozenset(
    {
        "aop.invalid-app-auth-token",
        "aop.app-auth-token-time-out",
        "aop.invalid-auth-token",
        "aop.auth-token-time-out",
    }
)
#: gateway codes a later attempt can cure (service busy)
BUSY_CODES = frozenset({"20000"})
SHANGHAI = ZoneInfo("Asia/Shanghai")


# Signature: https://opendocs.alipay.com/common/02kf5q (自行实现签名): every parameter but
# ``sign`` and the empty ones, sorted by name, ``name=value`` joined with ``&`` (values raw,
# not URL-encoded), signed SHA256withRSA with the app's private key, base64.
def sign_content(params):
    """The text Alipay's gateway signs of the request parameters ``params``."""
    return "&".join(
        f"{name}={params[name]}"
        for name in sorted(params)
        if name != "sign" and params[name] not in (None, "")
    )


def sign_params(params, private_key):
    """``params`` with their ``sign`` (``private_key``: a loaded key, see :mod:`.rsa`)."""
    return {**params, "sign": rsa.sign(private_key, sign_content(params))}


# Verification: https://opendocs.alipay.com/common/02mse7 (自行实现验签): the signed text is
# the ``<method with _>_response`` member of the answer exactly as sent (not re-serialised).
def response_node(text, method=METHOD):
    """``(key, node, node_text, sign)`` of an answer of ``method``: the member's name, its value,
    its exact text in the answer, and the answer's ``sign`` (None if unsigned)."""
    key = method.replace(".", "_") + "_response"
    data = json.loads(text)
    if key not in data and "error_response" in data:
        key = "error_response"
    if not isinstance(data.get(key), dict):
        raise ConnectorError(
            "platform_error", {"platform": "alipay", "code": "no_response", "detail": text[:200]}
        )
    start = text.find(f'"{key}"')
    start = text.index(":", start + len(key) + 2) + 1
    while text[start] in " \t\r\n":
        start += 1
    _node, end = json.JSONDecoder().raw_decode(text, start)
    return key, data[key], text[start:end], data.get("sign")


def verify_response(text, public_key, method=METHOD):
    """The ``..._response`` node of a gateway answer, its signature checked.

    A success must be signed; an error Alipay signed is checked too, one it did not sign (a
    gateway refusal, say of the request's own signature) is taken as it is.
    """
    _key, node, node_text, signature = response_node(text, method)
    if signature is None and node.get("code") != SUCCESS:
        return node
    if not rsa.verify(public_key, node_text, signature):
        raise ConnectorError(
            "response_signature",
            {"platform": "alipay", "detail": "the sign does not match alipay_public_key"},
        )
    return node


class AlipayConnector(Connector):
    platform = "alipay"
    streams = {"bill": Stream("bill", "alipay", daily=True)}
    credential_fields = ("app_id", "private_key", "alipay_public_key")
    #: credentials used when given: a third-party app acting for the merchant has one
    optional_credential_fields = ("app_auth_token",)
    timezone = "Asia/Shanghai"

    def __init__(self, base_url, credentials, http, **kwargs):
        super().__init__(base_url, credentials, http, **kwargs)
        self.private_key = rsa.load_private_key(
            self.credentials["private_key"], platform=self.platform, field="private_key"
        )
        self.public_key = rsa.load_public_key(
            self.credentials["alipay_public_key"], platform=self.platform, field="alipay_public_key"
        )

    def gateway(self):
        """The gateway's address (``base_url`` may be the host or the gateway itself)."""
        return self.base_url if self.base_url.endswith("/gateway.do") else f"{self.base_url}/gateway.do"

    def fetch_day(self, stream, day):
        node = self.call(METHOD, {"bill_type": "signcustomer", "bill_date": day.isoformat()})
        if node is None:
            return self.missing(stream, day)
        url = node.get("bill_download_url")
        if not url:
            raise ConnectorError(
                "platform_error",
                {"platform": self.platform, "code": "no_bill_download_url", "detail": json.dumps(node)[:200]},
            )
        response = self.http.request("GET", url, expect_json=False)
        content = response.body
        rows = _ledger_rows(content)
        if rows is None:
            raise ConnectorError(
                "bill_not_readable",
                {"platform": self.platform, "day": day.isoformat(), "expected": "zip (账务明细)"},
                retryable=True,  # an expired address answers a page: a new one may serve the file
            )
        cursor = day.isoformat()
        name = (parse_qs(urlsplit(url).query).get("downloadFileName") or [""])[0]
        filename = (
            name if name.endswith(".zip") else f"alipay-{self.credentials['app_id']}-{day:%Y%m%d}.csv.zip"
        )
        return Page(
            stream, cursor, None, has_more=False, filename=filename, fmt="alipay", content=content, rows=rows
        )

    def call(self, method, biz_content):
        """The verified ``..._response`` node of ``method`` (None: the bill does not exist yet).

        "Service busy" answers are asked again, paused as the HTTP retries are.
        """
        attempts = self.http.retry.attempts
        for attempt in range(attempts):
            response = self.http.request("POST", self.gateway(), data=self.signed(method, biz_content))
            node = verify_response(response.body.decode("utf-8"), self.public_key, method)
            code, sub_code = str(node.get("code", "")), node.get("sub_code", "")
            if code == SUCCESS:
                return node
            if sub_code == "isp.bill_not_exist":
                return None
            if code in BUSY_CODES and attempt + 1 < attempts:
                self.http.sleep(self.http.retry.pause(attempt))
                continue
            raise self._error(node)
        raise AssertionError("unreachable")  # pragma: no cover

    def signed(self, method, biz_content):
        """The form of a gateway call, signed (common parameters + ``biz_content``)."""
        params = {
            "app_id": self.credentials["app_id"],
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
            "version": "1.0",
            "biz_content": json.dumps(biz_content, ensure_ascii=False, separators=(",", ":")),
        }
        if self.credentials.get("app_auth_token"):
            params["app_auth_token"] = self.credentials["app_auth_token"]
        return sign_params(params, self.private_key)

    def _error(self, node):
        code, sub_code = str(node.get("code", "")), node.get("sub_code", "")
        detail = " ".join(filter(None, (sub_code, node.get("sub_msg") or node.get("msg", ""))))
        if sub_code in AUTH_CODES:
            return ConnectorError(
                "auth_failed", {"platform": self.platform, "detail": detail}, platform_code=sub_code
            )
        if sub_code in TOKEN_CODES:
            return ConnectorError("token_expired", {"platform": self.platform}, platform_code=sub_code)
        return ConnectorError(
            "platform_error",
            {"platform": self.platform, "code": sub_code or code, "detail": detail},
            retryable=code in BUSY_CODES,
            platform_code=sub_code or code,
        )


def _ledger_rows(content):
    """The rows of the 账务明细 member of a downloaded zip (None: not a readable bill zip)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except zipfile.BadZipFile:
        return None
    for info in members:
        data = archive.read(info)
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = data.decode("utf-8", "replace")
        if not text.lstrip("\ufeff").startswith("#支付宝账务明细查询"):
            continue
        lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        return max(0, len(lines) - 1)  # less the header
    return None
