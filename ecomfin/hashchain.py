# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""A tamper-evident chain of log entries, and signed anchors of its head.

Each entry's hash covers the previous entry's hash and the entry's canonical JSON::

    hash = "v1$" + sha256(previous_hash + canonical_json(entry))

so editing, deleting, inserting or reordering any entry breaks every hash after it.
Someone able to rewrite the whole table could recompute the chain; an *anchor* (the
head's sequence, hash and count, signed with an HMAC key kept outside the database)
published elsewhere catches that, and a truncated tail too.

Numbers are canonical: an entry hashes the same before it is stored in a PostgreSQL ``jsonb``
column and as ``json.loads`` reads it back from there (``jsonb`` keeps numbers as ``numeric``: it
prints ``1e20`` as ``100000000000000000000`` and ``-0.0`` as ``0.0``). NaN and infinities are not
JSON: :func:`canonical` refuses them, :func:`storable` turns them into text first.

:func:`verify` walks every entry in sequence order and reports every bad range, the first one
named in ``first_bad_id`` and ``reason``.
"""

import hashlib
import hmac
import json
import math
from datetime import date, datetime
from decimal import Decimal
from json.encoder import encode_basestring

from .canonical import VERSION, dumps, encoder
from .pgcopy import text_field

GENESIS = VERSION + "$" + "0" * 64


def _default(value):
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot hash a {type(value).__name__}")


def _number(value):
    """A float as ``jsonb`` gives it back: an integral float Python writes with an exponent
    (``1e+20``, from 1e16 up) as the integer it stands for, ``-0.0`` as ``0.0``. Every other
    float reads back as itself, and hashes as before."""
    if not math.isfinite(value):
        raise ValueError(f"cannot hash {value!r}: not a JSON number (store it with storable())")
    if value == 0:
        return 0.0
    text = repr(value)
    if "e+" in text:
        return int(Decimal(text))
    return value


def _numbers(value):
    kind = type(value)
    if kind is float:
        return _number(value)
    if kind is dict:
        return {key: _numbers(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [_numbers(item) for item in value]
    if isinstance(value, set | frozenset):
        return [_numbers(item) for item in sorted(value)]
    return value


def canonical(entry):
    """The canonical JSON text of an entry (sorted keys, compact, UTF-8, canonical numbers)."""
    return dumps(_numbers(entry), allow_nan=False, default=_default)


NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def storable(value):
    """``value`` as a ``jsonb`` column gives it back: NaN and infinities as the text ``"NaN"``,
    ``"Infinity"``, ``"-Infinity"`` (``jsonb`` refuses them as numbers), tuples as lists, keys as
    text, in dicts and lists alike; any other value as ``json`` writes it. The audit trail stores
    every change through it: values that stay as they are are not walked again."""
    kind = type(value)
    if kind in _AS_THEY_ARE:
        return value
    if kind is float:
        return value if math.isfinite(value) else NON_FINITE[repr(value)]
    if kind is dict:
        if all(type(key) is str for key in value):
            return {key: item if _as_it_is(item) else storable(item) for key, item in value.items()}
    elif kind is list or kind is tuple:
        return [item if _as_it_is(item) else storable(item) for item in value]
    return storable(json.loads(json.dumps(value)))


_AS_THEY_ARE = {str, int, bool, type(None)}


def _as_it_is(value):
    # a finite float minus itself is 0; NaN and infinities give NaN
    kind = type(value)
    return kind in _AS_THEY_ARE or (kind is float and value - value == 0)


def entry_hash(previous_hash, entry):
    digest = hashlib.sha256((previous_hash + canonical(entry)).encode("utf-8")).hexdigest()
    return f"{VERSION}${digest}"


# The columns of a chained row, in the order :func:`chain_copy_lines` takes them.
ROW_FIELDS = ("at", "uid", "login", "company", "origin", "model", "ids", "op", "changes")


def changes_text(changes):
    """``canonical(changes)``, without walking the value in Python when nothing in it needs it:
    only an exponent (``1e+20``), a negative zero or a NaN is written otherwise by ``dumps``.

    What :func:`chain_copy_lines` takes as an entry's changes: the trail encodes them as they are
    logged, so that the entries waiting for the commit are strings (which the garbage collector
    does not walk), not dicts and lists."""
    try:
        text = _encode_changes(changes)
    except ValueError:
        return canonical(changes)  # raises as canonical() does
    if "e+" in text or "-0.0" in text:
        return canonical(changes)
    return text


_encode_changes = encoder(allow_nan=False, default=_default).encode


def _scalar_text(value):
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    return canonical(value)


def chain_copy_lines(previous, seq, rows):
    """Chain ``rows`` after ``(seq, previous)`` as :func:`entry_hash` does, entry by entry.

    :param rows: tuples in :data:`ROW_FIELDS` order (``at`` as ``YYYY-MM-DD HH:MM:SS`` text,
        ``changes`` as :func:`changes_text` gives them)
    :returns: a generator of ``(seq, hash, line)``: ``line`` is the row of ``COPY``'s text format
        ``seq, at, uid, login, company, origin, model, ids, op, changes, hash`` (``changes`` as its
        canonical JSON text)

    The hashes are those of :func:`entry_hash` on the entry ``{"seq", "at", "uid", "login",
    "company", "origin", "model", "ids", "op", "changes"}``; the entry's canonical text is put
    together from its parts (the keys in sorted order) instead of walking a dict, and the parts
    that repeat from entry to entry (the author, the time, the model, the operation) are encoded
    once: chaining is paid for every entry of a bulk write, at the commit.
    """
    parts_of = {}
    sha256 = hashlib.sha256
    prefix = VERSION + "$"
    for at, uid, login, company, origin, model, ids, op, changes in rows:
        if type(changes) is not str:
            raise TypeError(f"an entry's changes are chained as their changes_text(), not as {changes!r}")
        seq += 1
        # the types are part of the key: True and 1 are equal keys, but not the same JSON
        key = (at, uid, type(uid), login, type(login), company, type(company), origin, model, op)
        parts = parts_of.get(key)
        if parts is None:
            at_j, uid_j, login_j, company_j, origin_j, model_j, op_j = map(
                _scalar_text, (at, uid, login, company, origin, model, op)
            )
            parts = parts_of[key] = (
                f'{{"at":{at_j},"changes":',
                f',"company":{company_j},"ids":',
                f',"login":{login_j},"model":{model_j},"op":{op_j},"origin":{origin_j},"seq":',
                f',"uid":{uid_j}}}',
                "\t" + "\t".join(map(text_field, (at, uid, login, company, origin, model))) + "\t",
                f"\t{text_field(op)}\t",
            )
        head, before_ids, before_seq, tail, copy_author, copy_op = parts
        text = f"{head}{changes}{before_ids}{_scalar_text(ids)}{before_seq}{seq}{tail}"
        previous = prefix + sha256((previous + text).encode("utf-8")).hexdigest()
        yield (
            seq,
            previous,
            f"{seq}{copy_author}{text_field(ids)}{copy_op}{text_field(changes)}\t{previous}",
        )


def sign_anchor(head, key):
    """``head`` ({'seq', 'hash', 'count'}) with an HMAC-SHA256 ``signature`` under ``key`` (bytes)."""
    payload = canonical({k: head[k] for k in ("seq", "hash", "count")})
    return {**head, "signature": hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()}


def anchor_is_authentic(anchor, key):
    expected = sign_anchor(anchor, key)["signature"]
    return hmac.compare_digest(expected, anchor.get("signature", ""))


def verify(entries, anchors=(), key=None, *, published=None, uncovered_before=None):
    """Check a chain: every entry, every anchor, and that the anchors are not missing or stale.

    :param entries: iterable of ``(id, seq, stored_hash, entry_dict)`` in ``seq`` order
    :param anchors: signed heads published earlier (checked when ``key`` is given)
    :param published: the newest anchor known to have been published (``{'seq', 'at'}``), if any:
        anchors that stop before its sequence are a missing or stale anchor file
    :param uncovered_before: a :class:`datetime`: entries logged before it (their ``at``, ISO text)
        must be covered by an anchor, else the anchors are stale
    :returns: ``{'ok', 'first_bad_id', 'reason', 'checked', 'bad_ranges'}``; ``bad_ranges`` lists
        every run of consecutive bad entries, then every anchor problem, each as ``{'first_id',
        'last_id', 'first_seq', 'last_seq', 'reason'}`` (ids and sequences ``False`` when no entry
        is concerned); ``first_bad_id`` and ``reason`` are those of the first range; ``checked``
        counts the entries read
    """
    ranges = _Ranges()
    previous = GENESIS
    expected_seq = 1
    checked = 0
    by_seq = {}
    last_id = False
    last_seq = 0
    uncovered = []
    for entry_id, seq, stored, entry in entries:
        checked += 1
        if seq != expected_seq:
            reason = (
                "an entry is missing before this one" if seq > expected_seq else "entries are out of order"
            )
            ranges.entry(entry_id, seq, f"{reason} (sequence {seq}, expected {expected_seq})")
        elif not hmac.compare_digest(_hash_or_none(previous, entry), stored or ""):
            ranges.entry(
                entry_id, seq, f"hash mismatch at sequence {seq}: the entry or its predecessor was altered"
            )
        else:
            ranges.good()
        by_seq[seq] = (entry_id, stored)
        # go on from the stored hash: an altered entry is reported, and only it
        previous, expected_seq, last_id, last_seq = stored or "", seq + 1, entry_id, seq
        if uncovered_before is not None and _logged_before(entry, uncovered_before):
            uncovered.append((entry_id, seq))
    ranges.good()
    newest = 0
    for anchor in anchors:
        if key is not None and not anchor_is_authentic(anchor, key):
            ranges.other(False, False, f"anchor of sequence {anchor.get('seq')} has a wrong signature")
            continue
        if anchor["seq"] > last_seq:
            ranges.other(
                last_id,
                last_seq,
                f"the log ends at sequence {last_seq} but an anchor saw sequence {anchor['seq']}: "
                "its tail was removed",
            )
            continue
        newest = max(newest, anchor["seq"])
        entry_id, stored = by_seq.get(anchor["seq"], (False, None))
        if stored != anchor["hash"]:
            ranges.other(
                entry_id,
                anchor["seq"],
                f"sequence {anchor['seq']} differs from its anchor: the chain was recomputed after a change",
            )
    if published and newest < published["seq"]:
        ranges.other(
            False,
            False,
            f"the anchor file is missing or stale: its anchors end at sequence {newest}, but an anchor "
            f"of sequence {published['seq']} was published ({published.get('at') or 'time unknown'})",
        )
    late = [(entry_id, seq) for entry_id, seq in uncovered if seq > newest]
    if late:
        ranges.span(
            late[0],
            late[-1],
            f"the anchors are stale: entries from sequence {late[0][1]} on, logged before "
            f"{uncovered_before:%Y-%m-%d %H:%M:%S}, are covered by no anchor",
        )
    found = ranges.found
    return {
        "ok": not found,
        "first_bad_id": found[0]["first_id"] if found else False,
        "reason": found[0]["reason"] if found else "",
        "checked": checked,
        "bad_ranges": found,
    }


def _hash_or_none(previous, entry):
    try:
        return entry_hash(previous, entry)
    except ValueError:  # a NaN stored by hand: it cannot be what was hashed
        return ""


def _logged_before(entry, moment):
    at = entry.get("at") if isinstance(entry, dict) else None
    return bool(at) and datetime.fromisoformat(at) < moment


class _Ranges:
    """Runs of consecutive bad entries, then the other problems, in the order found."""

    def __init__(self):
        self.found = []
        self.current = None

    def entry(self, entry_id, seq, reason):
        if self.current is None:
            self.current = {
                "first_id": entry_id,
                "last_id": entry_id,
                "first_seq": seq,
                "last_seq": seq,
                "reason": reason,
            }
            self.found.append(self.current)
        else:
            self.current.update(last_id=entry_id, last_seq=seq)

    def good(self):
        self.current = None

    def span(self, first, last, reason):
        (first_id, first_seq), (last_id, last_seq) = first, last
        self.found.append(
            {
                "first_id": first_id,
                "last_id": last_id,
                "first_seq": first_seq,
                "last_seq": last_seq,
                "reason": reason,
            }
        )

    def other(self, entry_id, seq, reason):
        self.span((entry_id, seq), (entry_id, seq), reason)
