"""Encryption of personal data at rest, key rotation, and the blind index."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from stegvis.core import crypto

SWEDISH = "Åsa Öberg-Ärlig, Storgatan 5, 123 45 Växjö – ”så här” ÅÄÖåäö"


@pytest.fixture
def keys(settings):
    """A fresh key pair, newest first, so that no test depends on the shipped test key."""
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    return new, old


def test_roundtrip_keeps_swedish_characters(keys):
    token = crypto.encrypt(SWEDISH)
    assert crypto.decrypt(token) == SWEDISH


def test_roundtrip_of_an_empty_string(keys):
    assert crypto.decrypt(crypto.encrypt("")) == ""


def test_ciphertext_hides_the_plaintext_and_differs_each_time(keys):
    first = crypto.encrypt(SWEDISH)
    second = crypto.encrypt(SWEDISH)
    assert first != SWEDISH
    assert "Öberg" not in first
    assert "Storgatan" not in first
    assert first != second
    assert crypto.decrypt(first) == crypto.decrypt(second) == SWEDISH


def test_an_old_token_decrypts_after_a_new_key_is_put_in_front(keys, settings):
    new, old = keys
    token = crypto.encrypt(SWEDISH)  # with [old]

    settings.ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt(token) == SWEDISH

    settings.ENCRYPTION_KEYS = [new]
    with pytest.raises(ValueError, match="cannot be decrypted"):
        crypto.decrypt(token)


def test_rotate_re_encrypts_with_the_newest_key(keys, settings):
    new, old = keys
    token = crypto.encrypt(SWEDISH)  # with [old]

    settings.ENCRYPTION_KEYS = [new, old]
    rotated = crypto.rotate(token)
    assert rotated != token

    settings.ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == SWEDISH
    settings.ENCRYPTION_KEYS = [old]
    with pytest.raises(ValueError):
        crypto.decrypt(rotated)


def test_new_values_are_encrypted_with_the_first_key(keys, settings):
    new, old = keys
    settings.ENCRYPTION_KEYS = [new, old]
    token = crypto.encrypt(SWEDISH)
    settings.ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(token) == SWEDISH


def test_an_unrelated_key_cannot_decrypt(keys, settings):
    token = crypto.encrypt(SWEDISH)
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ValueError, match="cannot be decrypted"):
        crypto.decrypt(token)


def test_a_tampered_token_cannot_be_decrypted(keys):
    token = crypto.encrypt(SWEDISH)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(ValueError):
        crypto.decrypt(tampered)


def test_no_keys_configured_is_an_error(settings):
    settings.ENCRYPTION_KEYS = []
    with pytest.raises(RuntimeError, match="STEGVIS_ENCRYPTION_KEYS"):
        crypto.encrypt(SWEDISH)


# --- Blind index ----------------------------------------------------------------------------


@pytest.fixture
def index_key(settings):
    settings.BLIND_INDEX_KEY = "k" * 48
    return settings


def test_blind_index_is_deterministic(index_key):
    first = crypto.blind_index("19121212-1212", scope="provider-1")
    assert first == crypto.blind_index("19121212-1212", scope="provider-1")
    assert len(first) == 64
    assert int(first, 16) >= 0  # hexadecimal
    assert "19121212" not in first


def test_blind_index_differs_by_value(index_key):
    assert crypto.blind_index("19121212-1212", scope="p") != crypto.blind_index(
        "19121212-1213", scope="p"
    )


def test_blind_index_differs_by_scope(index_key):
    assert crypto.blind_index("19121212-1212", scope="provider-1") != crypto.blind_index(
        "19121212-1212", scope="provider-2"
    )


def test_blind_index_scope_and_value_cannot_be_shifted_into_each_other(index_key):
    # Without the separator, ("ab", "c") and ("a", "bc") would hash the same input.
    assert crypto.blind_index("c", scope="ab") != crypto.blind_index("bc", scope="a")


def test_blind_index_differs_by_key(settings):
    settings.BLIND_INDEX_KEY = "k" * 48
    first = crypto.blind_index("19121212-1212", scope="provider-1")
    settings.BLIND_INDEX_KEY = "m" * 48
    second = crypto.blind_index("19121212-1212", scope="provider-1")
    assert first != second
