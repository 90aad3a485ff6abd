# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""WeChat Pay API v3: the daily 交易账单 (trade bill) and 资金账单 (fund flow bill).

Streams (daily, Beijing days): ``bill`` = ``GET /v3/bill/tradebill?bill_date=..&bill_type=ALL``
(fmt ``wechat_trade``) and ``fund`` = ``GET /v3/bill/fundflowbill?bill_date=..&account_type=BASIC``
(fmt ``wechat_fund``). Each answers ``{"hash_type": "SHA1", "hash_value", "download_url"}``; the
bill is then downloaded from ``download_url`` (a signed GET too) and checked against the hash.
The page is the bill as downloaded (the CSV the parsers read), so a bill downloaded by hand
from the merchant platform is the same file.

Every request carries ``Authorization: WECHATPAY2-SHA256-RSA2048 ...`` signed with the
merchant's API private key (:func:`authorization`). Answers are verified with the WeChat Pay
platform public key when one is configured (``platform_public_key``): the download itself is
unsigned by WeChat (its hash is the check), as the docs say.

``STATEMENT_CREATING`` is a missing day (the bill is being made). ``NO_STATEMENT_EXIST`` is too
for the last :attr:`WechatConnector.settle_days` days; for an older day WeChat means that the
merchant had no transaction that day (its error text says so), and the day is passed over
with no page: a day stream must not stop for ever at a day without trade.
"""

import hashlib
import json
import secrets
import time as _time
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from . import rsa
from .base import Connector, ConnectorError, Page, Stream

AUTH_SCHEMA = "WECHATPAY2-SHA256-RSA2048"
#: answers older or newer than this many seconds are refused (as WeChat's SDKs do)
MAX_SKEW = 300
PATHS = {"bill": "/v3/bill/tradebill", "fund": "/v3/bill/fundflowbill"}
FILE_NAMES = {"bill": "trade", "fund": "fund"}


# Request signature: https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml
# (签名生成): five lines, each ended by "\n": method, the URL's path with its query,
# timestamp, nonce, body ("" for a GET); SHA256withRSA with the merchant's private key, base64.
def sign_message(method, url_path, timestamp, nonce, body=""):
    """The text a request's signature covers (``url_path``: path and ``?query`` as sent)."""
    return f"{method}\n{url_path}\n{timestamp}\n{nonce}\n{body}\n"


def authorization(mchid, serial_no, private_key, method, url_path, *, timestamp, nonce, body=""):
    """The ``Authorization`` header of a request."""
    signature = rsa.sign(private_key, sign_message(method, url_path, timestamp, nonce, body))
    return (
        f'{AUTH_SCHEMA} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{serial_no}"'
    )


# Answer signature: https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml
# (签名验证): "timestamp\nnonce\nbody\n" from the Wechatpay-Timestamp/-Nonce headers and the
# body as received, verified with the platform public key against Wechatpay-Signature.
def answer_message(timestamp, nonce, body):
    """The text an answer's ``Wechatpay-Signature`` covers (``body``: bytes or text)."""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return f"{timestamp}\n{nonce}\n{body}\n"


class WechatConnector(Connector):
    platform = "wechat"
    streams = {
        "bill": Stream("bill", "wechat_trade", daily=True),
        "fund": Stream("fund", "wechat_fund", daily=True),
    }
    credential_fields = ("mchid", "serial_no", "private_key")
    #: used when given: answers are then verified
    optional_credential_fields = ("platform_public_key",)
    timezone = "Asia/Shanghai"
    #: days (before today) for which NO_STATEMENT_EXIST may still mean "not made yet"
    settle_days = 2

    def __init__(self, base_url, credentials, http, *, clock=_time.time, **kwargs):
        super().__init__(base_url, credentials, http, **kwargs)
        self.clock = clock
        self.private_key = rsa.load_private_key(
            self.credentials["private_key"], platform=self.platform, field="private_key"
        )
        self.platform_key = None
        if self.credentials.get("platform_public_key"):
            self.platform_key = rsa.load_public_key(
                self.credentials["platform_public_key"], platform=self.platform, field="platform_public_key"
            )

    def fetch_day(self, stream, day):
        query = {"bill_date": day.isoformat()}
        query.update({"bill_type": "ALL"} if stream == "bill" else {"account_type": "BASIC"})
        answer = self.get_json(f"{PATHS[stream]}?{urlencode(query)}", day)
        if answer is None:
            return self.missing(stream, day)
        if answer == {}:  # no transaction that day
            return Page(stream, day.isoformat(), None, has_more=False)
        content = self.download(answer, day)
        cursor = day.isoformat()
        return Page(
            stream,
            cursor,
            None,
            has_more=False,
            filename=f"wechat-{self.credentials['mchid']}-{FILE_NAMES[stream]}-{day:%Y%m%d}.csv",
            fmt=self.streams[stream].fmt,
            content=content,
            rows=_detail_rows(content),
        )

    # -- requests ----------------------------------------------------------
    def headers(self, method, url_path, body=""):
        timestamp = str(int(self.clock()))
        nonce = secrets.token_hex(16).upper()
        return {
            "Authorization": authorization(
                self.credentials["mchid"],
                self.credentials["serial_no"],
                self.private_key,
                method,
                url_path,
                timestamp=timestamp,
                nonce=nonce,
                body=body,
            ),
            "Accept": "application/json",
            "User-Agent": "ecomfin-connector (+https://github.com/ecom-finance)",
        }

    def get_json(self, url_path, day):
        """The verified JSON answer of a bill request; None for a missing day, {} for a day
        without transactions."""
        try:
            response = self.http.request(
                "GET", self.base_url + url_path, headers=self.headers("GET", url_path)
            )
        except ConnectorError as error:
            if error.code != "http_status":
                raise
            return self._refusal(error, day)
        self.check_answer(response)
        return response.json()

    def _refusal(self, error, day):
        """What a 4xx answer means (the HTTP client keeps its first 300 characters)."""
        try:
            body = json.loads(error.params.get("body") or "")
        except ValueError:
            body = {}
        code = body.get("code") or ""
        if code == "STATEMENT_CREATING":
            return None
        if code == "NO_STATEMENT_EXIST":
            return None if day >= self.today() - timedelta(days=self.settle_days) else {}
        if error.status == 401 or code == "SIGN_ERROR":
            raise ConnectorError(
                "auth_failed",
                {"platform": self.platform, "detail": body.get("message") or error.params.get("body", "")},
                status=error.status,
                platform_code=code or None,
            ) from None
        if not code:
            raise error
        raise ConnectorError(
            "platform_error",
            {"platform": self.platform, "code": code, "detail": body.get("message", "")},
            status=error.status,
            platform_code=code,
        ) from None

    def check_answer(self, response):
        """Verify a JSON answer's ``Wechatpay-Signature`` (when a platform key is configured)."""
        if self.platform_key is None:
            return
        headers = response.headers
        timestamp = headers.get("wechatpay-timestamp", "")
        nonce = headers.get("wechatpay-nonce", "")
        signature = headers.get("wechatpay-signature", "")
        if not (timestamp and nonce and signature):
            detail = "the answer is not signed"
        elif not timestamp.isdigit() or abs(self.clock() - int(timestamp)) > MAX_SKEW:
            detail = f"its timestamp {timestamp} is not within {MAX_SKEW} s of now"
        elif not rsa.verify(self.platform_key, answer_message(timestamp, nonce, response.body), signature):
            serial = headers.get("wechatpay-serial", "?")
            detail = f"Wechatpay-Signature does not match platform_public_key (serial {serial})"
        else:
            return
        raise ConnectorError("response_signature", {"platform": self.platform, "detail": detail})

    def download(self, answer, day):
        """The bill at ``answer["download_url"]``, checked against its hash; a mismatch is
        downloaded again (paused as HTTP retries are), then refused."""
        url = answer.get("download_url") or ""
        split = urlsplit(url)
        url_path = split.path + (f"?{split.query}" if split.query else "")
        algorithm = (answer.get("hash_type") or "SHA1").upper()
        expected = (answer.get("hash_value") or "").lower()
        if not url or algorithm not in ("SHA1", "SHA256"):
            raise ConnectorError(
                "platform_error",
                {"platform": self.platform, "code": "bad_bill_answer", "detail": json.dumps(answer)[:200]},
            )
        attempts = self.http.retry.attempts
        for attempt in range(attempts):
            response = self.http.request("GET", url, expect_json=False, headers=self.headers("GET", url_path))
            received = hashlib.new(algorithm.lower(), response.body).hexdigest()
            if received == expected:
                return response.body
            if attempt + 1 < attempts:
                self.http.stats["retries"] += 1
                self.http.sleep(self.http.retry.pause(attempt))
        raise ConnectorError(
            "bill_hash_mismatch",
            {"platform": self.platform, "day": day.isoformat(), "algorithm": algorithm, "attempts": attempts},
        )


def _detail_rows(content):
    """The detail rows of a bill: its lines starting with a backtick, less the summary row."""
    text = content.decode("utf-8", "replace")
    return max(0, sum(1 for line in text.splitlines() if line.startswith("`")) - 1)
