# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Alipay's open API gateway over a fake shop: ``alipay.data.dataservice.bill.downloadurl.query``
(RSA2 request signatures checked with the app's public key, answers signed with "Alipay's"
key) and the bill download it points to: a zip of the day's 账务明细 CSV and its 汇总 CSV, GBK,
member names in GBK without the UTF-8 flag, as Alipay's are.

``api.pending`` holds days whose bill is "not out yet" (``isp.bill_not_exist``);
``api.app_auth_token``, when set, is the only token accepted from a third-party app.
"""

import io
import json
import zipfile
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from cryptography.hazmat.primitives import serialization

from .. import rsa
from .server import FakeApi, Reply

KEYS = Path(__file__).resolve().parent / "keys"
METHOD = "alipay.data.dataservice.bill.downloadurl.query"
RESPONSE = METHOD.replace(".", "_") + "_response"
PID = "2088000000000001"
ACCOUNT = PID + "0156"
ZERO = Decimal("0.00")


def _key(name):
    return (KEYS / name).read_text(encoding="ascii")


class FakeAlipay(FakeApi):
    platform = "alipay"
    credentials = {
        "app_id": "2021000000000001",
        "private_key": _key("alipay_test_app_private.pem"),
        "alipay_public_key": _key("alipay_test_platform_public.pem"),
    }

    def __init__(self, shop, credentials=None):
        super().__init__(shop, credentials)
        self.app_public_key = serialization.load_pem_public_key(
            _key("alipay_test_app_public.pem").encode("ascii")
        )
        self.private_key = serialization.load_pem_private_key(
            _key("alipay_test_platform_private.pem").encode("ascii"), password=None
        )
        self.pending = set()
        self.app_auth_token = None

    # -- the gateway -------------------------------------------------------
    def handle(self, request):
        if request.path == "/gateway.do":
            return self._gateway(request)
        if request.path == "/downloadBillFile.resource":
            return self._download(request)
        return Reply(404, b"<html><body>404 Not Found</body></html>", {"Content-Type": "text/html"})

    def _gateway(self, request):
        params = dict(request.query)
        if request.body:
            params.update(request.form())
        if params.get("app_id") != self.credentials["app_id"]:
            return self._answer("40002", "Invalid Arguments", "isv.invalid-app-id", "无效的AppID参数")
        if params.get("sign_type") != "RSA2":
            return self._answer("40002", "Invalid Arguments", "isv.invalid-signature-type", "无效的签名类型")
        # the gateway's own canonical text (https://opendocs.alipay.com/common/02kf5q), written
        # here independently of the connector's
        content = "&".join(
            f"{name}={value}" for name, value in sorted(params.items()) if name != "sign" and value != ""
        )
        if not rsa.verify(self.app_public_key, content, params.get("sign", "")):
            return self.bad_signature(
                self._answer("40002", "Invalid Arguments", "isv.invalid-signature", "验签出错")
            )
        if self.app_auth_token and params.get("app_auth_token") != self.app_auth_token:
            return self._answer(
                "20001", "Insufficient Token Permissions", "aop.invalid-app-auth-token", "无效的应用授权令牌"
            )
        if params.get("method") != METHOD:
            return self._answer("40004", "Business Failed", "isv.invalid-method", "不存在的方法名")
        try:
            biz = json.loads(params.get("biz_content") or "{}")
            day = datetime.strptime(biz.get("bill_date", ""), "%Y-%m-%d").date()
        except ValueError:
            return self._answer(
                "40004", "Business Failed", "isv.invalid_arguments", "入参不合法", signed=True
            )
        if biz.get("bill_type") != "signcustomer":
            return self._answer(
                "40004", "Business Failed", "isv.invalid_arguments", "入参不合法", signed=True
            )
        if day >= self.shop.today or day in self.pending:
            return self._answer("40004", "Business Failed", "isp.bill_not_exist", "账单不存在", signed=True)
        name = f"{ACCOUNT}_{day:%Y%m%d}.csv.zip"
        query = urlencode(
            {
                "bizType": "signcustomer",
                "userId": PID,
                "fileType": "csv.zip",
                "bizDates": f"{day:%Y%m%d}",
                "downloadFileName": name,
                "fileId": f"%2Fsigncustomer%2F{PID}%2F{day:%Y%m%d}",
            }
        )
        host = request.headers.get("host", "127.0.0.1")
        return self._answer(
            "10000",
            "Success",
            signed=True,
            bill_download_url=f"http://{host}/downloadBillFile.resource?{query}",
        )

    def _answer(self, code, msg, sub_code=None, sub_msg=None, *, signed=False, **fields):
        """A gateway answer as Alipay writes it: the response member (``/`` escaped as ``\\/``),
        then the ``sign`` over that member's text. Refusals of the request itself are unsigned."""
        node = {"code": code, "msg": msg}
        if sub_code:
            node.update(sub_code=sub_code, sub_msg=sub_msg)
        node.update(fields)
        node_text = json.dumps(node, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")
        body = f'{{"{RESPONSE}":{node_text}'
        if signed or code == "10000":
            body += f',"sign":"{rsa.sign(self.private_key, node_text)}"'
        body += "}"
        return Reply(200, body.encode("utf-8"), {"Content-Type": "text/html;charset=utf-8"})

    def expired_reply(self, request):
        return self._answer(
            "20001", "Insufficient Token Permissions", "aop.invalid-app-auth-token", "无效的应用授权令牌"
        )

    # -- the bill ----------------------------------------------------------
    def _download(self, request):
        try:
            day = datetime.strptime(request.query.get("bizDates", ""), "%Y%m%d").date()
        except ValueError:
            return Reply(404, b"file not found", {"Content-Type": "text/plain"})
        if day >= self.shop.today:
            return Reply(404, b"file not found", {"Content-Type": "text/plain"})
        return Reply(200, self.bill_zip(day), {"Content-Type": "application/oct-stream"})

    def bill_zip(self, day):
        """The zip Alipay serves for ``day``: 账务明细 and 账务明细(汇总), GBK, CRLF."""
        detail, summary = self.ledger(day)
        stamp = (day + timedelta(days=1)).timetuple()[:3] + (9, 0, 0)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in (
                (f"{ACCOUNT}_{day:%Y%m%d}_账务明细.csv", detail),
                (f"{ACCOUNT}_{day:%Y%m%d}_账务明细(汇总).csv", summary),
            ):
                info = _GbkName(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text.replace("\n", "\r\n").encode("gbk"))
        return buffer.getvalue()

    def ledger_rows(self, day):
        """The ledger's rows of ``day``: dicts of the CSV's columns (amounts as Decimal)."""
        rows = []
        for movement in self.shop.bill_rows(day):
            when = movement["time"]
            if movement["type"] == "payout":
                amount = -movement["gross"]
                rows.append(_row(when, "", "", "提现", "招商银行(尾号1234)", -amount, "提现", movement["id"]))
                continue
            order = self.shop.order(int(movement["order_ref"].rsplit("-", 1)[1]) - 1)
            trade_no = f"2026{self.shop.seed % 10000:04d}2200{order['index'] + 1:012d}"
            item = "/".join(line["sku"] for line in order["lines"])
            name, phone = order["buyer_name"], order["buyer_phone"]
            buyer = f"{name[0]}*{name[1:]} ({phone[:3]}****{phone[-4:]})"
            if movement["type"] == "sale":
                rows.append(
                    _row(when, trade_no, order["order_ref"], item, buyer, movement["gross"], "在线支付")
                )
                if movement["fee"]:
                    rows.append(
                        _row(
                            when,
                            trade_no,
                            order["order_ref"],
                            f"服务费[{trade_no}]",
                            "支付宝(中国)网络技术有限公司",
                            -movement["fee"],
                            "服务费",
                        )
                    )
            else:
                rows.append(
                    _row(
                        when,
                        trade_no,
                        order["order_ref"],
                        f"退款-{item}",
                        buyer,
                        movement["gross"],
                        "交易退款",
                    )
                )
        return rows

    def ledger(self, day):
        """``(detail, summary)`` texts of ``day``'s bill (LF; written CRLF)."""
        rows = self.ledger_rows(day)
        balance = Decimal("10000.00")
        start = f"{day:%Y年%m月%d日} 00:00:00"
        end = f"{day + timedelta(days=1):%Y年%m月%d日} 00:00:00"
        lines = [
            "#支付宝账务明细查询",
            f"#账号：[{ACCOUNT}]",
            f"#起始日期：[{start}]   终止日期：[{end}]",
            "#-----------------------------------------账务明细列表----------------------------------------",
            "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注",
        ]
        totals = {"in": [0, ZERO], "out": [0, ZERO]}
        by_type = {}
        for seq, row in enumerate(rows, 1):
            amount = row["amount"]
            balance += amount
            income, expense = (amount, ZERO) if amount >= 0 else (ZERO, -amount)
            side = totals["in" if amount >= 0 else "out"]
            side[0] += 1
            side[1] += abs(amount)
            kind = by_type.setdefault(row["type"], [0, ZERO, 0, ZERO])
            if amount >= 0:
                kind[0] += 1
                kind[1] += amount
            else:
                kind[2] += 1
                kind[3] += -amount
            lines.append(
                f"{day:%Y%m%d}2000400111{seq:012d}\t,{row['trade_no']}\t,{row['order_ref']}\t,{row['item']}\t,"
                f"{row['time']:%Y-%m-%d %H:%M:%S},{row['party']}\t,{income:.2f},{expense:.2f},{balance:.2f},"
                f"支付宝,{row['type']},{row['memo']}"
            )
        lines += [
            "#-----------------------------------------账务明细列表结束------------------------------------",
            f"#支出合计：{totals['out'][0]}笔，共{totals['out'][1]:.2f}元",
            f"#收入合计：{totals['in'][0]}笔，共{totals['in'][1]:.2f}元",
            f"#导出时间：[{day + timedelta(days=1):%Y年%m月%d日} 09:00:00]",
        ]
        summary = [
            "#支付宝账务汇总查询",
            f"#账号：[{ACCOUNT}]",
            f"#起始日期：[{start}]   终止日期：[{end}]",
            "业务类型,收入笔数,收入金额（+元）,支出笔数,支出金额（-元）",
            *(
                f"{kind},{n_in},{s_in:.2f},{n_out},{s_out:.2f}"
                for kind, (n_in, s_in, n_out, s_out) in by_type.items()
            ),
        ]
        return "\n".join(lines) + "\n", "\n".join(summary) + "\n"


def _row(when, trade_no, order_ref, item, party, amount, kind, memo=""):
    if kind == "提现" and amount > 0:  # a day of more refunds than sales: money put in
        kind = "转账"
    return {
        "time": when if isinstance(when, datetime) else datetime.combine(when, time()),
        "trade_no": trade_no or memo,
        "order_ref": order_ref,
        "item": item,
        "party": party,
        "amount": amount,
        "type": kind,
        "memo": "",
    }


class _GbkName(zipfile.ZipInfo):
    """A member whose name is written in GBK without the UTF-8 flag, as Alipay's zips are (made
    on Chinese Windows conventions); ``ecomfin.parsers`` reads such names back."""

    def _encodeFilenameFlags(self):  # noqa: N802 (zipfile's name)
        return self.filename.encode("gbk"), self.flag_bits
