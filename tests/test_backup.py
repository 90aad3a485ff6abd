# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Encrypted backup archives (ecomfin.backup) and the backup / restore-verify commands."""

import base64
import getpass
import hashlib
import importlib.util
import io
import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import sql

from ecomfin.backup import (
    CHECK_SIZE,
    MAGIC,
    SALT_SIZE,
    TAG_SIZE,
    BackupError,
    BackupIntegrityError,
    BackupKeyError,
    BackupWriter,
    diff_manifests,
    keyring_from,
    load_keyring,
    read_archive,
    read_member,
)
from ecomfin.crypto import Keyring, KeyringError

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "backup.py"
K1 = bytes(range(32))
K2 = bytes(range(50, 82))
SPEC = "k1:" + base64.b64encode(K1).decode()


@pytest.fixture
def ring():
    return Keyring({"k1": K1}, "k1")


def make_archive(ring, members, chunk_size=16):
    buf = io.BytesIO()
    with BackupWriter(buf, ring, chunk_size=chunk_size) as archive:
        for name, data in members:
            archive.add_bytes(name, data)
    return buf.getvalue()


def read_all(ring, data):
    out = {}

    def sink_for(name):
        out[name] = io.BytesIO()
        return out[name]

    infos = read_archive(io.BytesIO(data), ring, sink_for, label="t.ecbk")
    return {name: sink.getvalue() for name, sink in out.items()}, infos


def layout(data):
    """(header length, [(offset, total length, final) of each record]) of an archive's bytes."""
    kid_len = data[len(MAGIC) + 4]
    offset = len(MAGIC) + 5 + kid_len + SALT_SIZE + CHECK_SIZE + TAG_SIZE
    header = offset
    records = []
    while offset < len(data):
        (word,) = struct.unpack(">I", data[offset : offset + 4])
        length = word & 0x7FFFFFFF
        records.append((offset, 4 + length, bool(word & 0x80000000)))
        offset += 4 + length
    return header, records


def flip(data, position):
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


MEMBERS = [
    ("db.dump", os.urandom(100)),
    ("filestore.tar", b""),
    ("manifest.json", json.dumps({"row_counts": {"account_move": 3}}).encode()),
]


# ----------------------------------------------------------------------
# Format
# ----------------------------------------------------------------------


def test_roundtrip(ring):
    members = [("db.dump", os.urandom(100_000)), ("empty", b""), ("exact", b"x" * 64), ("small", b"abc")]
    data = make_archive(ring, members)
    content, infos = read_all(ring, data)
    assert content == dict(members)
    assert [i["name"] for i in infos] == [name for name, _ in members]
    for info, (_name, raw) in zip(infos, members, strict=True):
        assert info["size"] == len(raw)
        assert info["sha256"] == hashlib.sha256(raw).hexdigest()
    assert infos[2]["chunks"] == 4 and infos[1]["chunks"] == 0
    assert read_member(io.BytesIO(data), ring, "small") == b"abc"
    with pytest.raises(BackupError, match="no member nope"):
        read_member(io.BytesIO(data), ring, "nope")


def test_streamed_in_chunks(ring):
    """Chunks reach the file as they fill: nothing waits for the member's end."""
    buf = io.BytesIO()
    archive = BackupWriter(buf, ring, chunk_size=1024)
    with archive.member("db.dump") as sink:
        header = buf.tell()
        for _ in range(10):
            sink.write(os.urandom(1000))
        assert buf.tell() - header >= 9 * 1024
    archive.close()
    assert read_all(ring, buf.getvalue())[1][0]["chunks"] == 10


def test_key_never_in_archive(ring):
    data = make_archive(ring, MEMBERS)
    assert K1 not in data and base64.b64encode(K1) not in data
    assert MEMBERS[2][1] not in data  # and nothing in clear
    assert make_archive(ring, MEMBERS) != data  # a new salt each time


def test_every_flipped_byte_refused(ring):
    data = make_archive(ring, MEMBERS)
    for position in range(len(data)):
        with pytest.raises((BackupIntegrityError, BackupKeyError)):
            read_all(ring, flip(data, position))


def test_flipped_byte_per_region_names_it(ring):
    data = make_archive(ring, MEMBERS)
    header, records = layout(data)
    # records: 0 start db.dump, 1-7 its chunks, 8 its end, 9-10 filestore.tar, 11-15 manifest.json, 16 end
    start, length, _final = records[3]
    cases = {
        "magic": (0, "not an ecom backup archive"),
        "version": (len(MAGIC) - 1, "unknown archive format version"),
        "chunk size": (len(MAGIC) + 2, "header fails authentication"),
        "salt": (header - TAG_SIZE - CHECK_SIZE - 1, "header fails authentication"),
        "key check": (header - TAG_SIZE - 1, "key k1 is not the key"),
        "header tag": (header - 1, "header fails authentication"),
        "chunk body": (start + 10, r"record 3 \(member db.dump, chunk 2\) fails authentication"),
        "chunk tag": (start + length - 1, r"record 3 \(member db.dump, chunk 2\) fails authentication"),
        "frame": (start + 3, r"record 3 \(member db.dump, chunk 2\)"),
        "manifest": (records[12][0] + 8, r"record 12 \(member manifest.json, chunk 0\) fails authentication"),
        "end record": (records[-1][0] + 6, r"record 16 \(after member manifest.json\) fails authentication"),
    }
    for region, (position, message) in cases.items():
        with pytest.raises((BackupIntegrityError, BackupKeyError), match=message) as caught:
            read_all(ring, flip(data, position))
        assert caught.value, region


def test_truncated_anywhere_refused(ring):
    data = make_archive(ring, MEMBERS)
    for end in range(len(data)):
        with pytest.raises(BackupIntegrityError):
            read_all(ring, data[:end])
    _header, records = layout(data)
    cut = records[-1][0]  # every record but the end record
    with pytest.raises(
        BackupIntegrityError,
        match=r"record 16 \(after member manifest.json\) is missing: the archive is truncated",
    ):
        read_all(ring, data[:cut])
    with pytest.raises(BackupIntegrityError, match="cut short"):
        read_all(ring, data[: cut + 10])


def test_reordered_dropped_repeated_records_refused(ring):
    data = make_archive(ring, MEMBERS)
    header, records = layout(data)
    pieces = [data[o : o + n] for o, n, _f in records]
    head = data[:header]
    swapped = pieces[:]
    swapped[2], swapped[3] = swapped[3], swapped[2]
    with pytest.raises(
        BackupIntegrityError, match=r"record 2 \(member db.dump, chunk 1\) fails authentication"
    ):
        read_all(ring, head + b"".join(swapped))
    dropped = pieces[:2] + pieces[3:]
    with pytest.raises(BackupIntegrityError, match="record 2 .* fails authentication"):
        read_all(ring, head + b"".join(dropped))
    repeated = pieces[:3] + pieces[2:]
    with pytest.raises(BackupIntegrityError, match="record 3 .* fails authentication"):
        read_all(ring, head + b"".join(repeated))
    members_swapped = pieces[:9] + pieces[11:-1] + pieces[9:11] + pieces[-1:]
    with pytest.raises(BackupIntegrityError, match="record 9 .* fails authentication"):
        read_all(ring, head + b"".join(members_swapped))


def test_appended_bytes_refused(ring):
    data = make_archive(ring, MEMBERS)
    _header, records = layout(data)
    last = records[-1]
    for extra in (b"\x00", data[last[0] :], os.urandom(100)):
        with pytest.raises(BackupIntegrityError, match="data after the end record"):
            read_all(ring, data + extra)


def test_records_of_another_archive_refused(ring):
    """Same key, other archive: its records do not authenticate here (a salt per archive)."""
    one, other = make_archive(ring, MEMBERS), make_archive(ring, MEMBERS)
    header, records = layout(one)
    _header2, records2 = layout(other)
    spliced = one[: records[3][0]] + other[records2[3][0] : records2[4][0]] + one[records[4][0] :]
    with pytest.raises(BackupIntegrityError, match="record 3 .* fails authentication"):
        read_all(ring, spliced)


def test_unfinished_archive_reads_as_truncated(ring):
    buf = io.BytesIO()
    with pytest.raises(RuntimeError):
        with BackupWriter(buf, ring) as archive:
            archive.add_bytes("db.dump", b"one")
            with archive.member("filestore.tar") as sink:
                sink.write(b"half")
                raise RuntimeError("pg_dump died")
    with pytest.raises(BackupIntegrityError, match="truncated"):
        read_all(ring, buf.getvalue())


def test_member_names_checked(ring):
    archive = BackupWriter(io.BytesIO(), ring)
    for name in ("../etc/passwd", "a/b", "", ".hidden"):
        with pytest.raises(ValueError, match="invalid member name"):
            archive.member(name)
    archive.add_bytes("db.dump", b"")
    with pytest.raises(BackupError, match="already in the archive"):
        archive.member("db.dump")
    sink = archive.member("other")
    with pytest.raises(BackupError, match="still open"):
        archive.close()
    sink.close()
    archive.close()


def test_not_an_archive(ring):
    with pytest.raises(BackupIntegrityError, match="not an ecom backup archive"):
        read_all(ring, b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
    with pytest.raises(BackupIntegrityError, match="not an ecom backup archive"):
        read_all(ring, b"")


# ----------------------------------------------------------------------
# Keys
# ----------------------------------------------------------------------


def test_wrong_key_is_explicit(ring):
    data = make_archive(ring, MEMBERS)
    with pytest.raises(BackupKeyError, match="configured key k1 is not the key this archive was made with"):
        read_all(Keyring({"k1": K2}, "k1"), data)


def test_unknown_key_id_is_explicit(ring):
    data = make_archive(ring, MEMBERS)
    with pytest.raises(
        BackupKeyError, match=r"encrypted with key 'k1', which is not configured \(configured: k2\)"
    ):
        read_all(Keyring({"k2": K2}, "k2"), data)


def test_rotation_reads_old_archives(ring):
    old = make_archive(ring, MEMBERS)
    both = Keyring({"k1": K1, "k2": K2}, "k2")
    new = make_archive(both, MEMBERS)
    assert read_all(both, old)[0] == read_all(both, new)[0] == dict(MEMBERS)
    with pytest.raises(BackupKeyError):
        read_all(ring, new)


def test_load_keyring():
    assert load_keyring({"ECOM_BACKUP_KEY": SPEC}).current == "k1"
    assert load_keyring({}, config_value=SPEC).key("k1") == K1
    other = "k9:" + base64.b64encode(K2).decode()
    assert load_keyring({"ECOM_BACKUP_KEY": other}, config_value=SPEC).current == "k9"  # environment first
    with pytest.raises(BackupKeyError, match="no backup key: set ECOM_BACKUP_KEY"):
        load_keyring({})
    with pytest.raises(BackupKeyError, match="no backup key"):
        load_keyring({"ECOM_BACKUP_KEY": "  "}, config_value="")
    with pytest.raises(BackupKeyError, match="must decode to 32 bytes") as caught:
        keyring_from("k1:" + base64.b64encode(b"short").decode())
    assert isinstance(caught.value, KeyringError)
    with pytest.raises(BackupKeyError, match="not valid base64"):
        keyring_from("k1:***")


# ----------------------------------------------------------------------
# Manifests
# ----------------------------------------------------------------------

MANIFEST = {
    "format": "ecom-backup-manifest/1",
    "created_at": "2024-03-01T00:00:00+00:00",
    "db": "ecom",
    "members": {"db.dump": {"size": 10, "sha256": "aa"}},
    "row_counts": {"account_move": 3, "ecom_order": 7},
    "trial_balance": {"1/400000": {"debit": "0", "credit": "10.00", "balance": "-10.00", "lines": 2}},
    "audit_chain": {"last_id": 9, "seq": 9, "hash": "v1$ab", "count": 9},
    "modules": {},
}


def test_diff_equal_ignores_when_and_where():
    other = {**json.loads(json.dumps(MANIFEST)), "created_at": "later", "db": "ecom_verify_1", "tools": {}}
    assert diff_manifests(MANIFEST, other) == []


def test_diff_names_each_difference():
    other = json.loads(json.dumps(MANIFEST))
    other["row_counts"]["account_move"] = 2
    del other["row_counts"]["ecom_order"]
    other["row_counts"]["ecom_shop"] = 1
    other["trial_balance"]["1/400000"]["balance"] = "-12.00"
    other["audit_chain"] = None
    assert diff_manifests(MANIFEST, other) == [
        "audit_chain: unexpected None",
        "audit_chain.count: expected 9, missing",
        "audit_chain.hash: expected 'v1$ab', missing",
        "audit_chain.last_id: expected 9, missing",
        "audit_chain.seq: expected 9, missing",
        "row_counts.account_move: expected 3, found 2",
        "row_counts.ecom_order: expected 7, missing",
        "row_counts.ecom_shop: unexpected 1",
        "trial_balance.1/400000.balance: expected '-10.00', found '-12.00'",
    ]
    assert diff_manifests(MANIFEST, {**MANIFEST, "modules": {"ecom_audit": "18.0.1.0.0"}}) == [
        "modules.ecom_audit: unexpected '18.0.1.0.0'"
    ]


# ----------------------------------------------------------------------
# The commands against a real PostgreSQL
# ----------------------------------------------------------------------

PG = {
    "host": os.environ.get("PGHOST", "127.0.0.1"),
    "port": os.environ.get("PGPORT", "5432"),
    "user": os.environ.get("PGUSER") or getpass.getuser(),
}


def _server():
    """A connection to the 'postgres' database, or the reason to skip."""
    for tool in ("pg_dump", "pg_restore"):
        if not shutil.which(tool):
            return None, f"{tool} is not on PATH"
    try:
        conn = psycopg2.connect(dbname="postgres", connect_timeout=3, **PG)
    except psycopg2.OperationalError as exc:
        return None, f"no PostgreSQL answers on {PG['host']}:{PG['port']} as {PG['user']}: {str(exc).strip()}"
    conn.autocommit = True
    client = subprocess.run(["pg_dump", "--version"], capture_output=True, text=True, check=True).stdout
    client_major = int(client.split()[-1].split(".")[0])
    if client_major * 10000 < conn.server_version // 100 * 100:
        conn.close()
        return None, f"pg_dump {client_major} is older than the server ({conn.server_version})"
    return conn, None


@pytest.fixture(scope="module")
def server():
    """(admin connection, create(name, sql), drop(name)); every database named is dropped at the end."""
    conn, reason = _server()
    if conn is None:
        pytest.skip(reason)
    named = []

    def drop(name):
        with conn.cursor() as cr:
            cr.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        if name not in named:
            named.append(name)
        return name

    def create(name, script):
        drop(name)
        with conn.cursor() as cr:
            cr.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
        db = psycopg2.connect(dbname=name, **PG)
        with db, db.cursor() as cr:
            cr.execute(script)
        db.close()
        return name

    yield conn, create, drop
    for name in named:
        drop(name)
    conn.close()


def database_names(conn):
    with conn.cursor() as cr:
        cr.execute("SELECT datname FROM pg_database")
        return {row[0] for row in cr.fetchall()}


ODOO_SHAPED = """
CREATE TABLE ir_module_module (id serial PRIMARY KEY, name varchar, state varchar, latest_version varchar);
INSERT INTO ir_module_module (name, state, latest_version) VALUES
    ('base', 'installed', '18.0.1.3'), ('ecom_audit', 'installed', '18.0.1.0.0'),
    ('ecom_finance', 'installed', '18.0.1.0.0'), ('ecom_devices', 'uninstalled', NULL);
CREATE TABLE res_company (id serial PRIMARY KEY, name varchar, parent_path varchar);
INSERT INTO res_company (name, parent_path) VALUES ('Main', '1/'), ('Branch', '1/2/'), ('Other', '3/');
CREATE TABLE account_account (id serial PRIMARY KEY, code_store jsonb);
INSERT INTO account_account (code_store) VALUES
    ('{"1": "400000", "3": "400000"}'), ('{"1": "101000", "3": "101100"}');
CREATE TABLE account_move (id serial PRIMARY KEY, state varchar);
INSERT INTO account_move (state) VALUES ('posted'), ('posted'), ('draft'), ('posted');
CREATE TABLE account_move_line (
    id serial PRIMARY KEY, move_id int, company_id int, account_id int,
    debit numeric, credit numeric, parent_state varchar);
INSERT INTO account_move_line (move_id, company_id, account_id, debit, credit, parent_state) VALUES
    (1, 1, 2, 100.00, 0, 'posted'), (1, 1, 1, 0, 100.00, 'posted'),
    (2, 2, 2, 30.50, 0, 'posted'), (2, 2, 1, 0, 30.50, 'posted'),
    (3, 1, 2, 999, 0, 'draft'), (3, 1, 1, 0, 999, 'draft'),
    (4, 3, 2, 7.25, 0, 'posted'), (4, 3, 1, 0, 7.25, 'posted');
CREATE TABLE ecom_audit_log (id serial PRIMARY KEY, seq int, hash varchar);
INSERT INTO ecom_audit_log (seq, hash) VALUES (1, 'v1$aa'), (2, 'v1$bb'), (3, 'v1$cc');
CREATE TABLE ir_attachment (id serial PRIMARY KEY, store_fname varchar);
INSERT INTO ir_attachment (store_fname) VALUES ('ab/abcdef'), ('cd/cdef01'), (NULL);
"""


def run(*args, key=SPEC, check_rc=None):
    env = {k: v for k, v in os.environ.items() if k not in ("ODOO_RC", "ECOM_BACKUP_KEY")}
    if key:
        env["ECOM_BACKUP_KEY"] = key
    conn = ["--db-host", PG["host"], "--db-port", str(PG["port"]), "--db-user", PG["user"], "--config", ""]
    command, *rest = args
    done = subprocess.run(
        [sys.executable, str(SCRIPT), command, *conn, *rest],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    if check_rc is not None:
        assert done.returncode == check_rc, output
    return done.returncode, output


@pytest.fixture
def source(server, tmp_path):
    conn, create, drop = server
    name = create(f"ecom_bk_test_{os.getpid()}", ODOO_SHAPED)
    for suffix in ("verify", "flipped", "diff", "nofs"):  # scratch databases of the tests below
        drop(f"{name}_{suffix}")
    data_dir = tmp_path / "data"
    store = data_dir / "filestore" / name
    (store / "ab").mkdir(parents=True)
    (store / "cd").mkdir()
    (store / "ab" / "abcdef").write_bytes(b"invoice pdf")
    (store / "cd" / "cdef01").write_bytes(os.urandom(5000))
    return conn, name, data_dir


def test_backup_then_restore_verify(source, tmp_path):
    conn, name, data_dir = source
    archive = tmp_path / "ecom.ecbk"
    _rc, out = run("backup", "--db", name, "--out", str(archive), "--data-dir", str(data_dir), check_rc=0)
    assert f"backup: wrote {archive}" in out
    assert archive.exists() and not archive.with_name("ecom.ecbk.partial").exists()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    manifest = json.loads(read_member(archive.open("rb"), keyring_from(SPEC), "manifest.json"))
    assert manifest["db"] == name
    assert manifest["modules"] == {"ecom_audit": "18.0.1.0.0", "ecom_finance": "18.0.1.0.0"}
    assert manifest["row_counts"]["account_move_line"] == 8
    assert manifest["audit_chain"] == {"last_id": 3, "seq": 3, "hash": "v1$cc", "count": 3}
    assert manifest["trial_balance"] == {
        "1/101000": {"debit": "100.00", "credit": "0", "balance": "100.00", "lines": 1},
        "1/400000": {"debit": "0", "credit": "100.00", "balance": "-100.00", "lines": 1},
        "2/101000": {"debit": "30.50", "credit": "0", "balance": "30.50", "lines": 1},  # branch: root's code
        "2/400000": {"debit": "0", "credit": "30.50", "balance": "-30.50", "lines": 1},
        "3/101100": {"debit": "7.25", "credit": "0", "balance": "7.25", "lines": 1},
        "3/400000": {"debit": "0", "credit": "7.25", "balance": "-7.25", "lines": 1},
    }
    assert manifest["trial_balance_totals"]["1"] == {"debit": "100.00", "credit": "100.00", "balance": "0.00"}
    assert manifest["filestore"]["files"] == 2 and manifest["filestore"]["bytes"] == 5011
    assert manifest["attachments"] == {"files": 2, "missing_from_filestore": 0}

    scratch = f"{name}_verify"
    _rc, out = run("restore-verify", "--file", str(archive), "--scratch-db", scratch, check_rc=0)
    assert "restore-verify: OK" in out and "audit chain 3 entries" in out and "filestore 2 files" in out
    assert scratch not in database_names(conn)

    extracted = tmp_path / "out"
    run("extract", "--file", str(archive), "--out-dir", str(extracted), check_rc=0)
    assert sorted(p.name for p in extracted.iterdir()) == ["db.dump", "filestore.tar", "manifest.json"]
    assert extracted.joinpath("db.dump").read_bytes()[:5] == b"PGDMP"


def test_flipped_byte_refused_nothing_restored(source, tmp_path):
    conn, name, data_dir = source
    archive = tmp_path / "ecom.ecbk"
    run("backup", "--db", name, "--out", str(archive), "--data-dir", str(data_dir), check_rc=0)
    data = archive.read_bytes()
    archive.write_bytes(flip(data, len(data) // 2))
    scratch = f"{name}_flipped"
    _rc, out = run("restore-verify", "--file", str(archive), "--scratch-db", scratch, check_rc=1)
    assert "restore-verify: REFUSED, nothing restored" in out and "fails authentication" in out
    assert scratch not in database_names(conn)
    _rc, out = run("extract", "--file", str(archive), "--out-dir", str(tmp_path / "x"), check_rc=1)
    assert "REFUSED" in out and not any((tmp_path / "x").iterdir())


def test_restore_verify_reports_differences(source, tmp_path):
    """An archive whose manifest disagrees with its dump: restore-verify names each difference."""
    conn, name, data_dir = source
    archive = tmp_path / "ecom.ecbk"
    run("backup", "--db", name, "--out", str(archive), "--data-dir", str(data_dir), check_rc=0)
    ring = keyring_from(SPEC)
    with archive.open("rb") as handle:
        members, _infos = read_all(ring, handle.read())
    manifest = json.loads(members["manifest.json"])
    manifest["row_counts"]["account_move_line"] = 9
    manifest["audit_chain"]["hash"] = "v1$forged"
    members["manifest.json"] = json.dumps(manifest).encode()
    forged = tmp_path / "forged.ecbk"
    forged.write_bytes(make_archive(ring, list(members.items()), chunk_size=1 << 16))
    _rc, out = run("restore-verify", "--file", str(forged), "--scratch-db", f"{name}_diff", check_rc=1)
    assert "restore-verify: FAILED" in out
    assert "row_counts.account_move_line: expected 9, found 8" in out
    assert "audit_chain.hash: expected 'v1$forged', found 'v1$cc'" in out
    assert f"{name}_diff" not in database_names(conn)


def test_key_errors_exit_2(source, tmp_path):
    _conn, name, data_dir = source
    archive = tmp_path / "ecom.ecbk"
    _rc, out = run(
        "backup", "--db", name, "--out", str(archive), "--data-dir", str(data_dir), key="", check_rc=2
    )
    assert "no backup key: set ECOM_BACKUP_KEY" in out and not archive.exists()
    run("backup", "--db", name, "--out", str(archive), "--data-dir", str(data_dir), check_rc=0)
    wrong = "k1:" + base64.b64encode(K2).decode()
    _rc, out = run("restore-verify", "--file", str(archive), key=wrong, check_rc=2)
    assert "not the key this archive was made with" in out


def test_missing_filestore_is_an_empty_member(source, tmp_path):
    _conn, name, _data_dir = source
    archive = tmp_path / "ecom.ecbk"
    _rc, out = run(
        "backup", "--db", name, "--out", str(archive), "--data-dir", str(tmp_path / "none"), check_rc=0
    )
    assert "WARNING: 2 attachment files are not in" in out
    manifest = json.loads(read_member(archive.open("rb"), keyring_from(SPEC), "manifest.json"))
    assert manifest["filestore"]["files"] == 0
    assert manifest["attachments"] == {"files": 2, "missing_from_filestore": 2}
    _rc, out = run("restore-verify", "--file", str(archive), "--scratch-db", f"{name}_nofs", check_rc=0)
    assert "restore-verify: OK" in out and "2 attachment files were missing already at backup time" in out


def test_figures_with_a_plain_code_column(server):
    """Before Odoo 17 the account code is a column; the trial balance reads it."""
    _conn, create, _drop = server
    spec = importlib.util.spec_from_file_location("backup_script", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    name = create(
        f"ecom_bk_plain_{os.getpid()}",
        """
        CREATE TABLE account_account (id serial PRIMARY KEY, code varchar);
        INSERT INTO account_account (code) VALUES ('700'), ('512');
        CREATE TABLE account_move_line (id serial PRIMARY KEY, company_id int, account_id int,
            debit numeric, credit numeric, parent_state varchar);
        INSERT INTO account_move_line (company_id, account_id, debit, credit, parent_state)
            VALUES (1, 2, 5, 0, 'posted'), (1, 1, 0, 5, 'posted');
        """,
    )
    db = psycopg2.connect(dbname=name, **PG)
    try:
        with db.cursor() as cr:
            found = script.figures(cr, set())
    finally:
        db.close()
    assert found["trial_balance"] == {
        "1/512": {"debit": "5", "credit": "0", "balance": "5", "lines": 1},
        "1/700": {"debit": "0", "credit": "5", "balance": "-5", "lines": 1},
    }
    assert found["audit_chain"] is None and found["modules"] == {} and found["attachments"] is None
    assert found["row_counts"] == {"account_account": 2, "account_move_line": 2}
