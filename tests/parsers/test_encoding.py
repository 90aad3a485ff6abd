# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import io

import pytest

from ecomfin.errors import InputError
from ecomfin.parsers import parse
from ecomfin.parsers._common import LineReader, detect_encoding

TEXT = "#支付宝账务明细查询\n账号\n"


def test_detects_utf8_bom_utf8_and_gbk():
    assert detect_encoding(b"\xef\xbb\xbf" + TEXT.encode()) == "utf-8-sig"
    assert detect_encoding(TEXT.encode()) == "utf-8"
    assert detect_encoding(TEXT.encode("gbk")) == "gb18030"
    assert detect_encoding("𠀀 rare".encode("gb18030")) == "gb18030"


def test_a_utf8_character_cut_by_the_head_is_not_an_error():
    data = TEXT.encode()
    assert detect_encoding(data[:2], complete=False) == "utf-8"


def test_utf16_is_refused_with_a_clear_message():
    with pytest.raises(InputError, match="UTF-16") as info:
        detect_encoding(TEXT.encode("utf-16"), filename="a.csv")
    assert info.value.filename == "a.csv"


def test_bytes_no_candidate_reads():
    with pytest.raises(InputError, match="wrong encoding") as info:
        detect_encoding(b"ok\n\xff\xff\xff", candidates=("utf-8",), filename="x.csv")
    assert info.value.line == 2


def test_decoding_error_later_in_the_file_names_the_line():
    data = TEXT.encode() + b"fine\n" + "坏".encode("gbk") + b"\n"
    reader = LineReader(io.BytesIO(data), "late.csv", encoding="utf-8")
    with pytest.raises(InputError, match="wrong encoding") as info:
        list(reader)
    assert (info.value.filename, info.value.line) == ("late.csv", 4)
    assert info.value.value is not None


def test_gbk_file_forced_to_utf8_is_a_wrong_encoding_error():
    from conftest import fixture_bytes

    with pytest.raises(InputError, match="wrong encoding") as info:
        list(parse(fixture_bytes("alipay_ledger.csv"), "alipay.csv", "alipay", encoding="utf-8"))
    assert info.value.filename == "alipay.csv"
    assert info.value.line == 1


def test_latin1_file_offered_as_alipay_is_refused():
    data = "#Relevé de compte\nDate,Montant\n".encode("latin-1")
    with pytest.raises(InputError) as info:
        list(parse(data, "releve.csv", "alipay"))
    assert info.value.filename == "releve.csv"
    assert info.value.line == 1
