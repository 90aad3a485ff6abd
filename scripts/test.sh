#!/usr/bin/env bash
# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# `make test`: the core suite (pytest), then, where Odoo 18 is installed, the whole Odoo
# suite of the four addons on a fresh database with demo data, then an uninstall and a
# reinstall of the addons. Fails on any failing test and on any ERROR/WARNING line that
# Odoo logs. Ends with one summary line per suite.
set -uo pipefail
status=0
core_line=""
odoo_line=""
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh" || { printf '%s\n' "cannot read $(dirname "$0")/lib.sh" "core: not run"; exit 2; }

finish() {
    local rc=$?
    stop_throwaway_postgres
    # an early exit (a failed cd, a virtualenv that could not be made) is a failure, never a pass
    [ "$rc" -ne 0 ] && [ "$status" -eq 0 ] && status=$rc
    if [ -z "$core_line" ]; then
        core_line="core: not run"
        [ "$status" -eq 0 ] && status=1
    fi
    say ""
    say "== summary =="
    say "$core_line"
    [ -n "$odoo_line" ] && say "$odoo_line"
    exit "$status"
}
trap finish EXIT

cd "$ROOT" || { say "cannot enter the checkout $ROOT"; exit 2; }
LOG_DIR=${ECOM_LOG_DIR:-$ROOT/.logs}
mkdir -p "$LOG_DIR" || { say "cannot make the log folder $LOG_DIR"; exit 2; }

# counts "N passed" / "N failed" / "N error" words of a pytest closing line
count_word() { grep -oE "[0-9]+ $1" <<<"$2" | grep -oE '^[0-9]+' || echo 0; }

say "== core suite: pytest =="
use_installable_python || exit 2
if ! "$PYTHON" -m pip install -q --disable-pip-version-check --root-user-action=ignore -r requirements.txt -e ".[test]"; then
    say "could not install the core requirements (requirements.txt)"
    core_line="core: not run (pip install failed)"
    status=1
    exit
fi
# the core's database tests (tests/test_db_roles.py, tests/test_backup.py) use the PostgreSQL the
# Odoo suite will use, when one accepts us (else they are skipped, and the summary says so)
if find_postgres; then
    export PGHOST="$DB_HOST" PGPORT="$DB_PORT" PGUSER="$DB_USER"
fi
"$PYTHON" -m pytest -q tests 2>&1 | tee "$LOG_DIR/core.log"
core_rc=${PIPESTATUS[0]}
closing=$(grep -E "[0-9]+ (passed|failed|error)" "$LOG_DIR/core.log" | tail -n 1)
passed=$(count_word passed "$closing")
failed=$(( $(count_word failed "$closing") + $(count_word error "$closing") ))
skipped=$(count_word skipped "$closing")
core_line="core: $passed passed, $failed failed"
[ "$skipped" -gt 0 ] && core_line="$core_line, $skipped skipped"
if [ "$passed" -eq 0 ]; then
    say "no core test passed: the core suite did not really run (see $LOG_DIR/core.log)"
    core_line="$core_line (no test ran)"
    status=1
elif [ "$core_rc" -ne 0 ]; then
    status=1
fi

say ""
say "== Odoo suite =="
if ! find_odoo; then
    say "Odoo suite SKIPPED: no Odoo 18 found ($ODOO_MISSING)."
    say "Install Odoo 18.0 so that $PYTHON can import it (see README, Prerequisites) to run it."
    odoo_line="odoo: skipped, no Odoo 18 found ($ODOO_MISSING)"
    exit
fi

# What the Odoo suite needs besides Odoo and the `test` extra installed above (websocket-client,
# freezegun, polib, openpyxl, odoo-test-helper): the OCA addons and the tour browser.
"$PYTHON" -m pip install -q --disable-pip-version-check --root-user-action=ignore --no-deps -r requirements-oca.txt || status=1
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 \
    && ! command -v google-chrome >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing chromium for the tours"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >"$LOG_DIR/apt.log" 2>&1 \
            || say "could not install chromium (see $LOG_DIR/apt.log): tours will be skipped and fail the suite"
    else
        say "no Chromium found: install the 'chromium' package, tours need it"
    fi
fi
# The printed vouchers: wkhtmltopdf and a CJK font (the official Odoo image ships both).
if ! command -v wkhtmltopdf >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing wkhtmltopdf and fonts-noto-cjk for the printed vouchers"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wkhtmltopdf fonts-noto-cjk) \
            >"$LOG_DIR/apt-pdf.log" 2>&1 \
            || say "could not install wkhtmltopdf (see $LOG_DIR/apt-pdf.log): the voucher PDF test will be skipped"
    else
        say "no wkhtmltopdf or CJK font: install 'wkhtmltopdf' and 'fonts-noto-cjk', the voucher PDF test needs them"
    fi
fi
if [ "$status" -ne 0 ]; then
    odoo_line="odoo: not run (its requirements could not be installed)"
    exit
fi

if ! find_postgres; then
    say "$PG_PROBLEM"
    say "starting a throwaway PostgreSQL instead"
    if ! start_throwaway_postgres; then
        odoo_line="odoo: not run (no PostgreSQL)"
        status=1
        exit
    fi
fi

# Field encryption keys of the run: a throwaway keyring (and blind-index key), never the real ones.
ECOM_FIELD_KEYS=$("$PYTHON" -c 'from ecomfin.crypto import Keyring as K; print(f"t1:{K.generate_key()};index={K.generate_key()}")')
export ECOM_FIELD_KEYS

DB=${ECOM_TEST_DB:-ecom_test_$(date +%Y%m%d%H%M%S)_$$}
DATA_DIR=$(mktemp -d /tmp/ecom-odoo-data.XXXXXX)
ADDONS_PATH=$(odoo_addons_path)
OPTS=(--db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" -d "$DB"
    --addons-path="$ADDONS_PATH" --data-dir="$DATA_DIR" --max-cron-threads=0)
ODOO=("$PYTHON" "$ODOO_BIN" "${OPTS[@]}" --stop-after-init)
ODOO_SHELL=("$PYTHON" "$ODOO_BIN" shell "${OPTS[@]}" --no-http)
TAGS=$(sed 's#\(^\|,\)#\1/#g' <<<"$ECOM_ADDONS")

drop_db() {
    "$PYTHON" - "$DB_HOST" "$DB_PORT" "$DB_USER" "$DB" <<'PY'
import sys

import psycopg2
from psycopg2 import sql

host, port, user, db = sys.argv[1:5]
conn = psycopg2.connect(host=host, port=int(port), user=user, dbname="postgres")
conn.autocommit = True
with conn.cursor() as cr:
    cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [db])
    cr.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(db)))
PY
    rm -rf "$DATA_DIR"
}

problems() {  # the ERROR/WARNING/CRITICAL lines Odoo logged
    grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) ' "$1"
}

say "database $DB on $DB_HOST:$DB_PORT, addons path $ADDONS_PATH"
say "installing $ECOM_ADDONS with demo data and running their tests (log: $LOG_DIR/odoo-test.log)"
"${ODOO[@]}" -i "$ECOM_ADDONS" --test-enable --test-tags="$TAGS" --http-port="$(free_port)" \
    --log-level=info >"$LOG_DIR/odoo-test.log" 2>&1
odoo_rc=$?

result=$(grep -E "odoo\.tests\.result: [0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$LOG_DIR/odoo-test.log" | tail -n 1)
total=$(grep -oE "of [0-9]+ tests" <<<"$result" | grep -oE "[0-9]+" || echo 0)
bad=$(( $(grep -oE "[0-9]+ failed" <<<"$result" | grep -oE "^[0-9]+" || echo 0) \
      + $(grep -oE "[0-9]+ error" <<<"$result" | grep -oE "^[0-9]+" || echo 0) ))
total=${total:-0}
grep -E "(odoo\.tests\.(stats|result)|: (FAIL|ERROR):)" "$LOG_DIR/odoo-test.log" | cut -c1-300
odoo_line="odoo: $(( total - bad )) passed, $bad failed"
if [ "$odoo_rc" -ne 0 ] || [ "$total" -eq 0 ] || [ "$bad" -ne 0 ]; then
    [ "$total" -eq 0 ] && say "no Odoo test ran: the suite did not really run (see $LOG_DIR/odoo-test.log)"
    status=1
fi
if problems "$LOG_DIR/odoo-test.log" >/dev/null; then
    say "ERROR/WARNING lines in the Odoo log:"
    problems "$LOG_DIR/odoo-test.log" | cut -c1-400 | head -n 40
    odoo_line="$odoo_line, $(problems "$LOG_DIR/odoo-test.log" | wc -l) ERROR/WARNING log lines"
    status=1
fi

# Background jobs through the real queue_job runner: Odoo with workers, as production runs it.
if [ "${ECOM_SKIP_RUNNER:-0}" != 1 ] && [ "$total" -gt 0 ]; then
    port=$(free_port)
    say "starting Odoo with 2 workers and the queue_job runner on port $port (log: $LOG_DIR/odoo-runner.log)"
    # the job channels of the addons (ecom_finance, ecom_reconcile), as config/odoo.conf sets them
    channels=root:2,root.ecom:2,root.ecom.imports:1,root.ecom.runs:1,root.ecom.fulfilment:1,root.ecom.connectors:1,root.ecom.connectors.taobao:1,root.ecom.connectors.jd:1,root.ecom.connectors.pinduoduo:1,root.ecom.connectors.douyin:1,root.ecom.connectors.shopify:1,root.ecom.connectors.amazon:1,root.ecom.connectors.alipay:1,root.ecom.connectors.wechat:1,root.ecom.connectors.stripe:1
    ODOO_QUEUE_JOB_CHANNELS=$channels "$PYTHON" "$ODOO_BIN" "${OPTS[@]}" --workers=2 --load=base,web,queue_job \
        --http-port="$port" --http-interface=127.0.0.1 --log-level=info >"$LOG_DIR/odoo-runner.log" 2>&1 &
    runner_pid=$!
    for _ in $(seq 1 120); do
        "$PYTHON" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/web/health', timeout=2)" \
            >/dev/null 2>&1 && break
        sleep 1
    done
    "$PYTHON" scripts/runner_check.py --url "http://127.0.0.1:$port" --db "$DB" | tee "$LOG_DIR/runner.log"
    runner_rc=${PIPESTATUS[0]}
    kill "$runner_pid" 2>/dev/null
    wait "$runner_pid" 2>/dev/null
    if [ "$runner_rc" -ne 0 ] || problems "$LOG_DIR/odoo-runner.log" >/dev/null; then
        say "the real-runner check FAILED:"
        problems "$LOG_DIR/odoo-runner.log" | cut -c1-400 | head -n 20
        odoo_line="$odoo_line, real-runner check failed"
        status=1
    else
        odoo_line="$odoo_line, real-runner check ok"
    fi
fi

if [ "${ECOM_SKIP_REINSTALL:-0}" != 1 ] && [ "$total" -gt 0 ]; then
    say "uninstalling and reinstalling $ECOM_ADDONS (log: $LOG_DIR/odoo-reinstall.log)"
    {
        "${ODOO_SHELL[@]}" --log-level=warn <scripts/uninstall_check.py \
            && "${ODOO[@]}" -i "$ECOM_ADDONS" --log-level=warn \
            && "${ODOO_SHELL[@]}" --log-level=warn <scripts/installed_check.py
    } >"$LOG_DIR/odoo-reinstall.log" 2>&1
    reinstall_rc=$?
    if [ "$reinstall_rc" -ne 0 ] || problems "$LOG_DIR/odoo-reinstall.log" >/dev/null \
        || grep -q Traceback "$LOG_DIR/odoo-reinstall.log"; then
        say "uninstall/reinstall FAILED:"
        grep -vE "security risk" "$LOG_DIR/odoo-reinstall.log" | tail -n 40
        odoo_line="$odoo_line, uninstall/reinstall failed"
        status=1
    else
        grep -E "^(uninstalled|installed):" "$LOG_DIR/odoo-reinstall.log"
        odoo_line="$odoo_line, uninstall/reinstall ok"
    fi
fi
drop_db
