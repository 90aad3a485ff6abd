# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""`make lint`: every tracked source file carries the license header near its top.
Prints each file without it; exit 1 if any."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = {".py", ".xml", ".js", ".sh", ".sql", ".scss", ".css"}
NAMES = {"Makefile", "Dockerfile", "run"}
MARK = "License LGPL-3.0 or later"


def main():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    bad = [
        rel
        for rel in tracked.split()
        if (Path(rel).suffix in SUFFIXES or Path(rel).name in NAMES)
        and not rel.startswith("tests/fixtures/")
        and MARK not in (ROOT / rel).read_text(encoding="utf-8")[:600]
    ]
    for rel in bad:
        print(f"no license header: {rel}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
