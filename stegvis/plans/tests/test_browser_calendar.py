"""Browser test of the governance year and the plan document, axe-core after every page: the
office fills the year with the default obligations, moves one, and the board reads the document
of a decided plan."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from stegvis.core.tests.browser import assert_accessible, log_in
from stegvis.plans.models import Obligation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_sets_up_the_governance_year(page: Page, live_server, world):
    year = date.today().year
    log_in(page, live_server.url, world["alice"].email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Årshjul").click()
    expect(page.get_by_role("heading", name=f"Årshjul {year}")).to_be_visible()
    expect(page.get_by_text("Årshjulet är tomt.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Lägg in standardåtagandena").click()
    expect(page.get_by_text("11 standardåtaganden är inlagda.")).to_be_visible()
    expect(page.get_by_role("row", name="Medlemssamråd")).to_contain_text(f"{year}-02-15")
    assert_accessible(page)

    page.get_by_text("Ändra Medlemssamråd", exact=True).click()
    consultation = Obligation.objects.get(association=world.a, kind="consultation")
    form = page.locator(f"#atagande-{consultation.pk}-day").locator("xpath=ancestor::form")
    form.get_by_label("Dag", exact=True).fill("30")
    form.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("alert")).to_contain_text("Dagen finns inte i den månaden")
    assert_accessible(page)
    form = page.locator(f"#atagande-{consultation.pk}-day").locator("xpath=ancestor::form")
    form.get_by_label("Dag", exact=True).fill("20")
    form.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Åtagandet är sparat.")).to_be_visible()
    expect(page.get_by_role("row", name="Medlemssamråd")).to_contain_text(f"{year}-02-20")
    assert_accessible(page)
