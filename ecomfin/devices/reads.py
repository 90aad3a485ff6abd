# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What a device read is, and the one factory of decoders by protocol name."""

from dataclasses import dataclass

PROTOCOLS = ("scanner", "impinj", "m100", "chafon")


@dataclass(frozen=True)
class Read:
    """One read. ``kind`` is ``barcode`` or ``epc``; ``code`` is what the device read (the barcode text
    without prefix, suffix and symbology identifier, FNC1 kept as 0x1D; the EPC in upper-case hex);
    ``gtin`` a GTIN-14 when the code carries one, ``serial`` and ``lot`` likewise."""

    kind: str
    code: str
    gtin: str | None = None
    serial: str | None = None
    lot: str | None = None
    symbology: str | None = None  # AIM identifier, e.g. "]C1"
    expiry: object = None  # datetime.date from AI (17)
    quantity: object = None  # AI (30) / (37)
    sscc: str | None = None
    rssi: int | None = None
    antenna: int | None = None

    def as_json(self):
        """The contract shape of ``python -m ecomfin.devices.decode``."""
        return {
            "kind": self.kind,
            "code": self.code,
            "gtin": self.gtin,
            "serial": self.serial,
            "lot": self.lot,
        }


def read_of(kind, code, today=None):
    """The Read of an event as the agent sends it (``kind``, ``code``): what Odoo needs to find the
    product and lot of a scan (GTIN, lot, serial, expiry) or of an EPC (SGTIN-96 to GTIN + serial).
    Raises InputError on an unknown kind or an EPC that is not hex."""
    from ecomfin.errors import InputError

    if kind == "barcode":
        from .scanner import read_from_text

        return read_from_text(code, today)
    if kind == "epc":
        from .epc import decode

        try:
            epc = decode(code)
        except ValueError:
            raise InputError("epc_not_hex", column="code", value=code) from None
        return Read(kind="epc", code=epc.hex, gtin=epc.gtin, serial=epc.serial)
    raise InputError("read_kind", column="kind", value=kind)


def identify(kind, code, today=None):
    """What Odoo looks a stored event up by: ``(read, barcodes)``. ``read`` is :func:`read_of` of the
    event, None when the code does not decode (an EPC that is not hex, an unknown kind); ``barcodes``
    the writings of its code that a product's barcode may equal: the code as scanned (a barcode) and
    every writing of its GTIN (GTIN-14, -13, -12, -8: :func:`.gs1.gtin_writings`)."""
    from ecomfin.errors import InputError

    from .gs1 import gtin_writings

    try:
        read = read_of(kind, code, today)
    except InputError:
        return None, ()
    barcodes = [read.code] if kind == "barcode" else []
    for writing in gtin_writings(read.gtin or ""):
        if writing not in barcodes:
            barcodes.append(writing)
    return read, tuple(barcodes)


def make_decoder(protocol, **options):
    """A stream decoder of ``protocol`` (see PROTOCOLS): ``feed(bytes) -> [Read]``, ``finish() -> [Read]``,
    ``bad_frames``. Options go to the scanner decoder (``prefix``, ``suffix``)."""
    if protocol == "scanner":
        from .scanner import ScannerDecoder

        return ScannerDecoder(**options)
    from .rfid import CODECS, ReadDecoder

    if protocol not in CODECS:
        raise ValueError(f"unknown protocol {protocol!r}: one of {', '.join(PROTOCOLS)}")
    if options:
        raise ValueError(f"protocol {protocol!r} takes no option ({', '.join(options)})")
    return ReadDecoder(CODECS[protocol])
