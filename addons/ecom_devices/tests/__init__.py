from . import test_device_access
from . import test_translations
