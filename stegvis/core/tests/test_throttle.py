"""Rate limits and link secrets (stegvis.core.throttle)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import RequestFactory

from stegvis.core.models import Throttle
from stegvis.core.throttle import allow, client_address, hash_token, new_token

MINUTE = timedelta(minutes=1)
T0 = datetime(2026, 11, 27, 10, 0, 5, tzinfo=UTC)


def test_a_new_token_is_long_random_and_stored_only_as_its_hash():
    token, token_hash = new_token()
    other, _ = new_token()
    assert len(token) >= 43  # 32 bytes in URL-safe base64: 256 bits
    assert token != other
    assert token_hash == hash_token(token)
    assert token not in token_hash


@pytest.mark.django_db
def test_allows_up_to_the_limit_then_refuses_within_the_window():
    results = [allow("länk", "10.0.0.1", limit=3, window=MINUTE, now=T0) for _ in range(5)]
    assert results == [True, True, True, False, False]


@pytest.mark.django_db
def test_a_new_window_starts_a_new_count():
    for _ in range(3):
        allow("länk", "10.0.0.1", limit=3, window=MINUTE, now=T0)
    assert not allow("länk", "10.0.0.1", limit=3, window=MINUTE, now=T0 + timedelta(seconds=50))
    assert allow("länk", "10.0.0.1", limit=3, window=MINUTE, now=T0 + timedelta(seconds=56))


@pytest.mark.django_db
def test_scopes_and_values_are_counted_apart_and_nothing_readable_is_stored():
    assert allow("länk", "10.0.0.1", limit=1, window=MINUTE, now=T0)
    assert allow("länk", "10.0.0.2", limit=1, window=MINUTE, now=T0)
    assert allow("anmälan", "10.0.0.1", limit=1, window=MINUTE, now=T0)
    assert not allow("länk", "10.0.0.1", limit=1, window=MINUTE, now=T0)
    keys = list(Throttle.objects.values_list("key", flat=True))
    assert len(keys) == 3
    assert not any("10.0.0" in key or "länk" in key for key in keys)


@pytest.mark.django_db
def test_rows_of_past_windows_are_purged():
    allow("länk", "10.0.0.1", limit=5, window=MINUTE, now=T0)
    allow("länk", "10.0.0.2", limit=5, window=MINUTE, now=T0 + timedelta(days=2))
    assert Throttle.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("window", [timedelta(0), timedelta(days=2)])
def test_a_window_outside_a_second_to_a_day_is_a_programming_error(window):
    with pytest.raises(ValueError):
        allow("länk", "x", limit=1, window=window)


def test_client_address_is_the_remote_address_without_a_proxy():
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    assert client_address(request) == "192.0.2.7"
