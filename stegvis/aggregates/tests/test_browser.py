"""The provider manager reviews and sends a package; the office sees the figures and the missing
list, in Chromium with axe after every page."""

from __future__ import annotations

import pytest
import time_machine
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from stegvis.aggregates.models import ReceivedPackage
from stegvis.core.tests.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _today():
    # The live server needs a moving clock (sessions, one-time codes).
    with time_machine.travel("2026-11-27 09:00 +01:00", tick=True):
        yield


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name=name, exact=True
    ).click()
    assert_accessible(page)


def test_the_provider_manager_sends_and_the_office_follows_up(
    page: Page, live_server, world, example
):
    base = live_server.url
    TOTPDevice.objects.create(user=world["petra"], name="app", confirmed=True)
    sign_in(page, base, world["petra"], with_code=True)
    nav(page, "Paket till förbund")
    page.get_by_role("link", name="Gemensam väg").click()
    assert_accessible(page)
    page.get_by_label("Förbund").select_option(label="Förbund A")
    page.get_by_label("Period").fill("2026Q3")
    page.get_by_role("button", name="Visa paketet").click()
    assert_accessible(page)
    days = page.get_by_role("row", name="Deltagardagar")
    expect(days).to_contain_text("138")
    page.get_by_role("button", name="Skicka till förbundet").click()
    assert_accessible(page)
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        "Paketet för 2026Q3 är skickat till Förbund A"
    )
    assert ReceivedPackage.objects.filter(association=world.a).count() == 1

    sign_in(page, base, world["alice"], with_code=False)
    nav(page, "Uppföljning från utförare")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026")
    missing = page.get_by_role("table", name="Kvartal utan mottaget paket")
    expect(missing).to_contain_text("2026Q2")
    expect(missing).to_contain_text("Sent")
    participants = page.get_by_role("table", name="Deltagartabell som i årsredovisningen")
    expect(participants.get_by_role("row", name="Gemensam väg")).to_contain_text("Gemensam väg")
    page.get_by_role("link", name="Gemensam väg").click()
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gemensam väg 2026Q3")
