"""Encryption of personal data at rest, and the blind index for exact look-up.

Keys come from settings (the environment). ``ENCRYPTION_KEYS`` is a list of Fernet keys, newest
first: new values are encrypted with the first, and any of them decrypts, so a key is rotated by
prepending a new one and running :func:`rotate` over the stored values.
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet() -> MultiFernet:
    keys = settings.ENCRYPTION_KEYS
    if not keys:
        raise RuntimeError("STEGVIS_ENCRYPTION_KEYS is empty")
    return _fernet_for(tuple(keys))


@functools.lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    """One MultiFernet per key list (a list page decrypts a name per row; the keys are parsed
    once, and a changed setting, as in tests that rotate keys, gets its own)."""
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("value cannot be decrypted with any configured key") from exc


def rotate(token: str) -> str:
    """Re-encrypt a stored value with the newest key."""
    return _fernet().rotate(token.encode()).decode()


def blind_index(value: str, *, scope: str) -> str:
    """A keyed hash of ``value`` for exact look-up inside ``scope`` (e.g. one provider).

    The scope is part of the input, so the same number gives unrelated hashes at two providers and
    no provider's index can be matched against another's.
    """
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{scope}\x00{value}".encode(), hashlib.sha256).hexdigest()
