#!/usr/bin/env bash
# Entry point of the ecom-finance image: on the first start, create database `ecom` with the
# four addons, demo data and Simplified Chinese; then hand over to the official entrypoint.
set -euo pipefail
ADDONS=ecom_audit,ecom_finance,ecom_reconcile,ecom_devices
if [ "${1:-odoo}" = odoo ]; then
    exists=$(python3 - <<'PY'
import os

import psycopg2

conn = psycopg2.connect(
    host=os.environ.get("HOST", "db"), user=os.environ.get("USER", "odoo"),
    password=os.environ.get("PASSWORD", "odoo"), dbname="postgres",
)
with conn, conn.cursor() as cr:
    cr.execute("SELECT 1 FROM pg_database WHERE datname = 'ecom'")
    print("yes" if cr.fetchone() else "no")
PY
)
    if [ "$exists" = no ]; then
        echo "first start: creating database ecom with $ADDONS and demo data"
        /entrypoint.sh odoo -d ecom -i "$ADDONS" --load-language=zh_CN --stop-after-init
    fi
fi
exec /entrypoint.sh "$@"
