"""Rate limits for pages that anyone may reach (token links, public forms), and secret tokens.

``allow(scope, value, limit=…, window=…)`` counts one attempt and says whether it is within the
limit. Counts live in the database (``Throttle``), so every web worker sees the same numbers; the
key is an HMAC of scope and value, so no address or token is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from stegvis.core.models import Throttle

# Rows older than this are deleted as new attempts arrive; no window may be longer.
RETENTION = timedelta(days=1)


def new_token() -> tuple[str, str]:
    """A fresh secret for a link (256 random bits, URL-safe) and the hash to store instead."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """What is stored of a link's secret: its SHA-256, so that a leaked table opens no link."""
    return hashlib.sha256(token.encode()).hexdigest()


def client_address(request: HttpRequest) -> str:
    """The caller's address as django-axes resolves it (honouring AXES_IPWARE_PROXY_COUNT)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or ""


def _key(scope: str, value: str) -> str:
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"{scope}\x00{value}".encode(), hashlib.sha256).hexdigest()


def _window_start(now: datetime, window: timedelta) -> datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def allow(
    scope: str, value: str, *, limit: int, window: timedelta, now: datetime | None = None
) -> bool:
    """Count one attempt for ``value`` in ``scope``; True while at most ``limit`` in the window.

    Windows are fixed (aligned to the epoch), at least one second and at most a day.
    """
    if not timedelta(seconds=1) <= window <= RETENTION:
        raise ValueError("window must be between one second and one day")
    now = now or timezone.now()
    key = _key(scope, value)
    start = _window_start(now, window)
    with transaction.atomic():
        Throttle.objects.filter(window_start__lt=now - RETENTION).delete()
        updated = Throttle.objects.filter(key=key, window_start=start).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    Throttle.objects.create(key=key, window_start=start, count=1)
            except IntegrityError:  # another request created it first
                Throttle.objects.filter(key=key, window_start=start).update(count=F("count") + 1)
        count = Throttle.objects.filter(key=key, window_start=start).values_list(
            "count", flat=True
        )[0]
    return count <= limit
