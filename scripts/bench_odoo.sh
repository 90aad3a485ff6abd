#!/usr/bin/env bash
# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# `make bench-import|bench-reconcile|bench-audit|bench-posting|bench-reconcile-oca DB=<database> [ROWS="..."]`:
# an Odoo benchmark of bench/ run against a database where the ecom addons are installed.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
NAME=${1:?usage: scripts/bench_odoo.sh import|reconcile|audit|posting|margin|reconcile_oca|connectors <database> [rows ...]}
DB=${2:?usage: make bench-$NAME DB=<database with the ecom addons installed> [ROWS="..."]}
shift 2
find_odoo || { say "no Odoo 18: $ODOO_MISSING"; exit 1; }
find_postgres || { say "no PostgreSQL reachable"; exit 1; }
rows=()
for n in "$@"; do rows+=(--rows "$n"); done
[ -z "${ECOM_BENCH_PLATFORM:-}" ] || rows+=(--platform "$ECOM_BENCH_PLATFORM")
exec "$PYTHON" "bench/bench_$NAME.py" "${rows[@]}" -- -d "$DB" --db_host="$DB_HOST" --db_port="$DB_PORT" \
    --db_user="$DB_USER" --addons-path="$(odoo_addons_path)" --log-level=warn
