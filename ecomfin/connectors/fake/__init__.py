# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Fake platform APIs on loopback, for the tests, the benchmark and the README's walk-through.

``python -m ecomfin.connectors.fake --platform NAME --port PORT --orders N --seed S``
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from .alipay import FakeAlipay
from .amazon import FakeAmazon
from .data import FakeShop
from .jd import FakeJd
from .server import FakeApi, FakeServer, Reply, Request
from .shopify import FakeShopify
from .douyin import FakeDouyin
from .pinduoduo import FakePinduoduo
from .stripe import FakeStripe
from .taobao import FakeTaobao
from .wechat import FakeWechat

#: platform code -> fake API class
FAKES = {
    cls.platform: cls
    for cls in (
        FakeTaobao,
        FakeJd,
        FakePinduoduo,
        FakeDouyin,
        FakeShopify,
        FakeAmazon,
        FakeAlipay,
        FakeWechat,
        FakeStripe,
    )
}


def platform_today(platform):
    """Today in the platform's time zone: the day its connector asks up to (Shanghai's day
    begins eight hours before UTC's)."""
    from .. import PLATFORMS

    return datetime.now(ZoneInfo(PLATFORMS[platform].timezone)).date()


def serve(platform, *, orders=100, seed=1, port=0, days=None, today=None):
    """A started :class:`FakeServer` of ``platform`` over a shop of ``orders`` orders."""
    today = today or platform_today(platform)
    api = FAKES[platform](FakeShop(orders, seed, days=days, today=today))
    return FakeServer(api, port=port).start()


__all__ = ["FAKES", "FakeApi", "FakeServer", "FakeShop", "Reply", "Request", "platform_today", "serve"]
