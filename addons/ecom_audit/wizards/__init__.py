# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import ecom_audit_anomaly_settings
from . import ecom_audit_verification
from . import res_users_identitycheck
