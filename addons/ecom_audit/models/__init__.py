from . import ecom_audit_log
from . import base
from . import res_users
