# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import test_device_access
from . import test_device_events_endpoint
from . import test_device_rpc
from . import test_device_tokens
from . import test_rfid_count
from . import test_rfid_count_rpc
from . import test_rfid_count_ui
from . import test_scan_decode
from . import test_translations
from . import test_ui
from . import test_handheld
from . import test_handheld_rpc
from . import test_handheld_ui
