# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Parser throughput and memory, against a baseline measured in the same process.

    python3 bench/bench_parsers.py [--rows 100000] [--rows 1000000]

For each format it writes a synthetic file of N rows in the provider's real layout, then
measures in this process:

- baseline: ``csv.reader`` over the same decoded bytes (the least any CSV parser must do);
- ecomfin: the streaming parser producing normalized, validated ``StatementLine`` records,
  footer/summary totals checked.

It prints seconds, rows/s, the ratio to the baseline and the peak of Python memory
allocated while parsing (tracemalloc), which must not grow with the file size.
No figure here is asserted: benchmarks report, tests assert.
"""

import argparse
import csv
import io
import random
import time
import tracemalloc
from decimal import Decimal

from ecomfin.parsers import parse


def alipay_file(rows, seed=1):
    rnd = random.Random(seed)
    out = io.StringIO()
    out.write("#支付宝账务明细查询\r\n#账号：[20881234567890120156]\r\n")
    out.write("#起始日期：[2024年03月01日 00:00:00]   终止日期：[2024年04月01日 00:00:00]\r\n")
    out.write(
        "#-----------------------------------------账务明细列表----------------------------------------\r\n"
    )
    out.write(
        "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,"
        "账户余额（元）,交易渠道,业务类型,备注\r\n"
    )
    balance = Decimal("100000.00")
    income = expense = Decimal(0)
    n_in = n_out = 0
    for i in range(rows):
        amount = Decimal(rnd.randint(100, 99999)) / 100
        if i % 5 == 4:
            kind, inc, exp = "交易退款", Decimal(0), amount
        else:
            kind, inc, exp = "在线支付", amount, Decimal(0)
        balance += inc - exp
        income += inc
        expense += exp
        n_in += bool(inc)
        n_out += bool(exp)
        day = 1 + i * 30 // rows
        out.write(
            f"2024030{i:020d}\t,20240301220011{i:014d}\t,T{i}\t,商品{i % 97}\t,"
            f"2024-03-{day:02d} 10:15:22,买家{i % 1000} (b***@163.com)\t,{inc:.2f},{exp:.2f},{balance:.2f},"
            f"支付宝,{kind},\r\n"
        )
    out.write(
        "#-----------------------------------------账务明细列表结束------------------------------------\r\n"
    )
    out.write(f"#支出合计：{n_out}笔，共{expense:.2f}元\r\n#收入合计：{n_in}笔，共{income:.2f}元\r\n")
    out.write("#导出时间：[2024年04月01日 09:00:00]\r\n")
    return out.getvalue().encode("gbk")


def wechat_file(rows, seed=2):
    rnd = random.Random(seed)
    header = (
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
        "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
        "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
    )
    out = io.StringIO()
    out.write(header + "\r\n")
    total = fees = Decimal(0)
    for i in range(rows):
        amount = Decimal(rnd.randint(100, 99999)) / 100
        fee = (amount * Decimal("0.006")).quantize(Decimal("0.00001"))
        total += amount
        fees += fee
        day = 1 + i * 30 // rows
        fields = [
            f"2024-03-{day:02d} 10:15:22",
            "wx2421b1c4370ec43b",
            "1900000109",
            "0",
            "",
            f"42000000012024030{i:012d}",
            f"T{i}",
            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
            "JSAPI",
            "SUCCESS",
            "CMB_CREDIT",
            "CNY",
            f"{amount:.2f}",
            "0.00",
            "0",
            "0",
            "0.00",
            "0.00",
            "",
            "",
            f"商品{i % 97}",
            "",
            f"{fee:.5f}",
            "0.60%",
            f"{amount:.2f}",
            "0.00",
            "",
        ]
        out.write(",".join("`" + f for f in fields) + "\r\n")
    out.write(
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n"
    )
    out.write(f"`{rows},`{total:.2f},`0.00,`0.00,`{fees:.5f},`{total:.2f},`0.00\r\n")
    return ("\ufeff" + out.getvalue()).encode("utf-8")


FORMATS = {
    "alipay": (alipay_file, "alipay.csv", "gb18030"),
    "wechat_trade": (wechat_file, "wechat.csv", "utf-8-sig"),
}


def measure(func):
    """Seconds of one untraced run, then the allocation peak of a traced one (tracing is slow)."""
    start = time.perf_counter()
    count = func()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    func()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count, seconds, peak


def baseline(data, encoding):
    def run():
        reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline=""))
        return sum(1 for _row in reader)

    return run


def ecomfin(data, filename, fmt):
    def run():
        return sum(1 for _line in parse(data, filename, fmt=fmt))

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="rows per file (repeatable)")
    args = parser.parse_args()
    sizes = args.rows or [100_000]
    print(f"{'format':<14}{'rows':>10}{'csv s':>9}{'parse s':>9}{'rows/s':>12}{'ratio':>8}{'peak MiB':>10}")
    for fmt, (make, filename, encoding) in FORMATS.items():
        for rows in sizes:
            data = make(rows)
            _n, base_s, _peak = measure(baseline(data, encoding))
            count, parse_s, peak = measure(ecomfin(data, filename, fmt))
            assert count == rows, (fmt, count, rows)
            print(
                f"{fmt:<14}{rows:>10}{base_s:>9.2f}{parse_s:>9.2f}{rows / parse_s:>12,.0f}"
                f"{parse_s / base_s:>7.1f}x{peak / 2**20:>10.2f}"
            )


if __name__ == "__main__":
    main()
