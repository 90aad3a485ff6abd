# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import base64
import re

import pytest
from cryptography.exceptions import InvalidTag

from ecomfin.crypto import (
    DecryptionError,
    Keyring,
    KeyringError,
    blind_index,
    decrypt,
    encrypt,
    is_token,
    normalize_account,
    normalize_phone,
    reencrypt,
    token_key_id,
)

K1 = bytes(range(32))
K2 = bytes(range(100, 132))
IDX = b"\x07" * 32
WHERE = {"model": "res.partner", "record_id": 7, "field": "phone"}
SECRET = "13800000000"


def b64(raw):
    return base64.b64encode(raw).decode()


@pytest.fixture
def ring():
    return Keyring({"k1": K1}, "k1", index_key=IDX)


def test_roundtrip(ring):
    for text in (SECRET, "中文 ünïcode ✓", "x" * 5000):
        assert decrypt(ring, encrypt(ring, text, **WHERE), **WHERE) == text


def test_token_format(ring):
    token = encrypt(ring, SECRET, **WHERE)
    assert re.fullmatch(r"ef1:k1:[A-Za-z0-9_-]+", token)
    assert SECRET not in token
    payload = token.split(":", 2)[2]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert len(raw) == 12 + len(SECRET) + 16  # nonce || ciphertext || tag
    assert is_token(token) and token_key_id(token) == "k1"
    assert not is_token(SECRET) and not is_token(None) and not is_token("ef1:k1:")


def test_same_plaintext_encrypts_differently(ring):
    tokens = {encrypt(ring, SECRET, **WHERE) for _ in range(20)}
    assert len(tokens) == 20
    nonces = {base64.urlsafe_b64decode(t.split(":", 2)[2] + "==")[:12] for t in tokens}
    assert len(nonces) == 20


@pytest.mark.parametrize(
    "moved",
    [
        {"record_id": 8},
        {"field": "mobile"},
        {"model": "res.partner.bank"},
    ],
)
def test_token_moved_to_another_record_field_or_model_fails(ring, moved):
    token = encrypt(ring, SECRET, **WHERE)
    with pytest.raises(DecryptionError) as info:
        decrypt(ring, token, **{**WHERE, **moved})
    assert isinstance(info.value.__cause__, InvalidTag)
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("position", [0, 11, 12, 12 + 5, -1])  # nonce, ciphertext, tag
def test_flipped_byte_fails(ring, position):
    token = encrypt(ring, SECRET, **WHERE)
    head, payload = token.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[position] ^= 0x01
    forged = head + ":" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(DecryptionError):
        decrypt(ring, forged, **WHERE)


def test_altered_or_truncated_token_text_fails(ring):
    token = encrypt(ring, SECRET, **WHERE)
    for forged in (token[:-1], token[:20], token + "A", token[:-1] + ("A" if token[-1] != "A" else "B")):
        with pytest.raises(DecryptionError):
            decrypt(ring, forged, **WHERE)


def test_unknown_key_id_fails(ring):
    other = Keyring({"k9": K2}, "k9")
    token = encrypt(other, SECRET, **WHERE)
    with pytest.raises(KeyringError, match="key k9 is not configured"):
        decrypt(ring, token, **WHERE)


def test_same_key_id_with_another_key_fails(ring):
    impostor = Keyring({"k1": K2}, "k1")
    with pytest.raises(DecryptionError, match="key k1"):
        decrypt(impostor, encrypt(ring, SECRET, **WHERE), **WHERE)


def test_rotation():
    old = Keyring({"k1": K1}, "k1")
    old_token = encrypt(old, SECRET, **WHERE)
    assert token_key_id(old_token) == "k1"

    both = Keyring({"k1": K1, "k2": K2}, "k2")
    assert decrypt(both, old_token, **WHERE) == SECRET
    new_token = reencrypt(both, old_token, **WHERE)
    assert token_key_id(new_token) == "k2"
    assert reencrypt(both, new_token, **WHERE) == new_token  # already current: unchanged

    only_new = Keyring({"k2": K2}, "k2")
    assert decrypt(only_new, new_token, **WHERE) == SECRET
    with pytest.raises(KeyringError, match="key k1 is not configured"):
        decrypt(only_new, old_token, **WHERE)


def test_reencrypt_verifies_tokens(ring):
    token = encrypt(ring, SECRET, **WHERE)
    with pytest.raises(DecryptionError):
        reencrypt(ring, token, **{**WHERE, "record_id": 8})
    with pytest.raises(DecryptionError, match="not encrypted"):
        reencrypt(ring, SECRET, **WHERE)


def test_plaintext_where_a_token_is_expected_fails(ring):
    for stored in (SECRET, "ef1:", "ef1:k1", "ef1:k1:not base64!", "EF1:k1:abc"):
        with pytest.raises(DecryptionError, match="not encrypted") as info:
            decrypt(ring, stored, **WHERE)
        assert SECRET not in str(info.value)
    with pytest.raises(DecryptionError, match="not encrypted"):
        token_key_id(SECRET)


@pytest.mark.parametrize("empty", [None, "", False])
def test_empty_values_pass_through(ring, empty):
    assert encrypt(ring, empty, **WHERE) is empty
    assert decrypt(ring, empty, **WHERE) is empty
    assert reencrypt(ring, empty, **WHERE) is empty
    assert blind_index(ring, empty, field="phone") is empty


def test_bad_arguments(ring):
    with pytest.raises(TypeError):
        encrypt(ring, 123, **WHERE)
    for bad in (
        {"record_id": 0},
        {"record_id": "7"},
        {"record_id": True},
        {"field": ""},
        {"model": "a\x1fb"},
    ):
        with pytest.raises(ValueError):
            encrypt(ring, SECRET, **{**WHERE, **bad})


def test_keyring_constructor_checks():
    with pytest.raises(KeyringError, match="key k1 must be 32 bytes"):
        Keyring({"k1": b"short"}, "k1")
    with pytest.raises(KeyringError, match="current key k2 is not configured"):
        Keyring({"k1": K1}, "k2")
    with pytest.raises(KeyringError, match="index key"):
        Keyring({"k1": K1}, "k1", index_key=b"short")
    with pytest.raises(KeyringError, match="invalid key id"):
        Keyring({"k:1": K1}, "k:1")
    with pytest.raises(KeyringError, match="no keys"):
        Keyring({}, "k1")
    text = repr(Keyring({"k1": K1}, "k1", index_key=IDX))
    assert "k1" in text and b64(K1) not in text and repr(K1) not in text


def test_from_spec():
    spec = f" k2:{b64(K2)} , k1:{base64.urlsafe_b64encode(K1).decode().rstrip('=')} ; current=k2 ; index={b64(IDX)}"
    ring = Keyring.from_spec(spec)
    assert ring.key_ids == ["k1", "k2"] and ring.current == "k2" and ring.has_index_key
    assert ring.key("k1") == K1 and ring.key("k2") == K2 and ring.index_key() == IDX
    assert token_key_id(encrypt(ring, SECRET, **WHERE)) == "k2"

    single = Keyring.from_spec(f"solo:{b64(K1)}")
    assert single.current == "solo" and not single.has_index_key


@pytest.mark.parametrize(
    "spec, message",
    [
        (f"k1:{b64(K1)},k2:not*base64;current=k1", "key k2 is not valid base64"),
        (f"k1:{b64(K1)},k2:{b64(b'x' * 16)};current=k1", "key k2 must decode to 32 bytes, not 16"),
        (f"k1:{b64(K1)};index=%%%", "index key is not valid base64"),
        (f"k1:{b64(K1)};index={b64(b'x' * 31)}", "index key must decode to 32 bytes"),
        (f"k1:{b64(K1)},k2:{b64(K2)}", "needs current="),
        (f"k1:{b64(K1)};current=k3", "current key k3 is not configured"),
        (f"k1:{b64(K1)},k1:{b64(K2)};current=k1", "key k1 is given twice"),
        (f"k1:{b64(K1)};colour=blue", "unknown key spec option"),
        (f"k1{b64(K1)[:-1]}", "has no ':'"),
        ("", "empty"),
    ],
)
def test_from_spec_errors(spec, message):
    with pytest.raises(KeyringError, match=re.escape(message)) as info:
        Keyring.from_spec(spec)
    assert b64(K1) not in str(info.value) and b64(K2) not in str(info.value)


def test_generate_key():
    text = Keyring.generate_key()
    assert len(base64.b64decode(text)) == 32
    assert Keyring.generate_key() != text
    assert Keyring.from_spec(f"k1:{text}").key("k1") == base64.b64decode(text)


def test_normalizers():
    for phone in ("+86 138-0000-0000", "13800000000", "0086 138 0000 0000", "８６１３８００００００００"):
        assert normalize_phone(phone) == "13800000000"
    assert normalize_phone("021-6123 4567") == "02161234567"
    assert normalize_account(" 6222 0200-1234 ab ") == "622202001234AB"


def test_blind_index(ring):
    a = blind_index(ring, "+86 138-0000-0000", field="phone", normalize=normalize_phone)
    b = blind_index(ring, "13800000000", field="phone", normalize=normalize_phone)
    assert a == b and re.fullmatch(r"[0-9a-f]{64}", a)
    assert SECRET not in a
    assert blind_index(ring, "13800000000", field="mobile", normalize=normalize_phone) != a
    assert blind_index(ring, "13900000000", field="phone", normalize=normalize_phone) != a
    other_key = Keyring({"k1": K1}, "k1", index_key=b"\x08" * 32)
    assert blind_index(other_key, "13800000000", field="phone") != blind_index(
        ring, "13800000000", field="phone"
    )
    assert blind_index(ring, "6222 0200", field="acc", normalize=normalize_account) == blind_index(
        ring, "62220200", field="acc", normalize=normalize_account
    )
    # Without normalization the spellings differ.
    assert blind_index(ring, "+86 138-0000-0000", field="phone") != b


def test_blind_index_needs_index_key():
    with pytest.raises(KeyringError, match="no blind-index key"):
        blind_index(Keyring({"k1": K1}, "k1"), SECRET, field="phone")
