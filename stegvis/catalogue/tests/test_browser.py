"""The catalogue in Chromium, at a phone's size, with axe after every page.

1. Anyone finds an intervention by municipality, registers interest (after being told what is
   missing), and gets a receipt; the provider's coach sees it in the inbox and turns it into a
   referral; the association's office cannot see it anywhere.
2. The office writes the catalogue texts, previews them and publishes them.
3. The provider manager declines a registration (after being asked for a reason).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from stegvis.catalogue.models import CatalogueEntry, InterestRegistration
from stegvis.catalogue.tests.factories import InterestRegistrationFactory
from stegvis.core.models import Municipality
from stegvis.core.tests.browser import assert_accessible, sign_in
from stegvis.participants.models import Referral
from stegvis.participants.tests.conftest import national_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name=name).click()
    assert_accessible(page)


def test_find_register_and_the_coach_sees_it_but_not_the_office(
    page: Page, live_server, world, steg, entry
):
    base = live_server.url
    TOTPDevice.objects.create(user=world["bob"], name="app", confirmed=True)

    # A person on a phone finds the intervention by where they live.
    page.goto(f"{base}/katalog/")
    assert_accessible(page)
    page.get_by_label("Kommun där du bor").select_option(label="Krokom")
    page.get_by_role("button", name="Visa insatser").click()
    expect(page.get_by_role("heading", name="1 insats")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Steg till arbete").click()
    expect(page.get_by_text("För dig som bor i: Krokom.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Anmäl intresse").last.click()
    assert_accessible(page)

    # Sending without contact details is explained, field by field.
    page.get_by_label("Namn på den som vill delta").fill("Sara Exempel")
    page.get_by_role("button", name="Skicka anmälan").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Skriv ett telefonnummer eller en e-postadress")
    expect(alert).to_contain_text("Välj kommunen där personen bor.")
    assert_accessible(page)
    expect(page.get_by_label("Namn på den som vill delta")).to_have_value("Sara Exempel")

    page.get_by_label("Telefonnummer").fill("070-123 45 67")
    page.get_by_label("Kommun där personen bor").select_option(label="Krokom")
    page.get_by_label(re.compile("^Berätta kort")).fill("Vill börja jobba igen")
    page.get_by_label("Utföraren får ringa eller mejla om anmälan").check()
    page.get_by_role("button", name="Skicka anmälan").click()
    expect(page.get_by_role("heading", name="Tack! Din anmälan är skickad")).to_be_visible()
    assert_accessible(page)
    registration = InterestRegistration.objects.get()
    expect(page.get_by_text(registration.reference)).to_be_visible()

    # The coach sees it in the inbox, and from the referral list.
    sign_in(page, base, world["bob"])
    nav(page, "Remisser")
    page.get_by_role("link", name="1 ny intresseanmälan från katalogen").click()
    assert_accessible(page)
    expect(page.get_by_role("cell", name="Sara Exempel")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"\d{4}-\d{2}-\d{2}")).first.click()
    expect(page.get_by_text("070-123 45 67")).to_be_visible()
    assert_accessible(page)

    # After the call, the coach registers the referral with the national id.
    page.get_by_role("link", name="Registrera remiss").click()
    assert_accessible(page)
    page.get_by_label(re.compile("^Nummer")).fill(national_id("19900315", "123"))
    page.get_by_role("group", name=re.compile("Remitterande part")).get_by_label(
        "Egenanmälan"
    ).check()
    page.get_by_role("button", name="Registrera remiss").click()
    expect(page.get_by_text("Anmälan är nu en remiss.")).to_be_visible()
    assert_accessible(page)
    referral = Referral.objects.get()
    assert referral.participant.name == "Sara Exempel"
    registration.refresh_from_db()
    assert registration.referral == referral

    # The association's office sees no registration anywhere.
    sign_in(page, base, world["alice"], with_code=False)
    nav_links = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav_links.get_by_role("link", name="Intresseanmälningar")).to_have_count(0)
    nav(page, "Katalog")
    expect(page.locator("body")).not_to_contain_text("Sara")
    provider = world.p.public_id
    for url in (
        reverse("catalogue:inbox", kwargs={"provider": provider}),
        reverse(
            "catalogue:registration_detail",
            kwargs={"provider": provider, "registration": registration.public_id},
        ),
    ):
        page.goto(base + url)
        expect(page.get_by_role("heading", name="Sidan finns inte")).to_be_visible()
        expect(page.locator("body")).not_to_contain_text("Sara Exempel")


def test_the_office_writes_previews_and_publishes_the_texts(page: Page, live_server, world, steg):
    base = live_server.url
    sign_in(page, base, world["alice"], with_code=False)
    nav(page, "Katalog")
    page.get_by_role("link", name="Steg till arbete").click()
    assert_accessible(page)
    page.get_by_label("Kort beskrivning").fill("Stöd för dig som vill börja arbeta.")
    page.get_by_label("Vem insatsen är för").fill("Dig som är 16–64 år.")
    page.get_by_label("Komma närmare ett arbete").check()
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(
        page.get_by_role("heading", name="Förhandsgranskning: så här ser sidan ut")
    ).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_text("Insatsen är inte markerad för publicering")).to_be_visible()
    assert not CatalogueEntry.objects.exists()
    page.get_by_label("Visa insatsen i den öppna katalogen").check()
    # Publishing without a contact is refused, with the reason at the field.
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("alert")).to_contain_text("Ange telefon eller e-post")
    assert_accessible(page)
    page.get_by_label("Telefon till insatsen").fill("0640-123 45")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Katalogtexterna är sparade.")).to_be_visible()
    expect(page.get_by_role("cell", name="Publicerad")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base}/katalog/forbund/{world.a.slug}/")
    expect(page.get_by_role("link", name="Steg till arbete")).to_be_visible()
    assert_accessible(page)


def test_the_provider_manager_declines_a_registration(page: Page, live_server, world, steg, entry):
    base = live_server.url
    TOTPDevice.objects.create(user=world["petra"], name="app", confirmed=True)
    registration = InterestRegistrationFactory(
        intervention=steg, municipality=Municipality.objects.get(code="2309")
    )
    sign_in(page, base, world["petra"])
    nav(page, "Intresseanmälningar")
    page.get_by_role("link", name=re.compile(r"\d{4}-\d{2}-\d{2}")).first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Avböj").click()
    expect(page.get_by_role("alert")).to_contain_text("Välj ett skäl.")
    assert_accessible(page)
    page.get_by_label("Skäl").select_option(label="Vi nådde inte personen")
    page.get_by_role("button", name="Avböj").click()
    expect(page.get_by_text("Anmälan är avböjd.")).to_be_visible()
    expect(page.get_by_text("Inga nya intresseanmälningar.")).to_be_visible()
    assert_accessible(page)
    registration.refresh_from_db()
    assert registration.decline_reason == "ej_nadd"
