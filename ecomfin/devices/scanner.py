# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Line barcode scanners on a serial port (or a USB-CDC one): one scan a line.

A scan on the wire is ``[prefix] [AIM identifier] data suffix``. The suffix (terminator) is one of
``CR``, ``LF``, ``CRLF``, ``TAB``; the prefix is whatever the scanner was programmed with (often none,
sometimes STX). The AIM symbology identifier (ISO/IEC 15424), when the scanner sends it, is ``]`` + a
letter + a modifier: ``]E0`` EAN-13/UPC-A, ``]E4`` EAN-8, ``]C0`` Code 128, ``]C1`` GS1-128, ``]d2`` GS1
DataMatrix, ``]Q3`` GS1 QR, ``]e0`` GS1 DataBar. GS1 content (``]C1``, ``]d2``, ``]Q3``, ``]e0``, ``]J1``, a
leading FNC1, or the human-readable ``(01)...(10)...`` form) is split into elements by :mod:`.gs1`.

A frame that is not printable ASCII (FNC1 aside), that lacks the configured prefix, or that grows past
``max_length`` without a terminator is dropped and counted in ``bad_frames``.
"""

import re

from ecomfin.errors import InputError

from . import gs1
from .reads import Read

TERMINATORS = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n", "TAB": b"\t"}
_AIM = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_HRI = re.compile(r"^(?:\(\d{2,4}\)[^()\x1d]+)+$")
_HRI_PART = re.compile(r"\((\d{2,4})\)([^()\x1d]+)")
_PRINTABLE = re.compile(r"^[\x1d\x20-\x7e]+$")


def _gs1_read(code, data, symbology, today):
    elements = gs1.parse(data, today)
    values = {element.ai: element.value for element in elements}
    gtin = values.get("01") or values.get("02")
    quantity = values.get("30", values.get("37"))
    return Read(
        kind="barcode",
        code=code,
        gtin=gtin,
        serial=values.get("21"),
        lot=values.get("10"),
        symbology=symbology,
        expiry=values.get("17"),
        quantity=quantity,
        sscc=values.get("00"),
    )


def _hri_to_element_string(data):
    """``(01)09501101020917(10)AB-1`` as an element string; None if an AI is unknown."""
    parts = _HRI_PART.findall(data)
    if not all(ai in gs1.AIS for ai, _raw in parts):
        return None
    return gs1.encode(parts)


def read_from_text(text, today=None):
    """The Read of one scan's text (prefix and suffix already removed)."""
    symbology = text[:3] if _AIM.match(text) else None
    data = text[3:] if symbology else text
    gs1_hint = symbology in gs1.GS1_SYMBOLOGIES or data.startswith(gs1.FNC1)
    candidates = []
    if gs1_hint:
        candidates.append(data)
    elif _HRI.match(data):
        element_string = _hri_to_element_string(data)
        if element_string:
            candidates.append(element_string)
    elif symbology is None and data[:2] in ("00", "01", "02") and len(data) > 14:
        # GS1-128 from a scanner that sends no AIM identifier: taken only if it parses whole, check digit too
        candidates.append(data)
    for candidate in candidates:
        try:
            return _gs1_read(data, candidate, symbology, today)
        except InputError:
            pass
    gtin = None
    if symbology is None or symbology[1] == "E":
        gtin = gs1.to_gtin14(data)
    return Read(kind="barcode", code=data, gtin=gtin, symbology=symbology)


class ScannerDecoder:
    """Stream decoder of a line scanner: ``feed(bytes) -> [Read]``; keeps a partial scan across reads."""

    def __init__(self, suffix="CR", prefix="", max_length=4096, today=None):
        if suffix not in TERMINATORS:
            raise ValueError(f"unknown suffix {suffix!r}: one of {', '.join(TERMINATORS)}")
        self.terminator = TERMINATORS[suffix]
        self.prefix = prefix.encode("latin-1") if isinstance(prefix, str) else bytes(prefix)
        self.max_length = max_length
        self.today = today
        self.bad_frames = 0
        self.frames = 0
        self._buffer = b""

    def feed(self, data):
        lines = (self._buffer + bytes(data)).split(self.terminator)
        self._buffer = lines.pop()
        reads = []
        for line in lines:
            self._frame(line, reads)
        if len(self._buffer) > self.max_length:
            self._buffer = b""
            self.bad_frames += 1
        return reads

    def finish(self):
        """End of stream: a last scan without its terminator is taken as a scan."""
        reads = []
        if self._buffer:
            self._frame(self._buffer, reads)
            self._buffer = b""
        return reads

    def _frame(self, raw, reads):
        raw = raw.strip(b"\r\n")  # a CRLF scanner on a CR- or LF-configured port
        if not raw:
            return
        if self.prefix:
            at = raw.find(self.prefix)
            if at < 0:
                self.bad_frames += 1
                return
            raw = raw[at + len(self.prefix) :]
        text = raw.decode("latin-1")
        if not _PRINTABLE.match(text) or len(text) > self.max_length:
            self.bad_frames += 1
            return
        self.frames += 1
        reads.append(read_from_text(text, self.today))


def encode_scan(text, suffix="CR", prefix=""):
    """The bytes a scanner sends for ``text`` (the simulator's and the tests' encoder)."""
    prefix = prefix.encode("latin-1") if isinstance(prefix, str) else bytes(prefix)
    return prefix + text.encode("latin-1") + TERMINATORS[suffix]
