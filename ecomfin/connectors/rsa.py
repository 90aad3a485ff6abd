# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""SHA256withRSA (RSASSA-PKCS1-v1_5 over SHA-256), as Alipay (``RSA2``) and WeChat Pay API v3
sign their requests and answers.

Keys come as the merchant pastes them on the backend: PEM with its header lines, or the bare
base64 body Alipay's key tool shows (a PKCS#8 private key, an X.509 SubjectPublicKeyInfo
public key, or the PKCS#1 forms). A key that does not load is a ``bad_key`` error naming the
credential, not a traceback.
"""

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .base import ConnectorError

_PRIVATE_HEADERS = ("PRIVATE KEY", "RSA PRIVATE KEY")
_PUBLIC_HEADERS = ("PUBLIC KEY", "RSA PUBLIC KEY")


def _pem_candidates(text, headers):
    text = (text or "").strip()
    if "-----BEGIN" in text:
        return [text.encode("ascii", "replace")]
    body = "".join(text.split())
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return [f"-----BEGIN {name}-----\n{lines}\n-----END {name}-----\n".encode() for name in headers]


def load_private_key(text, *, platform, field):
    """The RSA private key in ``text`` (PEM, or its bare base64 body)."""
    detail = "empty"
    for pem in _pem_candidates(text, _PRIVATE_HEADERS):
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError, binascii.Error) as error:
            detail = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
            continue
        if isinstance(key, rsa.RSAPrivateKey):
            return key
        detail = f"not an RSA key ({type(key).__name__})"
    raise ConnectorError("bad_key", {"platform": platform, "field": field, "detail": detail})


def load_public_key(text, *, platform, field):
    """The RSA public key in ``text`` (PEM public key or certificate, or a bare base64 body)."""
    detail = "empty"
    stripped = (text or "").strip()
    if "-----BEGIN CERTIFICATE" in stripped:
        from cryptography import x509

        try:
            key = x509.load_pem_x509_certificate(stripped.encode("ascii", "replace")).public_key()
        except ValueError as error:
            raise ConnectorError(
                "bad_key", {"platform": platform, "field": field, "detail": str(error)[:120]}
            ) from None
        if isinstance(key, rsa.RSAPublicKey):
            return key
        raise ConnectorError("bad_key", {"platform": platform, "field": field, "detail": "not an RSA key"})
    for pem in _pem_candidates(stripped, _PUBLIC_HEADERS):
        try:
            key = serialization.load_pem_public_key(pem)
        except (ValueError, TypeError, binascii.Error) as error:
            detail = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
            continue
        if isinstance(key, rsa.RSAPublicKey):
            return key
        detail = f"not an RSA key ({type(key).__name__})"
    raise ConnectorError("bad_key", {"platform": platform, "field": field, "detail": detail})


def sign(private_key, message):
    """Base64 of the SHA256withRSA signature of ``message`` (bytes or text, UTF-8)."""
    if isinstance(message, str):
        message = message.encode("utf-8")
    return base64.b64encode(private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def verify(public_key, message, signature):
    """Whether ``signature`` (base64) is the SHA256withRSA signature of ``message``."""
    if isinstance(message, str):
        message = message.encode("utf-8")
    try:
        raw = base64.b64decode(signature or "", validate=True)
        public_key.verify(raw, message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
