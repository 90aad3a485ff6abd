"""ecomfin: the pure-Python core of ecom-finance.

Parsers, matching, money, crypto, hash-chain and device-frame helpers live here.
Nothing in this package imports Odoo: the addons under ``addons/`` call into it,
and ``tests/`` exercises it with plain pytest.
"""

__version__ = "18.0.1.0.0"
