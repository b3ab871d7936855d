"""At a phone-sized viewport: the coach creates a self-assessment link, the participant answers
on their phone (stopping once and continuing with the same link), and the coach sees the change
chart. axe runs on every page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from stegvis.core.models import AuditEvent
from stegvis.core.tests.browser import assert_accessible, sign_in
from stegvis.progression import services
from stegvis.progression.models import Answer, Measurement
from stegvis.progression.tests.conftest import actor_of, enrol, measure
from stegvis.progression.tests.factories import answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_coach_link_participant_answers_on_a_phone_coach_sees_change(
    page: Page, live_server, world, steg, instruments
):
    base = live_server.url
    page.set_viewport_size(PHONE)
    TOTPDevice.objects.create(user=world["bob"], name="app", confirmed=True)
    services.save_plan(
        actor_of(world, "petra"),
        steg,
        instruments=[instruments["health"]],
        at_start=True,
        interval_weeks=12,
        at_exit=True,
        at_follow_up=True,
    )
    today = date.today()
    enrolment = enrol(steg, start=today - timedelta(days=100))
    first = measure(enrolment, today - timedelta(days=90), "start")
    answers(first, instruments["health"], {"halsa_vas": 40, "livskvalitet": 4})

    # The coach finds the measurement due in the work list and creates it.
    sign_in(page, base, world["bob"])
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Stegförflyttning"
    ).click()
    assert_accessible(page)
    expect(page.get_by_text("Under insatsen")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"\d{4}-\d{2}-\d{2}")).click()
    assert_accessible(page)
    page.get_by_role("link", name="Ny mätning").click()
    assert_accessible(page)
    page.get_by_role("button", name="Skapa mätning").click()
    expect(page.get_by_text("Mätningen är skapad.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Skapa länk och QR-kod").click()
    expect(page.get_by_role("img", name="QR-kod som öppnar självskattningen")).to_be_visible()
    assert_accessible(page)
    link = page.locator(".link-box a").get_attribute("href")
    assert link and "/s/" in link

    # The participant, on their own phone: no account, no name on the page.
    phone = page.context.browser.new_context(viewport=PHONE).new_page()
    phone.goto(link)
    expect(phone.get_by_text("Fråga 1 av 2")).to_be_visible()
    expect(phone.locator("body")).not_to_contain_text(enrolment.participant.reserve_id)
    assert_accessible(phone)
    answer = phone.get_by_label(re.compile("Hur mår du i dag"))
    answer.fill("140")
    phone.get_by_role("button", name="Spara och gå vidare").click()
    expect(phone.get_by_role("alert")).to_contain_text("heltal från 0 till 100")
    assert_accessible(phone)
    phone.get_by_label(re.compile("Hur mår du i dag")).fill("65")
    phone.get_by_role("button", name="Spara och gå vidare").click()
    expect(phone.get_by_text("Fråga 2 av 2")).to_be_visible()
    # Stop here, and come back later with the same link.
    phone.get_by_role("button", name="Fortsätt senare").click()
    expect(phone.get_by_role("heading", name="Dina svar är sparade")).to_be_visible()
    assert_accessible(phone)
    phone.context.close()
    later = page.context.browser.new_context(viewport=PHONE).new_page()
    later.goto(link)
    expect(later.get_by_text("Fråga 2 av 2")).to_be_visible()
    later.get_by_label(re.compile("7")).check()
    later.get_by_role("button", name="Spara och gå vidare").click()
    expect(later.get_by_text("Du har svarat på 2 av 2 frågor.")).to_be_visible()
    assert_accessible(later)
    later.get_by_role("button", name="Skicka in").click()
    expect(later.get_by_role("heading", name="Tack för dina svar!")).to_be_visible()
    later.goto(link)
    expect(later.get_by_text("Länken kan bara användas en gång.")).to_be_visible()
    later.context.close()

    # The coach sees the change: a table and the chart beside it.
    page.get_by_role("link", name="Tillbaka till mätningen").click()
    expect(page.get_by_text("Deltagaren har skickat in sina svar.")).to_be_visible()
    page.get_by_role("link", name="Till deltagarens stegförflyttning").click()
    expect(page.get_by_role("img", name=re.compile("^Stapeldiagram"))).to_be_visible()
    table = page.get_by_role("table").nth(1)
    expect(table).to_contain_text("+25")  # health 40 → 65
    expect(table).to_contain_text("+3")  # life 4 → 7
    assert_accessible(page)

    latest = Measurement.objects.exclude(pk=first.pk).get()
    assert set(Answer.objects.filter(measurement=latest).values_list("by", flat=True)) == {
        "participant"
    }
    assert AuditEvent.objects.filter(
        action="selfassessment.submit", participant_ref=enrolment.participant.public_id
    ).exists()
