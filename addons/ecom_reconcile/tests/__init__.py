from . import test_alerts
from . import test_clearing
from . import test_reconcile_run
from . import test_translations
from . import test_ui
from . import test_demo_books
from . import test_read_paths
from . import test_run_report
