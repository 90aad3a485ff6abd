# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Connectors to the platforms' and payment channels' APIs (see :mod:`.base`).

Entry points::

    PLATFORMS: platform code -> connector class
    connector_for(platform, base_url, credentials, *, since=None, rate=None, http=None) -> Connector

The fake servers the tests and the README's walk-through use are in :mod:`.fake`
(``python -m ecomfin.connectors.fake --platform NAME --port PORT --orders N --seed S``).
"""

from .base import Connector, ConnectorError, Page, Stream, decode_cursor, encode_cursor
from .http import HttpClient, RetryPolicy, TokenBucket
from .alipay import AlipayConnector
from .amazon import AmazonConnector
from .jd import JdConnector
from .shopify import ShopifyConnector
from .douyin import DouyinConnector
from .pinduoduo import PinduoduoConnector
from .stripe import StripeConnector
from .taobao import TaobaoConnector
from .wechat import WechatConnector

#: platform code -> connector class (the codes are contracts: stored on backends)
PLATFORMS = {
    cls.platform: cls
    for cls in (
        TaobaoConnector,
        JdConnector,
        PinduoduoConnector,
        DouyinConnector,
        ShopifyConnector,
        AmazonConnector,
        AlipayConnector,
        WechatConnector,
        StripeConnector,
    )
}

#: requests a second each platform allows by default (its published limit, rounded down; a
#: guess for Pinduoduo and Douyin, which publish theirs per app in their consoles)
DEFAULT_RATES = {
    "taobao": 10.0,
    "jd": 10.0,
    "pinduoduo": 10.0,
    "douyin": 20.0,
    "shopify": 10.0,
    "amazon": 10.0,
    "alipay": 10.0,
    "wechat": 5.0,
    "stripe": 25.0,
}

#: the production address of each platform's API (a backend may point anywhere: the fake server)
DEFAULT_URLS = {
    "taobao": "https://eco.taobao.com/router/rest",
    "jd": "https://api.jd.com/routerjson",
    "pinduoduo": "https://gw-api.pinduoduo.com/api/router",
    "douyin": "https://openapi-fxg.jinritemai.com",
    "shopify": "https://{shop}.myshopify.com",
    "amazon": "https://sellingpartnerapi-fe.amazon.com",
    "alipay": "https://openapi.alipay.com/gateway.do",
    "wechat": "https://api.mch.weixin.qq.com",
    "stripe": "https://api.stripe.com",
}


def connector_for(
    platform, base_url, credentials, *, since=None, today=None, rate=None, http=None, retry=None
):
    """A connector of ``platform`` talking to ``base_url`` with ``credentials``."""
    cls = PLATFORMS.get(platform)
    if cls is None:
        raise ConnectorError(
            "unknown_platform", {"platform": platform, "known": ", ".join(sorted(PLATFORMS))}
        )
    if http is None:
        rate = rate or DEFAULT_RATES.get(platform, 5.0)
        http = HttpClient(platform, limiter=TokenBucket(rate), retry=retry)
    return cls(base_url, credentials, http, since=since, today=today)


__all__ = [
    "DEFAULT_RATES",
    "DEFAULT_URLS",
    "PLATFORMS",
    "Connector",
    "ConnectorError",
    "HttpClient",
    "Page",
    "RetryPolicy",
    "Stream",
    "TokenBucket",
    "connector_for",
    "decode_cursor",
    "encode_cursor",
]
