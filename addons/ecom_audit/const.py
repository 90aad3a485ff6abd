# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What ``ecom_audit`` shares with the addons above it (import these, never its ``models``)."""

from .keys import field_keyring
from .notify import notify_people

# what the audit trail writes in place of a sensitive value
MASK = "***"

__all__ = ["MASK", "field_keyring", "notify_people"]
