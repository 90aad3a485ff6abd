# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""WeChat Pay API v3's bill endpoints over a fake shop: ``/v3/bill/tradebill``,
``/v3/bill/fundflowbill`` and ``/v3/billdownload/file``.

Every request's ``Authorization`` is checked as WeChat does (the merchant's public key, the
merchant id, the certificate serial, a timestamp within 5 minutes; a bad one is ``401
SIGN_ERROR``); JSON answers are signed with the fake platform key (``Wechatpay-*`` headers); the
bill itself is unsigned and checked by its SHA1. The bills are UTF-8 with a BOM, CRLF, every
value behind a backtick, the layouts of ``ecomfin.parsers.wechat``.

``api.pending``: days whose bills are "being made" (``STATEMENT_CREATING``); a day without any
transaction is ``NO_STATEMENT_EXIST``; ``api.corrupt`` > 0 serves that many bills altered
after their hash was given.
"""

import base64
import hashlib
import json
import secrets
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from .. import rsa
from .server import FakeApi, Reply

KEYS = Path(__file__).resolve().parent / "keys"
APPID = "wx2421b1c4370ec43b"
ZERO = Decimal("0.00")
TRADE_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
    "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,"
    "商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
)
TRADE_SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
FUND_HEADER = (
    "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),"
    "资金变更提交申请人,备注,业务凭证号"
)
FUND_SUMMARY = "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额"


def _key(name):
    return (KEYS / name).read_text(encoding="ascii")


class FakeWechat(FakeApi):
    platform = "wechat"
    credentials = {
        "mchid": "1900000109",
        "serial_no": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        "private_key": _key("wechat_test_merchant_private.pem"),
        "platform_public_key": _key("wechat_test_platform_public.pem"),
    }
    platform_serial = "PUB_KEY_ID_0119000001092026120700000001"

    def __init__(self, shop, credentials=None):
        super().__init__(shop, credentials)
        self.merchant_key = serialization.load_pem_public_key(
            _key("wechat_test_merchant_public.pem").encode("ascii")
        )
        self.private_key = serialization.load_pem_private_key(
            _key("wechat_test_platform_private.pem").encode("ascii"), password=None
        )
        self.pending = set()
        self.corrupt = 0

    def handle(self, request):
        refusal = self._check_authorization(request)
        if refusal is not None:
            return refusal
        if request.path in ("/v3/bill/tradebill", "/v3/bill/fundflowbill"):
            return self._apply(request, "trade" if request.path.endswith("tradebill") else "fund")
        if request.path == "/v3/billdownload/file":
            return self._download(request)
        return self._error(404, "RESOURCE_NOT_EXISTS", "资源不存在")

    # -- signatures --------------------------------------------------------
    def _check_authorization(self, request):
        header = request.headers.get("authorization", "")
        schema, _, rest = header.partition(" ")
        fields = {}
        for part in rest.split(","):
            name, _, value = part.strip().partition("=")
            fields[name] = value.strip('"')
        if schema != "WECHATPAY2-SHA256-RSA2048" or not {
            "mchid",
            "nonce_str",
            "signature",
            "timestamp",
            "serial_no",
        } <= set(fields):
            return self.bad_signature(self._error(401, "SIGN_ERROR", "Authorization不合法"))
        if fields["mchid"] != self.credentials["mchid"]:
            return self.bad_signature(self._error(401, "SIGN_ERROR", "商户号与Authorization不一致"))
        if fields["serial_no"] != self.credentials["serial_no"]:
            return self.bad_signature(self._error(401, "SIGN_ERROR", "商户证书序列号有误"))
        if not fields["timestamp"].isdigit() or abs(time.time() - int(fields["timestamp"])) > 300:
            return self.bad_signature(self._error(401, "SIGN_ERROR", "请求时间戳已过期"))
        # WeChat's own text of the request (https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml)
        message = (
            "\n".join(
                (
                    request.method,
                    request.raw_path,
                    fields["timestamp"],
                    fields["nonce_str"],
                    request.body.decode("utf-8"),
                )
            )
            + "\n"
        )
        if not rsa.verify(self.merchant_key, message, fields["signature"]):
            return self.bad_signature(self._error(401, "SIGN_ERROR", "签名错误"))
        return None

    def _signed(self, status, value):
        body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        stamp, nonce = str(int(time.time())), secrets.token_hex(16)
        signature = rsa.sign(self.private_key, f"{stamp}\n{nonce}\n{body.decode('utf-8')}\n")
        return Reply(
            status,
            body,
            {
                "Content-Type": "application/json; charset=utf-8",
                "Request-ID": secrets.token_hex(12),
                "Wechatpay-Nonce": nonce,
                "Wechatpay-Timestamp": stamp,
                "Wechatpay-Serial": self.platform_serial,
                "Wechatpay-Signature": signature,
                "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
            },
        )

    def _error(self, status, code, message):
        return self._signed(status, {"code": code, "message": message})

    def expired_reply(self, request):
        # API v3 has no access token: what ends a merchant's access is its API certificate
        # being revoked or expired, which WeChat answers like a wrong signature
        return self._error(401, "SIGN_ERROR", "商户证书已过期或已吊销")

    # -- bills -------------------------------------------------------------
    def _apply(self, request, kind):
        try:
            day = datetime.strptime(request.query.get("bill_date", ""), "%Y-%m-%d").date()
        except ValueError:
            return self._error(400, "PARAM_ERROR", "账单日期格式不正确")
        if kind == "trade" and request.query.get("bill_type", "ALL") != "ALL":
            return self._error(400, "PARAM_ERROR", "本模拟只提供 ALL 账单")
        if kind == "fund" and request.query.get("account_type", "BASIC") != "BASIC":
            return self._error(400, "PARAM_ERROR", "本模拟只提供基本账户")
        if day >= self.shop.today:
            return self._error(400, "INVALID_REQUEST", "账单日期不能是今天或未来")
        if day in self.pending:
            return self._error(400, "STATEMENT_CREATING", "账单生成中，请稍后再试")
        content = self.bill(kind, day)
        if content is None:
            return self._error(
                400, "NO_STATEMENT_EXIST", "账单文件不存在，请检查当前商户号在指定日期内是否有成功的交易"
            )
        token = base64.urlsafe_b64encode(f"{kind}:{day:%Y%m%d}".encode()).decode().rstrip("=")
        host = request.headers.get("host", "127.0.0.1")
        return self._signed(
            200,
            {
                "hash_type": "SHA1",
                "hash_value": hashlib.sha1(content).hexdigest(),
                "download_url": f"http://{host}/v3/billdownload/file?token={token}",
            },
        )

    def _download(self, request):
        token = request.query.get("token", "")
        try:
            kind, stamp = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":")
            day = datetime.strptime(stamp, "%Y%m%d").date()
        except ValueError:
            return self._error(400, "PARAM_ERROR", "token 无效")
        content = self.bill(kind, day) if day < self.shop.today else None
        if content is None:
            return self._error(400, "NO_STATEMENT_EXIST", "账单文件不存在")
        with self.lock:
            if self.corrupt > 0:
                self.corrupt -= 1
                content = content.replace(b"`", b"'", 1)
        # the download is not signed by WeChat: the hash of the bill request is its check
        return Reply(200, content, {"Content-Type": "application/octet-stream"})

    def bill(self, kind, day):
        """The bill bytes of ``kind`` ("trade", "fund") for ``day``; None when there is none."""
        movements = self.shop.bill_rows(day)
        lines = self._trade(movements) if kind == "trade" else self._fund(movements)
        if lines is None:
            return None
        return b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8")

    def _order(self, movement):
        order = self.shop.order(int(movement["order_ref"].rsplit("-", 1)[1]) - 1)
        number = f"{self.shop.seed % 10000:04d}{order['paid_time']:%Y%m%d}{order['index'] + 1:010d}"
        return order, f"420000{number}", f"503000{number}"

    def _trade(self, movements):
        rows = []
        sums = [ZERO] * 6
        for movement in movements:
            if movement["type"] not in ("sale", "refund"):
                continue
            order, transaction_id, refund_id = self._order(movement)
            openid = "oUpF8u" + hashlib.md5(order["order_ref"].encode()).hexdigest()[:22]
            item = "/".join(line["sku"] for line in order["lines"])
            bank = "CMB_CREDIT" if order["index"] % 3 else "OTHERS"
            if movement["type"] == "sale":
                gross, refund = movement["gross"], ZERO
                cells = [transaction_id, order["order_ref"], openid, "JSAPI", "SUCCESS", bank, "CNY",
                         f"{gross:.2f}", "0.00", "0", "0", "0.00", "0.00", "", ""]  # fmt: skip
            else:
                gross, refund = ZERO, -movement["gross"]
                cells = [transaction_id, order["order_ref"], openid, "JSAPI", "REFUND", bank, "CNY",
                         "0.00", "0.00", refund_id, f"{order['order_ref']}-R1", f"{refund:.2f}", "0.00",
                         "ORIGINAL", "SUCCESS"]  # fmt: skip
            fee = movement["fee"] if movement["type"] == "sale" else -movement["fee"]
            cells += [item, "", f"{fee:.5f}", "0.60%", f"{gross:.2f}", f"{refund:.2f}", ""]
            when = f"{movement['time']:%Y-%m-%d %H:%M:%S}"
            rows.append(
                ",".join("`" + cell for cell in [when, APPID, self.credentials["mchid"], "0", "", *cells])
            )
            for i, value in enumerate((gross, refund, ZERO, fee, gross, refund)):
                sums[i] += value
        if not rows:
            return None
        total = [f"{len(rows)}", f"{sums[0]:.2f}", f"{sums[1]:.2f}", f"{sums[2]:.2f}", f"{sums[3]:.5f}",
                 f"{sums[4]:.2f}", f"{sums[5]:.2f}"]  # fmt: skip
        return [TRADE_HEADER, *rows, TRADE_SUMMARY, ",".join("`" + cell for cell in total)]

    def _fund(self, movements):
        rows = []
        balance = Decimal("5000.00")
        counts = {"收入": [0, ZERO], "支出": [0, ZERO]}
        flows = []
        for movement in movements:
            when = movement["time"]
            if movement["type"] == "payout":
                amount = movement["gross"]
                name = "提现" if amount < 0 else "充值"
                flows.append((when, movement["id"], name, amount, ""))
                continue
            _order, transaction_id, refund_id = self._order(movement)
            if movement["type"] == "sale":
                flows.append((when, transaction_id, "交易", movement["gross"], movement["order_ref"]))
                if movement["fee"]:
                    flows.append(
                        (when, transaction_id, "扣除交易手续费", -movement["fee"], movement["order_ref"])
                    )
            else:
                flows.append((when, refund_id, "退款", movement["gross"], f"{movement['order_ref']}-R1"))
        day = flows[0][0] if flows else None
        for seq, (when, business_id, name, amount, voucher) in enumerate(flows, 1):
            balance += amount
            direction = "收入" if amount >= 0 else "支出"
            counts[direction][0] += 1
            counts[direction][1] += abs(amount)
            flow_id = f"{self.credentials['mchid']}{day:%Y%m%d}{seq:08d}"
            cells = [f"{when:%Y-%m-%d %H:%M:%S}", business_id, flow_id, name, name, direction,
                     f"{abs(amount):.2f}", f"{balance:.2f}", "system", "缺省", voucher]  # fmt: skip
            rows.append(",".join("`" + cell for cell in cells))
        if not rows:
            return None
        total = [f"{len(rows)}", f"{counts['收入'][0]}", f"{counts['收入'][1]:.2f}", f"{counts['支出'][0]}",
                 f"{counts['支出'][1]:.2f}"]  # fmt: skip
        return [FUND_HEADER, *rows, FUND_SUMMARY, ",".join("`" + cell for cell in total)]
