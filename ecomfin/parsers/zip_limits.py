# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""A size budget for what a zip archive unpacks to (zip bombs).

The sizes a zip declares are checked before anything is read (:func:`check_declared`), and the
bytes actually unpacked are counted while they are read (:class:`CappedReader`): headers can
lie. One :class:`UnzipBudget` per archive: each member, and all of them together, stay within
its limit.
"""

import io
import zipfile
import zlib

from ..errors import InputError

# What a damaged member raises while it is unpacked: a bad CRC or sizes that disagree with the
# data (BadZipFile), a truncated stream (EOFError), a corrupt deflate stream (zlib.error).
DAMAGED = (zipfile.BadZipFile, EOFError, zlib.error)


class UnzipBudget:
    """How many bytes one archive may unpack to, and how many it did so far."""

    def __init__(self, limit, filename):
        self.limit = limit
        self.filename = filename
        self.used = 0


def check_declared(members, budget, member_filename):
    """Refuse an archive whose headers already say it unpacks to more than the budget.

    ``members``: the ``ZipInfo`` of the members to be read; ``member_filename(info)``: the name
    a member goes by in messages.
    """
    total = 0
    for info in members:
        if info.file_size > budget.limit:
            raise InputError(
                "zip_member_too_large",
                {"size": info.file_size, "limit": budget.limit},
                filename=member_filename(info),
            )
        total += info.file_size
    if total > budget.limit:
        raise InputError(
            "zip_too_large",
            {"size": total, "limit": budget.limit},
            filename=budget.filename,
        )


class CappedReader(io.RawIOBase):
    """A member's bytes as they are unpacked, refused once they pass the budget.

    Wrap it in :class:`io.BufferedReader` for ``read``/``readline``. A damaged member is an
    :class:`InputError` naming it, not a ``zipfile`` exception.
    """

    def __init__(self, member, budget, filename):
        self._member = member
        self._budget = budget
        self._filename = filename
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        limit = self._budget.limit
        # never more than one byte past the limit: reading that byte is what shows it is passed
        room = min(limit - self.read_bytes, limit - self._budget.used) + 1
        try:
            data = self._member.read(min(len(buffer), max(room, 1)))
        except DAMAGED as exc:
            raise InputError("zip_member_damaged", {"detail": str(exc)}, filename=self._filename) from exc
        self.read_bytes += len(data)
        self._budget.used += len(data)
        if self.read_bytes > limit:
            raise InputError("zip_member_over_limit", {"limit": limit}, filename=self._filename)
        if self._budget.used > limit:
            raise InputError(
                "zip_over_limit",
                {"limit": limit},
                filename=self._budget.filename,
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self):
        self._member.close()
        super().close()
