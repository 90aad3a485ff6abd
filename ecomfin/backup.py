# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Encrypted backup archives: named members, AES-256-GCM in chunks, streamed.

An archive holds named members (``db.dump``, ``filestore.tar``, ``manifest.json``) of any
size, written and read in chunks with constant memory. Layout::

    header  = MAGIC (8) || chunk_size (u32) || len(key_id) (u8) || key_id || salt (32)
              || key_check (8) || header_tag (16)
    record  = frame (u32: bit 31 = final record, bits 0-30 = length of sealed) || sealed

Every number is big-endian. ``key_id`` names the key of a :class:`~ecomfin.crypto.Keyring`
(the key itself is never in the archive). The archive key is
``HKDF-SHA256(key, salt, "ecom-backup v1")`` with a random 32-byte salt per archive, so no
two archives share a key and nonces can count from zero:

- ``key_check`` is ``HMAC-SHA256(key, "ecom-backup v1 key check")[:8]``: a wrong key is
  told apart from a damaged archive before anything is decrypted;
- ``header_tag`` is a GCM tag over the header (nonce ``ff`` * 12), so an altered header
  is refused before any record is read;
- record *n* (counting from 0 over the whole archive) is sealed with nonce
  ``n (11 bytes) || final (1 byte)`` and the header as associated data; its plaintext is
  a type byte and a payload.

Records: ``MEMBER_START`` (JSON: name, index), ``DATA`` (at most ``chunk_size`` bytes of
the member), ``MEMBER_END`` (JSON: name, size, sha256, chunks) and, last and only last,
``ARCHIVE_END`` (JSON: the member names), the one record with the final flag. Since the
record number and the final flag are in the nonce, a flipped byte anywhere, reordered or
repeated records, a truncated tail and bytes appended after the end all raise
:class:`BackupIntegrityError` naming the record, member and chunk (a flip in the header's
key id or key check raises :class:`BackupKeyError`: that key is not configured, or not
the right one).

Nothing read from an archive is handed out before it is authenticated; a member's
content is handed to its sink chunk by chunk as each chunk authenticates, so a reader
that must not act on a partly good archive writes the members to files first and acts
only once :func:`read_archive` has returned (``scripts/backup.py`` does that).
"""

import hashlib
import hmac
import io
import json
import os
import re
import struct
from datetime import datetime, timezone

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ecomfin.crypto import KEY_SIZE, Keyring, KeyringError
from ecomfin.errors import EcomFinError

MAGIC = b"ECOMBK\x00\x01"  # the last byte is the format version
SALT_SIZE = 32
CHECK_SIZE = 8
TAG_SIZE = 16
DEFAULT_CHUNK_SIZE = 1 << 20
MAX_CHUNK_SIZE = 64 << 20
MAX_META = 1 << 16  # the largest JSON payload of a start/end record
FINAL = 0x80000000
KEY_ENV = "ECOM_BACKUP_KEY"
KEY_OPTION = "ecom_backup_key"

START, DATA, END, ARCHIVE_END = 1, 2, 3, 4
_HEADER_NONCE = b"\xff" * 12
_INFO = b"ecom-backup v1"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_FRAME = struct.Struct(">I")


class BackupError(EcomFinError):
    """A backup cannot be written or read."""


class BackupIntegrityError(BackupError):
    """The archive is not intact: altered, damaged, truncated, reordered or extended.

    The message names the archive and where: the header, or the record, member and chunk.
    """


class BackupKeyError(BackupError, KeyringError):
    """No backup key, a malformed one, or not the key the archive was made with."""


def keyring_from(spec):
    """The backup keyring from a key spec, as :meth:`Keyring.from_spec` reads it.

    ``k1:BASE64`` for one key; ``k2:BASE64,k1:BASE64;current=k2`` while moving to a new
    key (new backups use the current key, older ones still open with theirs).
    """
    try:
        return Keyring.from_spec(spec)
    except KeyringError as exc:
        raise BackupKeyError(f"backup key: {exc}") from None


def load_keyring(environ=None, config_value=None):
    """The backup keyring from ``ECOM_BACKUP_KEY`` or else the ``ecom_backup_key`` option.

    ``environ`` defaults to ``os.environ``; ``config_value`` is the option's text from the
    Odoo configuration file, if any. Neither the database nor the archive holds the key.
    """
    environ = os.environ if environ is None else environ
    spec = environ.get(KEY_ENV) or config_value
    if not spec or not spec.strip():
        raise BackupKeyError(
            f"no backup key: set {KEY_ENV}=<key id>:<base64 key> or {KEY_OPTION} in the Odoo configuration"
        )
    return keyring_from(spec)


def _key_check(key):
    return hmac.new(key, _INFO + b" key check", hashlib.sha256).digest()[:CHECK_SIZE]


def _archive_key(key, salt):
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=salt, info=_INFO).derive(key)


def _nonce(index, final):
    return index.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


def _check_name(name):
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"invalid member name {name!r}: 1-128 characters among A-Z a-z 0-9 _ . -")
    return name


class _MemberSink:
    """The writable file object of one member being written (see :meth:`BackupWriter.member`)."""

    def __init__(self, writer, name):
        self._writer = writer
        self.name = name
        self._buffer = bytearray()
        self._sha = hashlib.sha256()
        self.size = 0
        self.chunks = 0
        self.closed = False

    def writable(self):
        return True

    def write(self, data):
        if self.closed:
            raise ValueError(f"member {self.name} is closed")
        view = memoryview(data).cast("B")
        self._sha.update(view)
        self.size += len(view)
        self._buffer += view
        size = self._writer.chunk_size
        if len(self._buffer) >= size:
            whole = len(self._buffer) - len(self._buffer) % size
            for start in range(0, whole, size):
                self._chunk(bytes(self._buffer[start : start + size]))
            del self._buffer[:whole]
        return len(view)

    def flush(self):
        pass

    def _chunk(self, data):
        self._writer._record(DATA, data)
        self.chunks += 1

    def close(self):
        if self.closed:
            return
        if self._buffer:
            self._chunk(bytes(self._buffer))
            self._buffer.clear()
        self.closed = True
        self.sha256 = self._sha.hexdigest()
        self._writer._end_member(self)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.closed = True  # the writer is left unfinished: its close() refuses


class BackupWriter:
    """Writes an archive to a binary file object, one member after the other.

    ::

        with open(path, "wb") as out, BackupWriter(out, keyring) as archive:
            with archive.member("db.dump") as sink:
                shutil.copyfileobj(dump, sink)
            archive.add_bytes("manifest.json", data)

    :attr:`members` lists ``{'name', 'size', 'sha256', 'chunks'}`` of the members written.
    Leaving the ``with`` block on an exception writes no end record: the archive then
    reads as truncated, never as complete.
    """

    def __init__(self, fileobj, keyring, *, chunk_size=DEFAULT_CHUNK_SIZE):
        if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"chunk_size must be 1..{MAX_CHUNK_SIZE}")
        self.chunk_size = chunk_size
        self.key_id = keyring.current
        key = keyring.key(self.key_id)
        salt = os.urandom(SALT_SIZE)
        kid = self.key_id.encode("ascii")
        head = MAGIC + _FRAME.pack(chunk_size) + bytes([len(kid)]) + kid + salt + _key_check(key)
        self._aead = AESGCM(_archive_key(key, salt))
        self._aad = head
        self._out = fileobj
        self._out.write(head + self._aead.encrypt(_HEADER_NONCE, b"", head))
        self._index = 0
        self._open = None
        self.members = []
        self.finished = False

    def _record(self, kind, payload, final=False):
        sealed = self._aead.encrypt(_nonce(self._index, final), bytes([kind]) + payload, self._aad)
        self._out.write(_FRAME.pack(len(sealed) | (FINAL if final else 0)) + sealed)
        self._index += 1

    def member(self, name):
        """Start the member ``name``; returns its writable sink (close it, or use ``with``)."""
        _check_name(name)
        if self._open is not None:
            raise BackupError(f"member {self._open.name} is still open")
        if self.finished:
            raise BackupError("the archive is closed")
        if any(m["name"] == name for m in self.members):
            raise BackupError(f"member {name} is already in the archive")
        self._record(START, json.dumps({"name": name, "index": len(self.members)}).encode())
        self._open = _MemberSink(self, name)
        return self._open

    def _end_member(self, sink):
        info = {"name": sink.name, "size": sink.size, "sha256": sink.sha256, "chunks": sink.chunks}
        self._record(END, json.dumps(info, sort_keys=True).encode())
        self.members.append(info)
        self._open = None

    def add_bytes(self, name, data):
        with self.member(name) as sink:
            sink.write(data)
        return self.members[-1]

    def add_stream(self, name, source):
        """Copy a readable binary file object into the member ``name``, chunk by chunk."""
        with self.member(name) as sink:
            while block := source.read(self.chunk_size):
                sink.write(block)
        return self.members[-1]

    def close(self):
        """Write the end record (the archive is complete only then)."""
        if self.finished:
            return
        if self._open is not None:
            raise BackupError(f"member {self._open.name} is still open")
        names = [m["name"] for m in self.members]
        self._record(ARCHIVE_END, json.dumps({"members": names}).encode(), final=True)
        self.finished = True
        self._out.flush()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()


def _read_exact(fileobj, size):
    data = fileobj.read(size)
    while data is not None and len(data) < size:
        more = fileobj.read(size - len(data))
        if not more:
            break
        data += more
    return data or b""


def read_header(fileobj, keyring, *, label="backup"):
    """Read and authenticate the header; returns ``(key_id, chunk_size, aead, aad)``."""
    fixed = _read_exact(fileobj, len(MAGIC) + 5)
    if len(fixed) < len(MAGIC) or fixed[: len(MAGIC) - 1] != MAGIC[:-1]:
        raise BackupIntegrityError(f"{label} is not an ecom backup archive (no ECOMBK header)")
    if fixed[len(MAGIC) - 1] != MAGIC[-1]:
        raise BackupIntegrityError(
            f"{label}: unknown archive format version {fixed[len(MAGIC) - 1]} (this reader knows {MAGIC[-1]})"
        )
    if len(fixed) < len(MAGIC) + 5:
        raise BackupIntegrityError(f"{label}: the header is truncated")
    (chunk_size,) = _FRAME.unpack(fixed[len(MAGIC) : len(MAGIC) + 4])
    kid_len = fixed[-1]
    rest = _read_exact(fileobj, kid_len + SALT_SIZE + CHECK_SIZE + TAG_SIZE)
    if len(rest) < kid_len + SALT_SIZE + CHECK_SIZE + TAG_SIZE:
        raise BackupIntegrityError(f"{label}: the header is truncated")
    try:
        key_id = rest[:kid_len].decode("ascii")
    except UnicodeDecodeError:
        raise BackupIntegrityError(f"{label}: the header is damaged (key id is not text)") from None
    salt = rest[kid_len : kid_len + SALT_SIZE]
    check = rest[kid_len + SALT_SIZE : kid_len + SALT_SIZE + CHECK_SIZE]
    tag = rest[kid_len + SALT_SIZE + CHECK_SIZE :]
    try:
        key = keyring.key(key_id)
    except KeyringError:
        raise BackupKeyError(
            f"{label} was encrypted with key {key_id[:64]!r}, which is not configured "
            f"(configured: {', '.join(keyring.key_ids)}); or its header is damaged"
        ) from None
    if not hmac.compare_digest(check, _key_check(key)):
        raise BackupKeyError(
            f"{label}: the configured key {key_id} is not the key this archive was made with "
            "(or the header's key check was altered)"
        )
    head = fixed + rest[:-TAG_SIZE]
    aead = AESGCM(_archive_key(key, salt))
    try:
        aead.decrypt(_HEADER_NONCE, tag, head)
    except InvalidTag:
        raise BackupIntegrityError(f"{label}: the header fails authentication (altered or damaged)") from None
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise BackupIntegrityError(f"{label}: chunk size {chunk_size} out of range")
    return key_id, chunk_size, aead, head


class _Reader:
    """The state machine behind :func:`read_archive`."""

    def __init__(self, fileobj, keyring, sink_for, label):
        self.file = fileobj
        self.label = label
        self.sink_for = sink_for
        self.key_id, self.chunk_size, self.aead, self.aad = read_header(fileobj, keyring, label=label)
        self.index = 0
        self.member = None  # the open member: name, sink, sha, size, chunks
        self.members = []

    def where(self):
        where = f"record {self.index}"
        if self.member:
            where += f" (member {self.member['name']}, chunk {self.member['chunks']})"
        elif self.members:
            where += f" (after member {self.members[-1]['name']})"
        return where

    def fail(self, what):
        raise BackupIntegrityError(f"{self.label}: {self.where()} {what}")

    def next_record(self):
        frame = _read_exact(self.file, 4)
        if not frame:
            self.fail("is missing: the archive is truncated (no end record)")
        if len(frame) < 4:
            self.fail("is cut short: the archive is truncated")
        (word,) = _FRAME.unpack(frame)
        final, length = bool(word & FINAL), word & ~FINAL
        if not 1 + TAG_SIZE <= length <= 1 + TAG_SIZE + max(self.chunk_size, MAX_META):
            self.fail(f"has an impossible length {length}: the archive is damaged")
        sealed = _read_exact(self.file, length)
        if len(sealed) < length:
            self.fail("is cut short: the archive is truncated")
        try:
            plain = self.aead.decrypt(_nonce(self.index, final), sealed, self.aad)
        except InvalidTag:
            self.fail("fails authentication: the archive was altered, damaged or reordered")
        return final, plain[0], plain[1:]

    def meta(self, payload):
        try:
            return json.loads(payload)
        except ValueError:
            self.fail("carries unreadable metadata")

    def run(self):
        while True:
            final, kind, payload = self.next_record()
            if final != (kind == ARCHIVE_END):
                self.fail("is out of place (final flag and record type disagree)")
            if kind == START and self.member is None:
                self.start(self.meta(payload))
            elif kind == DATA and self.member is not None:
                self.data(payload)
            elif kind == END and self.member is not None:
                self.end(self.meta(payload))
            elif kind == ARCHIVE_END and self.member is None:
                self.finish(self.meta(payload))
                return self.members
            else:
                self.fail(f"is out of place (type {kind})")
            self.index += 1

    def start(self, meta):
        name = meta.get("name")
        if meta.get("index") != len(self.members) or not isinstance(name, str) or not _NAME.fullmatch(name):
            self.fail("starts a member out of order")
        if any(m["name"] == name for m in self.members):
            self.fail(f"repeats member {name}")
        sink = self.sink_for(name)
        self.member = {"name": name, "sink": sink, "sha": hashlib.sha256(), "size": 0, "chunks": 0}

    def data(self, payload):
        member = self.member
        member["sha"].update(payload)
        member["size"] += len(payload)
        member["chunks"] += 1
        if member["sink"] is not None:
            member["sink"].write(payload)

    def end(self, meta):
        member = self.member
        info = {
            "name": member["name"],
            "size": member["size"],
            "sha256": member["sha"].hexdigest(),
            "chunks": member["chunks"],
        }
        if meta != info:
            self.fail(f"does not match the content of member {member['name']}")
        self.members.append(info)
        self.member = None

    def finish(self, meta):
        if meta.get("members") != [m["name"] for m in self.members]:
            self.fail("lists other members than the archive holds")
        self.index += 1
        if self.file.read(1):
            raise BackupIntegrityError(
                f"{self.label}: data after the end record (record {self.index - 1}): bytes were appended"
            )


def read_archive(fileobj, keyring, sink_for=None, *, label="backup"):
    """Authenticate and decrypt an archive from a readable binary file object.

    ``sink_for(name)`` returns a writable file object for each member's content, or
    ``None`` to only verify it; without ``sink_for`` every member is only verified.
    Returns the members as ``[{'name', 'size', 'sha256', 'chunks'}]``, in order.

    Raises :class:`BackupIntegrityError` (naming ``label`` and where) if anything is
    wrong, :class:`BackupKeyError` if the key is not configured or not the right one.
    A sink may already hold part of a member when the error is raised: discard it.
    """
    return _Reader(fileobj, keyring, sink_for or (lambda name: None), label).run()


def read_member(fileobj, keyring, name, *, label="backup"):
    """The content of one (small) member as bytes, after authenticating the whole archive."""
    found = {}

    def sink_for(member):
        if member == name:
            found[name] = io.BytesIO()
            return found[name]
        return None

    read_archive(fileobj, keyring, sink_for, label=label)
    if name not in found:
        raise BackupError(f"{label} has no member {name}")
    return found[name].getvalue()


# ----------------------------------------------------------------------
# Manifests
# ----------------------------------------------------------------------


def _flatten(value, path=""):
    """``{'a': {'b': 1}}`` -> ``{'a.b': 1}``; lists keep their position as a key, empty ones vanish."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return {path: value}
    flat = {}
    for key, item in items:
        flat.update(_flatten(item, f"{path}.{key}" if path else str(key)))
    return flat


# What describes a backup (when, where from, with which tools) rather than its content.
NOT_COMPARED = ("format", "created_at", "db", "source", "tools", "duration_s")


def diff_manifests(expected, actual, ignore=NOT_COMPARED):
    """The differences between two manifests, as sorted human-readable lines.

    Nested values are compared leaf by leaf and named by their dotted path, e.g.
    ``row_counts.account_move: expected 120, found 119`` or
    ``trial_balance.1/400000.balance: expected 10.00, found 12.00``; a leaf present on one
    side only reads ``missing`` / ``unexpected``. Top-level keys in ``ignore`` (when and
    where the backup was made) are skipped. An empty list means equal.
    """
    skip = set(ignore or ())
    left = _flatten({k: v for k, v in expected.items() if k not in skip})
    right = _flatten({k: v for k, v in actual.items() if k not in skip})
    lines = []
    for path in sorted(left.keys() | right.keys()):
        if path not in right:
            lines.append(f"{path}: expected {left[path]!r}, missing")
        elif path not in left:
            lines.append(f"{path}: unexpected {right[path]!r}")
        elif left[path] != right[path]:
            lines.append(f"{path}: expected {left[path]!r}, found {right[path]!r}")
    return lines


# ----------------------------------------------------------------------
# Scheduled backups: what their status file says
# ----------------------------------------------------------------------


def backup_problem(path, now, max_age_hours):
    """What is wrong with the scheduled backups, from their ``status.json`` (written by each run of
    ``scripts/backup_scheduled.sh``: ``{"ok", "time", "file", "message", "last_ok", "last_ok_file"}``),
    or None when the last run was verified within ``max_age_hours`` of ``now`` (an aware datetime).

    Answers ``(code, facts)``: ``missing`` (no status: no backup has run), ``failed`` (the last
    run failed: ``time``, ``message``, ``file``), ``stale`` (the last verified backup is older than
    allowed: ``last_ok``, ``file``, ``hours``).
    """
    try:
        with open(path, encoding="utf-8") as handle:
            status = json.load(handle)
        if not isinstance(status, dict):
            raise ValueError(path)
    except (OSError, ValueError):
        return "missing", {"file": path}
    if not status.get("ok"):
        return "failed", {
            "time": status.get("time") or "",
            "message": status.get("message") or "",
            "file": status.get("file") or "",
        }
    try:
        last = datetime.fromisoformat(status["last_ok"])
    except (KeyError, TypeError, ValueError):
        return "missing", {"file": path}
    if last.tzinfo is None:
        last = last.replace(tzinfo=timezone.utc)
    hours = (now - last).total_seconds() / 3600
    if hours > max_age_hours:
        return "stale", {
            "last_ok": status["last_ok"],
            "file": status.get("last_ok_file") or "",
            "hours": round(hours),
        }
    return None
