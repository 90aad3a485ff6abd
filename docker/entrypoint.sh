#!/usr/bin/env bash
# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# Entry point of the ecom-finance image (in place of the official image's /entrypoint.sh).
#
# Secrets, never in the image: each is taken from the environment (.env, see .env.example) or,
# when not set there, generated on the first start into the secrets volume ($SECRETS_DIR, mode 600)
# and reused afterwards:
#   ECOM_FIELD_KEYS       field encryption keyring ("k1:<key>;index=<key>")
#   ECOM_AUDIT_HMAC_KEY   the audit anchors' signing key
#   ECOM_BACKUP_KEY       the backups' key ("bk1:<key>"), shown once: keep a copy apart
#   ECOM_ADMIN_PASSWD     Odoo's master password; only its hash is kept (shown once if generated)
# ECOM_AUDIT_ANCHOR_PATH defaults to /var/lib/ecom-audit/anchors.jsonl (its own volume).
#
# The database ($ECOM_DB, default ecom) gets the four addons until ir_module_module says all four
# are installed: a first start that stopped half-way (killed, out of memory, a lost connection)
# finishes the installation at the next start. ECOM_DEMO=1: with demo data and the demo logins;
# otherwise without, and the `admin` user gets a strong password, shown once.
#
# The database role (USER) must not be a PostgreSQL superuser (docker-compose.yml, db-setup).
set -euo pipefail

ADDONS=ecom_audit,ecom_finance,ecom_reconcile,ecom_devices
DB=${ECOM_DB:-ecom}
SECRETS_DIR=${ECOM_SECRETS_DIR:-/var/lib/ecom-secrets}
BASE_RC=${ECOM_BASE_RC:-/etc/odoo/odoo.conf}
RC="$SECRETS_DIR/odoo.conf"
LANGUAGE=${ECOM_LANG:-zh_CN}

say() { printf '%s\n' "$*"; }
banner() {
    say "================================================================"
    for line in "$@"; do say " $line"; done
    say "================================================================"
}

# the official image's conventions: HOST, PORT, USER, PASSWORD name the database server
export PGHOST=${HOST:-db} PGPORT=${PORT:-5432} PGUSER=${USER:-odoo}
if [ -n "${PASSWORD_FILE:-}" ]; then
    PASSWORD=$(<"$PASSWORD_FILE")
fi
if [ -z "${PASSWORD:-}" ]; then
    say "refusing to start: no database password (PASSWORD, or PASSWORD_FILE; ECOM_DB_PASSWORD in .env)" >&2
    exit 1
fi
export PGPASSWORD=$PASSWORD

if [ "${1:-odoo}" = odoo ]; then
    [ $# -eq 0 ] || shift
elif [ "${1#-}" = "$1" ]; then
    exec "$@"  # any other command (a shell, scripts/backup.py) as it is
fi

umask 077
mkdir -p "$SECRETS_DIR"

# secret NAME VARIABLE GENERATOR [shown]: the variable's value, else the stored one, else a new one
secret() {
    local name=$1 var=$2 generator=$3 shown=${4:-}
    local file="$SECRETS_DIR/$name"
    if [ -n "${!var:-}" ]; then
        return 0
    fi
    if [ ! -s "$file" ]; then
        python3 -c "$generator" >"$file.tmp"
        mv "$file.tmp" "$file"
        if [ -n "$shown" ]; then
            banner "$var generated in $file (shown once):" "  $(cat "$file")" "$shown"
        else
            say "$var generated in $file"
        fi
    fi
    printf -v "$var" '%s' "$(cat "$file")"
    export "${var?}"
}
secret field_keys ECOM_FIELD_KEYS \
    'from ecomfin.crypto import Keyring as K; print(f"k1:{K.generate_key()};index={K.generate_key()}")'
secret audit_hmac_key ECOM_AUDIT_HMAC_KEY 'import secrets; print(secrets.token_urlsafe(48))'
secret backup_key ECOM_BACKUP_KEY 'from ecomfin.crypto import Keyring as K; print(f"bk1:{K.generate_key()}")' \
    "Keep a copy apart from the backups: without it no backup can be opened."
export ECOM_AUDIT_ANCHOR_PATH=${ECOM_AUDIT_ANCHOR_PATH:-/var/lib/ecom-audit/anchors.jsonl}

# The master password: only its hash is kept, in the runtime configuration.
hash_file="$SECRETS_DIR/admin_passwd.hash"
if [ -n "${ECOM_ADMIN_PASSWD:-}" ] || [ ! -s "$hash_file" ]; then
    password=${ECOM_ADMIN_PASSWD:-}
    if [ -z "$password" ]; then
        password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
        banner "Odoo master password (shown once, kept hashed in $hash_file):" "  $password"
    fi
    ECOM_NEW_PASSWORD=$password python3 -c '
import os
from passlib.context import CryptContext
print(CryptContext(["pbkdf2_sha512"]).hash(os.environ["ECOM_NEW_PASSWORD"]))' >"$hash_file"
    unset password
fi

# The runtime configuration: the image's, with the master password's hash, the database server,
# role and password (HOST, PORT, USER, PASSWORD) and the database, readable by this user only.
ECOM_HASH_FILE=$hash_file ECOM_RC=$RC ECOM_BASE_RC=$BASE_RC ECOM_DB=$DB python3 - <<'PY'
import os
import re

skip = re.compile(r"^\s*(admin_passwd|db_host|db_port|db_user|db_password|db_name|dbfilter)\s*=")
with open(os.environ["ECOM_HASH_FILE"]) as f:
    hashed = f.read().strip()
db = os.environ["ECOM_DB"]
ours = [f"admin_passwd = {hashed}"]
ours += [f"{option} = {os.environ[variable]}" for option, variable in (("db_host", "PGHOST"), ("db_port", "PGPORT"), ("db_user", "PGUSER"), ("db_password", "PGPASSWORD"))]
ours += [f"db_name = {db}", f"dbfilter = ^{re.escape(db)}$"]
out = []
with open(os.environ["ECOM_BASE_RC"]) as f:
    for line in f.read().splitlines():
        if skip.match(line):
            continue
        out.append(line)
        if line.strip() == "[options]":
            out += ours
with open(os.environ["ECOM_RC"] + ".tmp", "w") as f:
    f.write("\n".join(out) + "\n")
os.replace(os.environ["ECOM_RC"] + ".tmp", os.environ["ECOM_RC"])
PY
ODOO=(odoo -c "$RC")

sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -v db="$DB" -v addons="$ADDONS" "$@"; }

# wait for the database server (db-setup has made the role by the time compose starts us)
for _ in $(seq 1 60); do
    sql -d postgres <<<'SELECT 1' >/dev/null 2>&1 && break
    sleep 1
done
super=$(sql -d postgres <<<'SELECT rolsuper FROM pg_roles WHERE rolname = current_user') || {
    say "cannot connect to PostgreSQL at $PGHOST:$PGPORT as $PGUSER" >&2
    exit 1
}
if [ "$super" = t ]; then
    say "refusing to start: the database role $PGUSER is a PostgreSQL superuser" >&2
    say "(ALTER ROLE $PGUSER NOSUPERUSER CREATEDB, as a superuser of the database server)" >&2
    exit 1
fi

# How many of the four addons are not installed yet, from ir_module_module: 4 for a database
# that does not exist or whose base module never finished installing (no such table).
admin_pending="$SECRETS_DIR/admin_password.$DB.pending"
missing=4
if [ "$(sql -d postgres <<<"SELECT 1 FROM pg_database WHERE datname = :'db'")" = 1 ]; then
    missing=$(sql -d "$DB" 2>/dev/null <<<"SELECT count(*) FROM unnest(string_to_array(:'addons', ',')) AS a(name)
        WHERE NOT EXISTS (SELECT 1 FROM ir_module_module m WHERE m.name = a.name AND m.state = 'installed')") \
        || missing=4
else
    # a new database: its admin password is made once the installation is through (below)
    touch "$admin_pending"
fi
if [ "$missing" != 0 ]; then
    demo=(--without-demo=all)
    [ "${ECOM_DEMO:-0}" = 1 ] && demo=()
    lang=()
    [ "$LANGUAGE" = en_US ] || lang=(--load-language="$LANGUAGE")
    say "installing $ADDONS into database $DB ($missing of 4 not installed yet; demo data: ${ECOM_DEMO:-0})"
    "${ODOO[@]}" -d "$DB" -i "$ADDONS" "${demo[@]}" "${lang[@]}" --workers=0 --max-cron-threads=0 \
        --no-http --stop-after-init
fi

# Production: the `admin` user of a database made here gets a strong password, shown once (an
# existing database keeps its own).
if [ -e "$admin_pending" ]; then
    if [ "${ECOM_DEMO:-0}" != 1 ]; then
        admin_password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
        # a subcommand comes before the options
        ECOM_NEW_PASSWORD=$admin_password odoo shell -c "$RC" -d "$DB" --no-http --log-level=warn <<'PY'
import os

env.ref("base.user_admin").password = os.environ["ECOM_NEW_PASSWORD"]  # noqa: F821
env.cr.commit()  # noqa: F821 - `odoo shell` rolls back what is not committed
PY
        banner "Odoo user 'admin' of database $DB: password (shown once):" "  $admin_password"
        unset admin_password
    fi
    rm -f "$admin_pending"
fi

exec "${ODOO[@]}" "$@"
