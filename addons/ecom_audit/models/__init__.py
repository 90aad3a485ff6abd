# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import ecom_audit_log
from . import ecom_audit_pending
from . import ecom_audit_anomaly
from . import ecom_writing_reads_mixin
from . import ecom_encrypted_mixin
from . import base
from . import ecom_login_lock
from . import res_users
from . import ecom_approval_request
from . import ecom_approval_line
from . import ecom_approval_gate_mixin
from . import ecom_approval_mixin
from . import ecom_approval_threshold
from . import ecom_access_grant
from . import res_groups
from . import ir_http
