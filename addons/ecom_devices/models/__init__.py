from . import ecom_device
