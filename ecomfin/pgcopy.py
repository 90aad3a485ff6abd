# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Rows in the text format of PostgreSQL's ``COPY ... FROM STDIN`` (the default format).

Fields are separated by tabs and rows end with a newline; NULL is ``\\N``; backslash, tab,
newline and carriage return are escaped. (``ecomfin.ingest`` writes the CSV format instead,
through the C ``csv`` writer, for the large imports.)
"""

ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text_field(value):
    """``value`` as a field of COPY's text format (naive datetimes as PostgreSQL reads them)."""
    return "\\N" if value is None else str(value).translate(ESCAPES)


def text_row(values):
    """One row of COPY's text format, without its newline."""
    return "\t".join(map(text_field, values))
