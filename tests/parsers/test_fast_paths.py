# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The parsers' fast paths give exactly what the general code they short-cut gives."""

import io
import random
from datetime import datetime
from decimal import Decimal

import pytest

from ecomfin.errors import InputError
from ecomfin.money import _parse_amount_general, parse_amount
from ecomfin.parsers import _common, alipay, wechat
from ecomfin.parsers._common import (
    CHUNK_SIZE,
    SHANGHAI,
    LineReader,
    amount,
    clean_cell,
    clean_row,
    parse_datetime,
)
from ecomfin.statement import StatementLine, new_statement_line


def _amount_texts(seed, count=300):
    rnd = random.Random(seed)
    pieces = ["0", "1", "9", "00", "12", "-", "+", ".", ",", " ", "`", "¥", "e", "_", "٣", "\u3000", "(", ")"]
    texts = [
        "0.00", "-0.00", "0", "-0", "007.50", "1.", ".5", "-.5", "1e3", "NaN", "Infinity", "1_000",
        "12.3.4", "--1", "1-", "(2.50)", " 3.10", "3.10 ", "١٢٣.٤", "9" * 40 + ".5",
    ]  # fmt: skip
    for _ in range(count):
        texts.append("".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 8))))
        texts.append(
            f"{rnd.choice(['', '-'])}{rnd.randint(0, 10**9)}.{rnd.randint(0, 99999):0{rnd.randint(1, 5)}d}"
        )
    return texts


def _outcome(function, *args, **kwargs):
    try:
        value = function(*args, **kwargs)
    except InputError as exc:
        return ("error", exc.message, exc.column, exc.value)
    return ("value", str(value), type(value))


@pytest.mark.parametrize("seed", range(5))
def test_fast_amount_path_agrees_with_the_general_one(seed):
    for text in _amount_texts(seed):
        general = _outcome(_parse_amount_general, text, decimal_comma=False, column="c")
        assert _outcome(parse_amount, text, column="c") == general, text
        assert _outcome(amount, {"c": text}, "c", filename=None, line=None) == general, text
        # a second time: now perhaps from the cache
        assert _outcome(amount, {"c": text}, "c", filename=None, line=None) == general, text


@pytest.mark.parametrize("seed", range(3))
def test_decimal_comma_amounts_skip_the_fast_path(seed):
    for text in _amount_texts(seed, count=100):
        general = _outcome(_parse_amount_general, text, decimal_comma=True, column="c")
        assert _outcome(parse_amount, text, decimal_comma=True, column="c") == general, text
        assert _outcome(amount, {"c": text}, "c", filename=None, line=None, decimal_comma=True) == general


def _cells(rnd):
    pieces = ["`", "=", '"', " ", "\t", "\u3000", "\x1f", "\0", "a", "中", "0", ",", "`x", '="1"']
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 5))) for _ in range(rnd.randint(0, 6))]


@pytest.mark.parametrize("seed", range(10))
def test_clean_row_is_clean_cell_of_each_cell(seed):
    rnd = random.Random(seed)
    rows = [_cells(rnd) for _ in range(300)]
    rows += [["`2024-03-01 10:15:22", "`wx24", "`", "`0.00"], ["a\t", " b ", ""], ['`="007"', "` x"]]
    for fields in rows:
        assert clean_row(fields) == [clean_cell(text) for text in fields], fields


def _datetime_texts(seed):
    rnd = random.Random(seed)
    digits = "0123456789"
    texts = ["2024-03-01 10:15:22", "2024-02-29 23:59:59", "2023-02-29 10:00:00", "2024-03-01 24:00:00"]
    texts += ["2024-03-01 10:15:60", "0000-01-01 00:00:00", "2024-13-01 00:00:00", "２024-03-01 10:15:22"]
    texts += ["٢٠٢٤-03-01 10:15:22", "2024-+3-01 10:15:22", "2024-03-01T10:15:22", "2024-03-01 10:15:2 "]
    for _ in range(300):
        chars = list(f"{rnd.randint(1, 9999):04d}-{rnd.randint(0, 13):02d}-{rnd.randint(0, 32):02d} "
                     f"{rnd.randint(0, 25):02d}:{rnd.randint(0, 61):02d}:{rnd.randint(0, 61):02d}")  # fmt: skip
        if rnd.random() < 0.2:
            chars[rnd.randrange(len(chars))] = rnd.choice(digits + " -:+٣")
        texts.append("".join(chars))
    return texts


def _strptime_outcome(text, formats):
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    return "error"


@pytest.mark.parametrize(
    "formats",
    [
        ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"),
        ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S"),
        ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"),
        ["%Y-%m-%d %H:%M:%S"],
        ("%Y-%d-%m %H:%M:%S", "%Y-%m-%d %H:%M:%S"),  # another reading first: no fast path
    ],
)
@pytest.mark.parametrize("seed", range(3))
def test_fast_datetime_path_agrees_with_strptime(formats, seed):
    for text in _datetime_texts(seed):
        try:
            got = parse_datetime(text, formats, tz=SHANGHAI, column="t", filename="f", line=1)
        except InputError:
            got = "error"
        assert got == _strptime_outcome(text.strip(), formats), text
        if got != "error":
            assert got.tzinfo is SHANGHAI


def _linewise(data, encoding):
    """The file's lines decoded one by one (what LineReader used to do)."""
    lines = [line + b"\n" for line in data.split(b"\n")]
    lines[-1] = lines[-1][:-1]
    if not lines[-1]:
        lines.pop()
    lines[0] = lines[0].removeprefix(b"\xef\xbb\xbf")
    return [line.decode(encoding) for line in lines]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
@pytest.mark.parametrize("tail", ["", "last line without a line feed"])
def test_lines_of_a_file_spanning_many_blocks(encoding, tail):
    rnd = random.Random(7)
    text = (
        "".join(f"行{i},{'x' * rnd.randint(0, 300)},值\r\n" if i % 50 else "\n" for i in range(2000)) + tail
    )
    data = text.encode(encoding)
    assert len(data) > 4 * CHUNK_SIZE
    reader = LineReader(io.BytesIO(data), "big.csv", encoding=encoding)
    assert list(reader) == _linewise(data, "utf-8" if encoding == "utf-8-sig" else encoding)
    assert reader.line_no == len(_linewise(data, "utf-8" if encoding == "utf-8-sig" else encoding))


def test_decoding_error_in_a_later_block_comes_after_the_good_lines():
    good = [f"line {i}\n".encode() for i in range(20000)]
    data = b"".join(good) + "坏".encode("gbk") + b"\nafter\n"
    reader = LineReader(io.BytesIO(data), "late.csv", encoding="utf-8")
    read = []
    with pytest.raises(InputError, match="wrong encoding") as info:
        for line in reader:
            read.append(line)
    assert len(read) == 20000
    assert info.value.line == 20001


def _section(data, **stop):
    reader = LineReader(io.BytesIO(data), "s.csv", encoding="utf-8")
    first = next(reader)
    reader.push_back(first)  # the section starts with a pushed-back line
    rows = list(reader.csv_rows(**stop))
    after = (reader.line_no, next(reader, None), reader.line_no)
    return rows, after, list(reader)


@pytest.mark.parametrize(
    ("pattern", "predicate"),
    [
        (alipay._ROWS_END, lambda text: text.lstrip().startswith("#")),
        (wechat._ROWS_END, wechat._ends_rows),
    ],
)
@pytest.mark.parametrize("seed", range(5))
def test_stop_pattern_ends_a_section_where_the_stop_function_does(pattern, predicate, seed):
    rnd = random.Random(seed)
    pieces = ["`1,`2", "a,b", "#end", "  #x", "\t", "", " ", "\u3000`z", '"q,\n#in quotes"', "`y,\r", "\r"]
    for _ in range(40):
        count = rnd.randint(1, 3000)
        data = "\n".join(rnd.choice(pieces) for _ in range(count)).encode()
        assert _section(data, stop_at=pattern) == _section(data, stop=predicate), data[:200]


def test_csv_rows_line_numbers_count_multi_line_records():
    data = b'h1,h2\n1,"a\nb"\n\n2,c\n#end\n'
    reader = LineReader(io.BytesIO(data), "m.csv", encoding="utf-8")
    next(reader)
    rows = list(reader.csv_rows(stop_at=alipay._ROWS_END))
    assert rows == [(2, ["1", "a\nb"]), (5, ["2", "c"])]
    assert reader.line_no == 5
    assert next(reader) == "#end\n"
    assert reader.line_no == 6


def _line_fields(**changes):
    fields = dict(
        provider_txn_id="T1",
        order_ref=None,
        merchant_order_ref="M1",
        counterparty="buyer",
        line_type="sale",
        gross=Decimal("10.00"),
        fee=Decimal("0.06"),
        net=Decimal("9.94"),
        currency="CNY",
        occurred_at=datetime(2024, 3, 1, 10, 15, 22, tzinfo=SHANGHAI),
        memo="m",
        raw={"a": "1"},
        line_no=4,
    )
    fields.update(changes)
    return fields


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"line_type": "gift"},
        {"fee": 0.06},
        {"net": Decimal("9.95")},
        {"currency": "cny"},
        {"currency": ["CNY"]},
        {"occurred_at": datetime(2024, 3, 1)},
        {"payout_ref": "P1", "memo": ""},
    ],
)
def test_new_statement_line_is_a_statement_line(changes):
    fields = _line_fields(**changes)
    expected = _outcome(StatementLine, **fields)
    got = _outcome(new_statement_line, **fields)
    assert got == expected
    if expected[0] == "value":
        line, reference = new_statement_line(**fields), StatementLine(**fields)
        assert type(line) is StatementLine
        assert (line, hash(line), repr(line), line.raw) == (
            reference,
            hash(reference),
            repr(reference),
            reference.raw,
        )
        with pytest.raises(AttributeError):
            line.memo = "changed"


def test_amount_cache_stays_bounded():
    for cents in range(_common._AMOUNT_CACHE_SIZE + 100):
        amount({"c": f"{cents / 100:.2f}"}, "c", filename=None, line=None)
    assert len(_common._AMOUNT_CACHE) <= _common._AMOUNT_CACHE_SIZE
