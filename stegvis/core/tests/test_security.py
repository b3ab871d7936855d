"""Security bars: production secrets, headers, CSRF, error pages, session timeout, formats."""

from __future__ import annotations

import os
import re
import secrets
import string
import subprocess
import sys
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import formats, translation

from stegvis.core.templatetags.stegvis import kr, number, percent
from stegvis.core.tests.personas import act_as
from stegvis.core.views.errors import server_error

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# --- Production refuses to start without its secrets ------------------------------------------


def _random(length: int) -> str:
    alphabet = string.ascii_letters + string.digits + "!#%&()*+-./:;<=>?@[]^_{|}~"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _start_production(**extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DJANGO_ENV",
            "DATABASE_URL",
            "SECRET_KEY",
            "STEGVIS_ENCRYPTION_KEYS",
            "STEGVIS_BLIND_INDEX_KEY",
            "ALLOWED_HOSTS",
            "DEBUG",
        }
    }
    env.update({"DJANGO_ENV": "production", "DJANGO_SETTINGS_MODULE": "stegvis.settings", **extra})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _start_production()
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _start_production(SECRET_KEY=_random(20))
    assert result.returncode != 0
    assert "SECRET_KEY must be a random value of at least 50 characters" in result.stderr


def test_production_refuses_to_start_without_encryption_keys():
    result = _start_production(SECRET_KEY=_random(60))
    assert result.returncode != 0
    assert "STEGVIS_ENCRYPTION_KEYS must be set in production" in result.stderr


def test_production_refuses_to_start_without_blind_index_key():
    result = _start_production(
        SECRET_KEY=_random(60), STEGVIS_ENCRYPTION_KEYS=Fernet.generate_key().decode()
    )
    assert result.returncode != 0
    assert "STEGVIS_BLIND_INDEX_KEY must be set in production" in result.stderr


def test_production_refuses_debug():
    result = _start_production(
        SECRET_KEY=_random(60),
        STEGVIS_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        STEGVIS_BLIND_INDEX_KEY=_random(48),
        ALLOWED_HOSTS="stegvis.example",
        DEBUG="true",
    )
    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


def test_production_starts_with_all_its_secrets():
    result = _start_production(
        SECRET_KEY=_random(60),
        STEGVIS_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        STEGVIS_BLIND_INDEX_KEY=_random(48),
        ALLOWED_HOSTS="stegvis.example",
    )
    assert result.returncode == 0, result.stderr


# --- Response headers and the page markup -----------------------------------------------------


def test_security_headers_on_a_logged_in_page(as_persona, world):
    response = as_persona("alice").get(world.a.get_absolute_url())
    assert response.status_code == 200

    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_csp_nonce_is_the_one_on_the_script_tag(as_persona, world):
    response = as_persona("alice").get(world.a.get_absolute_url())
    match = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert match is not None
    nonce = match.group(1)
    assert f'nonce="{nonce}"' in response.content.decode()


def test_the_login_page_has_no_inline_script_or_style(client, db):
    response = client.get(reverse("core:login"))
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html, re.IGNORECASE)
    assert scripts, "the page loads its scripts from files"
    assert [tag for tag in scripts if not re.search(r"\ssrc\s*=", tag)] == []
    bodies = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.IGNORECASE | re.DOTALL)
    assert len(bodies) == len(scripts)
    assert [body for body in bodies if body.strip()] == []  # nothing between the tags
    assert re.search(r"\sstyle\s*=", html, re.IGNORECASE) is None
    assert re.search(r"<style\b", html, re.IGNORECASE) is None
    assert re.search(r"\son[a-z]+\s*=", html, re.IGNORECASE) is None  # no onclick= etc.


# --- CSRF -----------------------------------------------------------------------------------


def test_a_form_post_without_csrf_token_is_refused_in_swedish(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("core:login"), {"username": "alice@test.example", "password": "x" * 20}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Formuläret har gått ut" in html
    assert "CSRF" not in html


def test_a_logged_in_post_without_csrf_token_is_refused(world):
    client = act_as(Client(enforce_csrf_checks=True), world, "alice")
    response = client.post(reverse("core:logout"))
    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.content.decode()


# --- Error pages ----------------------------------------------------------------------------


@pytest.fixture
def no_debug(settings):
    settings.DEBUG = False
    return settings


def test_an_unknown_association_is_a_swedish_404(no_debug, as_persona):
    response = as_persona("alice").get("/a/finns-inte/")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()


def test_another_associations_page_is_a_404_that_reveals_nothing(no_debug, as_persona, world):
    response = as_persona("alice").get(world.b.get_absolute_url())
    assert response.status_code == 404
    html = response.content.decode()
    assert "Sidan finns inte" in html
    assert "Förbund B" not in html
    assert "forbund-b" not in html
    # Exactly the page an association that does not exist gives.
    unknown = as_persona("alice").get("/a/finns-inte/")
    assert html == unknown.content.decode()


def test_a_coach_on_an_association_page_gets_404(no_debug, as_persona, world):
    response = as_persona("bob").get(world.a.get_absolute_url())
    assert response.status_code == 404
    html = response.content.decode()
    assert "Sidan finns inte" in html
    assert "Förbund A" not in html


def test_a_board_member_on_the_member_form_gets_a_swedish_403(no_debug, as_persona):
    url = reverse("core:association_member_add", kwargs={"association": "forbund-a"})
    response = as_persona("carol").get(url)
    assert response.status_code == 403
    assert "Åtkomst nekad" in response.content.decode()


def test_a_server_error_is_a_swedish_500():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Tekniskt fel" in html
    assert "Traceback" not in html


# --- Session timeout ------------------------------------------------------------------------


def _login_redirect(path: str) -> str:
    return f"{reverse('core:login')}?{urlencode({'next': path})}"


def test_an_idle_session_is_logged_out(as_persona, world):
    url = world.a.get_absolute_url()
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=STOCKHOLM), tick=False) as clock:
        client = as_persona("alice")
        assert client.get(url).status_code == 200

        clock.shift(timedelta(minutes=29))
        assert client.get(url).status_code == 200

        clock.shift(timedelta(minutes=31))
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == _login_redirect(url)
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            "Du har loggats ut eftersom sessionen var inaktiv för länge."
        ]

        # Logged out for good, not just for that one request.
        again = client.get(url)
        assert again.status_code == 302
        assert again["Location"] == _login_redirect(url)
        assert "_auth_user_id" not in client.session


def test_a_session_ends_after_its_absolute_lifetime(as_persona, world):
    url = world.a.get_absolute_url()
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=STOCKHOLM), tick=False) as clock:
        client = as_persona("alice")
        assert client.get(url).status_code == 200
        for _ in range(30):  # every 20 minutes, up to exactly 10 hours
            clock.shift(timedelta(minutes=20))
            assert client.get(url).status_code == 200

        clock.shift(timedelta(minutes=1))
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == _login_redirect(url)
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            "Du har loggats ut eftersom sessionen nått sin längsta tid."
        ]


def test_session_timeout_settings():
    assert timedelta(minutes=30) == settings.SESSION_IDLE_TIMEOUT
    assert timedelta(hours=10) == settings.SESSION_ABSOLUTE_LIFETIME


# --- Swedish number and date formats ----------------------------------------------------------


def test_kronor_in_swedish():
    with translation.override("sv"):
        assert kr(1234567) == "1\u00a0234\u00a0567\u00a0kr"
        assert kr(999) == "999\u00a0kr"
        assert kr(None) == "–"


def test_percent_in_swedish():
    with translation.override("sv"):
        assert percent(12.5) == "12,5\u00a0%"
        assert percent(100) == "100,0\u00a0%"


def test_number_in_swedish():
    with translation.override("sv"):
        assert number(1234567) == "1\u00a0234\u00a0567"


def test_dates_in_swedish():
    with translation.override("sv"):
        assert formats.date_format(date(2026, 11, 22), "SHORT_DATE_FORMAT") == "2026-11-22"
        assert formats.date_format(date(2026, 11, 22)) == "2026-11-22"


def test_every_static_file_the_base_template_links_is_found():
    """A page without its stylesheet fails nobody's assertions but every user's eyes."""
    import re as _re

    from django.contrib.staticfiles import finders
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.csp_nonce = "test"
    html = render_to_string("base.html", request=request)
    paths = _re.findall(r'(?:href|src)="/static/([^"]+)"', html)
    assert {"css/stegvis.css", "vendor/htmx-2.0.4.min.js"} <= set(paths)
    missing = [p for p in paths if finders.find(p) is None]
    assert not missing


def test_attach_errors_puts_each_service_error_where_the_user_can_act_on_it():
    from django import forms as djforms
    from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

    from stegvis.core.forms import attach_errors

    class Form(djforms.Form):
        name = djforms.CharField(required=False)
        locked = djforms.CharField(required=False, disabled=True)

    form = Form(data={"name": "x"})
    assert form.is_valid()
    attach_errors(
        form,
        ValidationError(
            {
                "name": "Fel namn.",
                "locked": "Kan inte ändras.",
                "unknown": "Okänt fält.",
                NON_FIELD_ERRORS: "Allmänt fel.",
            }
        ),
    )
    assert form.errors["name"] == ["Fel namn."]
    assert "locked" not in form.errors
    assert form.non_field_errors() == ["Kan inte ändras.", "Okänt fält.", "Allmänt fel."]
    plain = Form(data={})
    assert plain.is_valid()
    attach_errors(plain, ValidationError("Hela formuläret."))
    assert plain.non_field_errors() == ["Hela formuläret."]
