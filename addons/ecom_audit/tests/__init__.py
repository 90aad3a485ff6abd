from . import test_audit_anomaly
from . import test_audit_export
from . import test_audit_log
from . import test_audit_login
from . import test_audit_sensitive
from . import test_roles
from . import test_translations
from . import test_approval
