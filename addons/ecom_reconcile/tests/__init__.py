# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import test_alerts
from . import test_clearing
from . import test_reconcile_run
from . import test_translations
from . import test_ui
from . import test_demo_books
from . import test_read_paths
from . import test_run_report
from . import test_ui_escaping
from . import test_public_methods
from . import test_run_jobs
from . import test_click_everywhere
from . import test_result_guards
from . import test_role_matrix
from . import test_difference_kinds
from . import test_overview
from . import test_digest
from . import test_suggest
from . import test_connector_alerts
from . import test_connector_walkthrough
from . import test_risk
from . import test_suggest_fx
