"""What ``ecom_finance`` shares with the addons above it (import these, never its ``models``)."""

from .models.ecom_shop import PAYMENT_CHANNELS
from .models.ecom_statement import BANK_FORMATS, SETTLEMENT_FORMATS

__all__ = ["BANK_FORMATS", "PAYMENT_CHANNELS", "SETTLEMENT_FORMATS"]
