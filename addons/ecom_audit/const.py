"""What ``ecom_audit`` shares with the addons above it (import these, never its ``models``)."""

from .models.ecom_audit_log import MASK
from .models.ecom_encrypted_mixin import field_keyring

__all__ = ["MASK", "field_keyring"]
