# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import controllers
from . import models
from . import report
from . import wizards

from odoo.tools import SQL


def uninstall_hook(env):
    """Remove runs and alerts before the addon's own records (see ecom_finance's hook)."""
    env.cr.execute(SQL("DELETE FROM ecom_reconcile_alert"))
    env.cr.execute(SQL("DELETE FROM ecom_reconcile_suggestion_decision"))
    env.cr.execute(SQL("DELETE FROM ecom_reconcile_suggestion_model"))
    env.cr.execute(SQL("DELETE FROM ecom_reconcile_run"))
