from . import ecom_order_margin_report
