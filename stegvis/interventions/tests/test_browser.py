"""Browser test: the office creates an intervention and its goal in headless Chromium, with axe-core
after every page (the approach of core/tests/test_browser.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from stegvis.core.tests.browser import assert_accessible, log_in, sign_in
from stegvis.interventions.models import Goal, Intervention

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world_live(world, live_server):
    return world


def test_office_creates_an_intervention_with_shared_funding_and_a_goal(
    page: Page, live_server, world_live
):
    world = world_live
    log_in(page, live_server.url, world["alice"].email)
    expect(page.get_by_role("heading", name=world.a.name)).to_be_visible()

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Insatser").click()
    expect(page.get_by_role("heading", name="Insatser")).to_be_visible()
    expect(page.get_by_text("Förbundet finansierar inga insatser ännu.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Ny insats").click()
    expect(page.get_by_role("heading", name="Ny insats")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Namn", exact=True).fill("Steg ett")
    page.get_by_label("Kortkod").fill("steg1")
    page.get_by_label("Typ", exact=True).select_option(label="Individinriktad")
    page.get_by_label("Inriktning").select_option(label="Förberedande")
    page.get_by_label("Status").select_option(label="Pågående")
    page.get_by_label("Utförare").select_option(label=str(world.p))
    page.get_by_label("Startdatum").fill("2026-01-01")
    page.get_by_label("Planerat slutdatum").fill("2027-12-31")
    page.get_by_label("Platser").fill("15")
    # A co-funds with B, but the shares come to 90 %.
    page.get_by_label("Andel 1 (%)").fill("60")
    page.get_by_label("Förbund 2").select_option(label="Förbund B")
    page.get_by_label("Andel 2 (%)").fill("30")
    page.get_by_role("button", name="Skapa insatsen").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Andelarna ska tillsammans vara exakt 100 %; nu är summan 90 %."
    )
    assert_accessible(page)
    assert not Intervention.objects.exists()

    page.get_by_label("Andel 2 (%)").fill("40")
    page.get_by_role("button", name="Skapa insatsen").click()
    expect(page.get_by_text("Insatsen Steg ett är skapad.")).to_be_visible()
    expect(page.get_by_role("heading", name="Steg ett", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="60\u00a0%")).to_be_visible()
    expect(page.get_by_role("cell", name="40\u00a0%")).to_be_visible()
    expect(page.get_by_text("väntar på svar")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Lägg till mål").click()
    expect(page.get_by_role("heading", name="Lägg till mål")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Mål", exact=True).fill(
        "Minst 4 av 10 ska efter insatsen ha arbete eller studera"
    )
    page.get_by_label("Mått").select_option(label="Andel avslut till valda grupper")
    page.get_by_label("Arbete", exact=True).check()
    page.get_by_label("Studier", exact=True).check()
    page.get_by_label("Målvärde").fill("40")
    page.get_by_label("Period från").fill("2026-01-01")
    page.get_by_label("Period till").fill("2026-12-31")
    page.get_by_role("button", name="Lägg till målet").click()

    expect(page.get_by_text("Målet är tillagt.")).to_be_visible()
    expect(
        page.get_by_role(
            "cell", name="Minst 4 av 10 ska efter insatsen ha arbete eller studera", exact=True
        )
    ).to_be_visible()
    expect(page.get_by_role("cell", name="Arbete, Studier")).to_be_visible()
    assert_accessible(page)

    intervention = Intervention.objects.get()
    assert intervention.lead_association == world.a
    assert sorted(intervention.fundings.values_list("association__slug", "share")) == [
        ("forbund-a", 60),
    ]
    assert list(intervention.funding_offers.values_list("association__slug", "share")) == [
        ("forbund-b", 40),
    ]
    goal = Goal.objects.get()
    assert (goal.report_groups, goal.target) == (["arbete", "studier"], 40)


def test_the_asked_office_accepts_a_share_of_another_associations_intervention(
    page: Page, live_server, world_live
):
    from decimal import Decimal

    from stegvis.interventions.models import FundingOffer
    from stegvis.interventions.tests.factories import InterventionFactory

    world = world_live
    intervention = InterventionFactory(
        name="Gemensam väg", provider=world.q, lead_association=world.b, fundings=[(world.b, 60)]
    )
    FundingOffer.objects.create(association=world.a, intervention=intervention, share=40)
    sign_in(page, live_server.url, world["alice"], with_code=False)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Insatser").click()
    expect(page.get_by_role("heading", name="Förfrågningar om finansiering")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Gemensam väg")
    expect(row).to_contain_text("Förbund B")
    expect(row).to_contain_text("40\u00a0%")
    # Not A's intervention yet: the list of A's own is empty.
    expect(page.get_by_text("Förbundet finansierar inga insatser ännu.")).to_be_visible()
    assert_accessible(page)
    row.get_by_role("button", name="Godkänn").click()
    expect(page.get_by_text("Förbundet finansierar nu Gemensam väg.")).to_be_visible()
    expect(page.get_by_role("heading", name="Gemensam väg", exact=True)).to_be_visible()
    assert_accessible(page)
    assert sorted(intervention.fundings.values_list("association__slug", "share")) == [
        ("forbund-a", Decimal("40")),
        ("forbund-b", Decimal("60")),
    ]
    assert not FundingOffer.objects.exists()
