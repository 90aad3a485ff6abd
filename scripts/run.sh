#!/usr/bin/env bash
# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# `make run`: create database `ecom` with the four addons and demo data if it does not
# exist, then start Odoo and say where to log in.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

DB=${ECOM_DB:-ecom}
PORT=${ECOM_HTTP_PORT:-8069}
LANGUAGE=${ECOM_LANG:-zh_CN}  # the language of a new database; en_US for English only

use_installable_python || exit 1
# the core and the scripts' own needs (psycopg2) first: the checks below use them
"$PYTHON" -m pip install -q --disable-pip-version-check --root-user-action=ignore -r requirements.txt -e . \
    || { say "could not install the core requirements (requirements.txt) into $PYTHON"; exit 1; }
if ! find_odoo; then
    say "make run needs Odoo 18.0: $ODOO_MISSING (see README, Prerequisites)."
    exit 1
fi
if ! find_postgres; then
    say "make run needs a PostgreSQL role it can connect as. $PG_PROBLEM"
    say "(PGHOST/PGPORT/PGUSER/PGPASSWORD choose another server or role; Odoo refuses the 'postgres' role.)"
    exit 1
fi
"$PYTHON" -m pip install -q --disable-pip-version-check --root-user-action=ignore --no-deps -r requirements-oca.txt

# Field encryption needs keys (buyer data, bank accounts, API secrets): a development key pair is
# made once and kept in .logs/ (not committed). Production sets its own (docs/operations.md, Field keys and key rotation).
if [ -z "${ECOM_FIELD_KEYS:-}" ]; then
    keys_file="$ROOT/.logs/dev-field-keys"
    if [ ! -s "$keys_file" ]; then
        mkdir -p "$ROOT/.logs"
        (umask 077 && "$PYTHON" -c 'from ecomfin.crypto import Keyring as K; print(f"dev1:{K.generate_key()};index={K.generate_key()}")' >"$keys_file")
        say "made development field encryption keys in $keys_file"
    fi
    ECOM_FIELD_KEYS=$(cat "$keys_file")
    export ECOM_FIELD_KEYS
fi

ODOO=("$PYTHON" "$ODOO_BIN" -c config/odoo-local.conf --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER"
    -d "$DB" --db-filter="^$DB\$" --addons-path="$(odoo_addons_path)")

exists=$("$PYTHON" - "$DB_HOST" "$DB_PORT" "$DB_USER" "$DB" <<'PY'
import sys

import psycopg2

host, port, user, db = sys.argv[1:5]
with psycopg2.connect(host=host, port=int(port), user=user, dbname="postgres") as conn, conn.cursor() as cr:
    cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
    print("yes" if cr.fetchone() else "no")
PY
)
if [ "$exists" = no ]; then
    say "creating database $DB with $ECOM_ADDONS, demo data, language $LANGUAGE (a few minutes)..."
    lang_opt=()
    [ "$LANGUAGE" = en_US ] || lang_opt=(--load-language="$LANGUAGE")
    "${ODOO[@]}" -i "$ECOM_ADDONS" "${lang_opt[@]}" --stop-after-init --log-level=warn
fi

cat <<MSG

ecom-finance is starting on http://localhost:$PORT  (database $DB)
Demo logins (password = login):
  admin           / admin            administrator (implies Finance Manager)
  ecom_shop       / ecom_shop        Shop Operator (Tmall and Douyin shops)
  ecom_warehouse  / ecom_warehouse   Warehouse Operator
  ecom_accountant / ecom_accountant  Accountant
  ecom_manager    / ecom_manager     Finance Manager
  ecom_auditor    / ecom_auditor     Auditor (read-only)
Stop with Ctrl-C.

MSG
exec "${ODOO[@]}" --http-port="$PORT"
