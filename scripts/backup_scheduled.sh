#!/usr/bin/env bash
# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# A scheduled backup, for cron, a systemd timer (scripts/systemd/) or the compose `backup` service:
#
#   scripts/backup_scheduled.sh run DB DIR [KEEP]     back up DB into DIR/DB-<UTC time>.ecbk,
#       restore-verify that file, then keep the newest KEEP verified backups (default 14); an
#       archive that fails its verification is renamed *.ecbk.unverified and the run fails
#   scripts/backup_scheduled.sh check DIR MAX_AGE_HOURS   exit 1, saying why, when the last run
#       failed or the last verified backup is older than MAX_AGE_HOURS (a missing backup)
#
# Each run writes DIR/status.json ({"ok", "time", "db", "file", "message", "last_ok", "last_ok_file"}):
# what `check` (and a monitoring system) reads. The key, the database server and the data
# directory are found as scripts/backup.py finds them (ECOM_BACKUP_KEY, ODOO_RC, PG*).
set -uo pipefail
PYTHON=${PYTHON:-python3}
BACKUP_PY=${ECOM_BACKUP_PY:-$(cd "$(dirname "$0")" && pwd)/backup.py}

say() { printf '%s\n' "$*"; }

# status DIR DB OK FILE MESSAGE: the outcome of this run, keeping the last good one
status() {
    ECOM_STATUS_DIR=$1 ECOM_STATUS_DB=$2 ECOM_STATUS_OK=$3 ECOM_STATUS_FILE=$4 ECOM_STATUS_MESSAGE=$5 \
        "$PYTHON" - <<'PY'
import datetime
import json
import os

path = os.path.join(os.environ["ECOM_STATUS_DIR"], "status.json")
try:
    with open(path, encoding="utf-8") as f:
        previous = json.load(f)
except (OSError, ValueError):
    previous = {}
now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
ok = os.environ["ECOM_STATUS_OK"] == "1"
status = {
    "ok": ok,
    "time": now,
    "db": os.environ["ECOM_STATUS_DB"],
    "file": os.environ["ECOM_STATUS_FILE"],
    "message": os.environ["ECOM_STATUS_MESSAGE"],
    "last_ok": now if ok else previous.get("last_ok"),
    "last_ok_file": os.environ["ECOM_STATUS_FILE"] if ok else previous.get("last_ok_file"),
}
with open(path + ".tmp", "w", encoding="utf-8") as f:
    json.dump(status, f, indent=1)
os.replace(path + ".tmp", path)
PY
}

run() {
    local db=${1:?usage: backup_scheduled.sh run DB DIR [KEEP]} dir=${2:?usage: backup_scheduled.sh run DB DIR [KEEP]}
    local keep=${3:-14}
    if ! [[ "$keep" =~ ^[1-9][0-9]*$ ]]; then
        say "KEEP must be a whole number of backups, at least 1: $keep" >&2
        return 2
    fi
    mkdir -p "$dir" || return 2
    local file
    file="$dir/$db-$(date -u +%Y%m%dT%H%M%SZ).ecbk"
    if ! "$PYTHON" "$BACKUP_PY" backup --db "$db" --out "$file"; then
        status "$dir" "$db" 0 "$file" "backup failed"
        say "scheduled backup of $db FAILED: the backup could not be written" >&2
        return 1
    fi
    if ! "$PYTHON" "$BACKUP_PY" restore-verify --file "$file"; then
        mv -f "$file" "$file.unverified"
        status "$dir" "$db" 0 "$file.unverified" "restore-verify failed"
        say "scheduled backup of $db FAILED: $file.unverified does not restore as its manifest says" >&2
        return 1
    fi
    # retention: the newest KEEP verified archives of this database (names sort by time)
    local old
    while IFS= read -r old; do
        rm -f -- "$old"
    done < <(find "$dir" -maxdepth 1 -name "$db-*.ecbk" | sort -r | tail -n +"$((keep + 1))")
    find "$dir" -maxdepth 1 -name "$db-*.ecbk.unverified" -mtime +30 -delete
    status "$dir" "$db" 1 "$file" "verified"
    say "scheduled backup of $db: $file written and restore-verified; keeping the newest $keep"
}

check() {
    local dir=${1:?usage: backup_scheduled.sh check DIR MAX_AGE_HOURS} hours=${2:?usage: backup_scheduled.sh check DIR MAX_AGE_HOURS}
    ECOM_STATUS_DIR=$dir ECOM_MAX_AGE_HOURS=$hours "$PYTHON" - <<'PY'
import datetime
import json
import os
import sys

path = os.path.join(os.environ["ECOM_STATUS_DIR"], "status.json")
try:
    with open(path, encoding="utf-8") as f:
        status = json.load(f)
except (OSError, ValueError):
    sys.exit(f"no backup has run yet ({path} is missing)")
if not status.get("ok"):
    sys.exit(f"the last backup FAILED at {status.get('time')}: {status.get('message')} ({status.get('file')})")
last = datetime.datetime.fromisoformat(status["last_ok"])
age = datetime.datetime.now(datetime.timezone.utc) - last
if age > datetime.timedelta(hours=float(os.environ["ECOM_MAX_AGE_HOURS"])):
    sys.exit(f"the last verified backup is {age} old ({status.get('last_ok_file')}): backups have stopped")
print(f"last verified backup {status['last_ok_file']} at {status['last_ok']}")
PY
}

case "${1:-}" in
    run | check)
        command=$1
        shift
        "$command" "$@"
        ;;
    *)
        say "usage: backup_scheduled.sh run DB DIR [KEEP] | check DIR MAX_AGE_HOURS" >&2
        exit 2
        ;;
esac
