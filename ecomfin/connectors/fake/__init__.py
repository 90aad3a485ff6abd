# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Fake platform APIs on loopback, for the tests, the benchmark and the README's walk-through.

``python -m ecomfin.connectors.fake --platform NAME --port PORT --orders N --seed S``
"""

from .data import FakeShop
from .server import FakeApi, FakeServer, Reply, Request
from .douyin import FakeDouyin
from .pinduoduo import FakePinduoduo
from .stripe import FakeStripe

#: platform code -> fake API class
FAKES = {cls.platform: cls for cls in (FakeStripe, FakePinduoduo, FakeDouyin)}


def serve(platform, *, orders=100, seed=1, port=0, days=None, today=None):
    """A started :class:`FakeServer` of ``platform`` over a shop of ``orders`` orders."""
    api = FAKES[platform](FakeShop(orders, seed, days=days, today=today))
    return FakeServer(api, port=port).start()


__all__ = ["FAKES", "FakeApi", "FakeServer", "FakeShop", "Reply", "Request", "serve"]
