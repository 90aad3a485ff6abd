from . import ecom_shop
from . import ecom_bank_csv_profile
from . import ecom_statement
from . import ecom_statement_line
from . import ecom_order
from . import ecom_order_line
from . import product_template
