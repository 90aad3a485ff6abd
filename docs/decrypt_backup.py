#!/usr/bin/env python3
# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Open an ecom-finance backup without this repository: needs Python 3.8+ and `cryptography`.

    ECOM_BACKUP_KEY='bk1:<base64 key>' python3 decrypt_backup.py FILE.ecbk OUT_DIR

writes the members (db.dump, filestore.tar, manifest.json) into OUT_DIR, each first as
NAME.partial and renamed only once the whole archive has authenticated (exit 0); a damaged,
altered, truncated or extended archive, or a wrong key, exits 1 and leaves no member behind.
The key is a key spec as the backups were made with: ``bk1:<base64>``, or several keys
``bk2:<b64>,bk1:<b64>;current=bk2``. Format (docs/operations.md, "The backup format"):

    header = "ECOMBK\\0\\1" || chunk_size u32 || len(key_id) u8 || key_id || salt (32)
             || key_check (8) || header_tag (16)
    record = frame u32 (bit 31: final record; bits 0-30: length of sealed) || sealed

Big-endian numbers. archive key = HKDF-SHA256(key, salt, info "ecom-backup v1", 32 bytes);
key_check = HMAC-SHA256(key, "ecom-backup v1 key check")[:8]; header_tag = AES-256-GCM tag
of an empty message, nonce ff*12, associated data the header before the tag. Record n
(from 0) = AES-256-GCM(archive key, nonce n as 11 bytes || final 1 byte, associated data the
header before the tag) of type (1 byte) || payload: 1 member start (JSON name, index),
2 data, 3 member end (JSON name, size, sha256, chunks), 4 archive end (JSON members; the one
final record).
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import struct
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"ECOMBK\x00\x01"
INFO = b"ecom-backup v1"
FINAL = 0x80000000
START, DATA, END, ARCHIVE_END = 1, 2, 3, 4
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


class Refused(Exception):
    pass


def parse_keys(spec):
    """{key id: 32-byte key} of a key spec (``id:b64,id:b64;current=id``)."""
    keys = {}
    for part in spec.split(";"):
        part = part.strip()
        if not part or re.match(r"(current|index)\s*=", part):
            continue
        for item in part.split(","):
            key_id, _, text = item.strip().partition(":")
            text = text.strip().replace("-", "+").replace("_", "/")
            try:
                key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
            except binascii.Error:
                key = b""
            if len(key) != 32:
                raise Refused(f"key {key_id.strip()!r} is not 32 bytes of base64")
            keys[key_id.strip()] = key
    if not keys:
        raise Refused("no key in ECOM_BACKUP_KEY")
    return keys


def read_exact(f, size):
    data = f.read(size)
    if len(data) < size:
        raise Refused("the archive is truncated")
    return data


def read_header(f, keys):
    """Authenticate the header; returns (cipher, associated data, chunk size)."""
    fixed = f.read(len(MAGIC) + 5)
    if fixed[: len(MAGIC)] != MAGIC:
        raise Refused("not an ecom backup archive of format 1 (no ECOMBK header)")
    (chunk_size,) = struct.unpack(">I", fixed[8:12])
    kid_len = fixed[12]
    rest = read_exact(f, kid_len + 32 + 8 + 16)
    key_id = rest[:kid_len].decode("ascii", "replace")
    salt, check, tag = rest[kid_len : kid_len + 32], rest[kid_len + 32 : kid_len + 40], rest[kid_len + 40 :]
    if key_id not in keys:
        raise Refused(f"made with key {key_id!r}, which ECOM_BACKUP_KEY does not hold")
    key = keys[key_id]
    if not hmac.compare_digest(check, hmac.new(key, INFO + b" key check", hashlib.sha256).digest()[:8]):
        raise Refused(f"the key given as {key_id!r} is not the key this archive was made with")
    aad = fixed + rest[:-16]
    aead = AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=INFO).derive(key))
    try:
        aead.decrypt(b"\xff" * 12, tag, aad)
    except InvalidTag:
        raise Refused("the header fails authentication") from None
    return aead, aad, chunk_size


def records(f, keys):
    """(index, type, payload) of each record, authenticated, the final one last."""
    aead, aad, chunk_size = read_header(f, keys)
    index = 0
    while True:
        frame = f.read(4)
        if len(frame) < 4:
            raise Refused(f"record {index} is missing: the archive is truncated")
        (word,) = struct.unpack(">I", frame)
        final, length = bool(word & FINAL), word & ~FINAL
        if not 17 <= length <= 17 + max(chunk_size, 1 << 16):
            raise Refused(f"record {index} has an impossible length: the archive is damaged")
        sealed = read_exact(f, length)
        try:
            plain = aead.decrypt(index.to_bytes(11, "big") + (b"\x01" if final else b"\x00"), sealed, aad)
        except InvalidTag:
            raise Refused(f"record {index} fails authentication: altered, damaged or reordered") from None
        if final != (plain[0] == ARCHIVE_END):
            raise Refused(f"record {index} is out of place")
        yield index, plain[0], plain[1:]
        if final:
            if f.read(1):
                raise Refused("data after the end record")
            return
        index += 1


def decrypt(f, keys, sink_for):
    """Authenticate and decrypt the archive ``f``; ``sink_for(name)`` gives each member's file."""
    member, members = None, []
    for index, kind, payload in records(f, keys):
        if kind == START and member is None:
            meta = json.loads(payload)
            if meta.get("index") != len(members) or not NAME.fullmatch(str(meta.get("name"))):
                raise Refused(f"record {index} starts a member out of order")
            name = meta["name"]
            member = {"name": name, "sink": sink_for(name), "sha": hashlib.sha256(), "size": 0}
        elif kind == DATA and member is not None:
            member["sha"].update(payload)
            member["size"] += len(payload)
            member["sink"].write(payload)
        elif kind == END and member is not None:
            meta = json.loads(payload)
            expected = (member["name"], member["size"], member["sha"].hexdigest())
            if (meta.get("name"), meta.get("size"), meta.get("sha256")) != expected:
                raise Refused(f"member {member['name']} does not match its end record")
            member["sink"].close()
            members.append(member["name"])
            member = None
        elif kind == ARCHIVE_END and member is None:
            if json.loads(payload).get("members") != members:
                raise Refused("the end record does not list the members read")
        else:
            raise Refused(f"record {index} is out of place (type {kind})")
    return members


def main(argv):
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    archive, out_dir = argv[1], argv[2]
    spec = os.environ.get("ECOM_BACKUP_KEY", "")
    os.makedirs(out_dir, mode=0o700, exist_ok=True)
    written = []

    def sink_for(name):
        path = os.path.join(out_dir, name + ".partial")
        written.append(path)
        # readable by this user only: the members hold the data in clear; closed at the member's end
        return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")

    try:
        with open(archive, "rb") as f:
            members = decrypt(f, parse_keys(spec), sink_for)
    except (Refused, ValueError, OSError) as exc:
        for path in written:
            if os.path.exists(path):
                os.remove(path)
        print(f"{archive}: REFUSED, nothing written: {exc}", file=sys.stderr)
        return 1
    for name in members:
        os.replace(os.path.join(out_dir, name + ".partial"), os.path.join(out_dir, name))
    print(f"{archive}: {', '.join(members)} written to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
