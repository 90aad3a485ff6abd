# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Frame codecs of the devices: published examples, GS1, SGTIN-96, and hypothesis properties
(round trips, garbage never raises, a stream cut anywhere decodes the same)."""

import io
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomfin.devices import gs1, make_decoder
from ecomfin.devices.decode import main as decode_main
from ecomfin.devices.epc import decode as decode_epc
from ecomfin.devices.epc import encode_sgtin96
from ecomfin.devices.rfid import (
    CODECS,
    ChafonFrame,
    FrameDecoder,
    ImpinjFrame,
    M100Frame,
    crc16_chafon,
    crc16_gen2,
)
from ecomfin.devices.scanner import TERMINATORS, ScannerDecoder, encode_scan, read_from_text
from ecomfin.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
# deterministic (no example database, same examples each run) and quick
PROPERTY = settings(derandomize=True, database=None, deadline=None, max_examples=100)
TODAY = date(2026, 12, 7)


def h(text):
    return bytes.fromhex(text)


# --- published examples -------------------------------------------------------------------------


def test_impinj_published_example():
    frame = h("A0 04 01 89 01 D1")
    assert FrameDecoder(CODECS["impinj"]).feed(frame) == [ImpinjFrame(0x01, 0x89, b"\x01")]
    assert CODECS["impinj"].encode(ImpinjFrame(0x01, 0x89, b"\x01")) == frame


def test_m100_published_examples():
    command = h("BB 00 22 00 00 22 7E")
    assert FrameDecoder(CODECS["m100"]).feed(command) == [M100Frame(0x00, 0x22, b"")]
    assert CODECS["m100"].inventory_command() == command
    notification = h("BB 02 22 00 11 C9 34 00 30 75 1F EB 70 5C 59 04 E3 D5 0D 70 3A 76 EF 7E")
    (read,) = make_decoder("m100").feed(notification)
    assert (read.kind, read.code, read.rssi) == ("epc", "30751FEB705C5904E3D50D70", -55)
    # the tag CRC of the notification is the Gen2 CRC-16 of PC + EPC
    assert crc16_gen2(h("3400 30751FEB705C5904E3D50D70")) == 0x3A76
    assert CODECS["m100"].encode(M100Frame(0x02, 0x22, notification[5:-2])) == notification


def test_chafon_published_example_crc():
    # UHFReader18 manual: "get reader information" to the broadcast address
    assert crc16_chafon(h("04 FF 21")).to_bytes(2, "little") == h("19 95")
    frame = CODECS["chafon"].encode(ChafonFrame(0x00, 0x01, 0x01, h("01 0C 3074257BF7194E4000001A85")))
    assert frame[0] == len(frame) - 1
    (read,) = make_decoder("chafon").feed(frame)
    assert read.gtin == "80614141123458"


def test_sgtin96_tag_data_standard_example():
    epc = decode_epc("3074257BF7194E4000001A85")
    assert (epc.company_prefix, epc.item_reference, epc.serial, epc.filter) == (
        "0614141",
        "812345",
        "6789",
        3,
    )
    # GS1 TDS: the indicator digit is the first digit of the item reference field
    assert epc.gtin == "80614141123458"
    assert gs1.valid_check_digit(epc.gtin)
    assert encode_sgtin96("80614141123458", 6789, 7, filter_value=3) == "3074257BF7194E4000001A85"


def test_non_sgtin_epcs_are_raw_codes():
    for code in ("E2801160600002040BE6F4A1", "3500AABB", "30FC257BF7194E4000001A85"):
        epc = decode_epc(code)
        assert epc.hex == code and epc.gtin is None and epc.serial is None


def test_impinj_inventory_summary_is_not_a_tag():
    codec = CODECS["impinj"]
    summary = codec.encode(ImpinjFrame(0x01, 0x89, h("00 0012 00000034")))
    error = codec.encode(ImpinjFrame(0x01, 0x89, h("36")))
    tag = codec.tag_frame(h("3074257BF7194E4000001A85"), rssi=0x5A, antenna=2)
    reads = make_decoder("impinj").feed(summary + error + tag)
    assert [(r.code, r.rssi, r.antenna) for r in reads] == [("3074257BF7194E4000001A85", 0x5A, 2)]


# --- GS1 --------------------------------------------------------------------------------------------


def test_gs1_128_with_fnc1_lot_expiry_quantity():
    read = read_from_text("]C1" + "0109501101020917" + "17271231" + "10AB-12\x1d" + "3712", today=TODAY)
    assert (read.gtin, read.lot, read.expiry, read.quantity, read.symbology) == (
        "09501101020917",
        "AB-12",
        date(2027, 12, 31),
        12,
        "]C1",
    )


def test_gs1_datamatrix_serial_and_sscc():
    read = read_from_text("]d2\x1d0109501101020917" + "21SN-1\x1d" + "30" + "5", today=TODAY)
    assert (read.gtin, read.serial, read.quantity) == ("09501101020917", "SN-1", 5)
    pallet = read_from_text("]C1" + "00" + "106141411234567897", today=TODAY)
    assert pallet.sscc == "106141411234567897" and pallet.gtin is None


def test_gs1_fixed_length_separator_tolerated_and_day_00():
    elements = gs1.parse("0109501101020917\x1d17270200\x1d10L1", today=TODAY)
    assert [(e.ai, e.value) for e in elements] == [
        ("01", "09501101020917"),
        ("17", date(2027, 2, 28)),
        ("10", "L1"),
    ]


def test_gs1_decimal_measure_and_century():
    elements = gs1.parse("3103001250", today=TODAY)
    assert elements[0].value == 1.25
    assert gs1.gs1_date("991231", today=TODAY) == date(1999, 12, 31)  # 73 years ahead is the past
    assert gs1.gs1_date("751231", today=TODAY) == date(2075, 12, 31)


@pytest.mark.parametrize(
    "data, message",
    [
        ("0109501101020918", "wrong check digit"),
        ("0109501101", "14 characters expected"),
        ("99ABC", "unknown GS1 application identifier at position 0"),
        ("10" + "X" * 21, "length 21 out of 1..20"),
        ("17271340", "month out of range"),
        ("10AB\x1d\x1d", "unknown GS1 application identifier at position 5"),
    ],
)
def test_gs1_errors_name_the_problem(data, message):
    with pytest.raises(InputError, match=re.escape(message)):
        gs1.parse(data, today=TODAY)


def test_gs1_table_follows_odoo_rules_and_predefined_lengths():
    """Every AI of Odoo CE's default GS1 nomenclature is in the table with the same length and
    content type (Odoo's duplicate 322n for yards aside), and fixed-length AIs are exactly the GS1
    predefined-length ones."""
    rules = Path("/opt/odoo18/addons/barcodes_gs1_nomenclature/data/barcodes_gs1_rules.xml")
    if rules.exists():
        text = rules.read_text(encoding="utf-8")
        for record in re.findall(r"<record [^>]*model=\"barcode.rule\">(.*?)</record>", text, re.S):
            pattern = re.search(r'name="pattern">\((\d+)(?:\[0-5\])?\)\(.*?\{(\d+)(?:,(\d+))?\}\)<', record)
            kind = re.search(r'name="gs1_content_type">(\w+)<', record).group(1)
            ai, low, high = pattern.groups()
            codes = [ai] if len(ai) in (2, 3) and ai in gs1.AIS else [ai + "0", ai + "5"]
            for code in codes:
                entry = gs1.AIS[code]
                assert entry.kind == kind, code
                assert entry.length == int(high or low), code
                assert entry.variable == (high is not None), code
    for code, entry in gs1.AIS.items():
        assert entry.variable == (code[:2] not in gs1.PREDEFINED_LENGTH), code


def test_plain_barcodes_and_hri():
    assert read_from_text("]E05901234123457").gtin == "05901234123457"
    assert read_from_text("96385074").gtin == "00000096385074"  # EAN-8 without AIM identifier
    assert read_from_text("]E05901234123458").gtin is None  # wrong check digit
    assert read_from_text("]C0PALLET-42").gtin is None
    hri = read_from_text("(01)09501101020917(10)ABC(21)7", today=TODAY)
    assert (hri.gtin, hri.lot, hri.serial, hri.code) == (
        "09501101020917",
        "ABC",
        "7",
        "(01)09501101020917(10)ABC(21)7",
    )
    no_aim = read_from_text("010950110102091710LOT9", today=TODAY)
    assert (no_aim.gtin, no_aim.lot) == ("09501101020917", "LOT9")


# --- scanner framing --------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", sorted(TERMINATORS))
def test_scanner_terminators_and_prefix(suffix):
    decoder = ScannerDecoder(suffix=suffix, prefix="\x02")
    data = encode_scan("]E05901234123457", suffix, "\x02") + b"junk-without-prefix" + TERMINATORS[suffix]
    data += encode_scan("ABC-1", suffix, "\x02")
    reads = decoder.feed(data[:7]) + decoder.feed(data[7:]) + decoder.finish()
    assert [r.code for r in reads] == ["5901234123457", "ABC-1"]
    assert decoder.bad_frames == 1


def test_scanner_control_bytes_and_overlong_lines_are_bad_frames():
    decoder = ScannerDecoder(suffix="CR", max_length=64)
    reads = decoder.feed(b"OK1\rBAD\x07X\r" + b"Z" * 100 + b"\rOK2\r")
    assert [r.code for r in reads] == ["OK1", "OK2"]
    assert decoder.bad_frames == 2


# --- properties -------------------------------------------------------------------------------------

epcs = st.binary(min_size=1, max_size=31).map(lambda b: b + b"\x00" if len(b) % 2 else b)
sgtin_epcs = st.builds(
    lambda prefix_len, body, serial, filt: encode_sgtin96(
        (lambda digits: digits + gs1.check_digit(digits))(body[:13]), serial, prefix_len, filt
    ),
    st.integers(6, 12),
    st.text("0123456789", min_size=13, max_size=13),
    st.integers(0, (1 << 38) - 1),
    st.integers(0, 7),
)


def frames_of(protocol):
    if protocol == "impinj":
        return st.builds(ImpinjFrame, st.integers(0, 255), st.integers(0, 255), st.binary(max_size=60))
    if protocol == "m100":
        return st.builds(M100Frame, st.integers(0, 2), st.integers(0, 255), st.binary(max_size=60))
    # a reader's answers only (see ChafonCodec.COMMANDS); the inventory answer (0x01) has a layout of
    # its own, which test_tag_reads_round_trip covers
    commands = st.sampled_from(sorted(CODECS["chafon"].COMMANDS - {0x01}))
    return st.builds(ChafonFrame, st.integers(0, 255), commands, st.integers(0, 255), st.binary(max_size=60))


@pytest.mark.parametrize("protocol", sorted(CODECS))
@PROPERTY
@given(data=st.data())
def test_frame_round_trip_in_any_split(protocol, data):
    codec = CODECS[protocol]
    frames = data.draw(st.lists(frames_of(protocol), min_size=1, max_size=8))
    stream = b"".join(codec.encode(frame) for frame in frames)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    decoder = FrameDecoder(codec)
    decoded = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        decoded += decoder.feed(stream[start:end])
    decoded += decoder.finish()
    assert decoded == frames
    assert decoder.bad_frames == 0


@pytest.mark.parametrize("protocol", sorted(CODECS))
@PROPERTY
@given(epc_list=st.lists(st.one_of(epcs, sgtin_epcs.map(bytes.fromhex)), min_size=1, max_size=6))
def test_tag_reads_round_trip(protocol, epc_list):
    codec = CODECS[protocol]
    reads = make_decoder(protocol).feed(b"".join(codec.tag_frame(epc) for epc in epc_list))
    assert [r.code for r in reads] == [epc.hex().upper() for epc in epc_list]
    for read in reads:
        assert read.gtin == decode_epc(read.code).gtin


@PROPERTY
@given(epc=sgtin_epcs)
def test_sgtin96_round_trip(epc):
    decoded = decode_epc(epc)
    prefix_len = len(decoded.company_prefix)
    assert encode_sgtin96(decoded.gtin, decoded.serial, prefix_len, decoded.filter) == epc


@pytest.mark.parametrize("protocol", [*sorted(CODECS), "scanner"])
@PROPERTY
@given(garbage=st.binary(max_size=400), cut=st.integers(0, 400))
def test_garbage_never_raises_and_splits_agree(protocol, garbage, cut):
    whole = make_decoder(protocol)
    reads_whole = whole.feed(garbage) + whole.finish()
    split = make_decoder(protocol)
    reads_split = split.feed(garbage[:cut]) + split.feed(garbage[cut:]) + split.finish()
    assert reads_whole == reads_split
    assert whole.bad_frames == split.bad_frames


@pytest.mark.parametrize("protocol", sorted(CODECS))
@PROPERTY
@given(data=st.data())
def test_resync_after_garbage_and_corrupt_frames(protocol, data):
    """Good frames between garbage and corrupt frames are all read; each bad stretch counts once."""
    codec = CODECS[protocol]
    stream, expected, bad = b"", [], 0
    for epc in data.draw(st.lists(epcs, min_size=1, max_size=6)):
        kind = data.draw(st.sampled_from(["good", "garbage", "corrupt"]))
        if kind == "garbage":
            stream += data.draw(st.binary(min_size=1, max_size=30))
            bad += 1
        elif kind == "corrupt":
            frame = bytearray(codec.tag_frame(epc))
            frame[-3] ^= 0x55
            stream += bytes(frame)
            bad += 1
        stream += codec.tag_frame(epc)  # a good frame after each
        expected.append(epc.hex().upper())
    decoder = make_decoder(protocol)
    reads = decoder.feed(stream) + decoder.finish()
    # a garbage stretch may by chance contain a valid frame of its own: the good ones are all there
    codes = [r.code for r in reads]
    assert all(code in codes for code in expected)
    assert decoder.bad_frames <= bad


@PROPERTY
@given(
    texts=st.lists(
        st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40), max_size=8
    ),
    suffix=st.sampled_from(sorted(TERMINATORS)),
    cut=st.integers(0, 400),
)
def test_scanner_round_trip(texts, suffix, cut):
    stream = b"".join(encode_scan(text, suffix) for text in texts)
    decoder = ScannerDecoder(suffix=suffix)
    reads = decoder.feed(stream[:cut]) + decoder.feed(stream[cut:]) + decoder.finish()
    for text, read in zip(texts, reads, strict=True):
        assert read.code in (text, text[3:])  # an AIM-looking prefix is taken as the identifier
    assert decoder.bad_frames == 0


@PROPERTY
@given(
    elements=st.lists(
        st.one_of(
            st.text("0123456789", min_size=13, max_size=13).map(lambda d: ("01", d + gs1.check_digit(d))),
            st.text("ABCDEFGHIJ0123456789-", min_size=1, max_size=20).map(lambda v: ("10", v)),
            st.text("ABC0123456789", min_size=1, max_size=20).map(lambda v: ("21", v)),
            st.integers(0, 99999999).map(lambda n: ("37", str(n))),
            st.dates(date(2000, 1, 1), date(2049, 12, 31)).map(lambda d: ("17", d.strftime("%y%m%d"))),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_gs1_round_trip(elements):
    parsed = gs1.parse(gs1.encode(elements), today=TODAY)
    assert [(e.ai, e.raw) for e in parsed] == elements


def test_read_of_an_event():
    from ecomfin.devices import read_of

    epc = read_of("epc", "3074257bf7194e4000001a85")
    assert (epc.code, epc.gtin, epc.serial) == ("3074257BF7194E4000001A85", "80614141123458", "6789")
    scan = read_of("barcode", "0109501101020917\x1d10L7", today=TODAY)
    assert (scan.gtin, scan.lot) == ("09501101020917", "L7")
    with pytest.raises(InputError, match="column code: an EPC is written in hexadecimal"):
        read_of("epc", "XYZ")
    with pytest.raises(InputError, match="kind is 'barcode' or 'epc'"):
        read_of("rfid", "00")


# --- the decode CLI ---------------------------------------------------------------------------------


def run_decode(args, data):
    out = io.StringIO()
    assert decode_main(args, stdin=io.BytesIO(data), stdout=out) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_decode_cli_contract():
    codec = CODECS["impinj"]
    data = (
        b"\x00garbage"
        + codec.tag_frame(h("3074257BF7194E4000001A85"))
        + codec.tag_frame(h("E2801160600002040BE6F4A1"))
    )
    assert run_decode(["--protocol", "impinj"], data) == [
        {
            "kind": "epc",
            "code": "3074257BF7194E4000001A85",
            "gtin": "80614141123458",
            "serial": "6789",
            "lot": None,
        },
        {"kind": "epc", "code": "E2801160600002040BE6F4A1", "gtin": None, "serial": None, "lot": None},
        {"bad_frames": 1},
    ]
    scans = b"\x02]C10109501101020917\x1d10L7\r\n\x02]E05901234123457\r\n"
    assert run_decode(["--protocol", "scanner", "--suffix", "CRLF", "--prefix", "\\x02"], scans) == [
        {
            "kind": "barcode",
            "code": "0109501101020917\x1d10L7",
            "gtin": "09501101020917",
            "serial": None,
            "lot": "L7",
        },
        {"kind": "barcode", "code": "5901234123457", "gtin": "05901234123457", "serial": None, "lot": None},
        {"bad_frames": 0},
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--protocol", "zebra"], "invalid choice: 'zebra'"),
        (["--protocol", "scanner", "--suffix", "NUL"], "invalid choice: 'NUL'"),
        (["--protocol", "m100", "--suffix", "CR"], "apply to --protocol scanner, not m100"),
        ([], "the following arguments are required: --protocol"),
    ],
)
def test_decode_cli_bad_arguments_exit_2(args, message):
    result = subprocess.run(
        [sys.executable, "-m", "ecomfin.devices.decode", *args],
        input=b"",
        capture_output=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 2
    assert message in result.stderr.decode()
