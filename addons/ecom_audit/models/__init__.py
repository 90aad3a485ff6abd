from . import ecom_audit_log
from . import ecom_audit_pending
from . import ecom_audit_anomaly
from . import ecom_encrypted_mixin
from . import base
from . import res_users
