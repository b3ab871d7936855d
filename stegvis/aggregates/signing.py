"""Ed25519 signing of packages, and the signed file format.

The signed bytes are the document's canonical JSON: keys sorted, no spaces, UTF-8. The file is::

    {"format": "stegvis-aggregate-package-file", "package": {…document…},
     "signature": {"algorithm": "Ed25519", "key_id": "…16 hex…", "value": "…base64…"}}
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FILE_FORMAT = "stegvis-aggregate-package-file"


def canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def new_key_pair() -> tuple[str, str]:
    """A fresh key pair as (private key, public key), both base64 of the raw 32 bytes."""
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode(), base64.b64encode(public).decode()


def key_id(public_key: str) -> str:
    """The public key's short fingerprint: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:16]


def public_key_is_valid(public_key: str) -> bool:
    try:
        raw = base64.b64decode(public_key.strip(), validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return False
    return True


def sign(private_key: str, document: dict[str, Any]) -> str:
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key))
    return base64.b64encode(private.sign(canonical(document))).decode()


def verify(public_key: str, document: dict[str, Any], signature: str) -> bool:
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
        public.verify(base64.b64decode(signature, validate=True), canonical(document))
    except (InvalidSignature, ValueError):
        return False
    return True


def envelope(document: dict[str, Any], *, key: str, signature: str) -> dict[str, Any]:
    return {
        "format": FILE_FORMAT,
        "package": document,
        "signature": {"algorithm": "Ed25519", "key_id": key, "value": signature},
    }


def to_bytes(signed: dict[str, Any]) -> bytes:
    return json.dumps(signed, ensure_ascii=False, indent=1, sort_keys=True).encode()
