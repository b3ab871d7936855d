"""Load test: office staff and coaches on generated data (``make loadtest``).

Each simulated user logs in once as its own generated account (coaches and provider managers with
a TOTP code computed from the seeded secret, see ``generator.bench_totp_key``) and then browses
as that role would. Run headless against gunicorn on 127.0.0.1; production settings with
``BEHIND_TLS_PROXY=1``: every request says ``X-Forwarded-Proto: https`` as the TLS proxy would,
and the secure cookies are replayed over the local plain-HTTP hop.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
from typing import Any

from django_otp.oath import totp
from locust import HttpUser, between, events, task

from stegvis.bench.accounts import EMAIL_DOMAIN, PASSWORD, bench_totp_key

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PARTICIPANT = re.compile(r'href="(/p/[0-9a-f-]+/deltagare/[0-9a-f-]{36}/)"')
PROGRESS = re.compile(r'href="(/p/[0-9a-f-]+/stegforflyttning/inskrivning/[0-9a-f-]{36}/)"')
FIGURES = re.compile(r'href="(/p/[0-9a-f-]+/stegforflyttning/insats/[0-9a-f-]{36}/)"')
ASSOCIATIONS = int(os.environ.get("BENCH_ASSOCIATIONS", "2"))
LAST_YEAR = int(os.environ.get("BENCH_YEAR", "2025"))  # the generator's last year
PROVIDERS = int(os.environ.get("BENCH_PROVIDERS", "5"))
HEADERS = {"X-Forwarded-Proto": "https"}

_accounts = itertools.count()
_lock = threading.Lock()
# Every request's time by kind, written out at the end (LOADTEST_TIMES) so that the report can give
# the pages' percentiles apart from the log-ins, whose argon2 hashing is slow on purpose.
LOG_IN = ("login", "two-factor")
_times: dict[str, list[float]] = {"pages": [], "log-in": []}


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any = None, **_kwargs: Any) -> None:
    if exception is None:
        kind = "log-in" if name.split(" ")[0] in LOG_IN else "pages"
        _times[kind].append(response_time)


@events.quitting.add_listener
def _write_times(**_kwargs: Any) -> None:
    path = os.environ.get("LOADTEST_TIMES")
    if path:
        with open(path, "w") as f:
            json.dump(_times, f)


def next_account() -> int:
    with _lock:
        return next(_accounts)


class Base(HttpUser):
    abstract = True
    wait_time = between(1, 4)

    def request(self, method: str, url: str, name: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("headers", HEADERS)
        response = self.client.request(method, url, name=name or url, **kwargs)
        # The cookies are marked Secure (production); replay them over the plain local hop.
        jar: Any = self.client.cookies
        for cookie in list(jar):
            if cookie.secure:
                self.client.cookies.set(cookie.name, cookie.value, domain="", path=cookie.path)
        return response

    def post_form(self, url: str, data: dict[str, str], name: str) -> str:
        page = self.request("GET", url, name=name)
        token = CSRF.search(page.text)
        data = {**data, "csrfmiddlewaretoken": token.group(1) if token else ""}
        secure_host = str(self.host).replace("http://", "https://", 1)
        headers = {**HEADERS, "Referer": f"{secure_host}{url}"}
        return self.request("POST", url, name=name + " POST", data=data, headers=headers).text

    def log_in(self, email: str, totp_key: str | None) -> None:
        self.post_form("/logga-in/", {"username": email, "password": PASSWORD}, "login")
        if totp_key is not None:
            code = f"{totp(bytes.fromhex(totp_key)):06d}"
            self.post_form("/logga-in/kod/", {"token": code}, "two-factor")


class Office(Base):
    """The association's office: home, members, received packages, national figures, the
    annual report of the last generated year and the operating plan's follow-up."""

    weight = 1

    def on_start(self) -> None:
        n = next_account() % ASSOCIATIONS + 1
        self.slug = f"bench-{n:02d}"
        self.log_in(f"kansli{n}@{EMAIL_DOMAIN}", None)
        plans = self.request("GET", f"/a/{self.slug}/verksamhetsplan/", name="office: plans")
        found = re.findall(rf"/a/{self.slug}/verksamhetsplan/([0-9a-f-]{{36}})/", plans.text)
        self.plan = found[0] if found else None

    @task(1)
    def annual_report(self) -> None:
        self.request(
            "GET",
            f"/a/{self.slug}/verksamhetsberattelse/?ar={LAST_YEAR}",
            name="office: annual report",
        )

    @task(1)
    def plan_follow_up(self) -> None:
        if self.plan is not None:
            self.request(
                "GET",
                f"/a/{self.slug}/verksamhetsplan/{self.plan}/uppfoljning/",
                name="office: plan follow-up",
            )

    @task(3)
    def home(self) -> None:
        self.request("GET", f"/a/{self.slug}/", name="office: home")

    @task(2)
    def packages(self) -> None:
        self.request("GET", f"/a/{self.slug}/paket/", name="office: packages")

    @task(2)
    def national(self) -> None:
        self.request("GET", f"/a/{self.slug}/paket/nationell/", name="office: national")

    @task(1)
    def members(self) -> None:
        self.request("GET", f"/a/{self.slug}/medlemmar/", name="office: members")


class Coach(Base):
    """A coach at a provider: the participant list, a participant, follow-ups, the work list,
    a participant's progression and the figures of their intervention."""

    weight = 3

    def on_start(self) -> None:
        n = next_account()
        a = n % ASSOCIATIONS + 1
        p = (n // ASSOCIATIONS) % PROVIDERS + 1
        k = (n // (ASSOCIATIONS * PROVIDERS)) % 2 + 1
        email = f"coach{a}-{p}-{k}@{EMAIL_DOMAIN}"
        self.log_in(email, bench_totp_key(email))
        home = self.request("GET", "/", name="coach: home")
        found = re.search(r"(/p/[0-9a-f-]{36}/)", home.url + home.text)
        self.base = found.group(1) if found else "/"
        self.people: list[str] = []
        self.progress: list[str] = []

    @task(4)
    def participants(self) -> None:
        page = self.request("GET", self.base + "deltagare/", name="coach: participant list")
        self.people = PARTICIPANT.findall(page.text)[:20]

    @task(4)
    def participant(self) -> None:
        if self.people:
            self.request("GET", random.choice(self.people), name="coach: participant")

    @task(2)
    def follow_ups(self) -> None:
        self.request("GET", self.base + "uppfoljningar/", name="coach: follow-ups")

    @task(2)
    def work_list(self) -> None:
        page = self.request("GET", self.base + "stegforflyttning/", name="coach: work list")
        self.progress = PROGRESS.findall(page.text)[:20]

    @task(1)
    def progression(self) -> None:
        """A participant's progression, then the figures of their intervention (the page
        that took 46 s before finding 16)."""
        if not self.progress:
            return
        page = self.request("GET", random.choice(self.progress), name="coach: progression")
        found = FIGURES.search(page.text)
        if found:
            self.request("GET", found.group(1), name="coach: intervention figures")

    @task(1)
    def referrals(self) -> None:
        self.request("GET", self.base + "remisser/", name="coach: referrals")
