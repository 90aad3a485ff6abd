# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""`make test` itself (scripts/test.sh): it never passes without having run the tests."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# A Python that says it is externally managed (PEP 668) and cannot make a virtualenv (Debian
# without python3-venv); anything else it hands to the real interpreter.
FAKE_PYTHON = f"""#!/bin/sh
case "$*" in
    *EXTERNALLY-MANAGED*) exit 0 ;;
    *"-m venv"*) echo "The virtual environment was not created successfully" >&2; exit 1 ;;
esac
exec {sys.executable} "$@"
"""


def test_a_python_that_cannot_make_a_virtualenv_fails_the_run(tmp_path):
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    for name in ("test.sh", "lib.sh"):
        shutil.copy(ROOT / "scripts" / name, checkout / "scripts" / name)
    fake = tmp_path / "python3"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    run = subprocess.run(
        ["bash", str(checkout / "scripts" / "test.sh")],
        env={"PATH": "/usr/bin:/bin", "PYTHON": str(fake), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode != 0, run.stdout + run.stderr
    assert "could not make a virtualenv" in run.stdout
    assert "core: not run" in run.stdout
    assert not (checkout / ".venv").exists()
