# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Streaming parsers of provider statements, bank statements and order exports.

Entry points::

    detect_format(filename, head_bytes) -> str | None
    detect_encoding(head_bytes, candidates=("utf-8", "gb18030")) -> codec name
    parse(source, filename, fmt=None, *, max_unzipped_bytes=None, **options)
        -> ParsedStatement | ParsedOrders
    parse_all(source, filename, fmt=None, *, max_unzipped_bytes=None, **options)
        -> iterator of ParsedStatement | ParsedOrders

``source`` is bytes, a binary file object or a path. An ``.xlsx`` workbook is read as the
CSV text of one of its sheets (:mod:`.workbook`: streamed, row *N* is line *N*), so any format
may come as a seller centre's XLSX export. A ``.zip`` is opened and
each member parsed (``parse`` wants exactly one statement inside; ``parse_all``
yields one per member). ``max_unzipped_bytes`` caps what a zip unpacks to, each
member and all of them together: the sizes its headers declare are checked
before anything is read, and the bytes unpacked are counted as they are read
(headers can lie); a zip inside a zip is not read. Statements stream: iterate them to get the lines, and
the file's own footer/summary totals are verified when the iteration ends,
raising :class:`~ecomfin.errors.InputError` before the caller commits anything.

Format codes (:data:`FORMATS`): ``alipay``, ``wechat_trade``, ``wechat_fund``,
``amazon_settlement``, ``shopify_payouts``, ``shopify_balance``,
``stripe_balance``, ``jd_settlement``, ``camt053``, ``bank_csv`` (needs ``profile=``) and
``orders_csv`` (``profile=`` a name from ``orders.PROFILES`` or a dict);
``pdd_fund`` (Pinduoduo 货款账单), ``douyin_settlement`` (抖店 结算账单).

Options by format: ``encoding`` (all text formats, default: detect);
``timezone`` (shopify_*, camt053); ``minor_units`` (stripe_balance);
``strict_balance`` (camt053); ``profile`` (bank_csv, orders_csv).
"""

import io
import zipfile

from ..errors import InputError
from ..vocab import FORMAT_NAMES
from . import (
    alipay,
    amazon,
    bank_csv,
    camt053,
    douyin,
    jd,
    orders,
    pinduoduo,
    shopify,
    stripe,
    wechat,
    workbook,
)
from ._common import HEAD_SIZE, detect_encoding, open_binary
from .zip_limits import CappedReader, UnzipBudget, check_declared

#: format code -> (parse function, accepted options)
FORMATS = {
    "alipay": (alipay.parse, ("encoding",)),
    "wechat_trade": (wechat.parse_trade, ("encoding",)),
    "wechat_fund": (wechat.parse_fund, ("encoding",)),
    "amazon_settlement": (amazon.parse, ("encoding",)),
    "shopify_payouts": (shopify.parse_payouts, ("encoding", "timezone")),
    "shopify_balance": (shopify.parse_balance, ("encoding", "timezone")),
    "stripe_balance": (stripe.parse, ("encoding", "minor_units")),
    "camt053": (camt053.parse, ("strict_balance", "timezone")),
    "bank_csv": (bank_csv.parse, ("encoding", "profile")),
    "orders_csv": (orders.parse, ("encoding", "profile")),
    "jd_settlement": (jd.parse, ("encoding",)),
    "pdd_fund": (pinduoduo.parse, ("encoding",)),
    "douyin_settlement": (douyin.parse, ("encoding",)),
}

_ZIP_MAGIC = b"PK\x03\x04"
#: an OLE2 compound file: an Excel 97-2003 ``.xls`` (not read)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: ``sniffed`` of :func:`parse`: the caller did not say what the file's head is
NOT_SNIFFED = object()


def _head_text(head):
    try:
        encoding = detect_encoding(head, complete=False)
    except InputError:
        return head.decode("latin-1")
    return head.decode(encoding, errors="replace")


def detect_format(filename, head_bytes):
    """Format code of a file from its name and first bytes; ``'zip'`` for an archive; None if unknown.

    ``bank_csv`` is never detected (a bank CSV needs its profile).
    """
    if head_bytes.startswith(_ZIP_MAGIC):
        return "zip"
    text = _head_text(head_bytes).lstrip("\ufeff")
    stripped = text.lstrip()
    if not stripped:
        return None
    if alipay.sniff(stripped):
        return "alipay"
    wechat_kind = wechat.sniff(stripped)
    if wechat_kind:
        return wechat_kind
    if amazon.sniff(stripped):
        return "amazon_settlement"
    shopify_kind = shopify.sniff(stripped)
    if shopify_kind:
        return shopify_kind
    if stripe.sniff(stripped):
        return "stripe_balance"
    if jd.sniff(stripped):
        return "jd_settlement"
    if pinduoduo.sniff(stripped):
        return "pdd_fund"
    if douyin.sniff(stripped):
        return "douyin_settlement"
    if orders.sniff(stripped):
        return "orders_csv"
    if camt053.sniff(stripped):
        return "camt053"
    return None


def parse_all(source, filename, fmt=None, *, max_unzipped_bytes=None, sniffed=NOT_SNIFFED, **options):
    """Yield a parsed statement (or order file) for the file, or for each member of a zip.

    ``max_unzipped_bytes``: the most a zip's members may unpack to, each and together (None:
    no limit). ``sniffed``: what :func:`detect_format` said of the file's head, when the caller
    asked it already (it is not asked again).
    """
    binary = open_binary(source)
    head = binary.read(HEAD_SIZE)
    if head.startswith(_ZIP_MAGIC):
        binary, is_workbook = _sniff_workbook(binary, head)
        if is_workbook:
            yield _parse_workbook(binary, filename, fmt, options, max_unzipped_bytes)
            return
        budget = UnzipBudget(max_unzipped_bytes, filename) if max_unzipped_bytes is not None else None
        yield from _parse_zip(binary, head, filename, fmt, options, budget)
        return
    yield _parse_one(binary, head, filename, fmt, options, sniffed)


def parse(source, filename, fmt=None, *, max_unzipped_bytes=None, sniffed=NOT_SNIFFED, **options):
    """Parse one file (a zip must hold exactly one statement); see the module docstring."""
    results = parse_all(
        source, filename, fmt, max_unzipped_bytes=max_unzipped_bytes, sniffed=sniffed, **options
    )
    first = next(results, None)
    if first is None:
        raise InputError("zip_no_statement", filename=filename)
    second = next(results, None)
    if second is not None:
        raise InputError(
            "zip_several",
            {"first": first.filename, "second": second.filename},
            filename=filename,
        )
    return first


def _sniff_workbook(binary, head):
    """``(binary, is_workbook)``: a zip's binary made seekable, after ``head`` again."""
    if not (hasattr(binary, "seekable") and binary.seekable()):
        binary = io.BytesIO(head + binary.read())
        start = 0
    else:
        start = binary.tell() - len(head)
    binary.seek(start)
    try:
        found = workbook.is_workbook(zipfile.ZipFile(binary))
    except zipfile.BadZipFile:
        found = False  # the zip path says how it is damaged
    binary.seek(start + len(head))
    return binary, found


def is_workbook_bytes(data):
    """Whether ``data`` (a whole file) is an XLSX workbook."""
    if not data.startswith(_ZIP_MAGIC):
        return False
    try:
        return workbook.is_workbook(zipfile.ZipFile(io.BytesIO(data)))
    except zipfile.BadZipFile:
        return False


def sheet_text(source, filename, fmt=None, *, max_unzipped_bytes=None, **options):
    """The text of the sheet of an XLSX that would be parsed (a binary file object), for sniffing."""
    binary = open_binary(source)
    return _sheet(binary, filename, fmt, options, max_unzipped_bytes)


def _sheet(binary, filename, fmt, options, max_unzipped_bytes):
    profile = options.get("profile")
    if isinstance(profile, str):
        profile = orders.PROFILES.get(profile)
    delimiter = "\t" if fmt == "amazon_settlement" else ","
    if fmt in ("orders_csv", "bank_csv") and isinstance(profile, dict):
        delimiter = profile.get("delimiter") or ","

    def recognise(head):
        detected = detect_format(filename, head)
        if fmt is None or fmt == detected:
            return detected not in (None, "zip")
        if fmt == "orders_csv" and isinstance(profile, dict):
            return orders.header_matches(_head_text(head), profile)
        if fmt == "bank_csv" and isinstance(profile, dict):
            return bank_csv.header_matches(_head_text(head), profile)
        return False

    binary.seek(0)
    return io.BufferedReader(
        workbook.open_sheet(
            binary, filename, recognise=recognise, delimiter=delimiter, max_unpacked=max_unzipped_bytes
        )
    )


def _parse_workbook(binary, filename, fmt, options, max_unzipped_bytes):
    text = _sheet(binary, filename, fmt, options, max_unzipped_bytes)
    head = text.read(HEAD_SIZE)
    read_as = fmt or detect_format(filename, head)
    if read_as in FORMATS and "encoding" in FORMATS[read_as][1]:
        options = {**options, "encoding": "utf-8-sig"}  # the sheet's text, whatever a profile says
    return _parse_one(text, head, filename, fmt, options)


def _parse_one(binary, head, filename, fmt, options, detected=NOT_SNIFFED):
    if not head.strip():
        raise InputError("file_empty", filename=filename)
    if head.startswith(_OLE_MAGIC):
        raise InputError("xlsx_unsupported", {"kind": "XLS (Excel 97-2003)"}, filename=filename)
    if detected is NOT_SNIFFED:
        detected = detect_format(filename, head)
    if fmt is None:
        if detected is None:
            first_line = _head_text(head).strip().split("\n", 1)[0][:80]
            raise InputError("unrecognised_format", filename=filename, line=1, value=first_line)
        fmt = detected
    elif fmt not in FORMATS:
        raise InputError("unknown_format_code", {"fmt": fmt, "known": ", ".join(FORMATS)}, filename=filename)
    elif detected not in (None, fmt) and fmt not in ("bank_csv", "orders_csv"):
        first_line = _head_text(head).strip().split("\n", 1)[0][:80]
        raise InputError(
            "wrong_format",
            {"expected": FORMAT_NAMES[fmt], "found": FORMAT_NAMES.get(detected, detected), "code": detected},
            filename=filename,
            line=1,
            value=first_line,
        )
    function, accepted = FORMATS[fmt]
    unknown = set(options) - set(accepted)
    if unknown:
        raise TypeError(f"format {fmt!r} does not take option(s) {', '.join(sorted(unknown))}")
    if fmt == "camt053":
        return function(_Prepended(head, binary), filename, **options)
    return function(binary, filename, head=head, **options)


def _member_name(info):
    """Member name; names of archives made on Chinese Windows are GBK without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _parse_zip(binary, head, filename, fmt, options, budget):
    if not (hasattr(binary, "seekable") and binary.seekable()):
        binary = io.BytesIO(head + binary.read())
    else:
        binary.seek(binary.tell() - len(head))
    try:
        archive = zipfile.ZipFile(binary)
    except zipfile.BadZipFile as exc:
        raise InputError("zip_damaged", {"detail": str(exc)}, filename=filename) from exc
    members = [
        info
        for info in archive.infolist()
        if not info.is_dir()
        and not info.filename.startswith("__MACOSX/")
        and not info.filename.rsplit("/", 1)[-1].startswith(".")
    ]
    # Alipay ships a summary sheet next to the detail file
    members = [info for info in members if "汇总" not in _member_name(info)]
    if budget is not None:
        check_declared(members, budget, lambda info: f"{filename}!{_member_name(info)}")
    found = False
    for info in members:
        name = _member_name(info)
        member_filename = f"{filename}!{name}"
        try:
            opened = archive.open(info)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError) as exc:
            raise InputError("zip_member_unreadable", {"detail": str(exc)}, filename=member_filename) from exc
        # unpacked bytes are counted as they are read; without a budget, an unlimited one that
        # still reports a damaged member as bad input
        member = io.BufferedReader(
            CappedReader(opened, budget or UnzipBudget(float("inf"), filename), member_filename)
        )
        member_head = member.read(HEAD_SIZE)
        if member_head.startswith(_ZIP_MAGIC):
            # an XLSX is a zip too: read (within the budget), then read as a workbook
            member, is_book = _sniff_workbook(member, member_head)
            if not is_book:
                raise InputError("zip_nested", filename=member_filename)
            room = None if budget is None else max(budget.limit - budget.used, 0)
            found = True
            yield _parse_workbook(member, member_filename, fmt, options, room)
            continue
        detected = detect_format(name, member_head)
        if fmt is None and detected is None:
            continue  # a readme or other file beside the statement
        found = True
        yield _parse_one(member, member_head, member_filename, fmt, options, detected)
    if not found:
        raise InputError("zip_nothing_recognised", filename=filename)


class _Prepended(io.RawIOBase):
    """A binary reader that gives back ``head`` and then the rest of ``binary``."""

    def __init__(self, head, binary):
        self._head = head
        self._binary = binary

    def readable(self):
        return True

    def read(self, size=-1):
        if self._head:
            if size is None or size < 0:
                data, self._head = self._head + self._binary.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._binary.read(size)

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "HEAD_SIZE",
    "NOT_SNIFFED",
    "detect_encoding",
    "detect_format",
    "is_workbook_bytes",
    "parse",
    "parse_all",
    "sheet_text",
]
