#!/usr/bin/env bash
# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# `make rotate-keys DB=<database>`: see scripts/rotate_keys.py
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
DB=${1:?usage: make rotate-keys DB=<database>}
find_odoo || { say "no Odoo 18: $ODOO_MISSING"; exit 1; }
find_postgres || { say "no PostgreSQL reachable"; exit 1; }
"$PYTHON" "$ODOO_BIN" shell -c config/odoo-local.conf --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" -d "$DB" \
    --addons-path="$(odoo_addons_path)" --no-http --log-level=warn <scripts/rotate_keys.py
