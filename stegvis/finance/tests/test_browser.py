"""Browser test of the finance flow in headless Chromium, axe-core after every page: the office
enters a budget, decides it (locked), imports an outcome file and reads the deviation report."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from stegvis.core.tests.browser import assert_accessible, log_in
from stegvis.finance.models import Budget, Outcome
from stegvis.interventions.tests.factories import InterventionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world_live(world, live_server):
    InterventionFactory(
        name="Steg till arbete", code="steg", provider=world.p, lead_association=world.a, places=20
    )
    return world


def test_office_enters_decides_imports_and_reads_the_deviation_report(
    page: Page, live_server, world_live
):
    world = world_live
    year = date.today().year
    log_in(page, live_server.url, world["alice"].email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Ekonomi", exact=True
    ).click()
    expect(page.get_by_role("heading", name="Ekonomi", exact=True)).to_be_visible()
    expect(page.get_by_text("Förbundet har ingen budget ännu.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("År").fill(str(year))
    page.get_by_role("button", name="Skapa budget").click()
    expect(page.get_by_role("heading", name=f"Budget {year}")).to_be_visible()
    expect(page.get_by_text("Budgeten har inga rader ännu.")).to_be_visible()
    assert_accessible(page)

    def add(category: str, amount: str, *, name: str = "", intervention: str = "") -> None:
        page.get_by_label("Kategori").select_option(label=category)
        if intervention:
            page.get_by_label("Insats").select_option(label=intervention)
        if name:
            page.get_by_label("Benämning").fill(name)
        page.get_by_label("Belopp (kr)").fill(amount)
        page.get_by_role("button", name="Lägg till raden").click()

    add("Medlemsbidrag", "1 200 000", name="Medlemsbidrag")
    expect(page.get_by_text("Raden Medlemsbidrag är tillagd.")).to_be_visible()
    # A negative amount is refused with a clear message, and nothing is added.
    add("Administration", "-5", name="Kansli")
    expect(page.get_by_role("alert")).to_contain_text("Beloppet kan inte vara negativt.")
    assert_accessible(page)
    add("Administration", "240 000", name="Kansli")
    add("Individinriktade insatser", "960 000", intervention="Steg till arbete (steg)")
    expect(
        page.get_by_role("row", name="Summa kostnader 1\u00a0200\u00a0000\u00a0kr", exact=True)
    ).to_be_visible()
    expect(
        page.get_by_role("row", name="Resultat (intäkter minus kostnader) 0\u00a0kr")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Styrelsens beslutsdatum").fill(date.today().isoformat())
    page.get_by_role("button", name="Besluta och lås budgeten").click()
    expect(page.get_by_text("Budgeten är beslutad och låst.")).to_be_visible()
    expect(page.get_by_role("button", name="Lägg till raden")).to_have_count(0)
    expect(page.get_by_role("button", name="Skapa en ny revision")).to_be_visible()
    assert_accessible(page)
    assert Budget.objects.get().decided_on == date.today()

    page.get_by_role("link", name="Utfall", exact=True).click()
    expect(page.get_by_role("heading", name=f"Utfall {year}")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Importera utfall").click()
    expect(page.get_by_role("heading", name="Importera utfall")).to_be_visible()
    assert_accessible(page)
    csv = "kod;period;belopp\nadministration-kansli;1;25000\nadministration-kansli;2;20000\n"
    csv += "administration-kansli;3;30000\ninsats-steg;K1;200000\n"
    csv += "medlemsbidrag-medlemsbidrag;3;300000\n"
    page.get_by_label("År").fill(str(year))
    page.get_by_label("Fil", exact=True).set_input_files(
        {"name": "utfall.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.get_by_role("button", name="Importera").click()

    expect(page.get_by_text(f"5 utfall för {year} är importerade.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Budget mot utfall {year}")).to_be_visible()
    expect(
        page.get_by_text(f"Budget och utfall {year}, utfall till och med månad 3")
    ).to_be_visible()
    kansli = page.get_by_role("row", name="Kansli", exact=False).first
    expect(kansli).to_contain_text("60\u00a0000\u00a0kr")  # budget to date
    expect(kansli).to_contain_text("75\u00a0000\u00a0kr")  # outcome
    expect(kansli).to_contain_text("15\u00a0000\u00a0kr")  # deviation
    expect(kansli).to_contain_text("25,0\u00a0%")
    expect(page.get_by_text("Målet minst 75 % till insatser är uppfyllt.").first).to_be_visible()
    assert_accessible(page)
    assert Outcome.objects.count() == 5
