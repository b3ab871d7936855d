"""Browser test: the office opens a round of the participants' exit survey; participants answer
on a phone-sized page, in Swedish and in English, without an account; the office sees results
only once 5 have answered. axe-core runs after every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from stegvis.core.tests.browser import assert_accessible, log_in
from stegvis.interventions.tests.factories import InterventionFactory
from stegvis.surveys.models import SurveyResponse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name=name).click()
    assert_accessible(page)


def answer_on_a_phone(browser: Browser, link: str, *, english: bool, choices: list[str]) -> None:
    """One participant on their own phone: a fresh browser with no cookies and no account."""
    context = browser.new_context(**PHONE)
    phone = context.new_page()
    phone.goto(link)
    if english:
        phone.get_by_role("button", name="English").click()
        expect(phone.get_by_role("heading", level=1)).to_have_text(
            "Participant survey at exit (sample)"
        )
    else:
        expect(phone.get_by_role("heading", level=1)).to_have_text(
            "Deltagarenkät vid avslut (exempel)"
        )
    assert_accessible(phone)
    # Nothing is wider than the phone's screen.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    questions = phone.get_by_role("group")
    for index, label in enumerate(choices):
        questions.nth(index).get_by_label(label, exact=True).check()
    if english:
        phone.get_by_role("button", name="Send your answers").click()
        expect(phone.get_by_role("heading", name="Thank you for your answers")).to_be_visible()
    else:
        phone.get_by_role("button", name="Skicka svaren").click()
        expect(phone.get_by_role("heading", name="Tack för dina svar")).to_be_visible()
    assert_accessible(phone)
    context.close()


def test_participants_answer_on_a_phone_and_the_office_sees_results_from_five(
    page: Page, browser: Browser, live_server, world
):
    steg = InterventionFactory(
        name="Steg till arbete", provider=world.p, lead_association=world.a, code="steg"
    )
    today = timezone.localdate()

    # The office loads the sample questionnaires and opens a round for the intervention.
    log_in(page, live_server.url, world["alice"].email)
    nav(page, "Enkäter")
    expect(page.get_by_text("Inga enkäter är inlästa ännu.")).to_be_visible()
    page.get_by_role("link", name="Enkätformulär").click()
    assert_accessible(page)
    page.get_by_role("button", name="Läs in exempelenkäterna").click()
    expect(page.get_by_text(re.compile(r"Exempelenkäterna är inlästa"))).to_be_visible()
    assert_accessible(page)
    nav(page, "Enkäter")
    page.get_by_role("link", name="Öppna en omgång").click()
    assert_accessible(page)
    page.get_by_label("Enkät", exact=True).select_option(label="Deltagarenkät vid avslut (exempel)")
    page.get_by_label("Namn på omgången").fill("Avslut, hösten")
    page.get_by_label(steg.name).check()
    page.get_by_label("Öppnar").fill(today.isoformat())
    page.get_by_label("Stänger").fill((today + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Öppna omgången").click()
    expect(page.get_by_text("Omgången är öppnad. Dela länken eller QR-koden.")).to_be_visible()
    expect(page.get_by_role("img", name="QR-kod till enkätens länk")).to_be_visible()
    assert_accessible(page)
    link = page.locator("a[href*='/enkat/']").first.get_attribute("href")
    assert link is not None

    # Two participants answer: one in Swedish, one in English.
    answer_on_a_phone(browser, link, english=False, choices=["Instämmer helt", "Instämmer helt"])
    answer_on_a_phone(browser, link, english=True, choices=["Largely agree", "Fully agree"])
    assert SurveyResponse.objects.count() == 2
    assert sorted(SurveyResponse.objects.values_list("language", flat=True)) == ["en", "sv"]
    for choices in (["Instämmer delvis"], ["Vet ej", "Instämmer till stor del"]):
        answer_on_a_phone(browser, link, english=False, choices=choices)

    # Four answers: the office sees that answers exist, but no result.
    page.goto(live_server.url + "/")
    nav(page, "Enkäter")
    page.get_by_role("link", name="Resultat").click()
    page.get_by_label("Enkät", exact=True).select_option(label="Deltagarenkät vid avslut (exempel)")
    page.get_by_role("button", name="Visa").click()
    expect(
        page.get_by_text("4 svar hittills. Resultat visas när minst 5 har svarat")
    ).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
    assert_accessible(page)

    # The fifth answer: now the figures show, with the chart and its table.
    answer_on_a_phone(browser, link, english=False, choices=["Instämmer inte alls"])
    page.reload()
    expect(page.get_by_text(f"5 svar {today.year}.")).to_be_visible()
    table = page.get_by_role("table", name="Resultat per fråga")
    first = table.get_by_role("row").filter(has_text="Upplever du att du fått ett stöd")
    # Question 1: 5, 4, 3, vet ej, 1 → 2 positive of 4 with a score = 50,0 %.
    expect(first).to_contain_text("50,0\u00a0%")
    expect(page.get_by_role("img", name=re.compile("Stapeldiagram"))).to_be_visible()
    assert_accessible(page)
