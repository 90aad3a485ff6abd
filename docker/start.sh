#!/usr/bin/env bash
# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# Entry point of the ecom-finance image, then the official entrypoint.
#
# - The master password (admin_passwd) is never shipped: on the first start one is generated,
#   printed once, and kept hashed in the data volume (/var/lib/odoo/odoo.conf, built from the
#   mounted /etc/odoo/odoo.conf). Delete that file to get a new one.
# - On the first start, database `ecom` is created with the four addons and Simplified Chinese,
#   WITHOUT demo data unless ECOM_DEMO=1.
# - Odoo connects as its own role (USER), which must not be a PostgreSQL superuser: the compose
#   file creates it (db-setup) and splits the audit table off afterwards (db-roles,
#   scripts/db_roles.sql).
set -euo pipefail
ADDONS=ecom_audit,ecom_finance,ecom_reconcile,ecom_devices
DATA_DIR=/var/lib/odoo
BASE_RC=${ODOO_RC:-/etc/odoo/odoo.conf}
RC="$DATA_DIR/odoo.conf"

if [ ! -s "$RC" ] || ! grep -qE '^\s*admin_passwd\s*=' "$RC"; then
    umask 077
    password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
    hashed=$(ECOM_NEW_PASSWORD="$password" python3 -c '
import os
from passlib.context import CryptContext
print(CryptContext(["pbkdf2_sha512"]).hash(os.environ["ECOM_NEW_PASSWORD"]))')
    grep -vE '^\s*admin_passwd\s*=' "$BASE_RC" | sed "s|^\[options\]\$|[options]\nadmin_passwd = $hashed|" > "$RC.tmp"
    mv "$RC.tmp" "$RC"
    echo "================================================================"
    echo " Odoo master password (shown once, stored hashed in $RC):"
    echo "   $password"
    echo "================================================================"
fi
export ODOO_RC="$RC"

if [ "${1:-odoo}" = odoo ]; then
    exists=$(python3 - <<'PY'
import os

import psycopg2

conn = psycopg2.connect(
    host=os.environ.get("HOST", "db"), user=os.environ.get("USER", "odoo"),
    password=os.environ.get("PASSWORD", "odoo"), dbname="postgres",
)
with conn, conn.cursor() as cr:
    cr.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cr.fetchone()[0]:
        print("superuser")
    else:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = 'ecom'")
        print("yes" if cr.fetchone() else "no")
PY
)
    if [ "$exists" = superuser ]; then
        echo "refusing to start: the database role ${USER:-odoo} is a PostgreSQL superuser" >&2
        echo "(ALTER ROLE ${USER:-odoo} NOSUPERUSER CREATEDB, as a superuser of the database server)" >&2
        exit 1
    fi
    if [ "$exists" = no ]; then
        demo=(--without-demo=all)
        if [ "${ECOM_DEMO:-0}" = 1 ]; then
            demo=()
        fi
        echo "first start: creating database ecom with $ADDONS${ECOM_DEMO:+ (ECOM_DEMO=$ECOM_DEMO)}"
        /entrypoint.sh odoo -d ecom -i "$ADDONS" "${demo[@]}" --load-language=zh_CN --stop-after-init
    fi
fi
exec /entrypoint.sh "$@"
