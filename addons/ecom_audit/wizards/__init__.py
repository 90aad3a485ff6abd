from . import ecom_audit_anomaly_settings
