"""A Lex Heller report from the coach's form to the coach reading the feedback, in Chromium.

bob (coach at P) files a report to A; the first attempt names a personnummer and is refused with
the reason. alice (office of A, appointed administrator) reviews it, takes it to the preparatory
group, records the group's decision and writes the feedback; bob reads it. axe runs on every page.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from stegvis.core.tests.browser import assert_accessible, sign_in
from stegvis.deviations.models import DeviationReport
from stegvis.participants.tests.conftest import national_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name=name, exact=True
    ).click()
    assert_accessible(page)


def test_a_report_from_the_coach_to_the_feedback(page: Page, live_server, world, handled_by_alice):
    base = live_server.url
    TOTPDevice.objects.create(user=world["bob"], name="app", confirmed=True)
    with time_machine.travel("2026-11-27 09:00 +01:00", tick=True) as clock:
        # The coach writes a report and names the person by mistake: refused, with the reason.
        sign_in(page, base, world["bob"], with_code=True)
        nav(page, "Lex Heller")
        page.get_by_role("link", name="Ny rapport").click()
        assert_accessible(page)
        expect(page.get_by_role("note")).to_contain_text("Skriv aldrig namn, personnummer")
        page.get_by_label("Datum för händelsen").fill("2026-11-20")
        page.get_by_role("group", name="Inblandade organisationer").get_by_label(
            "Försäkringskassan"
        ).check()
        page.get_by_role("group", name=re.compile("^Kategori")).get_by_label(
            "Informationsöverföring och sekretess"
        ).check()
        page.get_by_label("Vad hände").fill(
            f"Läkarintyget för {national_id('19900315', '123')} kom aldrig fram till FK."
        )
        page.get_by_role("button", name="Skicka rapporten").click()
        expect(page.get_by_role("alert")).to_contain_text("ser ut som ett personnummer")
        assert_accessible(page)
        assert not DeviationReport.objects.exists()
        page.get_by_label("Vad hände").fill(
            "Läkarintyget kom aldrig fram från vården till handläggaren; personen fick bära "
            "papper mellan verksamheterna i sex veckor."
        )
        page.get_by_label("Förslag på lösning").fill("Digital överföring av intyg.")
        page.get_by_role("button", name="Skicka rapporten").click()
        expect(page.get_by_text("Tack! Rapporten är mottagen som nummer 1.")).to_be_visible()
        expect(page.locator(".state")).to_have_text("Mottagen")
        assert_accessible(page)
        assert [m.to for m in mail.outbox] == [["alice@test.example"]]

        # The administrator reviews it and takes it to the preparatory group.
        sign_in(page, base, world["alice"], with_code=False)
        nav(page, "Lex Heller")
        page.get_by_role("link", name="Rapport 1").click()
        assert_accessible(page)
        page.get_by_role("button", name="Markera som granskad").click()
        expect(page.get_by_text("Rapporten är granskad.")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Ta till beredningsgruppen").click()
        expect(page.get_by_text("Rapporten är tagen till beredningsgruppen.")).to_be_visible()
        assert_accessible(page)

        # After the group's meeting: the decision, then the feedback to the reporter.
        page.get_by_label("Beslutad åtgärd").fill(
            "Regionen och FK inför digital överföring av läkarintyg."
        )
        page.get_by_label("Ansvarig organisation").select_option(label="Försäkringskassan")
        page.get_by_role("button", name="Registrera beslut").click()
        expect(page.get_by_text("Beslutet är registrerat.")).to_be_visible()
        expect(page.locator(".state")).to_have_text("Åtgärd beslutad")
        assert_accessible(page)
        page.get_by_label("Återkoppling till rapportören").fill(
            "Tack! Beredningsgruppen har beslutat att regionen och FK inför digital överföring."
        )
        page.get_by_role("button", name="Skicka återkoppling").click()
        expect(page.get_by_text("Återkopplingen är skickad till rapportören.")).to_be_visible()
        assert_accessible(page)
        assert mail.outbox[-1].to == ["bob@test.example"]

        # The coach reads the feedback the next day (a new code from the app).
        clock.shift(timedelta(days=1))
        sign_in(page, base, world["bob"], with_code=True)
        nav(page, "Lex Heller")
        page.get_by_role("link", name="Rapport 1").click()
        expect(page.locator(".state")).to_have_text("Återkoppling given")
        expect(page.locator(".feedback")).to_contain_text("digital överföring")
        assert_accessible(page)
    report = DeviationReport.objects.get()
    assert report.state == DeviationReport.State.FEEDBACK
    assert list(report.steps.values_list("to_state", flat=True)) == [
        "received",
        "reviewed",
        "taken",
        "decided",
        "feedback",
    ]
