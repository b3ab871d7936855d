"""Browser tests: the foundation's flows in headless Chromium, with axe-core on every page.

Each test walks a flow as a person would and runs axe after every page load; a serious or critical
violation fails the test, naming the rule and the page.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from stegvis.core.models import AuditEvent, MemberPopulation, Role, RoleAssignment
from stegvis.core.services import load_municipalities
from stegvis.core.tests.browser import assert_accessible, log_in
from stegvis.core.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world_live(world, live_server):
    return world


def test_provider_manager_logs_in_with_two_factor_picks_a_role_and_sees_start_page(
    page: Page, live_server, world_live
):
    world = world_live
    petra = world["petra"]
    # Petra is also a coach at P: two roles, so she must choose.
    RoleAssignment.objects.create(user=petra, role=Role.COACH, unit=world.p)
    device = TOTPDevice.objects.create(user=petra, name="app", confirmed=True)
    base = live_server.url

    log_in(page, base, petra.email)
    expect(page.get_by_role("heading", name="Ange engångskod")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Engångskod").fill("000000" if totp(device.bin_key) != 0 else "111111")
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_role("alert")).to_contain_text("Koden stämmer inte")
    assert_accessible(page)
    # django-otp throttles for a second after a wrong code, as a person would wait.
    page.wait_for_timeout(1500)
    page.get_by_label("Engångskod").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Fortsätt").click()

    expect(page.get_by_role("heading", name="Välj roll")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(re.compile("Enhetschef hos utförare")).check()
    page.get_by_role("button", name="Fortsätt").click()

    expect(page.get_by_role("heading", name=str(world.p))).to_be_visible()
    expect(page.get_by_text("Enhetschef hos utförare", exact=False).first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Användare").click()
    expect(page.get_by_role("heading", name="Användare och roller")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Logg").click()
    expect(page.get_by_role("heading", name="Logg")).to_be_visible()
    assert_accessible(page)
    assert AuditEvent.objects.filter(action="auth.two_factor", user=petra).count() == 1


def test_coach_enrols_an_authenticator_by_qr_code_on_first_log_in(
    page: Page, live_server, world_live
):
    world = world_live
    bob = world["bob"]
    base = live_server.url
    log_in(page, base, bob.email)
    # One role, which needs two factors, and no device yet: straight to enrolment.
    page.goto(f"{base}{world.p.get_absolute_url()}")
    expect(page.get_by_role("heading", name="Aktivera tvåstegsverifiering")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_role("img", name=re.compile("QR-kod"))).to_be_visible()
    device = TOTPDevice.objects.get(user=bob, confirmed=False)
    page.get_by_label("Engångskod").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Aktivera").click()
    expect(page.get_by_text("Tvåstegsverifieringen är aktiverad.")).to_be_visible()
    expect(page.get_by_role("heading", name=str(world.p))).to_be_visible()
    assert_accessible(page)


def test_office_adds_a_member_and_its_population(page: Page, live_server, world_live):
    world = world_live
    load_municipalities()
    base = live_server.url
    log_in(page, base, world["alice"].email)
    expect(page.get_by_role("heading", name=world.a.name)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Medlemmar").click()
    assert_accessible(page)
    page.get_by_role("link", name="Lägg till medlem").click()
    page.get_by_label("Organisationens namn").fill("Åre kommun")
    page.get_by_label("Typ").select_option(label="Kommun")
    page.get_by_label("Organisationsnummer").fill("212000-1356")
    page.get_by_label("Medlem från").fill("2024-01-01")
    page.get_by_role("button", name="Lägg till").click()
    # Both mistakes are reported, each at its field and in the summary.
    expect(page.get_by_role("alert")).to_contain_text("inte ett giltigt organisationsnummer")
    expect(page.get_by_role("alert")).to_contain_text("Välj vilken av Sveriges kommuner")
    assert page.get_by_label("Organisationsnummer").get_attribute("aria-invalid") == "true"
    assert_accessible(page)

    page.get_by_label("Organisationsnummer").fill("212000-2411")
    page.get_by_label(re.compile("^Kommun")).select_option(label="Åre")
    page.get_by_role("button", name="Lägg till").click()
    expect(page.get_by_text("Åre kommun är tillagd som medlem.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("År", exact=True).fill("2025")
    page.get_by_label("Folkmängd 31 december").fill("-5")
    page.get_by_role("button", name="Spara folkmängd").click()
    expect(page.get_by_role("alert")).to_contain_text("Folkmängden kan inte vara negativ")
    assert_accessible(page)
    page.get_by_label("Folkmängd 31 december").fill("12160")
    page.get_by_role("button", name="Spara folkmängd").click()
    expect(page.get_by_text("Folkmängden är sparad.")).to_be_visible()
    expect(page.get_by_role("cell", name="12\u00a0160")).to_be_visible()
    assert MemberPopulation.objects.get(member__organisation__name="Åre kommun").population == 12160


def test_office_invites_a_board_member_who_accepts(page: Page, live_server, world_live, mailoutbox):
    world = world_live
    base = live_server.url
    log_in(page, base, world["alice"].email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Användare").click()
    page.get_by_role("link", name="Bjud in").click()
    assert_accessible(page)
    page.get_by_label("Namn").fill("Stina Styrelse")
    page.get_by_label("E-postadress").fill("stina@test.example")
    page.get_by_label("Roll").select_option(label="Styrelse")
    page.get_by_role("button", name="Skicka inbjudan").click()
    expect(page.get_by_text("En inbjudan har skickats till stina@test.example.")).to_be_visible()
    link = re.search(r"http://\S+/inbjudan/\S+/", mailoutbox[-1].body).group(0)

    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", name="Välkommen till Stegvis")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Välj lösenord").fill("kort")
    page.get_by_label("Upprepa lösenordet").fill("kort")
    page.get_by_role("button", name=re.compile("Skapa konto")).click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Välj lösenord").fill("styrelsen-sammantrader-2026")
    page.get_by_label("Upprepa lösenordet").fill("styrelsen-sammantrader-2026")
    page.get_by_role("button", name=re.compile("Skapa konto")).click()
    expect(page.get_by_text("Välkommen! Du har nu rollen Styrelse.")).to_be_visible()
    expect(page.get_by_role("heading", name=world.a.name)).to_be_visible()
    assert_accessible(page)


def test_session_ends_after_inactivity(page: Page, live_server, world_live):
    world = world_live
    user = UserFactory(email="tid@test.example")
    RoleAssignment.objects.create(user=user, role=Role.BOARD, association=world.a)
    with time_machine.travel("2026-11-22 09:00 +01:00", tick=True) as traveller:
        log_in(page, live_server.url, user.email)
        expect(page.get_by_role("heading", name=world.a.name)).to_be_visible()
        traveller.shift(31 * 60)
        page.reload()
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    expect(page.get_by_text("inaktiv för länge")).to_be_visible()


def test_on_a_phone_a_wide_table_scrolls_in_a_box_the_keyboard_reaches(
    page: Page, live_server, world_live
):
    """js/tables.js: a table wider than the screen gets a focusable box named by its caption,
    which the arrow keys scroll; on a wide screen the same box is no tab stop."""
    world = world_live
    page.set_viewport_size({"width": 360, "height": 800})
    log_in(page, live_server.url, world["alice"].email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Medlemmar").click()
    box = page.get_by_role("region", name="Förbundets medlemmar")
    expect(box).to_have_attribute("tabindex", "0")
    assert_accessible(page)
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("element => element.scrollLeft > 0", arg=box.element_handle())

    page.set_viewport_size({"width": 1600, "height": 900})
    expect(page.locator(".table-scroll").first).not_to_have_attribute("tabindex", "0")
    expect(page.get_by_role("region", name="Förbundets medlemmar")).to_have_count(0)
    assert_accessible(page)
