# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import ecom_device
from . import ecom_scan_event
from . import ir_websocket
from . import ecom_rfid_count
from . import ecom_rfid_count_line
from . import stock_picking
from . import stock_quant
