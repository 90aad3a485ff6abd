# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Warehouse devices: from bytes on a serial line to reads (barcodes, RFID EPCs).

- :mod:`.scanner`: line barcode scanners (prefix/suffix, AIM identifiers, GS1 with FNC1);
- :mod:`.gs1`: GS1 element strings and check digits (AI table derived from Odoo's GS1 nomenclature);
- :mod:`.rfid`: UHF RFID reader wire protocols (Impinj R2000, M100/R200, Chafon) as stream decoders;
- :mod:`.epc`: SGTIN-96 EPCs to GTIN + serial and back;
- :mod:`.decode` (CLI), :mod:`.agent` (IoT box agent posting to Odoo), :mod:`.simulator` (a reader on TCP).

Everything here imports nothing from Odoo; only the agent and the simulator need ``pyserial``.
"""

from .reads import PROTOCOLS, Read, identify, make_decoder, read_of
