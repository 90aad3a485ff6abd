"""A tamper-evident chain of log entries, and signed anchors of its head.

Each entry's hash covers the previous entry's hash and the entry's canonical JSON::

    hash = "v1$" + sha256(previous_hash + canonical_json(entry))

so editing, deleting, inserting or reordering any entry breaks every hash after it.
Someone able to rewrite the whole table could recompute the chain; an *anchor* (the
head's sequence, hash and count, signed with an HMAC key kept outside the database)
published elsewhere catches that, and a truncated tail too.

:func:`verify` walks entries in sequence order and reports the first bad one.
"""

import hashlib
import hmac
import json
from datetime import date, datetime
from decimal import Decimal

VERSION = "v1"
GENESIS = VERSION + "$" + "0" * 64


def _default(value):
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot hash a {type(value).__name__}")


def canonical(entry):
    """The canonical JSON text of an entry (sorted keys, compact, UTF-8)."""
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def entry_hash(previous_hash, entry):
    digest = hashlib.sha256((previous_hash + canonical(entry)).encode("utf-8")).hexdigest()
    return f"{VERSION}${digest}"


def sign_anchor(head, key):
    """``head`` ({'seq', 'hash', 'count'}) with an HMAC-SHA256 ``signature`` under ``key`` (bytes)."""
    payload = canonical({k: head[k] for k in ("seq", "hash", "count")})
    return {**head, "signature": hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()}


def anchor_is_authentic(anchor, key):
    expected = sign_anchor(anchor, key)["signature"]
    return hmac.compare_digest(expected, anchor.get("signature", ""))


def verify(entries, anchors=(), key=None):
    """Check a chain.

    :param entries: iterable of ``(id, seq, stored_hash, entry_dict)`` in ``seq`` order
    :param anchors: signed heads published earlier (checked when ``key`` is given)
    :returns: ``{'ok', 'first_bad_id', 'reason', 'checked'}``
    """
    previous = GENESIS
    expected_seq = 1
    checked = 0
    by_seq = {}
    last_id = False
    for entry_id, seq, stored, entry in entries:
        if seq != expected_seq:
            reason = (
                "an entry is missing before this one" if seq > expected_seq else "entries are out of order"
            )
            return _bad(entry_id, f"{reason} (sequence {seq}, expected {expected_seq})", checked)
        computed = entry_hash(previous, entry)
        if not hmac.compare_digest(computed, stored or ""):
            return _bad(
                entry_id,
                f"hash mismatch at sequence {seq}: the entry or its predecessor was altered",
                checked,
            )
        by_seq[seq] = (entry_id, stored)
        previous, expected_seq, last_id = stored, seq + 1, entry_id
        checked += 1
    for anchor in anchors:
        if key is not None and not anchor_is_authentic(anchor, key):
            return _bad(False, f"anchor of sequence {anchor.get('seq')} has a wrong signature", checked)
        if anchor["seq"] > checked:
            return _bad(
                last_id,
                f"the log ends at sequence {checked} but an anchor saw sequence {anchor['seq']}: "
                "its tail was removed",
                checked,
            )
        entry_id, stored = by_seq[anchor["seq"]]
        if stored != anchor["hash"]:
            return _bad(
                entry_id,
                f"sequence {anchor['seq']} differs from its anchor: the chain was recomputed after a change",
                checked,
            )
    return {"ok": True, "first_bad_id": False, "reason": "", "checked": checked}


def _bad(entry_id, reason, checked):
    return {"ok": False, "first_bad_id": entry_id, "reason": reason, "checked": checked}
