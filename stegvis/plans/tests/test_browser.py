"""Browser test of the plan flow in headless Chromium, axe-core after every page: the office
drafts a plan, links a goal to a figure, records a member consultation conclusion and links it,
decides the plan, and reads the goal follow-up."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from stegvis.core.tests.browser import assert_accessible, log_in
from stegvis.interventions.models import StructuralActivity
from stegvis.interventions.tests.factories import StructuralInterventionFactory
from stegvis.plans.models import Consideration, Plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world_live(world, live_server):
    today = date.today()
    seminars = StructuralInterventionFactory(
        name="Kunskapslyft",
        code="lyft",
        provider=world.p,
        lead_association=world.a,
        start=date(today.year - 1, 1, 1),
    )
    for day in (date(today.year, 1, 1), today):
        StructuralActivity.objects.create(
            intervention=seminars, date=day, title="Seminarium", type="seminarium", hours=2
        )
    return world


def test_office_drafts_links_consults_decides_and_follows_up(page: Page, live_server, world_live):
    world = world_live
    year = date.today().year
    log_in(page, live_server.url, world["alice"].email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Verksamhetsplan"
    ).click()
    expect(page.get_by_text("Förbundet har ingen verksamhetsplan i Stegvis ännu.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Planår").fill(str(year))
    page.get_by_role("button", name="Skapa utkast").click()
    expect(page.get_by_role("heading", name=f"Verksamhetsplan {year}, version 1")).to_be_visible()
    page.get_by_label("Vision").fill("Alla som kan ska få arbeta")
    page.get_by_role("button", name="Spara texterna").click()
    expect(page.get_by_text("Texterna är sparade.")).to_be_visible()
    page.get_by_label("Målområde", exact=True).fill("Samverkan")
    page.get_by_role("button", name="Lägg till målområdet").click()
    expect(page.get_by_role("heading", name="Samverkan")).to_be_visible()
    assert_accessible(page)

    # A goal linked to a figure; a share above 100 % is refused first.
    page.get_by_text("Lägg till ett mål i Samverkan").click()
    page.get_by_label("Mål", exact=True).fill("Två kunskapsseminarier om året")
    page.get_by_label("Mått (frivilligt)").select_option(label="Andel av kostnaderna till insatser")
    page.get_by_label("Målvärde").fill("120")
    page.get_by_role("button", name="Lägg till målet").click()
    expect(page.get_by_role("alert")).to_contain_text("En andel kan inte vara över 100 %.")
    assert_accessible(page)
    page.get_by_label("Mått (frivilligt)").select_option(
        label="Antal strukturövergripande aktiviteter"
    )
    page.get_by_label("Målvärde").fill("2")
    page.get_by_role("button", name="Lägg till målet").click()
    expect(page.get_by_text("Målet är tillagt.")).to_be_visible()
    expect(page.get_by_text("Antal strukturövergripande aktiviteter: minst 2")).to_be_visible()
    assert_accessible(page)

    # A member consultation and its conclusion, linked to the focus area.
    page.get_by_role("link", name="Medlemssamråd och deras slutsatser").click()
    page.get_by_label("Datum").fill(f"{year}-02-10")
    page.get_by_label("Rubrik").fill("Medlemssamråd februari")
    page.get_by_role("button", name="Registrera samrådet").click()
    expect(page.get_by_role("heading", name="Medlemssamråd februari")).to_be_visible()
    page.get_by_label("Slutsats", exact=True).fill("Mer kunskap om varandras uppdrag")
    page.get_by_role("button", name="Lägg till slutsatsen").click()
    expect(page.get_by_text("Slutsatsen är tillagd.")).to_be_visible()
    assert_accessible(page)
    page.get_by_text("Koppla till planen").click()
    page.get_by_label("Del av planen som beaktar slutsatsen").select_option(
        label=f"Plan {year} v1: Samverkan"
    )
    page.get_by_label("Hur slutsatsen beaktas").fill("Målområdet Samverkan med seminarier")
    page.get_by_role("button", name="Koppla slutsatsen").click()
    expect(page.get_by_text("Slutsatsen är kopplad till planen.")).to_be_visible()
    assert_accessible(page)
    assert Consideration.objects.count() == 1

    # Back to the plan: the conclusion is shown; the board's decision locks it.
    page.get_by_role("link", name="Till planen").click()
    expect(page.get_by_role("cell", name="Målområdet Samverkan med seminarier")).to_be_visible()
    page.get_by_label("Styrelsens beslutsdatum").fill(date.today().isoformat())
    page.get_by_label("Beslutsnummer (paragraf)").fill(f"§ 45/{year}")
    page.get_by_role("button", name="Besluta och lås planen").click()
    expect(page.get_by_text("Planen är beslutad och låst.")).to_be_visible()
    expect(page.get_by_role("button", name="Lägg till målområdet")).to_have_count(0)
    expect(page.get_by_role("button", name="Skapa en ny version")).to_be_visible()
    assert_accessible(page)
    assert Plan.objects.get().status == Plan.Status.DECIDED

    page.locator("#innehall").get_by_role("link", name="Måluppföljning").click()
    row = page.get_by_role("row", name="Två kunskapsseminarier om året")
    expect(row).to_contain_text("≥ 2")
    expect(row).to_contain_text("Uppfyllt")
    expect(page.get_by_text("Uppfyllda: 1.")).to_be_visible()
    assert_accessible(page)
