from . import test_shop_access
from . import test_demo_data
from . import test_field_encryption
from . import test_statement_import
from . import test_statement_import_jobs
from . import test_translations
from . import test_ui
from . import test_posting
