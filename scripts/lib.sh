# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# Shared by scripts/*.sh: find Odoo 18, its addons path, and a PostgreSQL to talk to.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
ECOM_ADDONS="ecom_audit,ecom_finance,ecom_reconcile,ecom_devices"

say() { printf '%s\n' "$*"; }

# Sets ODOO_MISSING to the reason when no usable Odoo 18 is found.
find_odoo() {
    ODOO_MISSING=""
    if ! command -v odoo >/dev/null 2>&1; then
        ODOO_MISSING="no 'odoo' command on PATH"
        return 1
    fi
    local version
    if ! version=$("$PYTHON" -c 'import odoo.release as r; print(r.serie)' 2>/dev/null); then
        ODOO_MISSING="'odoo' is on PATH but $PYTHON cannot import odoo"
        return 1
    fi
    if [ "$version" != "18.0" ]; then
        ODOO_MISSING="found Odoo $version, need 18.0"
        return 1
    fi
    return 0
}

# The addons path: Odoo's own addons, OCA wheels under site-packages/odoo/addons, and ours.
odoo_addons_path() {
    "$PYTHON" - "$ROOT/addons" <<'PY'
import os
import sys

import odoo.addons
from odoo.tools import config

config.parse_config([])
paths = [p for p in config["addons_path"].split(",") if p]
paths += [p for p in odoo.addons.__path__ if os.path.isdir(p) and os.listdir(p)]
paths.append(sys.argv[1])
seen = []
for p in map(os.path.abspath, paths):
    if p not in seen and os.path.isdir(p):
        seen.append(p)
print(",".join(seen))
PY
}

pg_reachable() {  # host port user
    "$PYTHON" - "$@" <<'PY' >/dev/null 2>&1
import sys

import psycopg2

host, port, user = sys.argv[1:4]
psycopg2.connect(host=host, port=int(port), user=user, dbname="postgres", connect_timeout=3).close()
PY
}

# Sets DB_HOST, DB_PORT, DB_USER to a PostgreSQL that accepts us, from PGHOST/PGPORT/PGUSER
# or the usual local defaults. Returns 1 when none answers.
find_postgres() {
    local host=${PGHOST:-127.0.0.1} port=${PGPORT:-5432}
    local user
    for user in ${PGUSER:-} "$(id -un)" odoo; do
        [ -n "$user" ] || continue
        [ "$user" = postgres ] && continue  # Odoo refuses to run as 'postgres'
        if pg_reachable "$host" "$port" "$user"; then
            DB_HOST=$host DB_PORT=$port DB_USER=$user
            return 0
        fi
    done
    return 1
}

# Starts a throwaway PostgreSQL cluster on a free port as a non-root user; sets DB_*
# and registers its removal on exit.
start_throwaway_postgres() {
    local bindir initdb
    bindir=$(pg_config --bindir 2>/dev/null || true)
    initdb=""
    for candidate in "$bindir/initdb" /usr/lib/postgresql/*/bin/initdb; do
        [ -x "$candidate" ] && initdb=$candidate
    done
    if [ -z "$initdb" ]; then
        say "no PostgreSQL is reachable and no initdb was found to start one"
        return 1
    fi
    bindir=$(dirname "$initdb")
    PG_TMP=$(mktemp -d /tmp/ecom-pg.XXXXXX)
    DB_PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    DB_HOST=127.0.0.1
    DB_USER=ecom
    local run=()
    if [ "$(id -u)" = 0 ]; then
        local owner=postgres
        id "$owner" >/dev/null 2>&1 || owner=nobody
        chown "$owner" "$PG_TMP"
        run=(runuser -u "$owner" --)
    fi
    "${run[@]}" "$initdb" -D "$PG_TMP/data" -U "$DB_USER" --auth=trust -E UTF8 >"$PG_TMP/initdb.log" 2>&1 || {
        say "initdb failed, see $PG_TMP/initdb.log"
        return 1
    }
    "${run[@]}" "$bindir/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w \
        -o "-p $DB_PORT -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null || {
        say "could not start the throwaway PostgreSQL, see $PG_TMP/server.log"
        return 1
    }
    PG_STOP=("${run[@]}" "$bindir/pg_ctl" -D "$PG_TMP/data" -m immediate stop)
    say "started a throwaway PostgreSQL on 127.0.0.1:$DB_PORT (user $DB_USER)"
}

stop_throwaway_postgres() {
    if [ -n "${PG_TMP:-}" ]; then
        "${PG_STOP[@]}" >/dev/null 2>&1 || true
        rm -rf "$PG_TMP"
        PG_TMP=""
    fi
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
