# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import ecom_statement_import_wizard
from . import ecom_stock_valuation_wizard
from . import ecom_voucher_export_wizard
from . import ecom_stock_ledger_wizard
