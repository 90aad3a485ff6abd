# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import test_audit_anomaly
from . import test_audit_export
from . import test_audit_log
from . import test_audit_login
from . import test_audit_sensitive
from . import test_roles
from . import test_translations
from . import test_approval
from . import test_audit_integrity
from . import test_access_grant_guard
from . import test_audit_login_limit
from . import test_approval_display
from . import test_approval_companies
from . import test_login_policy
from . import test_audit_anomaly_sources
from . import test_approval_threshold_guard
from . import test_export_xlsx
from . import test_approval_gate_mixin
from . import test_audit_anomaly_rules
from . import test_login_lockout
from . import test_step_up
from . import test_audit_denied
from . import test_backup_alert
