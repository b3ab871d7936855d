"""The office opens the association report for a half-year and downloads a table as CSV, in
Chromium with axe after every page."""

from __future__ import annotations

import pytest
import time_machine
from playwright.sync_api import Page, expect

from stegvis.core.tests.browser import PASSWORD, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-27 09:00 +01:00", tick=True):
        yield


def test_the_office_opens_the_report_for_a_period_and_downloads_csv(
    page: Page, live_server, world, received
):
    base = live_server.url
    page.goto(f"{base}/logga-in/")
    page.get_by_label("E-postadress").fill(world["alice"].email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Rapport", exact=True
    ).click()
    assert_accessible(page)
    page.get_by_label("Från period").fill("2026Q1")
    page.get_by_label("Till och med period").fill("2026Q2")
    page.get_by_role("button", name="Visa rapporten").click()
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapport 2026H1")
    exits = page.get_by_role("table", name="Avslutade deltagare per insats")
    expect(exits.get_by_role("row", name="Gemensam väg")).to_have_text("Gemensam väg2305")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV – Avslutade deltagare per insats").click()
    content = info.value.path().read_bytes().decode("utf-8-sig")
    assert "Gemensam väg;2;3;0;5" in content
