"""Browser test of the office's survey administration: a questionnaire file uploaded, a local
question added (a new version), national reference values imported (a bad file first), a goal
set and evaluated on the results page, the help texts for the violence questions changed, and the
annual delivery page. axe-core runs after every page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from stegvis.core.tests.browser import assert_accessible, log_in
from stegvis.interventions.tests.factories import InterventionFactory
from stegvis.surveys import services
from stegvis.surveys.models import Questionnaire, ReferenceValue, SurveyGoal
from stegvis.surveys.tests.conftest import open_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_administers_a_questionnaire(page: Page, live_server, world, tmp_path: Path):
    base = live_server.url
    year = timezone.localdate().year
    steg = InterventionFactory(name="Steg till arbete", provider=world.p, lead_association=world.a)
    log_in(page, base, world["alice"].email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Enkäter").click()
    page.get_by_role("link", name="Enkätformulär").click()

    # Upload the exit questionnaire.
    page.get_by_label("Fil", exact=True).set_input_files(
        str(services.SAMPLES / "deltagare-avslut.yaml")
    )
    page.get_by_role("button", name="Läs in", exact=True).click()
    expect(page.get_by_text("är inläst som version 1.")).to_be_visible()
    expect(page.get_by_role("cell", name="låst").first).to_be_visible()
    assert_accessible(page)

    # A local question: a new version, the national part unchanged.
    page.get_by_role("link", name="Lägg till en lokal fråga").click()
    assert_accessible(page)
    page.get_by_label("Nyckel").fill("respekt")
    page.get_by_label("Frågan på svenska").fill("Har du blivit bemött med respekt?")
    page.get_by_label("Frågan på engelska").fill("Have you been treated with respect?")
    page.get_by_label("Svarsskala som fråga").select_option(index=1)
    page.get_by_role("button", name="Lägg till frågan").click()
    expect(page.get_by_text("Frågan är tillagd i den lokala delen (version 2).")).to_be_visible()
    expect(page.get_by_role("button", name="Ta bort respekt")).to_be_visible()
    assert_accessible(page)
    questionnaire = Questionnaire.objects.get(key="deltagare-avslut")
    assert questionnaire.current_version().number == 2

    # A goal for question 6: at least the national level of last year.
    page.get_by_label("Fråga", exact=True).select_option(value="d6")
    page.get_by_label("Typ av mål").select_option(value="national")
    page.get_by_role("button", name="Lägg till mål").click()
    expect(page.get_by_text("Målet är tillagt.")).to_be_visible()
    assert SurveyGoal.objects.get().reference_year == year - 1

    # Reference values: a bad file is refused with row and column; then a good one.
    bad = tmp_path / "fel.csv"
    bad.write_text(
        f"år;respondentgrupp;fråga;andel_positiva\n{year - 1};deltagare_avslut;99;70\n",
        encoding="utf-8",
    )
    page.goto(f"{base}/a/{world.a.slug}/enkater/jamforelsevarden/")
    assert_accessible(page)
    page.get_by_label("Fil", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Läs in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Rad 2, kolumn fråga: Fråga 99 finns inte")
    assert_accessible(page)
    assert not ReferenceValue.objects.exists()
    good = tmp_path / "nationellt.csv"
    good.write_text(
        f"år;respondentgrupp;fråga;andel_positiva\n{year - 1};deltagare_avslut;6;60,0\n",
        encoding="utf-8",
    )
    page.get_by_label("Fil", exact=True).set_input_files(str(good))
    page.get_by_role("button", name="Läs in", exact=True).click()
    expect(page.get_by_text("1 jämförelsevärden är inlästa.")).to_be_visible()
    expect(page.get_by_role("cell", name="60,0\u00a0%")).to_be_visible()

    # Five answers to question 6 (4 positive of 5 = 80,0 %): the goal is met.
    survey_round = open_round(
        world, questionnaire, [steg], opens_on=date(year, 1, 1), closes_on=date(year, 12, 31)
    )
    for value in ["5", "4", "4", "5", "2"]:
        services.submit_response(survey_round, {"d6": value}, intervention=None, language="sv")
    page.goto(f"{base}/a/{world.a.slug}/enkater/resultat/")
    page.get_by_label("Enkät", exact=True).select_option(label=questionnaire.title)
    page.get_by_role("button", name="Visa").click()
    goals = page.get_by_role("table", name="Målen för året")
    expect(goals).to_contain_text("80,0\u00a0%")
    expect(goals).to_contain_text("uppfyllt")
    assert_accessible(page)

    # The help texts shown after the violence questions.
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Frågor om våld"
    ).click()
    assert_accessible(page)
    page.get_by_role("link", name="Ändra texterna").click()
    assert_accessible(page)
    page.get_by_label("Var du kan få hjälp (svenska)").fill("Ring socialtjänsten i Krokom.")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Ring socialtjänsten i Krokom.")).to_be_visible()

    # The annual delivery page.
    page.goto(f"{base}/a/{world.a.slug}/enkater/leverans/")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Ladda ner").click()
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert content.splitlines()[0] == "ar;forbund_orgnr;enkat;respondentgrupp;fraga;svar;antal"
