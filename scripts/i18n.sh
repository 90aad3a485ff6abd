#!/usr/bin/env bash
# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# `make i18n DB=<database>`: export each addon's .pot from a database where the addons are
# installed, and merge it into the addon's zh_CN.po (new terms arrive empty: translate them).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
DB=${1:?usage: make i18n DB=<database with the ecom addons installed>}
find_odoo || { say "no Odoo 18: $ODOO_MISSING"; exit 1; }
find_postgres || { say "no PostgreSQL reachable"; exit 1; }
for module in ${ECOM_ADDONS//,/ }; do
    pot=addons/$module/i18n/$module.pot
    po=addons/$module/i18n/zh_CN.po
    "$PYTHON" "$ODOO_BIN" --db_host="$DB_HOST" --db_port="$DB_PORT" --db_user="$DB_USER" -d "$DB" \
        --addons-path="$(odoo_addons_path)" --i18n-export="$pot" --modules="$module" \
        --stop-after-init --log-level=warn
    if [ -f "$po" ]; then
        msgmerge --quiet --no-fuzzy-matching --update --backup=none "$po" "$pot"
    else
        msginit --no-translator -l zh_CN -i "$pot" -o "$po"
    fi
    msgfmt --statistics -o /dev/null "$po" 2>&1 | sed "s#^#$po: #"
done
