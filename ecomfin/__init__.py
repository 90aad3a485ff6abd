# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""ecomfin: the pure-Python core of ecom-finance.

Parsers, matching, posting arithmetic, money, crypto, the hash chain, backups and XLSX
helpers live here.
Nothing in this package imports Odoo: the addons under ``addons/`` call into it,
and ``tests/`` exercises it with plain pytest.
"""

__version__ = "18.0.1.0.0"
