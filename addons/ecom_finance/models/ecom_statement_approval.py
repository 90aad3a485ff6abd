# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models

from odoo.addons.ecom_audit.approval import approved_change


class EcomStatement(models.Model):
    """Settlement posting is the system path into the e-commerce journals.

    The entries it creates and posts, and the reversals of Reverse Entries, are the settlement
    itself, checked by its own rules (``_post_entries``): they need no manual-entry approval.
    Any other entry posted in those journals does (``account.move._ecom_check_manual_entries``).
    """

    _inherit = "ecom.statement"

    def _post_entries(self):
        with approved_change():
            return super()._post_entries()

    def action_reverse_entries(self):
        with approved_change():
            return super().action_reverse_entries()
