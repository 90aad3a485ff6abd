# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The vocabularies of imports, written once: codes with their labels (and kinds).

The parsers, the loaders and the Odoo addons all speak these codes; the addons show the
labels (the ``*_LABELS`` lists of ``(code, label)`` are the selections of their fields, lists
as Odoo wants them: never change one in place) and must not write the lists again. Codes
are contracts (stored in databases, sent over XML-RPC): never rename one.
"""

#: the types of a statement line (``StatementLine.line_type``)
LINE_TYPE_LABELS = [
    ("sale", "Sale"),
    ("refund", "Refund"),
    ("fee", "Fee"),
    ("commission", "Commission"),
    ("promotion", "Promotion"),
    ("shipping", "Shipping"),
    ("tax", "Tax"),
    ("reserve", "Reserve"),
    ("payout", "Payout"),
    ("adjustment", "Adjustment"),
]
LINE_TYPES = frozenset(code for code, _label in LINE_TYPE_LABELS)

#: the statuses of a platform order (``OrderLine.status``)
ORDER_STATUS_LABELS = [
    ("paid", "Paid"),
    ("shipped", "Shipped"),
    ("completed", "Completed"),
    ("refunded", "Refunded"),
    ("partially_refunded", "Partially Refunded"),
    ("cancelled", "Cancelled"),
]
ORDER_STATUSES = frozenset(code for code, _label in ORDER_STATUS_LABELS)
#: statuses after which the goods have left the warehouse
SHIPPED_STATUSES = ("shipped", "completed", "partially_refunded")

# What a format's lines are: movements of a payment channel's balance (what posting books),
# of a bank account (what reconciliation takes as proof that a payout arrived), or orders.
CHANNEL = "channel"
BANK = "bank"
ORDERS = "orders"

#: code, label (the addons' selection), name in the parsers' messages (None: the label), kind
_FORMATS = (
    ("alipay", "Alipay account ledger (账务明细)", "Alipay 账务明细", CHANNEL),
    ("wechat_trade", "WeChat Pay trade bill (交易账单)", "WeChat Pay 交易账单", CHANNEL),
    ("wechat_fund", "WeChat Pay fund bill (资金账单)", "WeChat Pay 资金账单", CHANNEL),
    ("amazon_settlement", "Amazon settlement report V2", "Amazon settlement report (V2 flat file)", CHANNEL),
    ("shopify_payouts", "Shopify Payments payouts", None, CHANNEL),
    ("shopify_balance", "Shopify Payments balance transactions", None, CHANNEL),
    ("stripe_balance", "Stripe balance transactions", None, CHANNEL),
    ("camt053", "Bank statement CAMT.053", "CAMT.053 bank statement", BANK),
    ("bank_csv", "Bank statement CSV", "bank statement CSV", BANK),
    ("orders_csv", "Platform orders", "orders CSV", ORDERS),
    ("jd_settlement", "JD daily settlement bill (日账单明细)", "JD 日账单明细", CHANNEL),
    ("pdd_fund", "Pinduoduo payment-account bill (货款账单)", "拼多多货款账单", CHANNEL),
    ("douyin_settlement", "Douyin shop settlement bill (结算账单)", "抖店结算账单", CHANNEL),
)  # fmt: skip
FORMAT_LABELS = [(code, label) for code, label, _name, _kind in _FORMATS]
FORMAT_NAMES = {code: name or label for code, label, name, _kind in _FORMATS}
FORMAT_KINDS = {code: kind for code, _label, _name, kind in _FORMATS}
#: formats whose lines are movements of a payment channel's balance: what posting books
SETTLEMENT_FORMATS = frozenset(code for code, kind in FORMAT_KINDS.items() if kind == CHANNEL)
#: bank statements: what reconciliation takes as proof that a payout arrived
BANK_FORMATS = frozenset(code for code, kind in FORMAT_KINDS.items() if kind == BANK)
#: the platforms' order exports
ORDER_FORMAT = "orders_csv"

#: the payment channels a shop is paid through
PAYMENT_CHANNEL_LABELS = [
    ("alipay", "Alipay"),
    ("wechat", "WeChat Pay"),
    ("shopify_payments", "Shopify Payments"),
    ("amazon", "Amazon Pay / Settlement"),
    ("stripe", "Stripe"),
    ("other", "Other"),
    ("jd_pay", "JD settlement (京东结算)"),
    ("pdd_pay", "Pinduoduo payments"),
    ("douyin_pay", "Douyin shop payments"),
]
#: the bills of each payment channel (every settlement format is the bill of one channel)
PAYMENT_CHANNEL_FORMATS = {
    "alipay": ("alipay",),
    "wechat": ("wechat_trade", "wechat_fund"),
    "shopify_payments": ("shopify_payouts", "shopify_balance"),
    "amazon": ("amazon_settlement",),
    "stripe": ("stripe_balance",),
    "jd_pay": ("jd_settlement",),
    "pdd_pay": ("pdd_fund",),
    "douyin_pay": ("douyin_settlement",),
}

#: the selling platforms of a shop
PLATFORM_LABELS = [
    ("tmall", "Tmall"),
    ("taobao", "Taobao"),
    ("jd", "JD"),
    ("pdd", "Pinduoduo"),
    ("douyin", "Douyin"),
    ("shopify", "Shopify"),
    ("amazon", "Amazon"),
    ("other", "Other"),
]

#: the layouts of order exports (``ecomfin.parsers.orders.PROFILES``)
ORDER_PROFILE_LABELS = [
    ("canonical", "Canonical orders CSV"),
    ("tmall", "Tmall seller centre"),
    ("taobao", "Taobao seller centre"),
    ("jd", "JD merchant backend"),
    ("pinduoduo", "Pinduoduo merchant backend"),
    ("douyin", "Douyin shop backend"),
    ("shopify", "Shopify orders export"),
    ("amazon", "Amazon All Orders report"),
    ("api", "Pulled from the platform's API"),
]
#: the order export profile a shop's platform uses by default (else ``canonical``)
PLATFORM_ORDER_PROFILE = {
    "tmall": "tmall",
    "taobao": "taobao",
    "jd": "jd",
    "pdd": "pinduoduo",
    "douyin": "douyin",
    "shopify": "shopify",
    "amazon": "amazon",
}

#: the platforms and payment channels a connector backend pulls from (``ecomfin.connectors``)
CONNECTOR_PLATFORM_LABELS = [
    ("taobao", "Taobao / Tmall"),
    ("jd", "JD"),
    ("pinduoduo", "Pinduoduo"),
    ("douyin", "Douyin Shop"),
    ("shopify", "Shopify"),
    ("amazon", "Amazon SP-API"),
    ("alipay", "Alipay"),
    ("wechat", "WeChat Pay"),
    ("stripe", "Stripe"),
]
