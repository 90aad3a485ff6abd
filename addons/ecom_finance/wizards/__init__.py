from . import ecom_statement_import_wizard
from . import ecom_stock_valuation_wizard
