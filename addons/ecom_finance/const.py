# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What ``ecom_finance`` shares with the addons above it (import these, never its ``models``).

The vocabularies of imports are ``ecomfin.vocab``'s: the same objects, under the names the
addons above use.
"""

from ecomfin.vocab import BANK_FORMATS, SETTLEMENT_FORMATS
from ecomfin.vocab import PAYMENT_CHANNEL_LABELS as PAYMENT_CHANNELS

__all__ = ["BANK_FORMATS", "PAYMENT_CHANNELS", "SETTLEMENT_FORMATS"]
