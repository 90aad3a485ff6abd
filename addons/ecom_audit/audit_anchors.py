# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Where the anchors of the audit trail are published, and with which key (never the database).

The anchor key, the anchor file and the longest an entry may wait for an anchor come from the
Odoo configuration or the environment: ``ecom_audit_hmac_key`` (``ECOM_AUDIT_HMAC_KEY``),
``ecom_audit_anchor_path`` (``ECOM_AUDIT_ANCHOR_PATH``), ``ecom_audit_anchor_max_age_hours``
(``ECOM_AUDIT_ANCHOR_MAX_AGE_HOURS``, 3).
"""

import json
import os
from datetime import timedelta
from pathlib import Path

from odoo.tools import config

# The newest anchor published (sequence and time), kept in the database too: an anchor file that
# stops before it was removed or replaced by an older copy.
PUBLISHED_PARAM = "ecom_audit.anchor_published"


def hmac_key():
    """The anchor key: from the Odoo configuration or the environment, never from the database."""
    key = config.get("ecom_audit_hmac_key") or os.environ.get("ECOM_AUDIT_HMAC_KEY")
    return key.encode() if key else None


def anchor_path():
    path = config.get("ecom_audit_anchor_path") or os.environ.get("ECOM_AUDIT_ANCHOR_PATH")
    return Path(path) if path else None


def anchor_max_age():
    """How long an entry may wait for an anchor (the cron publishes one every hour)."""
    hours = config.get("ecom_audit_anchor_max_age_hours") or os.environ.get("ECOM_AUDIT_ANCHOR_MAX_AGE_HOURS")
    return timedelta(hours=float(hours or 3))


def read_anchors():
    """The anchors published to the anchor file, oldest first (none when it is not configured)."""
    path = anchor_path()
    if not path or not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def bad_ranges_text(result):
    """Every bad range of a verification (``ecomfin.hashchain.verify``), one a line, by sequence
    (the reasons come from the verifier, in English)."""
    return "\n".join(
        f"[{bad['first_seq']}-{bad['last_seq']}] {bad['reason']}"
        if bad["first_seq"] and bad["last_seq"] != bad["first_seq"]
        else (f"[{bad['first_seq']}] {bad['reason']}" if bad["first_seq"] else bad["reason"])
        for bad in result["bad_ranges"]
    )
