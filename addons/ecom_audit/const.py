# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What ``ecom_audit`` shares with the addons above it (import these, never its ``models``)."""

from .models.ecom_audit_log import MASK
from .models.ecom_encrypted_mixin import field_keyring
from .notify import notify_people

__all__ = ["MASK", "field_keyring", "notify_people"]
