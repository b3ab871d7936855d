"""Browser test of the other finance pages, axe-core after each: contributions with a key that does
not sum to 100 %, the multi-year plan, equity with its ceiling warning, account mapping, the
planning estimate of the state allocation, and a whole-year file whose stated totals differ from
its rows."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from stegvis.core.actors import Actor
from stegvis.core.tests.browser import assert_accessible, log_in
from stegvis.finance import services
from stegvis.finance.models import AccountMapping, ContributionKey
from stegvis.finance.tests.test_imports import YEAR_CSV

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world_live(world, a_members, steg, live_server):
    alice = Actor(user=world["alice"], assignment=world.roles["alice"])
    budget = services.create_budget(alice, world.a, 2026)
    services.add_line(
        alice, budget, services.LineInput("medlemsbidrag", "Medlemsbidrag", 12_000_000)
    )
    services.add_line(alice, budget, services.LineInput("administration", "Kansli", 1_000_000))
    services.decide_budget(alice, budget, date(2025, 11, 20))
    services.copy_forward(alice, budget)
    return world


def test_contributions_plan_equity_mapping_and_year_import(page: Page, live_server, world_live):
    world = world_live
    base = f"{live_server.url}/a/{world.a.slug}/ekonomi"
    log_in(page, live_server.url, world["alice"].email)
    expect(page.get_by_role("heading", name=world.a.name)).to_be_visible()

    page.goto(f"{base}/medlemsbidrag/?ar=2026")
    expect(page.get_by_text("Inga medlemsbidrag är angivna för 2026.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Total tilldelning (kr)").fill("8 000 000")
    page.get_by_label("Kommunerna tillsammans (%)").fill("20")
    page.get_by_label("Folkmängd per 31 december år").fill("2025")
    page.get_by_role("button", name="Spara medlemsbidragen").click()
    expect(page.get_by_role("alert")).to_contain_text("exakt 100 %; nu är summan 95 %")
    assert_accessible(page)
    assert not ContributionKey.objects.exists()
    page.get_by_label("Kommunerna tillsammans (%)").fill("25")
    page.get_by_role("button", name="Spara medlemsbidragen").click()
    expect(page.get_by_text("Medlemsbidragen för 2026 är sparade.")).to_be_visible()
    expect(page.get_by_role("row", name="Krokom kommun")).to_contain_text(
        "1\u00a0311\u00a0828\u00a0kr"
    )
    assert_accessible(page)

    page.goto(f"{base}/flerarsplan/?ar=2026")
    expect(page.get_by_role("table", name="Flerårsplan 2026–2028")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{base}/eget-kapital/?ar=2026")
    assert_accessible(page)
    page.get_by_label("Eget kapital vid årets början (kr)").fill("2 000 000")
    page.get_by_role("button", name="Spara", exact=True).click()
    page.get_by_label("Medlemsbidrag från (kr)").fill("7 100 000")
    page.get_by_label("Medlemsbidrag till (kr)").fill("15 000 000")
    page.get_by_label("Första beloppet (kr)").fill("7 000 000")
    page.get_by_label("Andel av första beloppet (%)").fill("20")
    page.get_by_label("Andel av resten (%)").fill("15")
    page.get_by_role("button", name="Lägg till intervallet").click()
    expect(page.get_by_text("Intervallet är tillagt.")).to_be_visible()
    # Contributions 8 000 000 → ceiling 1 400 000 + 150 000; closing 2 000 000 + 11 000 000.
    expect(page.get_by_role("alert")).to_contain_text(
        "över det rekommenderade taket 1\u00a0550\u00a0000\u00a0kr"
    )
    assert_accessible(page)

    page.goto(f"{base}/kontomappning/")
    expect(page.get_by_text("Inga konton är kopplade ännu.")).to_be_visible()
    page.get_by_label("Konto").fill("7010")
    page.get_by_label("Budgetpost").select_option(label="Kansli")
    page.get_by_role("button", name="Koppla kontot").click()
    expect(page.get_by_role("row", name="7010")).to_be_visible()
    assert_accessible(page)
    assert AccountMapping.objects.get().account == "7010"

    page.goto(f"{base}/statlig-tilldelning/?ar=2027")
    expect(page.get_by_text("Inga parametrar är inlagda för 2027.")).to_be_visible()
    assert_accessible(page)
    for label, value in (
        ("Statens medel till alla förbund (kr)", "440 000 000"),
        ("Antal förbund", "80"),
        ("Grundbelopp per förbund (kr)", "1 000 000"),
        ("Försörjningsmåttet i förbundets område", "4000"),
        ("Försörjningsmåttet i hela landet", "400000"),
        ("Invånare 16–64 år i förbundets område", "30000"),
        ("Invånare 16–64 år i hela landet", "6000000"),
    ):
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Spara och räkna").click()
    expect(page.get_by_role("row", name="Prognos för statens tilldelning")).to_contain_text(
        "4\u00a0150\u00a0000\u00a0kr"
    )
    assert_accessible(page)

    page.goto(f"{base}/import/")
    assert_accessible(page)
    page.get_by_label("Fil", exact=True).set_input_files(
        {"name": "ar.csv", "mimeType": "text/csv", "buffer": YEAR_CSV.encode()}
    )
    page.get_by_label("Kontrollera bara (ingenting sparas)").check()
    page.get_by_role("button", name="Importera").click()
    expect(page.get_by_text("Rad 7: summan kostnader är 7300000 kr i filen")).to_be_visible()
    expect(page.get_by_text("4 budgetrader och 1 utfall kan importeras")).to_be_visible()
    assert_accessible(page)
