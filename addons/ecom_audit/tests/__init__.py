from . import test_audit_log
from . import test_audit_login
from . import test_roles
from . import test_translations
