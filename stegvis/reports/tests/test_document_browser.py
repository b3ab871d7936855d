"""The office opens the interim report from its start page, writes a section text, fixes the
version and downloads the PDF; the board then sees the suppressed version with the office's text
and nothing to edit. Chromium with axe after every page."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Page, expect

from stegvis.core.models import User
from stegvis.core.tests.browser import PASSWORD, assert_accessible
from stegvis.core.tests.readers import pdf_text
from stegvis.reports.tests.document_world import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _today():
    # The live server needs a moving clock (sessions).
    with time_machine.travel("2026-11-27 09:00 +01:00", tick=True):
        yield


def sign_in(page: Page, base: str, user: User) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/logga-in/")
    page.get_by_label("E-postadress").fill(user.email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    assert_accessible(page)


def open_report(page: Page) -> None:
    page.get_by_role("link", name="Verksamhetsberättelse och delårsrapport").click()
    assert_accessible(page)
    page.get_by_label("År", exact=True).fill("2026")
    page.get_by_label("Period", exact=True).select_option(label="januari–juni")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_role("heading", name="Delårsrapport 2026", level=1)).to_be_visible()
    assert_accessible(page)


def participants_row(page: Page, name: str):
    return page.get_by_role("table", name="Deltagare per insats", exact=True).get_by_role(
        "row", name=name
    )


def test_office_writes_and_downloads_and_the_board_sees_the_suppressed_version(
    page: Page, live_server, world, tmp_path: Path
):
    build(world)
    base = live_server.url
    sign_in(page, base, world["alice"])
    expect(page.get_by_role("heading", name="2026 hittills")).to_be_visible()
    open_report(page)
    steget = page.get_by_role("table", name="Deltagare per insats", exact=True).get_by_role(
        "row", name="Steget"
    )
    expect(steget).to_have_text("Steget314")

    page.get_by_label("Kansliets text: Förbundschefen har ordet").fill(
        "Ett år då samverkan tog fart."
    )
    page.get_by_role("button", name="Spara texterna").click()
    expect(page.get_by_text("Texterna är sparade i version 1.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Fastställ version 1").click()
    expect(page.get_by_role("status")).to_contain_text("Version 1 är fastställd och låst.")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner PDF").click()
    target = tmp_path / "rapport.pdf"
    download.value.save_as(target)
    text = " ".join(pdf_text(target.read_bytes()).split())
    assert "Ett år då samverkan tog fart." in text
    assert "Steget 3 1 4" in text

    sign_in(page, base, world["carol"])
    open_report(page)
    expect(page.get_by_text("Ett år då samverkan tog fart.")).to_be_visible()
    steget = page.get_by_role("table", name="Deltagare per insats", exact=True).get_by_role(
        "row", name="Steget"
    )
    expect(steget).to_have_text("Steget<5<5<5")
    expect(page.locator("textarea")).to_have_count(0)
    expect(page.get_by_role("button", name="Spara texterna")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner PDF").click()
    board_pdf = tmp_path / "styrelsen.pdf"
    download.value.save_as(board_pdf)
    board_text = " ".join(pdf_text(board_pdf.read_bytes()).split())
    assert "Steget <5 <5 <5" in board_text and "Steget 3 1 4" not in board_text
