# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# ecom-finance for Odoo: the commands the README gives.
.PHONY: help run test test-core lint i18n bench bench-import bench-reconcile bench-audit bench-posting bench-margin bench-reconcile-oca bench-suggest bench-connectors rotate-keys backup restore-verify backup-scheduled backup-check

help:
	@echo "make run        create database 'ecom' (four addons + demo data) if missing and start Odoo"
	@echo "make test       core suite (pytest) + Odoo suite on a fresh database (when Odoo 18 is installed)"
	@echo "make test-core  core suite only"
	@echo "make lint       ruff + pylint-odoo"
	@echo "make i18n DB=x  re-export the .pot files from database x and merge them into zh_CN.po"
	@echo "make bench      core parser benchmark; make bench-import / bench-reconcile DB=x: inside Odoo"
	@echo "make backup DB=x OUT=file        encrypted backup of database x and its filestore (key: ECOM_BACKUP_KEY)"
	@echo "make restore-verify FILE=file    restore a backup into a scratch database and check its manifest"
	@echo "make backup-scheduled DB=x DIR=d [KEEP=14]  backup + restore-verify into d, keep the newest KEEP"
	@echo "make backup-check DIR=d [HOURS=48]          fail when the last backup failed or is too old"

run:
	@scripts/run.sh

test:
	@scripts/test.sh

test-core:
	python3 -m pytest -q tests

lint:
	ruff check . && ruff format --check .
	python3 scripts/check_imports.py
	python3 scripts/check_headers.py
	pylint --rcfile=.pylintrc addons/ecom_audit addons/ecom_finance addons/ecom_reconcile addons/ecom_devices

i18n:
	@scripts/i18n.sh $(DB)

ROWS ?= 100000

bench:
	python3 bench/bench_parsers.py $(foreach n,$(ROWS),--rows $(n))

bench-import:
	@scripts/bench_odoo.sh import $(DB) $(ROWS)

bench-reconcile:
	@scripts/bench_odoo.sh reconcile $(DB) $(ROWS)

bench-audit:
	@scripts/bench_odoo.sh audit $(DB) $(ROWS)

bench-posting:
	@scripts/bench_odoo.sh posting $(DB) $(ROWS)

bench-margin:
	@scripts/bench_odoo.sh margin $(DB) $(ROWS)

bench-reconcile-oca:
	@scripts/bench_odoo.sh reconcile_oca $(DB) $(ROWS)

PLATFORM ?= taobao

bench-connectors:
	@ECOM_BENCH_PLATFORM=$(PLATFORM) scripts/bench_odoo.sh connectors $(DB) $(ROWS)

bench-suggest:
	PYTHONPATH=. python3 bench/bench_suggest.py --pairs 2000 --score 100000

rotate-keys:
	@scripts/rotate_keys.sh $(DB)

backup:
	@test -n "$(DB)" -a -n "$(OUT)" || { echo "usage: make backup DB=<database> OUT=<file>"; exit 2; }
	python3 scripts/backup.py backup --db "$(DB)" --out "$(OUT)"

restore-verify:
	@test -n "$(FILE)" || { echo "usage: make restore-verify FILE=<file>"; exit 2; }
	python3 scripts/backup.py restore-verify --file "$(FILE)"

KEEP ?= 14
HOURS ?= 48

backup-scheduled:
	@test -n "$(DB)" -a -n "$(DIR)" || { echo "usage: make backup-scheduled DB=<database> DIR=<folder> [KEEP=14]"; exit 2; }
	@scripts/backup_scheduled.sh run "$(DB)" "$(DIR)" "$(KEEP)"

backup-check:
	@test -n "$(DIR)" || { echo "usage: make backup-check DIR=<folder> [HOURS=48]"; exit 2; }
	@scripts/backup_scheduled.sh check "$(DIR)" "$(HOURS)"
