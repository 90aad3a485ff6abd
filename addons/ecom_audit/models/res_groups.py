# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models

from .res_users import check_finance_grants, finance_groups_of


class ResGroups(models.Model):
    _inherit = "res.groups"

    def write(self, vals):
        """Adding users to a finance group, or making a group imply one, needs an approved grant."""
        if not {"users", "implied_ids"} & set(vals):
            return super().write(vals)
        users = self.with_context(active_test=False).users
        if "users" in vals:
            # who may be added: any user named in the commands (ids only, whatever the command)
            named = set()
            for command in vals["users"]:
                if isinstance(command, list | tuple):
                    named.update(i for i in command[1:2] if isinstance(i, int))
                    if len(command) > 2 and isinstance(command[2], list | tuple):
                        named.update(command[2])
            users |= self.env["res.users"].browse(named).exists()
        before = finance_groups_of(users)
        result = super().write(vals)
        check_finance_grants(users, before)
        return result
