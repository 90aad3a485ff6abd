#!/usr/bin/env bash
# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# The compose `backup` service: every ECOM_BACKUP_INTERVAL_HOURS (default 24) an encrypted backup
# of ECOM_DB into /var/lib/ecom-backups, restore-verified, the newest ECOM_BACKUP_KEEP kept
# (scripts/backup_scheduled.sh). The container turns unhealthy when the last run failed or the
# last verified backup is older than twice the interval (docker-compose.yml, healthcheck).
set -uo pipefail
DIR=/var/lib/ecom-backups
INTERVAL=${ECOM_BACKUP_INTERVAL_HOURS:-24}
if [ -z "${ECOM_BACKUP_KEY:-}" ]; then
    # the key the Odoo container generated on its first start (secrets volume, read-only here)
    ECOM_BACKUP_KEY=$(cat "${ECOM_SECRETS_DIR:-/var/lib/ecom-secrets}/backup_key") || {
        echo "no backup key: set ECOM_BACKUP_KEY in .env, or start the odoo service once first" >&2
        exit 1
    }
fi
export ECOM_BACKUP_KEY
case "${1:-loop}" in
    check) exec /opt/ecom/scripts/backup_scheduled.sh check "$DIR" "$((INTERVAL * 2))" ;;
    once) exec /opt/ecom/scripts/backup_scheduled.sh run "${ECOM_DB:-ecom}" "$DIR" "${ECOM_BACKUP_KEEP:-14}" ;;
esac
while true; do
    /opt/ecom/scripts/backup_scheduled.sh run "${ECOM_DB:-ecom}" "$DIR" "${ECOM_BACKUP_KEEP:-14}"
    sleep "$((INTERVAL * 3600))"
done
