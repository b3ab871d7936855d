"""Instruments and plans in Chromium, as the roles that do them: the provider manager loads an
instrument file (a bad one first: nothing is saved, every problem listed) and sets the
intervention's measurement plan; the association's office names the ladder's steps. axe runs on
every page."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from stegvis.core.tests.browser import assert_accessible, sign_in
from stegvis.progression import services
from stegvis.progression.models import Instrument, LadderStepLabel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_loads_an_instrument_and_plans_office_names_steps(
    page: Page, live_server, world, steg, instruments, tmp_path
):
    base = live_server.url
    TOTPDevice.objects.create(user=world["petra"], name="app", confirmed=True)

    sign_in(page, base, world["petra"])
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Stegförflyttning"
    ).click()
    expect(page.get_by_text("Inga mätningar att göra just nu.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Instrument").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Läs in instrumentfil").click()
    assert_accessible(page)
    bad = tmp_path / "oro.yaml"
    bad.write_text(
        "format: stegvis-instrument/1\nkey: oro\nname: Oro\nkind: self\nitems:\n"
        "  - key: oro\n    text: Hur orolig är du?\n    scale: {type: numeric, min: 10, max: 1}\n",
        encoding="utf-8",
    )
    page.get_by_label(re.compile("Instrumentfil")).set_input_files(str(bad))
    page.get_by_role("button", name="Läs in").click()
    expect(page.get_by_role("alert")).to_contain_text("Fråga 1 (oro), scale: ange heltalen min")
    assert_accessible(page)
    assert not Instrument.objects.filter(key="oro").exists()
    good = tmp_path / "oro.yaml"
    good.write_text(
        bad.read_text(encoding="utf-8").replace("min: 10, max: 1", "min: 1, max: 10")
        + "    higher_is_better: false\n",
        encoding="utf-8",
    )
    page.get_by_label(re.compile("Instrumentfil")).set_input_files(str(good))
    page.get_by_role("button", name="Läs in").click()
    expect(page.get_by_text("Instrumentet är inläst.")).to_be_visible()
    expect(page.get_by_text("lägre är bättre")).to_be_visible()
    assert_accessible(page)

    # The intervention's plan: the new instrument and the ladder, every 8 weeks.
    page.goto(f"{base}/p/{world.p.public_id}/stegforflyttning/insats/{steg.public_id}/")
    assert_accessible(page)
    page.get_by_role("link", name="Ändra mätplan").click()
    assert_accessible(page)
    for box in page.get_by_role("group", name="Instrument").get_by_role("checkbox").all():
        box.uncheck()
    page.get_by_label("Oro").check()
    page.get_by_label("Stegtrappan").check()
    page.get_by_label("Mät sedan var N:e vecka").fill("60")
    page.get_by_role("button", name="Spara mätplan").click()
    expect(page.get_by_role("alert")).to_contain_text("mellan 1 och 52")
    assert_accessible(page)
    page.get_by_label("Mät sedan var N:e vecka").fill("8")
    page.get_by_role("button", name="Spara mätplan").click()
    expect(page.get_by_text("Mätplanen är sparad.")).to_be_visible()
    expect(page.get_by_text("var 8:e vecka")).to_be_visible()
    plan = services.plan_for(steg)
    assert plan.interval_weeks == 8
    assert {i.key for i in plan.instruments} == {"oro", "trappa"}

    # The association's office names the ladder's steps.
    sign_in(page, base, world["alice"], with_code=False)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Instrument").click()
    assert_accessible(page)
    page.get_by_role("link", name="Namnge stegen").click()
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Steg 1 ")).fill("Utanför arbetsmarknaden")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Stegens namn är sparade.")).to_be_visible()
    assert LadderStepLabel.objects.get(association=world.a).label == "Utanför arbetsmarknaden"
