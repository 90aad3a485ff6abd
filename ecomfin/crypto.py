# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Field encryption: AES-256-GCM tokens bound to their record, blind indexes, key rotation.

A sensitive field value is stored as a *token*::

    ef1:<key_id>:<base64url(nonce || ciphertext || tag)>

``ef1`` is the format version, ``key_id`` names the key of the :class:`Keyring` that
encrypted it, the nonce is 12 random bytes and the base64url text carries no padding.
The associated data (AAD) authenticated with every value is::

    f"{model}\\x1f{record_id}\\x1f{field}".encode("utf-8")

so a token copied to another record, field or model does not decrypt: it raises
:class:`DecryptionError`, as does any altered token.

Keys come from configuration or the environment (see :meth:`Keyring.from_spec`), never
from the database.  Nothing here falls back to plaintext: an unknown key id raises
:class:`KeyringError`, and a value that is not a token where one is expected raises
:class:`DecryptionError` ("not encrypted"), so plaintext left in the database is caught.

Encrypted values cannot be searched, so exact search (phone numbers, bank accounts) goes
through a *blind index*: :func:`blind_index` is an HMAC-SHA256 of the normalized value
under a separate index key, stored beside the token.

Rotation: add the new key to the keyring and make it current; :func:`reencrypt` then
moves each token to the current key.  Once no token names the old key it can be dropped.

``None``, ``False`` (Odoo's empty value) and ``""`` pass through every function
unchanged: nothing is encrypted or indexed for an empty value.

Error messages name the key id, model, record and field, never a key or a plaintext.
"""

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from types import MappingProxyType

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ecomfin.errors import EcomFinError

PREFIX = "ef1:"
KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
SEPARATOR = "\x1f"

_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]+")


class KeyringError(EcomFinError):
    """A key is missing, malformed or not configured (the message names the key id)."""


class DecryptionError(EcomFinError):
    """A stored value is not a valid token for this record and field."""


def _decode_key(text, what):
    """Decode standard or urlsafe base64 ``text`` (padding optional) into bytes."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        raw = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(f"{what} is not valid base64") from None
    if len(raw) != KEY_SIZE:
        raise KeyringError(f"{what} must decode to {KEY_SIZE} bytes, not {len(raw)}")
    return raw


def _check_key_id(key_id):
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        raise KeyringError(f"invalid key id {key_id!r}: use 1-64 characters among A-Z a-z 0-9 _ . -")
    return key_id


class Keyring:
    """The keys that encrypt and decrypt field values, and the blind-index key.

    ``keys`` maps key ids (1-64 characters among ``A-Z a-z 0-9 _ . -``) to 32-byte keys;
    ``current`` is the id of the key that encrypts new values; ``index_key`` (32 bytes,
    optional) keys :func:`blind_index`.  Older keys stay in ``keys`` only to decrypt
    tokens not yet moved by :func:`reencrypt`.

    The repr shows key ids only, never key material.
    """

    def __init__(self, keys, current, index_key=None):
        checked = {}
        for key_id, key in dict(keys).items():
            _check_key_id(key_id)
            if not isinstance(key, bytes | bytearray) or len(key) != KEY_SIZE:
                raise KeyringError(f"key {key_id} must be {KEY_SIZE} bytes")
            checked[key_id] = bytes(key)
        if not checked:
            raise KeyringError("the keyring has no keys")
        if current not in checked:
            raise KeyringError(f"current key {current} is not configured")
        if index_key is not None and (
            not isinstance(index_key, bytes | bytearray) or len(index_key) != KEY_SIZE
        ):
            raise KeyringError(f"the index key must be {KEY_SIZE} bytes")
        self._keys = MappingProxyType(checked)
        self._current = current
        self._index_key = bytes(index_key) if index_key is not None else None

    @classmethod
    def from_spec(cls, spec):
        """Build a keyring from a text spec, as kept in a config file or environment variable.

        Format: parts separated by ``;``, whitespace around parts and items ignored::

            k2:BASE64KEY,k1:BASE64KEY;current=k2;index=BASE64KEY

        - a key list: ``key_id:BASE64`` items separated by ``,`` (several key-list parts
          are allowed; a key id may appear only once);
        - ``current=key_id``: the key that encrypts; optional when there is exactly one key;
        - ``index=BASE64``: the blind-index key; optional.

        Keys are standard (``+/``) or urlsafe (``-_``) base64, padding optional, and must
        decode to exactly 32 bytes.  Errors raise :class:`KeyringError` naming the key id
        (or "index key"), never the key text.
        """
        if not isinstance(spec, str) or not spec.strip():
            raise KeyringError("the key spec is empty")
        keys, current, index_key = {}, None, None
        for part in (p.strip() for p in spec.split(";")):
            if not part:
                continue
            name, sep, value = part.partition("=")
            name = name.strip()
            if sep and name == "current":
                current = value.strip()
            elif sep and name == "index":
                index_key = _decode_key(value, "index key")
            elif sep and ":" not in name:
                raise KeyringError(f"unknown key spec option {name!r}")
            else:
                for item in (i.strip() for i in part.split(",")):
                    if not item:
                        continue
                    key_id, colon, text = item.partition(":")
                    key_id = key_id.strip()
                    if not colon:
                        raise KeyringError(f"key spec item {key_id[:64]!r} has no ':' before the key")
                    _check_key_id(key_id)
                    if key_id in keys:
                        raise KeyringError(f"key {key_id} is given twice")
                    keys[key_id] = _decode_key(text, f"key {key_id}")
        if current is None:
            if len(keys) != 1:
                raise KeyringError("the key spec needs current=<key id> when it has several keys")
            current = next(iter(keys))
        return cls(keys, current, index_key)

    @staticmethod
    def generate_key():
        """Return a new random 32-byte key as standard base64 text, for a key spec."""
        return base64.b64encode(os.urandom(KEY_SIZE)).decode("ascii")

    @property
    def current(self):
        """The id of the key that encrypts new values."""
        return self._current

    @property
    def key_ids(self):
        """The configured key ids, sorted."""
        return sorted(self._keys)

    @property
    def has_index_key(self):
        """Whether a blind-index key is configured."""
        return self._index_key is not None

    def key(self, key_id):
        """The key named ``key_id``; :class:`KeyringError` if it is not configured."""
        try:
            return self._keys[key_id]
        except (KeyError, TypeError):
            raise KeyringError(f"key {key_id} is not configured") from None

    def index_key(self):
        """The blind-index key; :class:`KeyringError` if none is configured."""
        if self._index_key is None:
            raise KeyringError("no blind-index key is configured")
        return self._index_key

    def __repr__(self):
        return (
            f"Keyring(keys={self.key_ids!r}, current={self._current!r}, "
            f"index_key={'set' if self.has_index_key else 'unset'})"
        )


def _aad(model, record_id, field):
    """The associated data binding a token to one record's field."""
    for name, value in (("model", model), ("field", field)):
        if not isinstance(value, str) or not value or SEPARATOR in value:
            raise ValueError(f"{name} must be a non-empty string without \\x1f, got {value!r}")
    if not isinstance(record_id, int) or isinstance(record_id, bool) or record_id <= 0:
        raise ValueError(f"record_id must be a positive int (a saved record), got {record_id!r}")
    return f"{model}{SEPARATOR}{record_id}{SEPARATOR}{field}".encode()


def _where(model, record_id, field):
    return f"{model}.{field} of record {record_id}"


def is_token(value):
    """Whether ``value`` has the shape of a token (``ef1:<key_id>:<payload>``)."""
    if not isinstance(value, str) or not value.startswith(PREFIX):
        return False
    key_id, colon, payload = value[len(PREFIX) :].partition(":")
    return bool(colon and _KEY_ID.fullmatch(key_id) and _PAYLOAD.fullmatch(payload))


def token_key_id(token):
    """The key id a token names; :class:`DecryptionError` if ``token`` is not a token."""
    if not is_token(token):
        raise DecryptionError("value is not encrypted (not an ef1 token)")
    return token[len(PREFIX) :].partition(":")[0]


def _payload(token, where):
    """Decode a token's payload (nonce || ciphertext), rejecting non-canonical base64."""
    text = token[len(PREFIX) :].partition(":")[2]
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise DecryptionError(f"{where}: the token's payload is not valid base64url") from None
    if base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=") != text:
        raise DecryptionError(f"{where}: the token's payload was altered")
    if len(raw) < NONCE_SIZE + TAG_SIZE:
        raise DecryptionError(f"{where}: the token is truncated")
    return raw


def encrypt(keyring, plaintext, *, model, record_id, field):
    """Encrypt ``plaintext`` with the current key, bound to ``model``/``record_id``/``field``.

    Returns ``"ef1:<key_id>:<base64url(nonce||ciphertext)>"``.  ``None``, ``False`` and
    ``""`` are returned unchanged.
    """
    if plaintext is None or plaintext is False or plaintext == "":
        return plaintext
    if not isinstance(plaintext, str):
        raise TypeError(f"only text is encrypted, not {type(plaintext).__name__}")
    aad = _aad(model, record_id, field)
    key_id = keyring.current
    nonce = os.urandom(NONCE_SIZE)
    sealed = AESGCM(keyring.key(key_id)).encrypt(nonce, plaintext.encode("utf-8"), aad)
    payload = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
    return f"{PREFIX}{key_id}:{payload}"


def decrypt(keyring, token, *, model, record_id, field):
    """Decrypt a token made by :func:`encrypt` for the same ``model``/``record_id``/``field``.

    Raises :class:`DecryptionError` if ``token`` is not a token ("not encrypted": plaintext
    in the database), was altered, or belongs to another record, field or model; raises
    :class:`KeyringError` if its key id is not configured.  ``None``, ``False`` and ``""``
    are returned unchanged.
    """
    if token is None or token is False or token == "":
        return token
    aad = _aad(model, record_id, field)
    where = _where(model, record_id, field)
    if not is_token(token):
        raise DecryptionError(f"{where} is not encrypted (expected an ef1 token)")
    key_id = token_key_id(token)
    key = keyring.key(key_id)
    raw = _payload(token, where)
    try:
        plain = AESGCM(key).decrypt(raw[:NONCE_SIZE], raw[NONCE_SIZE:], aad)
    except InvalidTag as exc:
        raise DecryptionError(
            f"{where} does not decrypt with key {key_id}: "
            "the token was altered or belongs to another record or field"
        ) from exc
    return plain.decode("utf-8")


def reencrypt(keyring, token, *, model, record_id, field):
    """Move a token to the keyring's current key.

    The token is decrypted with whichever key it names (so it is always verified) and,
    unless that already is the current key, encrypted again with the current key; a
    token already on the current key is returned unchanged.  Errors as :func:`decrypt`.
    """
    if token is None or token is False or token == "":
        return token
    plaintext = decrypt(keyring, token, model=model, record_id=record_id, field=field)
    if token_key_id(token) == keyring.current:
        return token
    return encrypt(keyring, plaintext, model=model, record_id=record_id, field=field)


def normalize_phone(value):
    """Digits only (full-width digits folded); a leading 86 / 0086 country code is dropped.

    ``"+86 138-0000-0000"``, ``"0086 13800000000"`` and ``"13800000000"`` all give
    ``"13800000000"``.  Only the China code in front of an 11-digit number is removed.
    """
    digits = "".join(c for c in unicodedata.normalize("NFKC", value) if c in "0123456789")
    if len(digits) == 15 and digits.startswith("0086"):
        return digits[4:]
    if len(digits) == 13 and digits.startswith("86"):
        return digits[2:]
    return digits


def normalize_account(value):
    """Bank account: full-width folded, whitespace and dashes removed, upper-cased."""
    folded = unicodedata.normalize("NFKC", value)
    return "".join(c for c in folded if not c.isspace() and c != "-").upper()


def blind_index(keyring, value, *, field, normalize=None):
    """Hex HMAC-SHA256 under the index key of ``field + "\\x1f" + normalize(value)``.

    Store it beside the token and search on it for exact matches; the field name keeps
    equal values in different fields apart.  ``normalize`` (e.g. :func:`normalize_phone`)
    makes equivalent spellings index alike.  ``None``, ``False`` and ``""`` are returned
    unchanged, as is a value that normalizes to ``""`` (there is nothing to index).
    Raises :class:`KeyringError` if no index key is configured.
    """
    if value is None or value is False or value == "":
        return value
    if not isinstance(value, str):
        raise TypeError(f"only text is indexed, not {type(value).__name__}")
    if not isinstance(field, str) or not field or SEPARATOR in field:
        raise ValueError(f"field must be a non-empty string without \\x1f, got {field!r}")
    key = keyring.index_key()
    normalized = normalize(value) if normalize is not None else value
    if normalized == "":
        return ""
    message = f"{field}{SEPARATOR}{normalized}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
