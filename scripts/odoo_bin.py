#!/usr/bin/env python3
# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's own `odoo-bin`, run by whichever Python runs this file: the scripts start Odoo as
``"$PYTHON" scripts/odoo_bin.py ...`` so that Odoo sees what was pip-installed into that Python
(ecomfin, queue_job), for an Odoo from source as for the official .deb's /usr/bin/odoo. With
workers, Odoo starts its gevent process as ``sys.executable sys.argv[0] gevent ...``: this file."""

import os
import sys

os.environ["TZ"] = "UTC"  # as odoo-bin: the server's time zone is UTC before `time` is used
# this folder holds other scripts, none of which is a module Odoo should import
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import odoo  # noqa: E402

if __name__ == "__main__":
    odoo.cli.main()
