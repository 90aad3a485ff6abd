# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""``chain_copy_lines`` (the trail's commit path) hashes exactly as ``entry_hash`` (the verifier's)."""

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomfin.hashchain import GENESIS, ROW_FIELDS, canonical, chain_copy_lines, changes_text, entry_hash

KEYS = {"at", "uid", "login", "company", "origin", "model", "ids", "op"}


def slow_chain(previous, seq, rows):
    """The reference: the entry dict the verifier rebuilds from the columns, hashed one by one."""
    hashes = []
    for row in rows:
        seq += 1
        entry = {"seq": seq, **dict(zip(ROW_FIELDS, row, strict=True))}
        previous = entry_hash(previous, entry)
        hashes.append(previous)
    return hashes


def encoded(rows):
    """The rows as the trail hands them to the commit: their changes as ``changes_text``."""
    return [(*row[:-1], changes_text(row[-1])) for row in rows]


def unescape(field):
    """A field of COPY's text format back to its text (None for NULL)."""
    if field == "\\N":
        return None
    out, chars = [], iter(field)
    for char in chars:
        if char == "\\":
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[next(chars)])
        else:
            out.append(char)
    return "".join(out)


text = st.text(max_size=12)
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
)
value = st.recursive(
    scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=8
)
row = st.tuples(
    st.sampled_from(["2026-12-07 16:00:00", "2026-01-01 00:00:00"]),
    st.one_of(st.none(), st.booleans(), st.integers(0, 2)),  # True and 1: equal keys, not the same JSON
    st.one_of(st.none(), text),
    st.one_of(st.none(), st.booleans(), st.integers(0, 2)),
    st.sampled_from(["web", "rpc", "cron", "system"]),
    st.one_of(st.none(), text),
    st.one_of(st.none(), text),
    st.sampled_from(["create", "write", "unlink"]),
    st.dictionaries(text, st.lists(value, min_size=2, max_size=2), max_size=4),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(row, max_size=6), st.integers(0, 10**6))
def test_the_commit_path_hashes_as_the_verifier(rows, seq):
    previous = entry_hash(GENESIS, {"seq": seq})
    lines = list(chain_copy_lines(previous, seq, encoded(rows)))
    assert [h for _seq, h, _line in lines] == slow_chain(previous, seq, rows)
    assert [s for s, _h, _line in lines] == list(range(seq + 1, seq + 1 + len(rows)))
    for (line_seq, line_hash, line), source in zip(lines, rows, strict=True):
        fields = [unescape(field) for field in line.split("\t")]
        assert len(fields) == 11
        assert fields[0] == str(line_seq) and fields[10] == line_hash
        at, uid, login, company, origin, model, ids, op, changes = source
        assert fields[1:9] == [
            at,
            None if uid is None else str(uid),
            login,
            None if company is None else str(company),
            origin,
            model,
            ids,
            op,
        ]
        # the changes column holds the JSON text that was hashed
        assert fields[9] == canonical(changes)
        assert json.loads(fields[9]) == json.loads(canonical(changes))


def test_special_values_fall_back_to_the_canonical_text():
    rows = [
        ("2026-12-07 16:00:00", 2, "a\tb\\c", 1, "web", "x", "1,2", "write", {"v": [1e20, -0.0]}),
        (
            "2026-12-07 16:00:00",
            2,
            "中文",
            None,
            "web",
            "x",
            "3",
            "write",
            {"v": [Decimal("1.50"), {"k": (1, 2)}]},
        ),
    ]
    assert [h for _s, h, _l in chain_copy_lines(GENESIS, 0, encoded(rows))] == slow_chain(GENESIS, 0, rows)
    first = next(chain_copy_lines(GENESIS, 0, encoded(rows)))[2]
    assert "a\\tb\\\\c" in first and '{"v":[100000000000000000000,0.0]}' in first


def test_a_nan_is_refused_as_by_entry_hash():
    rows = [("2026-12-07 16:00:00", 2, "a", 1, "web", "x", "1", "write", {"v": [float("nan"), 1]})]
    with pytest.raises(ValueError):
        changes_text(rows[0][-1])


def test_changes_are_chained_as_their_text_only():
    row = ("2026-12-07 16:00:00", 2, "a", 1, "web", "x", "1", "write", {"v": [1, 2]})
    with pytest.raises(TypeError):
        list(chain_copy_lines(GENESIS, 0, [row]))
