"""Browser test of the violence questions: the coach records that the questions were asked and
sees the routine for referring on; a participant answers anonymously on a phone and is shown
where to get help; the coach counts paper forms in; the office sees the tallies with suppression.
axe-core runs after every page."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from stegvis.core.tests.browser import assert_accessible, log_in, sign_in
from stegvis.interventions.models import Intervention
from stegvis.interventions.tests.factories import InterventionFactory
from stegvis.participants.models import Enrolment
from stegvis.surveys import services
from stegvis.surveys.models import ViolenceScreening, ViolenceTally
from stegvis.surveys.tests.conftest import actor_of, enrolment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_violence_questions_from_coach_to_office(page: Page, browser: Browser, live_server, world):
    base = live_server.url
    today = timezone.localdate()
    steg = InterventionFactory(
        name="Steg till arbete",
        provider=world.p,
        lead_association=world.a,
        code="steg",
        coaches=[world["bob"]],
    )
    exited = enrolment(steg, start=date(today.year, 1, 1), exit_date=today)
    TOTPDevice.objects.create(user=world["bob"], name="app", confirmed=True)
    loaded = {r.questionnaire.key: r for r in services.load_samples(None, world.a)}
    violence_round = services.open_round(
        actor_of(world, "alice"),
        loaded["vald"].version,
        title="Frågor om våld i år",
        interventions=[Intervention.objects.get(pk=steg.pk)],
        opens_on=date(today.year, 1, 1),
        closes_on=date(today.year, 12, 31),
    )

    # The coach: coverage 0 of 1, the enrolment still to ask, and the routine.
    sign_in(page, base, world["bob"])
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Frågor om våld"
    ).click()
    expect(page.get_by_role("cell", name="0,0\u00a0%")).to_be_visible()
    expect(page.get_by_text("Förbundet behandlar inte utan hänvisar vidare").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=exited.participant.display_name).click()
    assert_accessible(page)
    page.get_by_label("Ja, frågorna är ställda").check()
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Frågor om våld är registrerade för inskrivningen.")).to_be_visible()
    assert_accessible(page)
    assert ViolenceScreening.objects.get().outcome == "asked"
    assert Enrolment.objects.get(pk=exited.pk).violence_screening_asked

    # A participant answers on a phone, anonymously, and is shown where to get help.
    phone_context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    phone = phone_context.new_page()
    phone.goto(f"{base}/enkat/{violence_round.token}/")
    expect(phone.get_by_role("heading", name="Här kan du få hjälp")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("group").nth(0).get_by_label("Nej", exact=True).check()
    phone.get_by_role("group").nth(1).get_by_label("Nej", exact=True).check()
    phone.get_by_role("button", name="Skicka svaren").click()
    expect(phone.get_by_text("Kvinnofridslinjen", exact=False)).to_be_visible()
    assert_accessible(phone)
    phone_context.close()

    # The coach counts six paper forms in.
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Frågor om våld"
    ).click()
    expect(page.get_by_role("cell", name="100,0\u00a0%")).to_be_visible()
    page.get_by_role("link", name="räkna in pappersformulär").click()
    assert_accessible(page)
    page.get_by_label("Insats").select_option(label=steg.name)
    page.get_by_label("Antal formulär").fill("6")
    first, second = page.get_by_role("group").nth(0), page.get_by_role("group").nth(1)
    first.get_by_label("Ja", exact=True).fill("2")
    first.get_by_label("Nej", exact=True).fill("4")
    second.get_by_label("Nej", exact=True).fill("5")
    page.get_by_role("button", name="Räkna in").click()
    expect(page.get_by_role("alert")).to_contain_text("ska bli 6, inte 5")
    assert_accessible(page)
    second.get_by_label("Inget svar", exact=True).fill("1")
    page.get_by_role("button", name="Räkna in").click()
    expect(page.get_by_text("Svaren från pappersformulären är inräknade.")).to_be_visible()
    assert ViolenceTally.objects.get(item__key="v1", value="nej").count == 5

    # The office sees the tallies: 7 forms, "ja" 2 → <5 and "nej" 5 → – (its complement).
    page.context.clear_cookies()
    log_in(page, base, world["alice"].email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Frågor om våld"
    ).click()
    table = page.get_by_role("table").first
    expect(table.get_by_role("cell").first).to_have_text("<5")
    expect(table.get_by_role("cell").nth(1)).to_have_text("–")
    expect(table.get_by_role("cell").last).to_have_text("7")
    assert_accessible(page)
