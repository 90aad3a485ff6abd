#!/usr/bin/env python3
# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Encrypted, verified backups of an Odoo database and its filestore (`make backup`, `make restore-verify`).

    backup.py backup --db NAME --out FILE [--data-dir DIR] [--db-host H --db-port P --db-user U]
    backup.py restore-verify --file FILE [--scratch-db NAME] [--keep]
    backup.py extract --file FILE --out-dir DIR

``backup`` writes one archive (``ecomfin.backup``) with three members: ``db.dump``
(``pg_dump -Fc``, streamed), ``filestore.tar`` (``<data_dir>/filestore/<db>``) and
``manifest.json``: the members' sizes and SHA-256, the ecom module versions, row counts of
the key tables, the trial balance of posted move lines per company and account, the head
of the audit chain and a hash of the filestore's files. The figures and the dump are
taken from one snapshot of the database (``pg_dump --snapshot``), so they agree even while
Odoo keeps working.

``restore-verify`` authenticates and decrypts the whole archive first (a flipped byte:
refused, nothing restored), restores it into a new scratch database, unpacks the
filestore, computes the same figures there and compares them with the manifest. Exit
status: 0 equal, 1 refused or different, 2 could not run (no key, no PostgreSQL, ...).

``extract`` decrypts an archive into a directory for a real restore (``pg_restore``,
``tar -x``), after authenticating all of it.

The key comes from ``ECOM_BACKUP_KEY`` or ``ecom_backup_key`` in the Odoo configuration
file (``--config``, default ``$ODOO_RC`` or ``~/.odoorc``): ``<key id>:<base64 32 bytes>``.
"""

import argparse
import configparser
import contextlib
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from decimal import Decimal
from pathlib import Path, PurePosixPath

import psycopg2
from psycopg2 import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the core, installed or not

from ecomfin.backup import (  # noqa: E402
    KEY_OPTION,
    BackupError,
    BackupIntegrityError,
    BackupKeyError,
    BackupWriter,
    diff_manifests,
    load_keyring,
    read_archive,
)

FORMAT = "ecom-backup-manifest/1"
DUMP, FILESTORE, MANIFEST = "db.dump", "filestore.tar", "manifest.json"
KEY_TABLES = (
    "res_company",
    "account_account",
    "account_move",
    "account_move_line",
    "stock_valuation_layer",
    "ir_attachment",
    "ecom_shop",
    "ecom_statement",
    "ecom_statement_line",
    "ecom_order",
    "ecom_order_line",
    "ecom_reconcile_run",
    "ecom_reconcile_difference",
    "ecom_audit_log",
)
BLOCK = 1 << 20


DB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")  # what Odoo accepts as a database name


class Failure(Exception):
    """Could not run (exit 2): the message says why."""


def db_name(text):
    """argparse type: a database name as Odoo allows them (so never a libpq connection string)."""
    if not DB_NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(f"invalid database name {text!r}: use A-Z a-z 0-9 _ . -")
    return text


def say(*parts):
    print(*parts, flush=True)


# ----------------------------------------------------------------------
# Configuration: Odoo config file, command line, libpq environment
# ----------------------------------------------------------------------


def odoo_options(path):
    """The ``[options]`` of an Odoo configuration file (``False``/empty values dropped)."""
    if not path:
        return {}
    parser = configparser.RawConfigParser()
    if not parser.read(path):
        raise Failure(f"cannot read the Odoo configuration {path}")
    if not parser.has_section("options"):
        return {}
    return {k: v.strip() for k, v in parser.items("options") if v.strip() and v.strip() != "False"}


def default_config():
    for path in (os.environ.get("ODOO_RC"), os.path.expanduser("~/.odoorc")):
        if path and os.path.isfile(path):
            return path
    return None


def default_data_dir():
    """Odoo's default data directory on Linux (``appdirs.user_data_dir('Odoo')``)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return os.path.join(base, "Odoo")


class Settings:
    """Connection and paths, from the command line, else the Odoo configuration, else libpq's defaults."""

    def __init__(self, args):
        options = odoo_options(args.config)
        self.options = options
        # as scripts/lib.sh: PGHOST/PGPORT/PGUSER, else 127.0.0.1:5432 as the login user
        self.host = args.db_host or options.get("db_host") or os.environ.get("PGHOST") or "127.0.0.1"
        self.port = args.db_port or options.get("db_port") or os.environ.get("PGPORT") or "5432"
        self.user = args.db_user or options.get("db_user") or os.environ.get("PGUSER")
        self.password = options.get("db_password")
        self.data_dir = getattr(args, "data_dir", None) or options.get("data_dir") or default_data_dir()

    def connect(self, dbname):
        params = {"dbname": dbname, "host": self.host, "port": self.port, "user": self.user}
        params["password"] = self.password
        try:
            return psycopg2.connect(**{k: v for k, v in params.items() if v}, connect_timeout=10)
        except psycopg2.OperationalError as exc:
            where = f"{self.host or 'default host'}:{self.port or 'default port'}"
            raise Failure(f"cannot connect to database {dbname} on {where}: {str(exc).strip()}") from None

    def env(self):
        """The environment for pg_dump/pg_restore (libpq reads PG*)."""
        env = dict(os.environ)
        for var, value in (
            ("PGHOST", self.host),
            ("PGPORT", self.port),
            ("PGUSER", self.user),
            ("PGPASSWORD", self.password),
        ):
            if value:
                env[var] = str(value)
        return env

    def keyring(self):
        try:
            return load_keyring(config_value=self.options.get(KEY_OPTION))
        except BackupKeyError as exc:
            raise Failure(str(exc)) from None


def tool(name):
    path = shutil.which(name)
    if not path:
        raise Failure(f"'{name}' is not on PATH (install the PostgreSQL client of the server's version)")
    return path


def tool_version(name):
    return subprocess.run(
        [tool(name), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()


# ----------------------------------------------------------------------
# Figures: what the manifest says about the database
# ----------------------------------------------------------------------


def columns(cr, table):
    """``{column: data type}`` of a table of the current schema (empty if no such table)."""
    cr.execute(
        sql.SQL(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s"
        ),
        [table],
    )
    return dict(cr.fetchall())


def money(value):
    return f"{Decimal(0 if value is None else value):f}"


def module_versions(cr):
    if "latest_version" not in columns(cr, "ir_module_module"):
        return {}
    cr.execute(
        sql.SQL(
            "SELECT name, latest_version FROM ir_module_module "
            "WHERE state = 'installed' AND name LIKE %s ORDER BY name"
        ),
        ["ecom\\_%"],
    )
    return dict(cr.fetchall())


def row_counts(cr):
    counts = {}
    for table in KEY_TABLES:
        if columns(cr, table):
            cr.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = cr.fetchone()[0]
    return counts


def account_code(cr):
    """The SQL of an account's code for a move line ``aml`` (joined ``aa``, ``rc``), per Odoo version.

    Odoo 18 keeps the code company-dependent in ``code_store`` (JSON by company id, set on
    the root company); earlier versions in ``code``. Without accounts: the account id.
    """
    account = columns(cr, "account_account")
    fallback = sql.SQL("aml.account_id::text")
    if "code" in account:
        return sql.SQL("COALESCE(aa.code, {})").format(fallback), True
    if account.get("code_store") == "jsonb":
        root = (
            sql.SQL("aa.code_store ->> split_part(rc.parent_path, '/', 1), ")
            if "parent_path" in columns(cr, "res_company")
            else sql.SQL("")
        )
        expr = sql.SQL("COALESCE({root}aa.code_store ->> aml.company_id::text, {fallback})")
        return expr.format(root=root, fallback=fallback), True
    return fallback, False


def trial_balance(cr):
    """Posted move lines summed per company and account code: ``{"<company>/<code>": {...}}``."""
    lines = columns(cr, "account_move_line")
    if not {"company_id", "account_id", "debit", "credit", "parent_state"} <= lines.keys():
        return {}, {}
    code, join_account = account_code(cr)
    joins = sql.SQL("")
    if join_account:
        joins = sql.SQL(" JOIN account_account aa ON aa.id = aml.account_id")
        if "parent_path" in columns(cr, "res_company"):
            joins += sql.SQL(" LEFT JOIN res_company rc ON rc.id = aml.company_id")
    cr.execute(
        sql.SQL(
            "SELECT aml.company_id, {code}, sum(aml.debit), sum(aml.credit), count(*) "
            "FROM account_move_line aml{joins} WHERE aml.parent_state = %s GROUP BY 1, 2 ORDER BY 1, 2"
        ).format(code=code, joins=joins),
        ["posted"],
    )
    accounts, totals = {}, {}
    for company, account, debit, credit, count in cr.fetchall():
        debit, credit = Decimal(0 if debit is None else debit), Decimal(0 if credit is None else credit)
        accounts[f"{company}/{account}"] = {
            "debit": money(debit),
            "credit": money(credit),
            "balance": money(debit - credit),
            "lines": count,
        }
        total = totals.setdefault(str(company), [Decimal(0), Decimal(0)])
        total[0] += debit
        total[1] += credit
    totals = {
        company: {"debit": money(d), "credit": money(c), "balance": money(d - c)}
        for company, (d, c) in totals.items()
    }
    return accounts, totals


def audit_chain(cr):
    """Head (last id, sequence, hash) and length of ``ecom_audit_log``; None without the table."""
    log = columns(cr, "ecom_audit_log")
    if not {"id", "hash"} <= log.keys():
        return None
    order = sql.Identifier("seq" if "seq" in log else "id")
    seq = order if "seq" in log else sql.SQL("NULL")
    cr.execute(
        sql.SQL("SELECT id, {seq}, hash FROM ecom_audit_log ORDER BY {order} DESC, id DESC LIMIT 1").format(
            seq=seq, order=order
        )
    )
    last = cr.fetchone() or (None, None, None)
    cr.execute(sql.SQL("SELECT count(*) FROM ecom_audit_log"))
    return {"last_id": last[0], "seq": last[1], "hash": last[2], "count": cr.fetchone()[0]}


def attachments(cr, stored):
    """Attachments kept in the filestore, and how many of their files ``stored`` (a path set) lacks."""
    if "store_fname" not in columns(cr, "ir_attachment"):
        return None
    cr.execute(
        sql.SQL(
            "SELECT DISTINCT store_fname FROM ir_attachment "
            "WHERE store_fname IS NOT NULL AND store_fname <> ''"
        )
    )
    files = missing = 0
    while batch := cr.fetchmany(10000):
        for (name,) in batch:
            files += 1
            missing += name not in stored
    return {"files": files, "missing_from_filestore": missing}


def figures(cr, stored_paths):
    accounts, totals = trial_balance(cr)
    return {
        "modules": module_versions(cr),
        "row_counts": row_counts(cr),
        "trial_balance": accounts,
        "trial_balance_totals": totals,
        "audit_chain": audit_chain(cr),
        "attachments": attachments(cr, stored_paths),
    }


def source_info(cr, dbname):
    cr.execute(
        sql.SQL(
            "SELECT pg_encoding_to_char(encoding), datcollate, datctype, current_setting('server_version') "
            "FROM pg_database WHERE datname = %s"
        ),
        [dbname],
    )
    encoding, collate, ctype, version = cr.fetchone()
    return {"encoding": encoding, "collate": collate, "ctype": ctype, "server_version": version}


# ----------------------------------------------------------------------
# Filestore: a tar streamed into the archive, and its unpacking
# ----------------------------------------------------------------------


class HashingReader:
    """Reads a file for tarfile and hashes what it reads."""

    def __init__(self, fileobj):
        self.fileobj = fileobj
        self.sha = hashlib.sha256()

    def read(self, size=-1):
        data = self.fileobj.read(size)
        self.sha.update(data)
        return data


def tree_summary(entries):
    """``{'files', 'bytes', 'tree_sha256'}`` of ``(path, size, sha256)`` entries."""
    digest = hashlib.sha256()
    total = 0
    for path, size, sha in sorted(entries):
        digest.update(f"{path}\0{size}\0{sha}\n".encode())
        total += size
    return {"files": len(entries), "bytes": total, "tree_sha256": digest.hexdigest()}


def tar_filestore(root, sink):
    """Write ``root``'s regular files as a tar stream to ``sink``; returns their ``(path, size, sha256)``."""
    entries = []
    with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        if not root.is_dir():
            return entries
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                path = Path(folder, name)
                if path.is_symlink() or not path.is_file():
                    continue
                arcname = path.relative_to(root).as_posix()
                try:
                    with path.open("rb") as source:
                        info = tar.gettarinfo(fileobj=source, arcname=arcname)
                        info.uid = info.gid = 0
                        info.uname = info.gname = ""
                        reader = HashingReader(source)
                        tar.addfile(info, reader)
                except FileNotFoundError:  # removed by Odoo's garbage collector meanwhile
                    continue
                entries.append((arcname, info.size, reader.sha.hexdigest()))
    return entries


def safe_member(name):
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in ("..", "") for part in path.parts):
        return None
    return path


def untar_filestore(tar_path, target):
    """Unpack a filestore tar (regular files and folders only); returns ``(entries, problems)``."""
    entries, problems = [], []
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tar_path, mode="r|") as tar:
        for member in tar:
            rel = safe_member(member.name)
            if rel is None:
                problems.append(f"filestore.tar: unsafe path {member.name!r} not unpacked")
            elif member.isdir():
                target.joinpath(*rel.parts).mkdir(parents=True, exist_ok=True)
            elif not member.isreg():
                problems.append(f"filestore.tar: {member.name!r} is not a regular file, not unpacked")
            else:
                dest = target.joinpath(*rel.parts)
                dest.parent.mkdir(parents=True, exist_ok=True)
                sha, size = hashlib.sha256(), 0
                source = tar.extractfile(member)
                with dest.open("wb") as out:
                    while block := source.read(BLOCK):
                        sha.update(block)
                        size += len(block)
                        out.write(block)
                entries.append((rel.as_posix(), size, sha.hexdigest()))
    return entries, problems


# ----------------------------------------------------------------------
# backup
# ----------------------------------------------------------------------


@contextlib.contextmanager
def snapshot(settings, dbname):
    """A read-only repeatable-read transaction and the id of its exported snapshot."""
    conn = settings.connect(dbname)
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cr:
            cr.execute(sql.SQL("SELECT pg_export_snapshot()"))
            snapshot_id = cr.fetchone()[0]
            yield cr, snapshot_id
        conn.rollback()
    finally:
        conn.close()


def dump_into(settings, dbname, snapshot_id, sink):
    """Stream ``pg_dump -Fc`` of the snapshot into ``sink``."""
    command = [tool("pg_dump"), "-Fc", "--no-password", f"--snapshot={snapshot_id}", "-d", dbname]
    with tempfile.TemporaryFile() as errors:
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=settings.env()) as dump:
            while block := dump.stdout.read(BLOCK):
                sink.write(block)
        if dump.returncode:
            errors.seek(0)
            raise Failure(
                f"pg_dump failed ({dump.returncode}): {errors.read().decode(errors='replace').strip()}"
            )


def cmd_backup(args):
    settings = Settings(args)
    keyring = settings.keyring()
    out = Path(args.out)
    partial = out.with_name(out.name + ".partial")
    filestore = Path(settings.data_dir, "filestore", args.db)
    started = time.monotonic()
    with snapshot(settings, args.db) as (cr, snapshot_id):
        source = source_info(cr, args.db)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                archive = BackupWriter(handle, keyring)
                with archive.member(DUMP) as sink:
                    dump_into(settings, args.db, snapshot_id, sink)
                with archive.member(FILESTORE) as sink:
                    entries = tar_filestore(filestore, sink)
                manifest = {
                    "format": FORMAT,
                    "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                    "db": args.db,
                    "source": source,
                    "tools": {"pg_dump": tool_version("pg_dump")},
                    "members": {
                        m["name"]: {"size": m["size"], "sha256": m["sha256"]} for m in archive.members
                    },
                    "filestore": tree_summary(entries),
                    **figures(cr, {path for path, _size, _sha in entries}),
                }
                archive.add_bytes(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
                archive.close()
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, out)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
            raise
    sizes = ", ".join(f"{name} {human(info['size'])}" for name, info in manifest["members"].items())
    say(
        f"backup: wrote {out} ({human(out.stat().st_size)}; {sizes}; key {archive.key_id}; "
        f"{manifest['filestore']['files']} files; {time.monotonic() - started:.1f} s)"
    )
    missing = (manifest["attachments"] or {}).get("missing_from_filestore")
    if missing:
        print(
            f"backup: WARNING: {missing} attachment files are not in {filestore} "
            "(wrong --data-dir or data_dir?): the backup lacks them",
            file=sys.stderr,
        )
    return 0


def human(size):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


# ----------------------------------------------------------------------
# restore-verify and extract
# ----------------------------------------------------------------------


def decrypt_to(path, keyring, folder):
    """Authenticate and decrypt every member of ``path`` into ``folder``; returns the members."""
    handles = {}

    def sink_for(name):
        handles[name] = open(folder / name, "wb")  # closed below
        return handles[name]

    try:
        with open(path, "rb") as source:
            return read_archive(source, keyring, sink_for, label=str(path))
    finally:
        for handle in handles.values():
            handle.close()


def admin_execute(settings, statement):
    conn = settings.connect("postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute(statement)
    finally:
        conn.close()


def database_exists(settings, name):
    conn = settings.connect("postgres")
    try:
        with conn.cursor() as cr:
            cr.execute(sql.SQL("SELECT 1 FROM pg_database WHERE datname = %s"), [name])
            return cr.fetchone() is not None
    finally:
        conn.close()


def create_scratch(settings, name, source):
    if database_exists(settings, name):
        raise Failure(f"the scratch database {name} already exists: drop it or choose another --scratch-db")
    options = sql.SQL("")
    if source.get("encoding"):
        options = sql.SQL(" ENCODING {} LC_COLLATE {} LC_CTYPE {}").format(
            sql.Literal(source["encoding"]), sql.Literal(source["collate"]), sql.Literal(source["ctype"])
        )
    admin_execute(
        settings, sql.SQL("CREATE DATABASE {} TEMPLATE template0{}").format(sql.Identifier(name), options)
    )


def restore(settings, name, dump, jobs):
    command = [tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--no-password"]
    command += [f"--jobs={jobs}", "-d", name, str(dump)]
    done = subprocess.run(command, capture_output=True, text=True, env=settings.env(), check=False)
    if done.returncode:
        return [f"pg_restore failed ({done.returncode}): {done.stderr.strip()[-2000:]}"]
    return []


def decrypted(file, keyring, work, refusal):
    """The members of backup ``file`` decrypted into ``work``; None (said after ``refusal``) when
    the archive fails its integrity check. A wrong key or an unreadable file is a Failure."""
    try:
        return decrypt_to(Path(file), keyring, work)
    except (BackupKeyError, OSError) as exc:
        raise Failure(str(exc)) from None
    except BackupIntegrityError as exc:
        say(f"{refusal}: {exc}")
        return None


def cmd_restore_verify(args):
    settings = Settings(args)
    keyring = settings.keyring()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="ecom-restore-verify.", dir=args.work_dir))
    scratch = args.scratch_db or f"ecom_verify_{os.getpid()}"
    created = False
    try:
        members = decrypted(args.file, keyring, work, "restore-verify: REFUSED, nothing restored")
        if members is None:
            return 1
        found = {m["name"]: m for m in members}
        if MANIFEST not in found:
            say(f"restore-verify: REFUSED: {args.file} holds no {MANIFEST}")
            return 1
        expected = json.loads((work / MANIFEST).read_text())
        if expected.get("format") != FORMAT:
            say(f"restore-verify: REFUSED: unknown manifest format {expected.get('format')!r}")
            return 1
        actual = {
            "members": {
                n: {"size": m["size"], "sha256": m["sha256"]} for n, m in found.items() if n != MANIFEST
            }
        }
        problems = []
        if DUMP in found:
            create_scratch(settings, scratch, expected.get("source") or {})
            created = True
            problems += restore(settings, scratch, work / DUMP, args.jobs)
        entries = []
        if FILESTORE in found:
            entries, unpack_problems = untar_filestore(work / FILESTORE, work / "filestore")
            problems += unpack_problems
        actual["filestore"] = tree_summary(entries)
        if created and not problems:
            conn = settings.connect(scratch)
            try:
                with conn.cursor() as cr:
                    actual.update(figures(cr, {path for path, _size, _sha in entries}))
            finally:
                conn.close()
        problems += diff_manifests(expected, actual) if not problems else []
        origin = f"{args.file}: database {expected.get('db')} of {expected.get('created_at')}"
        if problems:
            say(f"restore-verify: FAILED ({origin}):")
            for line in problems:
                say(f"  {line}")
            return 1
        counts = actual.get("row_counts", {})
        chain = actual.get("audit_chain") or {}
        say(
            f"restore-verify: OK ({origin}; "
            f"{len(counts)} tables counted, {counts.get('account_move_line', 0)} move lines, "
            f"trial balance of {len(actual.get('trial_balance', {}))} accounts, "
            f"audit chain {chain.get('count', 0)} entries, "
            f"filestore {actual['filestore']['files']} files {human(actual['filestore']['bytes'])}; "
            f"{time.monotonic() - started:.1f} s)"
        )
        missing = (actual.get("attachments") or {}).get("missing_from_filestore")
        if missing:
            say(f"restore-verify: note: {missing} attachment files were missing already at backup time")
        return 0
    finally:
        if args.keep and created:
            say(f"restore-verify: kept the scratch database {scratch} and the files in {work}")
        else:
            if created:
                admin_execute(settings, sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch)))
            shutil.rmtree(work, ignore_errors=True)


def cmd_extract(args):
    settings = Settings(args)
    keyring = settings.keyring()
    target = Path(args.out_dir)
    target.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".extract.", dir=target))
    try:
        members = decrypted(args.file, keyring, work, "extract: REFUSED, nothing extracted")
        if members is None:
            return 1
        for member in members:
            os.replace(work / member["name"], target / member["name"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    say(f"extract: {', '.join(m['name'] for m in members)} in {target}")
    return 0


# ----------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------


def parser():
    main = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = main.add_subparsers(dest="command", required=True)

    def common(command):
        command.add_argument("--config", default=default_config(), help="Odoo configuration file")
        command.add_argument("--db-host")
        command.add_argument("--db-port")
        command.add_argument("--db-user")
        return command

    backup = common(
        sub.add_parser("backup", help="write an encrypted backup of a database and its filestore")
    )
    backup.add_argument("--db", required=True, type=db_name, help="database to back up")
    backup.add_argument("--out", required=True, help="archive to write")
    backup.add_argument("--data-dir", help="Odoo data directory (default: the configuration's, or Odoo's)")
    backup.set_defaults(run=cmd_backup)

    verify = common(
        sub.add_parser("restore-verify", help="restore into a scratch database and check the manifest")
    )
    verify.add_argument("--file", required=True, help="archive to verify")
    verify.add_argument(
        "--scratch-db", type=db_name, help="database to create for the check (default ecom_verify_<pid>)"
    )
    verify.add_argument("--keep", action="store_true", help="keep the scratch database and unpacked files")
    verify.add_argument("--work-dir", help="where to decrypt the archive (default: the temp directory)")
    verify.add_argument("--jobs", type=int, default=2, help="pg_restore parallel jobs (default 2)")
    verify.set_defaults(run=cmd_restore_verify)

    extract = common(
        sub.add_parser("extract", help="decrypt an archive into a directory, after authenticating it")
    )
    extract.add_argument("--file", required=True)
    extract.add_argument("--out-dir", required=True)
    extract.set_defaults(run=cmd_extract)
    return main


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (Failure, BackupError) as exc:
        print(f"{args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
