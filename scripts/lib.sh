# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# Shared by scripts/*.sh: find Odoo 18, its addons path, and a PostgreSQL to talk to.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) && [ -n "$ROOT" ] || {
    printf 'cannot find the checkout of %s\n' "${BASH_SOURCE[0]}" >&2
    return 2
}
PYTHON=${PYTHON:-python3}
ECOM_ADDONS="ecom_audit,ecom_finance,ecom_reconcile,ecom_devices"

say() { printf '%s\n' "$*"; }

# A Python that refuses pip installs (PEP 668, e.g. Debian's python3): switch PYTHON to a
# virtualenv beside the checkout that still sees the system's packages (an Odoo installed from the
# official .deb, say). Returns 1, having said why, when no usable virtualenv can be made.
use_installable_python() {
    if ! "$PYTHON" -c 'import os, sys, sysconfig; sys.exit(not (sys.prefix == sys.base_prefix and os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))))'; then
        return 0
    fi
    local venv="$ROOT/.venv"
    # a virtualenv left half-made by an earlier failure (Debian without python3-venv leaves one
    # without pip) is made again
    if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
        rm -rf "$venv"
        if ! "$PYTHON" -m venv --system-site-packages "$venv" || ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
            rm -rf "$venv"
            say "could not make a virtualenv with $PYTHON, which is externally managed (PEP 668)."
            say "On Debian/Ubuntu: sudo apt install python3-venv (or python3.X-venv for your python3 -V), then run this again."
            return 1
        fi
    fi
    say "$PYTHON is externally managed: using the virtualenv $venv"
    PYTHON="$venv/bin/python"
}

# Odoo run by $PYTHON itself, so that it sees what was pip-installed there (ecomfin, queue_job),
# whether Odoo comes from source or from the official .deb (/usr/bin/odoo runs python3). Not
# `python -m odoo`: with workers, Odoo starts its gevent process as `sys.executable sys.argv[0]`,
# which needs a script as argv[0].
# Usage: "$PYTHON" "$ODOO_BIN" <odoo arguments>
ODOO_BIN="$ROOT/scripts/odoo_bin.py"

# Sets ODOO_MISSING to the reason when no usable Odoo 18 is found.
find_odoo() {
    ODOO_MISSING=""
    local version
    if ! version=$("$PYTHON" -c 'import odoo.release as r; print(r.serie)' 2>/dev/null); then
        if command -v odoo >/dev/null 2>&1; then
            ODOO_MISSING="'odoo' is on PATH but $PYTHON cannot import odoo (set PYTHON to the Python Odoo runs on)"
        else
            ODOO_MISSING="$PYTHON cannot import odoo and there is no 'odoo' command on PATH"
        fi
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

# Sets DB_HOST, DB_PORT, DB_USER to a PostgreSQL that accepts us: PGHOST/PGPORT/PGUSER (and
# PGPASSWORD or ~/.pgpass) when set, else 127.0.0.1 then the local socket (peer authentication, as a
# stock Debian/Ubuntu PostgreSQL has it) as your login name or `odoo`. Returns 1 when none
# accepts us, with PG_PROBLEM saying why and what to run (several lines).
find_postgres() {
    local found
    PG_PROBLEM=""
    found=$("$PYTHON" - "$(id -un)" <<'PY'
import os
import sys

try:
    import psycopg2
except ImportError:
    print(f"{sys.executable} cannot import psycopg2: pip install psycopg2 (or apt install python3-psycopg2)")
    sys.exit(1)

login = sys.argv[1]
port = os.environ.get("PGPORT") or "5432"
if os.environ.get("PGHOST"):
    hosts = [os.environ["PGHOST"]]
else:
    hosts = ["127.0.0.1"] + [d for d in ("/var/run/postgresql", "/tmp") if os.path.exists(f"{d}/.s.PGSQL.{port}")]
users = [os.environ["PGUSER"]] if os.environ.get("PGUSER") else list(dict.fromkeys([login, "odoo"]))
errors = []
for host in hosts:
    for user in users:
        if user == "postgres":  # Odoo refuses to run as 'postgres'
            errors.append((host, user, "Odoo refuses to connect as the role 'postgres'"))
            continue
        try:
            psycopg2.connect(host=host, port=int(port), user=user, dbname="postgres", connect_timeout=3).close()
        except psycopg2.Error as exc:
            errors.append((host, user, str(exc).strip().splitlines()[0]))
        else:
            print(f"ok\t{host}\t{port}\t{user}")
            sys.exit(0)
answered = [(h, u, e) for h, u, e in errors if "could not connect" not in e and "Connection refused" not in e
            and "No such file" not in e and "timeout expired" not in e]
if not answered:
    print(f"no PostgreSQL answers on {' or '.join(hosts)} port {port}.")
    print("On Debian/Ubuntu: sudo apt install postgresql, then: sudo -u postgres createuser -s " + login)
    sys.exit(1)
print("PostgreSQL answers but refuses every role tried:")
for host, user, error in answered:
    print(f"  {user}@{host}:{port}: {error}")
missing = any("does not exist" in e for _h, _u, e in answered)
if missing or any("Peer authentication" in e for _h, _u, e in answered):
    print("On a stock Debian/Ubuntu PostgreSQL, make a role of your login (peer authentication on the socket;")
    print("a superuser, for a development machine only; production: docs/operations.md, Database roles):")
    print(f"  sudo -u postgres createuser -s {login}")
if any("password" in e for _h, _u, e in answered):
    print("A role that needs a password over TCP: set PGPASSWORD (or a line in ~/.pgpass) and PGUSER,")
    print("or leave PGHOST unset to use the local socket with peer authentication.")
sys.exit(1)
PY
) || { PG_PROBLEM=$found; return 1; }
    IFS=$'\t' read -r _ DB_HOST DB_PORT DB_USER <<<"$found"
    return 0
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
