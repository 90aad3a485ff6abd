# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What ``ecom_finance`` shares with the addons above it (import these, never its ``models``).

The vocabularies of imports are ``ecomfin.vocab``'s: the same objects, under the names the
addons above use.
"""

from ecomfin.vocab import BANK_FORMATS, SETTLEMENT_FORMATS
from ecomfin.vocab import PAYMENT_CHANNEL_LABELS as PAYMENT_CHANNELS

# Costs are finance data: Shop and Warehouse Operators never read them, by any path (read,
# search, export, read_group, attribute access, fields of views); everyone else keeps Odoo's
# rights. An operator role withholds costs even from a user who also holds another role.
# The ``groups=`` of the cost fields (models/product_product.py and the addons above).
COST_GROUPS = "base.group_user,!ecom_audit.group_ecom_shop_operator,!ecom_audit.group_ecom_warehouse_operator"

__all__ = ["BANK_FORMATS", "COST_GROUPS", "PAYMENT_CHANNELS", "SETTLEMENT_FORMATS"]
