# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""`make lint`: an addon imports another addon's names from its small API modules (``roles.py``,
``const.py``, ``approval.py``; ``ecom_finance/sources.py`` for the SQL of its imports and orders),
never from its ``models`` (tests aside). Prints each offending line; exit 1 if any."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "addons"
PATTERN = re.compile(r"^\s*(?:from|import)\s+odoo\.addons\.(ecom_\w+)\.models\b")


def main():
    bad = []
    for path in sorted(ROOT.glob("ecom_*/**/*.py")):
        addon = path.relative_to(ROOT).parts[0]
        if "tests" in path.relative_to(ROOT).parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = PATTERN.match(line)
            if match and match.group(1) != addon:
                bad.append(f"{path.relative_to(ROOT.parent)}:{number}: {line.strip()}")
    for line in bad:
        print(f"imports another addon's models (use its roles.py / const.py): {line}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
