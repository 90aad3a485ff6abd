# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""18.0.1.1.0: the demo products and categories move to `base.` external ids.

Their stock moves and journal items outlive the addon (see the demo data), so they are
owned like the demo company; existing databases keep their records under the new ids.
"""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            """UPDATE ir_model_data
                  SET module = 'base', name = 'ecom_' || name
                WHERE module = 'ecom_finance'
                  AND (name LIKE 'demo\\_product\\_%%' OR name LIKE 'demo\\_category\\_%%')"""
        )
    )
