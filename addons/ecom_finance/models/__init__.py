# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import ecom_job_progress
from . import ecom_job_mixin
from . import ecom_shop
from . import ecom_bank_csv_profile
from . import ecom_statement
from . import ecom_statement_approval
from . import ecom_statement_line
from . import ecom_order
from . import ecom_order_line
from . import product_product
from . import product_template
from . import ecom_posting_rule
from . import account_move
from . import account_move_line
from . import stock_quant
from . import stock_scrap
from . import res_users
from . import stock_move
from . import ecom_warehouse_rule
from . import ecom_finance_demo
from . import ecom_budget
from . import ecom_approval_request
from . import stock_valuation_layer
