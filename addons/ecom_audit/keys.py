# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The field encryption keys: read from the Odoo configuration or the environment, never the database."""

import os

from odoo.exceptions import UserError
from odoo.tools import config

from ecomfin.crypto import Keyring, KeyringError

KEYS_OPTION = "ecom_field_keys"
KEYS_ENV = "ECOM_FIELD_KEYS"


def field_keyring(env):
    """The field keys, from the Odoo configuration or the environment, never the database."""
    spec = config.get(KEYS_OPTION) or os.environ.get(KEYS_ENV)
    if not spec:
        raise UserError(
            env._(
                "No field encryption keys are configured: set %(option)s in the Odoo configuration file "
                "or %(variable)s in the environment (see the README).",
                option=KEYS_OPTION,
                variable=KEYS_ENV,
            )
        )
    try:
        return Keyring.from_spec(spec)
    except KeyringError as exc:
        raise UserError(
            env._(
                "The field encryption keys (%(option)s) are invalid: %(error)s", option=KEYS_OPTION, error=exc
            )
        ) from exc
