# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The scripts behind `make test` and `make run` (scripts/test.sh, run.sh, lib.sh): they never pass
without having run the tests, and say what to do when they cannot.

Each case runs a script from a throwaway copy of scripts/ with ``PYTHON`` pointing at a fake
interpreter that fails where the case says and hands everything else to this Python; the fake
refuses ``import odoo``, so no case ever reaches the Odoo suite."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# argument patterns the fake answers itself: (shell `case` pattern, shell commands)
EXTERNALLY_MANAGED = ("*EXTERNALLY-MANAGED*", "exit 0")
NOT_EXTERNALLY_MANAGED = ("*EXTERNALLY-MANAGED*", "exit 1")
# Debian without python3-venv: the folder and its python are made, then ensurepip is missing
NO_VENV = (
    '*"-m venv"*',
    'mkdir -p "$4/bin" && ln -sf /bin/false "$4/bin/python";'
    ' echo "The virtual environment was not created successfully because ensurepip is not available." >&2; exit 1',
)
PIP_FAILS = (
    '*"-m pip"*',
    'echo "ERROR: Could not find a version that satisfies the requirement" >&2; exit 1',
)
PIP_WORKS = ('*"-m pip"*', "exit 0")
NO_ODOO = ("*odoo*", "exit 1")


def fake_python(tmp_path, *cases):
    body = "".join(f"    {pattern}) {action} ;;\n" for pattern, action in cases)
    fake = tmp_path / "python3"
    fake.write_text(f'#!/bin/sh\ncase "$*" in\n{body}esac\nexec {sys.executable} "$@"\n')
    fake.chmod(0o755)
    return fake


def checkout(tmp_path):
    """A copy of the scripts with an empty core suite: nothing here can recurse into the real one."""
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    (root / "tests").mkdir()
    for name in ("test.sh", "run.sh", "lib.sh", "odoo_bin.py"):
        shutil.copy(ROOT / "scripts" / name, root / "scripts" / name)
    return root


def run(script, tmp_path, python, prelude=""):
    env = {"PATH": "/usr/bin:/bin", "PYTHON": str(python), "HOME": str(tmp_path), "PGPORT": "1"}
    return subprocess.run(
        ["bash", "-c", f'{prelude}exec bash "$0"', str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_python_that_cannot_make_a_virtualenv_fails_the_run(tmp_path):
    root = checkout(tmp_path)
    python = fake_python(tmp_path, EXTERNALLY_MANAGED, NO_VENV, NO_ODOO)
    done = run(root / "scripts" / "test.sh", tmp_path, python)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "could not make a virtualenv" in done.stdout
    assert "apt install python3-venv" in done.stdout
    assert "core: not run" in done.stdout
    # the half-made virtualenv is not left behind to be taken for a good one next time
    assert not (root / ".venv").exists()


def test_a_failed_cd_fails_the_run(tmp_path):
    root = checkout(tmp_path)
    python = fake_python(tmp_path, NOT_EXTERNALLY_MANAGED, PIP_WORKS, NO_ODOO)
    # every `cd` fails, as it would in a checkout that was moved or removed under the script
    done = run(root / "scripts" / "test.sh", tmp_path, python, prelude="cd() { return 1; }; export -f cd; ")
    assert done.returncode != 0, done.stdout + done.stderr
    assert "core: not run" in done.stdout + done.stderr
    assert "passed" not in done.stdout


def test_a_failed_pip_install_fails_the_run(tmp_path):
    root = checkout(tmp_path)
    python = fake_python(tmp_path, NOT_EXTERNALLY_MANAGED, PIP_FAILS, NO_ODOO)
    done = run(root / "scripts" / "test.sh", tmp_path, python)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "could not install the core requirements" in done.stdout
    assert "core: not run (pip install failed)" in done.stdout


def test_a_core_suite_that_collects_nothing_fails_the_run(tmp_path):
    root = checkout(tmp_path)
    python = fake_python(tmp_path, NOT_EXTERNALLY_MANAGED, PIP_WORKS, NO_ODOO)
    done = run(root / "scripts" / "test.sh", tmp_path, python)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "no core test passed" in done.stdout
    assert "core: 0 passed, 0 failed (no test ran)" in done.stdout
    # Odoo not found is said, and is no excuse for the empty core suite
    assert "odoo: skipped, no Odoo 18 found" in done.stdout


def test_make_run_has_the_same_virtualenv_handling(tmp_path):
    root = checkout(tmp_path)
    python = fake_python(tmp_path, EXTERNALLY_MANAGED, NO_VENV, NO_ODOO)
    done = run(root / "scripts" / "run.sh", tmp_path, python)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "could not make a virtualenv" in done.stdout
    assert not (root / ".venv").exists()


def test_make_run_says_odoo_is_missing(tmp_path):
    root = checkout(tmp_path)
    python = fake_python(tmp_path, NOT_EXTERNALLY_MANAGED, PIP_WORKS, NO_ODOO)
    done = run(root / "scripts" / "run.sh", tmp_path, python)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "make run needs Odoo 18.0" in done.stdout
    assert "cannot import odoo" in done.stdout


def _find_postgres(tmp_path, **env):
    pytest.importorskip("psycopg2")
    done = subprocess.run(
        [
            "bash",
            "-c",
            f'source {ROOT}/scripts/lib.sh; find_postgres && echo "found $DB_USER" || echo "$PG_PROBLEM"',
        ],
        env={"PATH": os.environ["PATH"], "PYTHON": sys.executable, "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.stdout


def test_no_postgresql_says_what_to_install(tmp_path):
    out = _find_postgres(tmp_path, PGHOST="127.0.0.1", PGPORT="1")
    assert "no PostgreSQL answers on 127.0.0.1 port 1" in out
    assert "sudo apt install postgresql" in out
    assert "sudo -u postgres createuser -s" in out


def test_a_missing_role_says_what_to_run(tmp_path):
    host, port = os.environ.get("PGHOST", "127.0.0.1"), os.environ.get("PGPORT", "5432")
    out = _find_postgres(tmp_path, PGHOST=host, PGPORT=port, PGUSER="ecom_no_such_role")
    if "no PostgreSQL answers" in out:
        pytest.skip(f"no PostgreSQL on {host}:{port}")
    assert 'role "ecom_no_such_role" does not exist' in out
    assert "sudo -u postgres createuser -s" in out


def test_the_postgres_role_is_refused(tmp_path):
    out = _find_postgres(tmp_path, PGHOST="127.0.0.1", PGUSER="postgres")
    assert "Odoo refuses to connect as the role 'postgres'" in out


def test_odoo_bin_runs_odoo_with_the_given_python(tmp_path):
    if subprocess.run(
        [sys.executable, "-c", "import odoo.release"], capture_output=True, check=False
    ).returncode:
        pytest.skip("this Python has no Odoo")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "odoo_bin.py"), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=tmp_path,
    )
    assert done.stdout.startswith("Odoo Server 18.0")
