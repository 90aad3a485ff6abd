from . import ecom_audit_anomaly_settings
from . import ecom_audit_verification
