"""The participant's public page: one-time link, stop and continue, expiry, guesses limited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from stegvis.core import throttle
from stegvis.core.models import AuditEvent
from stegvis.progression import services
from stegvis.progression.models import Answer, SelfAssessmentLink
from stegvis.progression.tests.conftest import actor_of, enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(world, steg, instruments):
    enrolment = enrol(steg)
    bob = actor_of(world, "bob")
    measurement = services.create_measurement(
        bob,
        enrolment,
        occasion="start",
        day=date.today(),
        instruments=[instruments["health"], instruments["ladder"]],
    )
    obj, token = services.create_link(bob, measurement)
    return obj, token, reverse("progression:self_assessment", args=[token])


def test_the_token_is_long_and_only_its_hash_is_stored(link):
    obj, token, _url = link
    assert len(token) >= 43  # 256 bits in URL-safe base64
    assert obj.token_hash == throttle.hash_token(token)
    assert token not in obj.token_hash
    assert obj.expires_at - obj.created_at == timedelta(days=14)


def test_answer_stop_continue_and_submit(link, world):
    obj, _token, url = link
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("no-store")
    body = page.content.decode()
    assert "Fråga 1 av 2" in body and "Hur mår du i dag?" in body
    # No identity on the page, and no coach question (the ladder is the coach's).
    assert obj.measurement.enrolment.participant.reserve_id not in body
    assert "Vilket steg" not in body
    # Out of the scale: a clear message, the typed value kept, nothing saved.
    page = client.post(url, {"fraga": 0, "svar": "140", "action": "svara"})
    assert "Svaret ska vara ett heltal från 0 till 100." in page.content.decode()
    assert 'value="140"' in page.content.decode()
    assert Answer.objects.count() == 0
    page = client.post(url, {"fraga": 0, "svar": "65", "action": "svara"})
    assert page.status_code == 302 and page["Location"].endswith("?fraga=1")
    # Stop: the page says the answers are kept; opening again continues at question 2.
    page = client.post(url, {"fraga": 1, "action": "pausa"})
    assert "Dina svar är sparade" in page.content.decode()
    page = Client().get(url)
    assert "Fråga 2 av 2" in page.content.decode()
    client.post(url, {"fraga": 1, "svar": "7", "action": "svara"})
    page = client.get(url)
    assert "Du har svarat på 2 av 2 frågor." in page.content.decode()
    page = client.post(url, {"fraga": 2, "action": "skicka"})
    assert "Tack för dina svar!" in page.content.decode()
    assert dict(Answer.objects.values_list("item__key", "value")) == {
        "halsa_vas": 65,
        "livskvalitet": 7,
    }
    assert set(Answer.objects.values_list("by", flat=True)) == {"participant"}
    obj.refresh_from_db()
    assert obj.submitted_at is not None
    assert (
        AuditEvent.objects.filter(
            action="selfassessment.answer",
            unit=world.p,
            participant_ref=obj.measurement.enrolment.participant.public_id,
        ).count()
        == 2
    )
    # Used twice: refused, and the answers stay.
    page = Client().get(url)
    assert page.status_code == 410
    assert "redan skickat in" in page.content.decode()
    page = Client().post(url, {"fraga": 0, "svar": "1", "action": "svara"})
    assert page.status_code == 410
    assert Answer.objects.get(item__key="halsa_vas").value == 65


def test_a_half_finished_link_expires_after_14_days_keeping_the_answers(link):
    obj, _token, url = link
    Client().post(url, {"fraga": 0, "svar": "40", "action": "svara"})
    with time_machine.travel(obj.created_at + timedelta(days=14, minutes=1)):
        page = Client().get(url)
    assert page.status_code == 410
    assert "Svar du redan har gett är sparade" in page.content.decode()
    assert Answer.objects.get().value == 40


def test_a_new_link_replaces_the_old(link, world):
    obj, _token, url = link
    _new, new_token = services.create_link(actor_of(world, "bob"), obj.measurement)
    assert Client().get(url).status_code == 410
    assert Client().get(reverse("progression:self_assessment", args=[new_token])).status_code == 200
    assert SelfAssessmentLink.objects.filter(revoked_at__isnull=True).count() == 1


def test_guessing_is_rate_limited(db):
    client = Client()
    url = reverse("progression:self_assessment", args=["gissning-" + "x" * 40])
    statuses = [client.get(url).status_code for _ in range(22)]
    assert statuses[:20] == [404] * 20
    assert statuses[-1] == 429
