# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Zip archives are read within a size budget: no zip bomb fills the memory or the disk.

``parse``/``parse_all`` take ``max_unzipped_bytes``: the most one member, and all the members
together, may unpack to. The sizes in a zip's headers are checked before anything is read, and
the bytes actually unpacked are counted as they are read, since headers can lie.
"""

import io
import struct
import zipfile
from pathlib import Path

import pytest

from ecomfin.errors import InputError
from ecomfin.parsers import parse, parse_all

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def alipay_bytes():
    with zipfile.ZipFile(FIXTURES / "alipay_ledger.zip") as archive:
        (name,) = [n for n in archive.namelist() if "汇总" not in n]
        return archive.read(name)


def lying_zip(data, declared_size):
    """A zip of one member whose central directory says it unpacks to ``declared_size`` bytes."""
    raw = bytearray(make_zip([("ledger.csv", data)]))
    central = raw.rindex(b"PK\x01\x02")
    raw[central + 24 : central + 28] = struct.pack("<I", declared_size)
    local = raw.index(b"PK\x03\x04")
    raw[local + 22 : local + 26] = struct.pack("<I", declared_size)
    return bytes(raw)


def test_fixture_zip_parses_within_a_generous_budget():
    data = (FIXTURES / "alipay_ledger.zip").read_bytes()
    statement = parse(data, "ledger.zip", max_unzipped_bytes=10_000_000)
    assert statement.fmt == "alipay"
    assert list(statement)


def test_a_member_above_the_cap_is_refused_before_it_is_read():
    data = alipay_bytes()
    archive = make_zip([("ledger.csv", data)])
    with pytest.raises(InputError) as info:
        parse(archive, "bills.zip", max_unzipped_bytes=len(data) - 1)
    message = str(info.value)
    assert "bills.zip!ledger.csv" in message
    assert f"{len(data) - 1}" in message


def test_members_above_the_cap_together_are_refused():
    data = alipay_bytes()
    archive = make_zip([("a/ledger.csv", data), ("b/readme.txt", b"x" * len(data))])
    with pytest.raises(InputError) as info:
        list(parse_all(archive, "bills.zip", max_unzipped_bytes=len(data) + 10))
    assert str(info.value).startswith("bills.zip:")
    assert "unpacks to" in str(info.value)


def test_a_highly_compressed_member_is_refused_by_its_size_not_its_compressed_size():
    bomb = make_zip([("bomb.csv", b"0" * 5_000_000)])
    assert len(bomb) < 10_000
    with pytest.raises(InputError) as info:
        parse(bomb, "bomb.zip", max_unzipped_bytes=1_000_000)
    assert "bomb.zip!bomb.csv" in str(info.value)


def test_a_member_whose_header_understates_its_size_stops_with_an_input_error():
    data = alipay_bytes()
    archive = lying_zip(data, 100)
    with pytest.raises(InputError) as info:
        list(parse(archive, "lying.zip", max_unzipped_bytes=len(data) // 2))
    assert "lying.zip!ledger.csv" in str(info.value)


def test_the_reader_stops_at_the_cap_whatever_the_headers_said():
    from ecomfin.parsers.zip_limits import CappedReader, UnzipBudget

    budget = UnzipBudget(1000, "x.zip")
    reader = io.BufferedReader(CappedReader(io.BytesIO(b"a" * 5000), budget, "x.zip!m.csv"), 256)
    with pytest.raises(InputError) as info:
        reader.read()
    assert "x.zip!m.csv" in str(info.value)
    assert "1000" in str(info.value)
    assert budget.used <= 1001


def test_the_budget_is_shared_by_the_members():
    from ecomfin.parsers.zip_limits import CappedReader, UnzipBudget

    budget = UnzipBudget(1000, "x.zip")
    first = io.BufferedReader(CappedReader(io.BytesIO(b"a" * 600), budget, "x.zip!a"))
    assert len(first.read()) == 600
    second = io.BufferedReader(CappedReader(io.BytesIO(b"b" * 600), budget, "x.zip!b"))
    with pytest.raises(InputError) as info:
        second.read()
    assert str(info.value).startswith("x.zip:")


def test_a_zip_inside_a_zip_is_not_read():
    inner = (FIXTURES / "alipay_ledger.zip").read_bytes()
    outer = make_zip([("inner.zip", inner)])
    with pytest.raises(InputError) as info:
        parse(outer, "outer.zip", max_unzipped_bytes=10_000_000)
    assert "outer.zip!inner.zip" in str(info.value)


def test_a_damaged_member_is_an_input_error():
    data = b"order_ref,order_time\n" * 200
    raw = bytearray(make_zip([("orders.csv", data)]))
    local = raw.index(b"PK\x03\x04")
    name_length, extra_length = struct.unpack("<HH", raw[local + 26 : local + 30])
    start = local + 30 + name_length + extra_length
    raw[start + 5 : start + 15] = b"\xff" * 10  # garbage in the deflate stream
    with pytest.raises(InputError) as info:
        list(parse_all(bytes(raw), "broken.zip", fmt="orders_csv", max_unzipped_bytes=10_000_000))
    assert "broken.zip!orders.csv" in str(info.value)


def test_without_a_cap_nothing_changes():
    data = (FIXTURES / "alipay_ledger.zip").read_bytes()
    assert parse(data, "ledger.zip").fmt == "alipay"
