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
