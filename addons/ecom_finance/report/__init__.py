from . import ecom_order_margin_report
from . import ecom_receivable_aging_report
from . import ecom_stock_valuation_report
