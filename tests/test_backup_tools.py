# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The backup tools around scripts/backup.py: the standalone decryptor (docs/decrypt_backup.py,
run in an isolated Python that cannot import ecomfin) and the scheduled backup with retention and
restore-verify (scripts/backup_scheduled.sh) against a real PostgreSQL."""

import datetime
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_backup import ODOO_SHAPED, PG, server  # noqa: F401 - the PostgreSQL fixture

from ecomfin.backup import BackupWriter, keyring_from
from ecomfin.crypto import Keyring

ROOT = Path(__file__).resolve().parents[1]
DECRYPT = ROOT / "docs" / "decrypt_backup.py"
SCHEDULED = ROOT / "scripts" / "backup_scheduled.sh"
KEY1 = Keyring.generate_key()
KEY2 = Keyring.generate_key()


def archive_of(members, spec=f"bk1:{KEY1}", chunk_size=7):
    out = io.BytesIO()
    with BackupWriter(out, keyring_from(spec), chunk_size=chunk_size) as writer:
        for name, data in members.items():
            writer.add_bytes(name, data)
    return out.getvalue()


def decrypt(tmp_path, data, spec=f"bk1:{KEY1}"):
    archive = tmp_path / "b.ecbk"
    archive.write_bytes(data)
    out = tmp_path / "out"
    env = {"PATH": os.environ["PATH"], "ECOM_BACKUP_KEY": spec}
    # -I: isolated, no PYTHONPATH, no current directory on the path: ecomfin cannot be imported
    done = subprocess.run(
        [sys.executable, "-I", str(DECRYPT), str(archive), str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    return done, out


MEMBERS = {"db.dump": b"PGDMP" + os.urandom(100), "filestore.tar": b"", "manifest.json": b'{"db": "ecom"}'}


def test_decryptor_needs_no_ecomfin():
    text = DECRYPT.read_text()
    assert "ecomfin" not in text.split('"""', 2)[2]


def test_decryptor_opens_an_archive(tmp_path):
    done, out = decrypt(tmp_path, archive_of(MEMBERS))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(MEMBERS)
    for name, data in MEMBERS.items():
        assert (out / name).read_bytes() == data
        assert oct((out / name).stat().st_mode & 0o777) == "0o600"


def test_decryptor_reads_archives_of_an_older_key_after_rotation(tmp_path):
    data = archive_of(MEMBERS, spec=f"bk1:{KEY1}")
    done, out = decrypt(tmp_path, data, spec=f"bk2:{KEY2},bk1:{KEY1};current=bk2")
    assert done.returncode == 0, done.stderr
    assert (out / "db.dump").read_bytes() == MEMBERS["db.dump"]


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda d: d[:-1], "truncated"),
        (lambda d: d[: len(d) // 2], "truncated"),
        (lambda d: d + b"\x00", "data after the end record"),
        (lambda d: d[:80] + bytes([d[80] ^ 1]) + d[81:], "fails authentication"),
        (lambda d: d[:-20] + bytes([d[-20] ^ 1]) + d[-19:], "fails authentication"),
        (lambda d: b"NOTBACKUP" + d[9:], "not an ecom backup"),
    ],
)
def test_decryptor_refuses_a_damaged_archive_and_writes_nothing(tmp_path, spoil, message):
    done, out = decrypt(tmp_path, spoil(archive_of(MEMBERS)))
    assert done.returncode == 1
    assert "REFUSED, nothing written" in done.stderr and message in done.stderr, done.stderr
    assert not out.exists() or not list(out.iterdir())


def test_decryptor_names_a_wrong_or_missing_key(tmp_path):
    data = archive_of(MEMBERS)
    done, _out = decrypt(tmp_path, data, spec=f"bk1:{KEY2}")
    assert done.returncode == 1 and "is not the key this archive was made with" in done.stderr
    done, _out = decrypt(tmp_path, data, spec=f"other:{KEY1}")
    assert done.returncode == 1 and "made with key 'bk1'" in done.stderr


# ---------------------------------------------------------------------------- scheduled


def scheduled(*args, home):
    env = {k: v for k, v in os.environ.items() if k != "ODOO_RC"}
    env.update(
        ECOM_BACKUP_KEY=f"bk1:{KEY1}",
        PGHOST=PG["host"],
        PGPORT=str(PG["port"]),
        PGUSER=PG["user"],
        HOME=str(home),
    )
    env["PYTHON"] = sys.executable
    return subprocess.run(
        ["bash", str(SCHEDULED), *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def test_scheduled_backups_are_verified_and_kept_to_the_newest(server, tmp_path):  # noqa: F811
    _conn, create, _drop = server
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    db = create(f"ecom_sched_{os.getpid()}", ODOO_SHAPED)
    out = tmp_path / "backups"
    for _ in range(3):
        done = scheduled("run", db, str(out), "2", home=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "restore-verify: OK" in done.stdout
    kept = sorted(out.glob(f"{db}-*.ecbk"))
    assert len(kept) == 2
    status = json.loads((out / "status.json").read_text())
    assert status["ok"] and status["file"] == str(kept[-1]) and status["last_ok_file"] == str(kept[-1])
    done = scheduled("check", str(out), "1", home=tmp_path)
    assert done.returncode == 0 and f"last verified backup {kept[-1]}" in done.stdout

    # a run that fails: said, recorded, and `check` raises it; the good backups are kept
    done = scheduled("run", f"{db}_missing", str(out), "2", home=tmp_path)
    assert done.returncode == 1
    assert "FAILED" in done.stderr
    done = scheduled("check", str(out), "24", home=tmp_path)
    assert done.returncode == 1 and "the last backup FAILED" in done.stderr
    assert sorted(out.glob(f"{db}-*.ecbk")) == kept


def test_check_raises_a_missing_or_stale_backup(tmp_path):
    done = scheduled("check", str(tmp_path), "24", home=tmp_path)
    assert done.returncode == 1 and "no backup has run yet" in done.stderr
    old = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=30)).isoformat()
    (tmp_path / "status.json").write_text(
        json.dumps({"ok": True, "time": old, "last_ok": old, "last_ok_file": "x.ecbk", "file": "x.ecbk"})
    )
    done = scheduled("check", str(tmp_path), "24", home=tmp_path)
    assert done.returncode == 1 and "backups have stopped" in done.stderr
    done = scheduled("check", str(tmp_path), "48", home=tmp_path)
    assert done.returncode == 0


def test_scheduled_usage(tmp_path):
    assert scheduled(home=tmp_path).returncode == 2
    assert scheduled("run", "db", str(tmp_path), "0", home=tmp_path).returncode == 2


def test_backup_problem_reads_the_status_file(tmp_path):
    from datetime import datetime, timedelta, timezone

    from ecomfin.backup import backup_problem

    now = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
    path = tmp_path / "status.json"
    assert backup_problem(str(path), now, 26) == ("missing", {"file": str(path)})
    path.write_text("[1, 2]", encoding="utf-8")
    assert backup_problem(str(path), now, 26)[0] == "missing"
    ok = {"ok": True, "time": "x", "last_ok": (now - timedelta(hours=3)).isoformat(), "last_ok_file": "b.ecb"}
    path.write_text(json.dumps(ok), encoding="utf-8")
    assert backup_problem(str(path), now, 26) is None
    path.write_text(json.dumps({**ok, "last_ok": (now - timedelta(hours=30)).isoformat()}), encoding="utf-8")
    assert backup_problem(str(path), now, 26) == (
        "stale",
        {"last_ok": (now - timedelta(hours=30)).isoformat(), "file": "b.ecb", "hours": 30},
    )
    failed = {
        **ok,
        "ok": False,
        "time": "2026-12-07T02:00:00+00:00",
        "message": "restore-verify: bad tag",
        "file": "c.ecb",
    }
    path.write_text(json.dumps(failed), encoding="utf-8")
    assert backup_problem(str(path), now, 26) == (
        "failed",
        {"time": "2026-12-07T02:00:00+00:00", "message": "restore-verify: bad tag", "file": "c.ecb"},
    )
