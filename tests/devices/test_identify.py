# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What Odoo looks a stored scan up by: GTIN writings (14/13/12/8) and ``identify``."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ecomfin.devices import gs1, identify
from ecomfin.devices.epc import encode_sgtin96


def test_gtin_writings_follow_the_leading_zeros():
    assert gs1.gtin_writings("00614141123452") == ("00614141123452", "0614141123452", "614141123452")
    assert gs1.gtin_writings("6901234567892") == ("06901234567892", "6901234567892")
    assert gs1.gtin_writings("96385074") == ("00000096385074", "0000096385074", "000096385074", "96385074")
    assert gs1.gtin_writings("80614141123458") == ("80614141123458",)
    # not a GTIN: a bad check digit, a wrong length, letters
    assert gs1.gtin_writings("6901234567891") == ()
    assert gs1.gtin_writings("123") == ()
    assert gs1.gtin_writings("ABCDEFGHIJKLM") == ()


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_every_writing_is_the_same_gtin(body):
    upc = body + gs1.check_digit(body)
    writings = gs1.gtin_writings(upc)
    assert upc in writings and ("0" + upc) in writings
    assert {gs1.to_gtin14(writing) for writing in writings} == {upc.zfill(14)}


def test_identify_an_sgtin96_epc():
    read, barcodes = identify("epc", "3074257BF7194E4000001A85")
    assert (read.gtin, read.serial, read.lot) == ("80614141123458", "6789", None)
    assert barcodes == ("80614141123458",)
    # a product labelled with its EAN-13 is found from the GTIN-14 of its tags
    read, barcodes = identify("epc", encode_sgtin96("06901234567892", 42, 7))
    assert read.serial == "42" and "6901234567892" in barcodes


def test_identify_gs1_barcode_with_lot_and_expiry():
    read, barcodes = identify(
        "barcode", "]C1\x1d0109506000134352103456789\x1d17261231", today=date(2026, 12, 7)
    )
    assert (read.gtin, read.lot, read.expiry) == ("09506000134352", "3456789", date(2026, 12, 31))
    assert barcodes[1:] == ("09506000134352", "9506000134352")


def test_identify_unknown_codes():
    assert identify("epc", "not hex") == (None, ())
    assert identify("nfc", "0001") == (None, ())
    read, barcodes = identify("barcode", "SHELF-A-01")
    assert (read.gtin, barcodes) == (None, ("SHELF-A-01",))
    # an EPC that is not an SGTIN-96: its hex, no GTIN, nothing to look a barcode up by
    read, barcodes = identify("epc", "E2801160600002040A5B1C2D")
    assert (read.gtin, barcodes) == (None, ())
