"""Every page a generated user can reach, timed: a breadth-first walk from each role's start
page through the test client, following the links of every HTML page (GET only; log-out,
admin, static files and PDFs left out), a few pages of each URL name. It found the 46-s
progression figures page (docs/performance.md, finding 16), which no operation of scale.md
covers. Only the generator's accounts (``@bench.example``) are used, so it never acts as a real
user; reads are audit-logged in their names, as for any page view."""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

from stegvis.core.actors import SESSION_KEY
from stegvis.core.models import Role, RoleAssignment

from .accounts import EMAIL_DOMAIN

HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = re.compile(r"logga-ut|/admin/|/static/|/media/|\.pdf|/pdf/")


@dataclass(frozen=True)
class Page:
    role: str
    name: str  # namespace:url_name, with "?" when the address has a query string
    url: str
    status: int
    ms: float
    queries: int


def client_for(assignment: RoleAssignment) -> Client:
    """A test client logged in as the assignment's user in that role (two factors confirmed)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(assignment.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_KEY] = str(assignment.public_id)
    device = TOTPDevice.objects.filter(user=assignment.user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _name(url: str) -> str | None:
    try:
        match = resolve(url.split("?")[0])
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}" + ("?" if "?" in url else "")


def crawl_role(assignment: RoleAssignment, *, per_name: int = 3, limit: int = 300) -> list[Page]:
    """The pages reachable from ``/`` for one role, ``per_name`` of each URL name at most."""
    client = client_for(assignment)
    taken: Counter[str] = Counter()
    seen: set[str] = set()
    queue = ["/"]
    pages: list[Page] = []
    while queue and len(pages) < limit:
        url = queue.pop(0)
        if url in seen or SKIP.search(url):
            continue
        seen.add(url)
        name = _name(url)
        if name is None or taken[name] >= per_name:
            continue
        taken[name] += 1
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        ms = (time.perf_counter() - start) * 1000
        count = len(queries.captured_queries)
        pages.append(Page(assignment.role, name, url, response.status_code, ms, count))
        if response.status_code in (301, 302):
            queue.append(response.headers.get("Location", ""))
        elif response.status_code == 200 and "html" in response.headers.get("Content-Type", ""):
            queue.extend(h.replace("&amp;", "&") for h in HREF.findall(response.content.decode()))
    return pages


def crawl(*, per_name: int = 3, limit: int = 300) -> list[Page]:
    """Every role that has a generated account: its first one, slowest pages first."""
    pages: list[Page] = []
    for role in Role:
        assignment = (
            RoleAssignment.objects.filter(role=role, user__email__endswith=f"@{EMAIL_DOMAIN}")
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if assignment is not None:
            pages += crawl_role(assignment, per_name=per_name, limit=limit)
    return sorted(pages, key=lambda p: -p.ms)
