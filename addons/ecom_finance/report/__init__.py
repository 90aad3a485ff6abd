# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import ecom_order_margin_report
from . import ecom_receivable_aging_report
from . import ecom_stock_valuation_report
from . import ecom_stock_ledger_report
