# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import controllers
from . import models
from . import wizards
from .denied import patch_rpc
from .export_xlsx import patch_xlsx_export
from .savepoint import patch_savepoint


def post_load():
    patch_savepoint()
    patch_xlsx_export()
    patch_rpc()
