# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# Run by scripts/test.sh through `odoo shell`: uninstall the ecom addons and check they are gone.
names = ["ecom_devices", "ecom_reconcile", "ecom_finance", "ecom_audit"]
modules = env["ir.module.module"].search([("name", "in", names)])  # noqa: F821 (odoo shell)
assert len(modules) == len(names), modules.mapped("name")
modules.button_immediate_uninstall()
env.cr.execute("SELECT to_regclass('ecom_shop'), to_regclass('ecom_device')")  # noqa: F821
assert env.cr.fetchone() == (None, None), "ecom tables left behind after uninstall"  # noqa: F821
states = env["ir.module.module"].search([("name", "in", names)]).mapped("state")  # noqa: F821
assert set(states) == {"uninstalled"}, states
print("uninstalled:", ", ".join(names))
