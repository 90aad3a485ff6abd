-- Copyright 2026 ecom-finance
-- License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
-- The database role split of the audit trail (docs/operations.md, "Database roles").
--
-- Odoo's own role must not be able to rewrite the trail: the table ecom_audit_log (and its
-- trigger function) is handed to a role nobody logs in as, ecom_audit_owner, and Odoo's role
-- keeps SELECT and INSERT on it (the chaining appends with COPY ... FROM STDIN, which needs
-- INSERT, and the id sequence). No UPDATE, DELETE, TRUNCATE, ALTER, DROP (the schema public is
-- handed over as well when Odoo's role owns it, as it does the databases it creates): Odoo's code never
-- updates or deletes entries (it deletes only from ecom_audit_pending, the parking table of an
-- older version; a rolled-back savepoint drops entries before they reach the table).
--
-- Run it as a superuser (or the current owner of the table) on each database, after installing
-- ecom_audit and again after every upgrade; it is idempotent:
--
--     psql -v ON_ERROR_STOP=1 -d <database> -v odoo_role=<odoo's db_user> -f scripts/db_roles.sql
--
-- Odoo's role must not be a PostgreSQL superuser (a superuser passes every privilege check);
-- the script refuses to run for one.
--
-- Upgrading ecom_audit (odoo -u) recreates the trigger and the indexes of the table, which only
-- its owner may do. Give Odoo's role the owner's rights for the upgrade only, then run this
-- script again, which takes them back:
--
--     psql -d <database> -c 'GRANT ecom_audit_owner TO <odoo role>'
--     odoo -d <database> -u ecom_audit --stop-after-init
--     psql -v ON_ERROR_STOP=1 -d <database> -v odoo_role=<odoo role> -f scripts/db_roles.sql
--
-- Uninstalling ecom_audit cannot drop the table either: drop it as a superuser if you mean it.

\set ON_ERROR_STOP on
\if :{?odoo_role}
\else
\set odoo_role odoo
\endif

SELECT set_config('ecom_roles.odoo_role', :'odoo_role', false);

DO $roles$
DECLARE
    odoo_role text := current_setting('ecom_roles.odoo_role');
    id_seq text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = odoo_role) THEN
        RAISE EXCEPTION 'role "%" does not exist', odoo_role;
    END IF;
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = odoo_role) THEN
        RAISE EXCEPTION 'role "%" is a superuser: it would pass every privilege check. '
            'Run Odoo as a role without SUPERUSER (ALTER ROLE % NOSUPERUSER)', odoo_role, odoo_role;
    END IF;
    IF to_regclass('public.ecom_audit_log') IS NULL THEN
        RAISE EXCEPTION 'no table ecom_audit_log in database "%": install ecom_audit first',
            current_database();
    END IF;

    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ecom_audit_owner') THEN
        CREATE ROLE ecom_audit_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
    END IF;

    -- the owner's rights: Odoo's role must not hold them, directly or through another role
    IF EXISTS (
        SELECT 1 FROM pg_auth_members m
          JOIN pg_roles r ON r.oid = m.roleid AND r.rolname = 'ecom_audit_owner'
          JOIN pg_roles u ON u.oid = m.member AND u.rolname = odoo_role
    ) THEN
        EXECUTE format('REVOKE ecom_audit_owner FROM %I', odoo_role);
    END IF;
    IF pg_has_role(odoo_role, 'ecom_audit_owner', 'MEMBER') THEN
        RAISE EXCEPTION 'role "%" still holds ecom_audit_owner through another role', odoo_role;
    END IF;

    -- The owner of a schema may drop any table in it. Since PostgreSQL 15 the schema public
    -- belongs to the owner of the database (pg_database_owner), and Odoo creates its databases
    -- as its own role: hand the schema over too, and let Odoo's role create in it (the default
    -- of PostgreSQL 14 and older).
    IF pg_has_role(odoo_role, (SELECT nspowner FROM pg_namespace WHERE nspname = 'public'), 'MEMBER') THEN
        ALTER SCHEMA public OWNER TO ecom_audit_owner;
    END IF;
    EXECUTE format('GRANT USAGE, CREATE ON SCHEMA public TO %I', odoo_role);

    -- the table, and with it the sequence of its id (owned by the column)
    ALTER TABLE public.ecom_audit_log OWNER TO ecom_audit_owner;
    IF to_regprocedure('public.ecom_audit_log_append_only()') IS NOT NULL THEN
        -- its owner could replace it with a function that lets UPDATE and DELETE through
        ALTER FUNCTION public.ecom_audit_log_append_only() OWNER TO ecom_audit_owner;
    END IF;

    REVOKE ALL ON public.ecom_audit_log FROM PUBLIC;
    EXECUTE format('REVOKE ALL ON public.ecom_audit_log FROM %I', odoo_role);
    EXECUTE format('GRANT SELECT, INSERT ON public.ecom_audit_log TO %I', odoo_role);
    id_seq := pg_get_serial_sequence('public.ecom_audit_log', 'id');
    IF id_seq IS NOT NULL THEN
        EXECUTE format('REVOKE ALL ON SEQUENCE %s FROM PUBLIC', id_seq);
        EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', id_seq, odoo_role);
    END IF;
END
$roles$;
