# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import test_shop_access
from . import test_demo_data
from . import test_field_encryption
from . import test_pii_encryption
from . import test_statement_import
from . import test_statement_import_jobs
from . import test_import_errors
from . import test_xlsx_import
from . import test_import_ui
from . import test_translations
from . import test_ui
from . import test_posting
from . import test_fulfilment
from . import test_budget
from . import test_approvals
from . import test_warehouse_scope
from . import test_read_paths
from . import test_role_sessions
from . import test_approval_bypasses
from . import test_import_rights
from . import test_finance_fields
from . import test_anomaly_outside_scope
from . import test_audit_coverage
from . import test_audit_denied_approval
