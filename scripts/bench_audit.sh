#!/usr/bin/env bash
# `make bench-audit DB=<database> [ROWS="..."]`: bench/bench_audit.py inside Odoo.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
DB=${1:?usage: make bench-audit DB=<database with ecom_finance installed> [ROWS="100000 1000000"]}
shift
find_odoo || { say "no Odoo 18: $ODOO_MISSING"; exit 1; }
find_postgres || { say "no PostgreSQL reachable"; exit 1; }
rows=()
for n in ${*:-100000}; do rows+=(--rows "$n"); done
exec "$PYTHON" bench/bench_audit.py "${rows[@]}" -- -d "$DB" --db_host="$DB_HOST" --db_port="$DB_PORT" \
    --db_user="$DB_USER" --addons-path="$(odoo_addons_path)" --log-level=warn
