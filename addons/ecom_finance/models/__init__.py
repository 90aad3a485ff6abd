from . import ecom_shop
