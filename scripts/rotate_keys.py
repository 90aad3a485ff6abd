# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# `make rotate-keys DB=<database>`: re-encrypt every encrypted field under the current key of
# ecom_field_keys (run through `odoo shell`). Afterwards the old key can leave the configuration.
rotated = env["ecom.encrypted.mixin"]._ecom_rotate_all()  # noqa: F821 (odoo shell)
env.cr.commit()  # noqa: F821 - a command-line script: its whole purpose is to commit the rotation
print("re-encrypted:", ", ".join(f"{model}: {count}" for model, count in rotated.items()) or "nothing")
