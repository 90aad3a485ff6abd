# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# Run by scripts/test.sh through `odoo shell` after the reinstall.
names = ["ecom_audit", "ecom_finance", "ecom_reconcile", "ecom_devices"]
modules = env["ir.module.module"].search([("name", "in", names)])  # noqa: F821 (odoo shell)
assert set(modules.mapped("state")) == {"installed"}, modules.mapped("state")
assert env["ecom.shop"].search_count([]) >= 3, "demo shops are back"  # noqa: F821
print("installed:", ", ".join(names), "with", env["ecom.shop"].search_count([]), "shops")  # noqa: F821
