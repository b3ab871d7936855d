"""One person from referral to the 6-month follow-up, in Chromium, as the roles that do each step.

frank (referrer at FK) refers; the referral fails a rule (no consent yet); petra (provider manager)
books the information visit, records consent (now every rule passes), accepts and enrols with bob
as coach; bob registers the exit; six months later bob records the follow-up; frank sees the exit
summary; alice (the association's office) cannot open any of it. axe runs on every page.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from stegvis.core.models import AuditEvent
from stegvis.core.tests.browser import assert_accessible, sign_in
from stegvis.participants.models import Enrolment, FollowUp, Participant, Referral
from stegvis.participants.tests.conftest import national_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name=name).click()
    assert_accessible(page)


def test_one_person_from_referral_to_follow_up(page: Page, live_server, world, steg):
    base = live_server.url
    for persona in ("frank", "petra", "bob"):
        TOTPDevice.objects.create(user=world[persona], name="app", confirmed=True)
    number = national_id("19900315", "123")

    with time_machine.travel("2026-03-02 09:00 +01:00", tick=True) as clock:
        # The referrer sends the referral; consent is not on file yet.
        sign_in(page, base, world["frank"])
        nav(page, "Mina remisser")
        page.get_by_role("link", name="Ny remiss").click()
        assert_accessible(page)
        page.get_by_label(re.compile("^Nummer")).fill(number)
        page.get_by_label(re.compile("^Namn")).fill("Sara Exempel")
        page.get_by_label(re.compile("^Hemkommun")).select_option(label="Krokom")
        page.get_by_label("Insats").select_option(label=str(steg))
        page.get_by_label("Önskad start").fill("2026-03-09")
        page.get_by_role("group", name=re.compile("Parter som")).get_by_label(
            "Försäkringskassan"
        ).check()
        remitterande = page.get_by_role("group", name=re.compile("Remitterande part"))
        remitterande.get_by_label("Försäkringskassan").check()
        remitterande.get_by_label("Kommunens socialtjänst").check()
        page.get_by_role("button", name="Skicka remiss").click()
        expect(page.get_by_text("Remissen är skickad")).to_be_visible()
        expect(page.get_by_text("Mottagen")).to_be_visible()
        assert_accessible(page)
        referral = Referral.objects.get()
        assert referral.failed_rules == ["Samtycke till registrering finns inte registrerat."]

        # The provider manager sees the failed rule, books the visit and records consent.
        sign_in(page, base, world["petra"])
        nav(page, "Remisser")
        page.get_by_role("link", name=re.compile(r"\d{4}-\d{2}-\d{2}")).first.click()
        expect(page.locator(".failed-rules")).to_contain_text("Samtycke till registrering")
        assert_accessible(page)
        page.get_by_label("Datum för informationsbesök (VISA)").fill("2026-03-05")
        page.get_by_role("button", name="Boka").click()
        expect(page.get_by_text("Informationsbesöket är bokat.")).to_be_visible()
        # Accepting with a failed rule and no reason is refused, with the reason asked for.
        page.get_by_role("button", name="Anta").click()
        expect(page.get_by_role("alert").first).to_contain_text("Skriv skälet")
        page.get_by_role("link", name="Sara Exempel").click()
        assert_accessible(page)
        page.get_by_role("link", name="Registrera samtycke").click()
        page.get_by_label("Datum", exact=True).fill("2026-03-02")
        page.get_by_label("Uppföljning efter avslut").check()
        page.get_by_role("button", name="Spara samtycke").click()
        expect(page.get_by_text("Samtycket är registrerat.")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("link", name="visa").first.click()
        expect(page.get_by_text("Alla villkor är uppfyllda.")).to_be_visible()
        page.get_by_role("button", name="Anta").click()
        expect(page.get_by_text("Remissen är antagen.")).to_be_visible()
        page.get_by_role("link", name="Skriv in deltagaren").click()
        assert_accessible(page)
        page.get_by_label("Ansvarig coach").select_option(label=world["bob"].full_name)
        page.get_by_label("Försörjning vid start").select_option(value="sjukpenning")
        page.get_by_role("button", name="Skriv in").click()
        expect(page.get_by_text("Deltagaren är inskriven.")).to_be_visible()
        assert_accessible(page)

        # Twelve weeks later the coach registers the exit: to work.
        clock.move_to("2026-05-29 10:00 +02:00")
        sign_in(page, base, world["bob"])
        nav(page, "Deltagare")
        page.get_by_role("link", name="Sara Exempel").click()
        page.get_by_role("link", name="Registrera avslut").click()
        assert_accessible(page)
        page.get_by_label("Avslutsdatum").fill("2026-03-01")
        page.get_by_label("Avslutsorsak").select_option(value="arbete")
        page.get_by_label("Försörjning vid avslut").select_option(value="lon")
        page.get_by_label("Sysselsättning vid avslut").select_option(value="forvarvsarbete")
        page.get_by_role("button", name="Registrera avslut").click()
        expect(page.get_by_role("alert")).to_contain_text("kan inte vara före startdatum")
        assert_accessible(page)
        page.get_by_label("Avslutsdatum").fill("2026-05-29")
        page.get_by_label("Avslutssammanfattning").fill("Anställd som lagerarbetare på heltid.")
        page.get_by_role("button", name="Registrera avslut").click()
        expect(page.get_by_text("Avslutet är registrerat.")).to_be_visible()
        # Whether the violence questions were asked is recorded on its own (surveys app).
        page.get_by_role("main").get_by_role("link", name="frågor om våld").click()
        assert_accessible(page)
        page.get_by_label("Ja, frågorna är ställda").check()
        page.get_by_role("button", name="Spara").click()
        expect(
            page.get_by_text("Frågor om våld är registrerade för inskrivningen.")
        ).to_be_visible()

        # Six months on, the follow-up is on the coach's work list.
        clock.move_to("2026-11-30 10:00 +01:00")
        sign_in(page, base, world["bob"])
        nav(page, "Uppföljningar")
        page.get_by_role("link", name="2026-11-29").click()
        assert_accessible(page)
        page.get_by_label("Ja").check()
        page.get_by_label(re.compile("^Sysselsättning")).select_option(value="forvarvsarbete")
        page.get_by_label(re.compile("^Försörjning")).select_option(value="lon")
        page.get_by_role("button", name="Spara uppföljning").click()
        expect(page.get_by_text("Uppföljningen är registrerad.")).to_be_visible()
        expect(page.get_by_text("Inga uppföljningar att göra just nu.")).to_be_visible()

        # The referrer sees the state and the exit summary, nothing else.
        sign_in(page, base, world["frank"])
        nav(page, "Mina remisser")
        page.get_by_role("link", name="2026-03-02").click()
        expect(page.get_by_text("Anställd som lagerarbetare på heltid.")).to_be_visible()
        assert_accessible(page)

    participant = Participant.objects.get()
    enrolment = Enrolment.objects.get()
    assert enrolment.exit_reason == "arbete"
    assert enrolment.violence_screening_asked is True
    assert FollowUp.objects.get(months=6).reached is True
    assert FollowUp.objects.get(months=12).done_on is None
    assert AuditEvent.objects.filter(
        action="participant.view", participant_ref=participant.public_id
    ).exists()

    # The association's office cannot open any of it.
    sign_in(page, base, world["alice"], with_code=False)
    provider = world.p.public_id
    for url in (
        reverse("participants:participant_list", kwargs={"provider": provider}),
        reverse(
            "participants:participant_detail",
            kwargs={"provider": provider, "participant": participant.public_id},
        ),
        reverse(
            "participants:referral_detail",
            kwargs={"provider": provider, "referral": referral.public_id},
        ),
        reverse(
            "participants:exit_summary",
            kwargs={"provider": provider, "enrolment": enrolment.public_id},
        ),
    ):
        page.goto(base + url)
        expect(page.get_by_role("heading", name="Sidan finns inte")).to_be_visible()
        expect(page.locator("body")).not_to_contain_text("Sara Exempel")
