# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import models
from . import report
from . import wizards

from odoo.tools import SQL


def uninstall_hook(env):
    """Remove imports and platform orders before the addon's own records.

    Their tables go with the addon anyway; removing their rows first lets the demo shops
    and products be deleted cleanly (imports and orders restrict the deletion of both).
    """
    env["ir.attachment"].search([("res_model", "=", "ecom.statement")]).unlink()
    env.cr.execute(SQL("DELETE FROM ecom_order"))
    env.cr.execute(SQL("DELETE FROM ecom_statement"))
    # what the margin report made outside its own table (see ecom.order.margin.report.init)
    env.cr.execute(SQL("DROP TABLE IF EXISTS ecom_order_margin_state"))
    env.cr.execute(SQL("DROP INDEX IF EXISTS stock_valuation_layer_create_date_margin_index"))
