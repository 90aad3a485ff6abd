# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime, timedelta

import pytest

from ecomfin import hashchain
from ecomfin.hashchain import GENESIS, canonical, entry_hash, sign_anchor, verify

KEY = b"anchor-key-kept-outside-the-database"


def build(n):
    rows, previous = [], GENESIS
    for seq in range(1, n + 1):
        entry = {"seq": seq, "model": "ecom.shop", "op": "write", "changes": {"name": [f"a{seq}", f"b{seq}"]}}
        previous = entry_hash(previous, entry)
        rows.append([100 + seq, seq, previous, entry])
    return rows


def test_canonical_is_stable():
    assert canonical({"b": 1, "a": "中"}) == '{"a":"中","b":1}'


def test_intact_chain_verifies_with_its_anchor():
    rows = build(5)
    anchor = sign_anchor({"seq": 5, "hash": rows[-1][2], "count": 5}, KEY)
    assert verify(rows, [anchor], KEY) == {
        "ok": True,
        "first_bad_id": False,
        "reason": "",
        "checked": 5,
        "bad_ranges": [],
    }


def test_edited_entry_is_the_first_bad_one():
    rows = build(5)
    rows[2][3] = {**rows[2][3], "changes": {"name": ["a3", "hacked"]}}
    result = verify(rows)
    assert (result["ok"], result["first_bad_id"]) == (False, 103)
    assert "hash mismatch" in result["reason"]


def test_deleted_middle_entry():
    rows = build(5)
    del rows[2]
    result = verify(rows)
    assert (result["ok"], result["first_bad_id"]) == (False, 104)
    assert "missing" in result["reason"]


def test_reordered_entries():
    rows = build(5)
    rows[1], rows[2] = rows[2], rows[1]
    result = verify(rows)
    assert (result["ok"], result["first_bad_id"]) == (False, 103)


def test_truncated_tail_is_caught_by_the_anchor():
    rows = build(5)
    anchor = sign_anchor({"seq": 5, "hash": rows[-1][2], "count": 5}, KEY)
    result = verify(rows[:3], [anchor], KEY)
    assert (result["ok"], result["first_bad_id"]) == (False, 103)
    assert "tail" in result["reason"]


def test_recomputed_chain_is_caught_by_the_anchor():
    rows = build(5)
    anchor = sign_anchor({"seq": 4, "hash": rows[3][2], "count": 4}, KEY)
    # an attacker edits entry 2 and recomputes every hash after it
    rows[1][3] = {**rows[1][3], "changes": {"name": ["a2", "hacked"]}}
    previous = rows[0][2]
    for row in rows[1:]:
        row[2] = previous = entry_hash(previous, row[3])
    assert verify(rows)["ok"]  # the chain alone looks fine
    result = verify(rows, [anchor], KEY)
    assert (result["ok"], result["first_bad_id"]) == (False, 104)
    assert "recomputed" in result["reason"]


def test_forged_anchor_is_refused():
    rows = build(3)
    forged = {"seq": 3, "hash": rows[-1][2], "count": 3, "signature": "0" * 64}
    assert "signature" in verify(rows, [forged], KEY)["reason"]


# ----------------------------------------------------------------------
# Numbers: the Python value and what PostgreSQL jsonb gives back hash alike
# ----------------------------------------------------------------------

# (value written by Python, the value json.loads gives back after a jsonb column stored it);
# the right-hand sides are what PostgreSQL 14+ prints for ``'<json.dumps(value)>'::jsonb``
JSONB_ROUND_TRIPS = [
    (1e20, 100000000000000000000),
    (-1e20, -100000000000000000000),
    (1e16, 10000000000000000),
    (1.2345678901234567e30, 1234567890123456700000000000000),
    (1e-7, 1e-07),  # jsonb prints 0.0000001, read back as the same float
    (0.1 + 0.2, 0.30000000000000004),
    (-0.0, 0.0),  # numeric has no negative zero
    (10.0, 10.0),
    (2**80, 2**80),
    (123456789012345678901234567890, 123456789012345678901234567890),
]


def test_a_number_hashes_like_what_jsonb_gives_back():
    for written, read_back in JSONB_ROUND_TRIPS:
        entry = {"seq": 1, "changes": {"amount": [None, written], "list": [written, {"x": written}]}}
        back = {"seq": 1, "changes": {"amount": [None, read_back], "list": [read_back, {"x": read_back}]}}
        assert canonical(entry) == canonical(back), written
        assert entry_hash(GENESIS, entry) == entry_hash(GENESIS, back), written


def test_number_canonicalisation_keeps_the_hashes_of_plain_values():
    # what already round-tripped hashes as before (chains written before the fix stay valid)
    assert (
        canonical({"a": [10.0, 0.5, 3, True, None, "1e20", 1e-7]})
        == '{"a":[10.0,0.5,3,true,null,"1e20",1e-07]}'
    )


def test_non_finite_numbers_are_refused_or_stored_as_text():
    for value in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(ValueError):
            canonical({"x": value})
    stored = hashchain.storable({"a": [float("nan"), {"b": float("inf")}], "c": float("-inf"), "d": 1.5})
    assert stored == {"a": ["NaN", {"b": "Infinity"}], "c": "-Infinity", "d": 1.5}
    assert canonical(stored) == '{"a":["NaN",{"b":"Infinity"}],"c":"-Infinity","d":1.5}'


def test_a_float_entry_does_not_break_the_chain_after_it():
    """The ORM hashes the Python value; the verifier reads back what jsonb kept."""
    rows, previous = [], GENESIS
    for seq in range(1, 6):
        written = {"seq": seq, "changes": {"amount": [0, 1e20 if seq == 2 else seq * 1.5]}}
        previous = entry_hash(previous, written)
        read_back = {"seq": seq, "changes": {"amount": [0, 100000000000000000000 if seq == 2 else seq * 1.5]}}
        rows.append([100 + seq, seq, previous, read_back])
    assert verify(rows)["ok"]


# ----------------------------------------------------------------------
# Every bad range, not only the first
# ----------------------------------------------------------------------


def test_every_bad_range_is_reported():
    rows = build(10)
    rows[1][3] = {**rows[1][3], "changes": {"name": ["a2", "hacked"]}}
    rows[2][3] = {**rows[2][3], "changes": {"name": ["a3", "hacked"]}}
    rows[6][3] = {**rows[6][3], "changes": {"name": ["a7", "hacked"]}}
    del rows[8]  # sequence 9
    result = verify(rows)
    assert (result["ok"], result["first_bad_id"], result["checked"]) == (False, 102, 9)
    assert "hash mismatch" in result["reason"]
    spans = [(r["first_id"], r["last_id"], r["first_seq"], r["last_seq"]) for r in result["bad_ranges"]]
    assert spans == [(102, 103, 2, 3), (107, 107, 7, 7), (110, 110, 10, 10)]
    assert "missing" in result["bad_ranges"][2]["reason"]


def test_intact_chain_has_no_bad_range():
    assert verify(build(3))["bad_ranges"] == []


def test_anchor_problems_are_ranges_too():
    rows = build(6)
    anchor = sign_anchor({"seq": 6, "hash": rows[-1][2], "count": 6}, KEY)
    forged = {"seq": 2, "hash": rows[1][2], "count": 2, "signature": "0" * 64}
    rows[2][3] = {**rows[2][3], "changes": {"name": ["a3", "hacked"]}}
    result = verify(rows[:5], [forged, anchor], KEY)
    reasons = [r["reason"] for r in result["bad_ranges"]]
    assert result["first_bad_id"] == 103
    assert len(reasons) == 3
    assert "hash mismatch" in reasons[0] and "signature" in reasons[1] and "tail" in reasons[2]


# ----------------------------------------------------------------------
# Missing or stale anchors
# ----------------------------------------------------------------------


def _timed(n, start="2026-12-01 08:00:00"):
    rows, previous = [], GENESIS
    first = datetime.fromisoformat(start)
    for seq in range(1, n + 1):
        entry = {"seq": seq, "at": str(first + timedelta(hours=seq)), "op": "write"}
        previous = entry_hash(previous, entry)
        rows.append([100 + seq, seq, previous, entry])
    return rows


def test_an_anchor_file_behind_what_was_published_is_reported():
    rows = _timed(5)
    old = sign_anchor({"seq": 3, "hash": rows[2][2], "count": 3}, KEY)
    published = {"seq": 5, "at": "2026-12-01 13:00:00"}
    for anchors in ([], [old]):  # the file is gone, or an older copy replaced it
        result = verify(rows, anchors, KEY, published=published)
        assert not result["ok"]
        assert result["first_bad_id"] is False
        assert "sequence 5" in result["reason"] and "stale" in result["reason"]
    assert verify(
        rows, [old, sign_anchor({"seq": 5, "hash": rows[4][2], "count": 5}, KEY)], KEY, published=published
    )["ok"]


def test_entries_left_uncovered_by_anchors_for_too_long_are_reported():
    rows = _timed(6)  # logged at 09:00 ... 14:00
    anchor = sign_anchor({"seq": 3, "hash": rows[2][2], "count": 3}, KEY)
    # anchors are expected to cover what was logged before 12:30: sequence 4 (12:00) is not
    result = verify(rows, [anchor], KEY, uncovered_before=datetime.fromisoformat("2026-12-01 12:30:00"))
    assert not result["ok"]
    assert result["first_bad_id"] == 104
    assert "stale" in result["reason"]
    assert (result["bad_ranges"][0]["first_seq"], result["bad_ranges"][0]["last_seq"]) == (4, 4)
    assert verify(rows, [anchor], KEY, uncovered_before=datetime.fromisoformat("2026-12-01 11:30:00"))["ok"]


def test_storable_gives_what_jsonb_gives_back():
    value = {"a": (1, 2.5), "b": {3: "x", None: [True]}, "c": [float("inf")]}
    assert hashchain.storable(value) == {"a": [1, 2.5], "b": {"3": "x", "null": [True]}, "c": ["Infinity"]}
    plain = {"a": [1, "x", None, False, 1.5]}
    assert hashchain.storable(plain) == plain
    with pytest.raises(TypeError):
        hashchain.storable({"a": object()})
