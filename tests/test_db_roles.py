# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""scripts/db_roles.sql against a real PostgreSQL: Odoo's role appends to the audit trail and reads
it, and can neither rewrite nor empty nor alter it.

Needs a PostgreSQL superuser reachable as ``PGHOST``/``PGPORT``/``PGUSER`` (default
127.0.0.1:5432, your login name) with ``psql`` on the PATH; skipped otherwise. Everything it creates (a
database, a login role, and ``ecom_audit_owner`` when it did not exist) is dropped at the end.
"""

import getpass
import io
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

psycopg2 = pytest.importorskip("psycopg2")
from psycopg2 import errors, sql  # noqa: E402

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "db_roles.sql"
HOST = os.environ.get("PGHOST", "127.0.0.1")
PORT = os.environ.get("PGPORT", "5432")
ADMIN = os.environ.get("PGUSER") or getpass.getuser()

# The table as ecom_audit creates it (the columns the chaining writes) with its trigger.
AUDIT_TABLE = """
CREATE TABLE ecom_audit_log (
    id serial PRIMARY KEY,
    seq integer NOT NULL UNIQUE,
    logged_at timestamp NOT NULL,
    user_uid integer,
    login varchar,
    company_id integer,
    origin varchar,
    model varchar,
    res_ids varchar,
    operation varchar,
    changes jsonb,
    hash varchar
);
CREATE OR REPLACE FUNCTION ecom_audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'ecom_audit_log is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER ecom_audit_log_append_only BEFORE UPDATE OR DELETE ON ecom_audit_log
    FOR EACH ROW EXECUTE FUNCTION ecom_audit_log_append_only();
"""


def _connect(dbname, user=ADMIN):
    conn = psycopg2.connect(host=HOST, port=PORT, user=user, dbname=dbname, connect_timeout=3)
    conn.autocommit = True
    return conn


@pytest.fixture
def split_db():
    if not shutil.which("psql"):
        pytest.skip("psql is not installed")
    try:
        admin = _connect("postgres")
    except psycopg2.OperationalError as error:
        pytest.skip(f"no PostgreSQL at {HOST}:{PORT}: {error}")
    with admin.cursor() as cr:
        cr.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cr.fetchone()[0]:
            admin.close()
            pytest.skip(f"{ADMIN} is not a superuser")
        cr.execute("SELECT 1 FROM pg_roles WHERE rolname = 'ecom_audit_owner'")
        owner_existed = bool(cr.fetchone())
    suffix = uuid.uuid4().hex[:10]
    dbname, odoo_role = f"ecom_roles_test_{suffix}", f"ecom_roles_odoo_{suffix}"
    with admin.cursor() as cr:
        cr.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEROLE").format(sql.Identifier(odoo_role)))
        cr.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(dbname), sql.Identifier(odoo_role))
        )
    try:
        # Odoo creates the table: its role owns it, as after installing ecom_audit
        with _connect(dbname, odoo_role) as odoo, odoo.cursor() as cr:
            cr.execute(AUDIT_TABLE)
        odoo.close()
        yield dbname, odoo_role
    finally:
        with admin.cursor() as cr:
            cr.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
            cr.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(odoo_role)))
            if not owner_existed:
                cr.execute("DROP ROLE IF EXISTS ecom_audit_owner")
        admin.close()


def _apply(dbname, odoo_role):
    return subprocess.run(
        [
            "psql",
            "-h",
            HOST,
            "-p",
            PORT,
            "-U",
            ADMIN,
            "-d",
            dbname,
            "-X",
            "-q",
            "-v",
            f"odoo_role={odoo_role}",
            "-f",
            str(SCRIPT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


INSERT = (
    "INSERT INTO ecom_audit_log (seq, logged_at, login, operation, changes, hash) "
    "VALUES (%s, now(), 'odoo', 'write', '{}', 'v1$x')"
)


def test_odoo_role_appends_and_reads_only(split_db):
    dbname, odoo_role = split_db
    result = _apply(dbname, odoo_role)
    assert result.returncode == 0, result.stderr
    assert _apply(dbname, odoo_role).returncode == 0, "the script runs again (after an upgrade)"

    odoo = _connect(dbname, odoo_role)
    try:
        with odoo.cursor() as cr:
            cr.execute(INSERT, (1,))
            cr.copy_expert(
                "COPY ecom_audit_log (seq, logged_at, login, operation, changes, hash) FROM STDIN",
                io.StringIO("2\t2024-03-04 12:00:00\todoo\twrite\t{}\tv1$y\n"),
            )
            cr.execute("SELECT seq FROM ecom_audit_log ORDER BY seq")
            assert [row[0] for row in cr.fetchall()] == [1, 2]
            refused = [
                "UPDATE ecom_audit_log SET login = 'mallory'",
                "DELETE FROM ecom_audit_log",
                "TRUNCATE ecom_audit_log",
                "ALTER TABLE ecom_audit_log DISABLE TRIGGER ecom_audit_log_append_only",
                "DROP TRIGGER ecom_audit_log_append_only ON ecom_audit_log",
                "DROP TABLE ecom_audit_log",
                "CREATE OR REPLACE FUNCTION ecom_audit_log_append_only() RETURNS trigger AS "
                "'BEGIN RETURN NEW; END' LANGUAGE plpgsql",
                "SET ROLE ecom_audit_owner",
            ]
            for statement in refused:
                with pytest.raises(errors.InsufficientPrivilege):
                    cr.execute(statement)
            # a grant by Odoo's role grants nothing (PostgreSQL only warns)
            cr.execute("GRANT UPDATE, DELETE ON ecom_audit_log TO PUBLIC")
            with pytest.raises(errors.InsufficientPrivilege):
                cr.execute("DELETE FROM ecom_audit_log")
            cr.execute("SELECT count(*) FROM ecom_audit_log")
            assert cr.fetchone()[0] == 2
    finally:
        odoo.close()

    with _connect(dbname) as admin, admin.cursor() as cr:
        cr.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'ecom_audit_log'")
        assert cr.fetchone()[0] == "ecom_audit_owner"
        cr.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'ecom_audit_owner'")
        assert cr.fetchone()[0] is False
    admin.close()


def test_refuses_a_superuser_odoo_role(split_db):
    dbname, _odoo_role = split_db
    result = _apply(dbname, ADMIN)
    assert result.returncode != 0
    assert "superuser" in result.stderr
