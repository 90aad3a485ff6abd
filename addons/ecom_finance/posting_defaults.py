# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Default posting accounts per chart of accounts, by account code.

``EVENT_ACCOUNTS[chart][event]`` is the code of the account an event is booked on.
The setup also creates one clearing account per payment channel (what the channel
owes the company), coded ``CLEARING_PREFIX[chart] + CHANNEL_SUFFIX[channel]``, and
the accounts a chart lacks (``EXTRA_ACCOUNTS``).
"""

EVENT_ACCOUNTS = {
    # Odoo's generic chart (generic_coa)
    "generic_coa": {
        "sale": "400000",  # Product Sales
        "refund": "400000",
        "commission": "962000",  # Sales Expenses
        "payment_fee": "620000",  # Bank Fees
        "service_fee": "962000",
        "shipping": "962000",
        "promotion_platform": "400000",
        "promotion_merchant": "962000",
        "tax_withheld": "131000",  # Tax Paid
        "reserve": "121600",  # created: E-commerce Reserves
        "adjustment": "600000",  # Expenses
        "payout": "101701",  # Liquidity Transfer
    },
    # China (l10n_cn, 企业会计准则)
    "cn": {
        "sale": "600100",  # 主营业务收入
        "refund": "600100",
        "commission": "660100",  # 销售费用
        "payment_fee": "660300",  # 财务费用
        "service_fee": "660100",
        "shipping": "660100",
        "promotion_platform": "600100",
        "promotion_merchant": "660100",
        "tax_withheld": "222100",  # 应交税金
        "reserve": "122100",  # 其他应收款
        "adjustment": "671100",  # 营业外支出
        "payout": "101200",  # 其他货币资金
    },
}

#: chart -> code prefix of the clearing accounts
CLEARING_PREFIX = {"generic_coa": "1215", "cn": "1122"}

#: payment channel -> two-digit suffix of its clearing account
CHANNEL_SUFFIX = {
    "alipay": "01",
    "wechat": "02",
    "shopify_payments": "03",
    "amazon": "04",
    "stripe": "05",
    "other": "09",
    "jd_pay": "11",
    "pdd_pay": "12",
    "douyin_pay": "13",
}

#: chart -> accounts it lacks: code -> (name, account type, reconcilable)
EXTRA_ACCOUNTS = {
    "generic_coa": {"121600": ("E-commerce Reserves", "asset_current", True)},
    "cn": {},
}
