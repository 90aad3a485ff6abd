# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime

from ecomfin.pgcopy import text_field, text_row


def test_text_fields_escape_what_copy_reads_as_syntax():
    assert text_field(None) == "\\N"
    assert text_field("a\tb\nc\rd\\e") == "a\\tb\\nc\\rd\\\\e"
    assert text_field("\\N") == "\\\\N"  # the text, not NULL
    assert text_field(datetime(2024, 4, 1, 8, 30)) == "2024-04-01 08:30:00"
    assert text_field(3) == "3"


def test_a_row_is_its_fields_between_tabs():
    assert text_row([1, None, "x\ty"]) == "1\t\\N\tx\\ty"
