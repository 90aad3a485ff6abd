# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The web client's XLSX export writes text as text (formula injection, OWASP "CSV injection").

Odoo's ``ExportXlsxWriter`` writes every cell with xlsxwriter's ``write()``, which turns a string
starting with ``=`` into a live formula: an order reference such as ``=HYPERLINK(...)`` imported
from a platform's file became a formula in the accountant's spreadsheet. Text cells are written
with ``write_string`` instead, and text that a spreadsheet would still read as a formula when
typed (``=``, ``+``, ``-``, ``@``, tab, CR first) is prefixed with a quote (``ecomfin.xlsx``).
"""

from ecomfin.xlsx import inert_text


def patch_xlsx_export():
    from odoo.addons.web.controllers import export

    writer = export.ExportXlsxWriter
    if getattr(writer.write, "_ecom_inert", False):
        return
    original = writer.write

    def write(self, row, column, cell_value, style=None):
        if isinstance(cell_value, str):
            return self.worksheet.write_string(row, column, inert_text(cell_value), style)
        return original(self, row, column, cell_value, style)

    write._ecom_inert = True
    writer.write = write
