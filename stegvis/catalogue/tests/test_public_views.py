"""The public pages: the catalogue, an intervention's page, the interest form and its receipt.
No log-in; nothing that was sent, and nothing unpublished, is ever shown."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from stegvis.catalogue.models import InterestRegistration
from stegvis.catalogue.services import PER_ADDRESS
from stegvis.catalogue.tests.factories import CatalogueEntryFactory
from stegvis.core.models import AuditEvent
from stegvis.interventions.models import Intervention
from stegvis.interventions.tests.factories import InterventionFactory
from stegvis.participants.models import Enrolment, Participant

pytestmark = pytest.mark.django_db

INDEX = reverse("catalogue:index")


def detail_url(intervention: Intervention) -> str:
    return reverse("catalogue:detail", kwargs={"insats": intervention.public_id})


def register_url(intervention: Intervention) -> str:
    return reverse("catalogue:register", kwargs={"insats": intervention.public_id})


def form_data(**changes: object) -> dict:
    data = {
        "applicant": "sjalv",
        "name": "Sara Exempel",
        "phone": "070-123 45 67",
        "email": "sara@example.se",
        "municipality": "2309",
        "need": "Vill börja jobba igen",
        "language": "svenska",
        "contact_consent": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def body(response) -> str:
    return response.content.decode()


# --- The catalogue -----------------------------------------------------------------------------


def test_the_catalogue_lists_published_running_interventions(client, world, entry):
    InterventionFactory(provider=world.p, lead_association=world.a, name="Utan text")
    CatalogueEntryFactory(
        intervention=InterventionFactory(
            provider=world.p, lead_association=world.a, name="Utkastet"
        ),
        published=False,
    )
    response = client.get(INDEX)
    assert response.status_code == 200
    html = body(response)
    assert "Steg till arbete" in html
    assert "Utan text" not in html and "Utkastet" not in html
    assert "Komma närmare ett arbete" in html  # the need, in plain Swedish
    assert "För dig som är 16–64 år" in html
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_catalogue_filters_by_municipality_age_and_need(client, world, entry, shared):
    CatalogueEntryFactory(intervention=shared, needs=["studier"])
    html = body(client.get(INDEX, {"kommun": "2380"}))
    assert "Gemensam väg" in html and "Steg till arbete" not in html
    html = body(client.get(INDEX, {"kommun": "2309", "behov": "arbete"}))
    assert "Steg till arbete" in html and "Gemensam väg" not in html
    html = body(client.get(INDEX, {"alder": "70"}))
    assert "Inga insatser passar det du valt" in html
    # A bad filter value is explained, and the whole catalogue still shown.
    response = client.get(INDEX, {"alder": "hundra", "kommun": "9999"})
    assert response.status_code == 200
    assert "Skriv åldern med siffror." in body(response)
    assert "Välj ett av alternativen i listan." in body(response)
    assert "Steg till arbete" in body(response)


def test_one_associations_catalogue(client, world, entry, shared):
    CatalogueEntryFactory(intervention=shared)
    url = reverse("catalogue:association", kwargs={"forbund": world.b.slug})
    html = body(client.get(url))
    assert "Insatser i Förbund B" in html
    assert "Gemensam väg" in html and "Steg till arbete" not in html
    assert (
        client.get(reverse("catalogue:association", kwargs={"forbund": "finns-ej"})).status_code
        == 404
    )


@pytest.mark.django_db
def test_the_log_in_page_points_people_looking_for_support_to_the_catalogue(client):
    html = body(client.get(reverse("core:login")))
    assert f'href="{INDEX}"' in html
    assert "Se insatskatalogen" in html


def test_the_catalogue_query_count_is_constant(client, world, entry, django_assert_max_num_queries):
    client.get(INDEX)
    with django_assert_max_num_queries(20) as small:
        response = client.get(INDEX, {"kommun": "2309"})
    assert len(response.context["page"].object_list) == 1
    for i in range(12):
        CatalogueEntryFactory(
            intervention=InterventionFactory(
                provider=world.p, lead_association=world.a, name=f"Insats {i:02d}"
            )
        )
    with django_assert_max_num_queries(len(small)):
        response = client.get(INDEX, {"kommun": "2309"})
    assert len(response.context["page"].object_list) == 13


def test_the_catalogue_is_paginated(client, world):
    for i in range(21):
        CatalogueEntryFactory(
            intervention=InterventionFactory(
                provider=world.p, lead_association=world.a, name=f"Insats {i:02d}"
            )
        )
    html = body(client.get(INDEX, {"kommun": "2309"}))
    assert "21 insatser" in html
    assert "Insats 19" in html and "Insats 20" not in html
    assert "kommun=2309&amp;sida=2" in html


def test_an_empty_catalogue_says_so(client, world):
    assert "Det finns inga insatser i katalogen just nu." in body(client.get(INDEX))


# --- An intervention's page ------------------------------------------------------------------


def test_the_intervention_page_has_everything_a_reader_needs(client, world, steg, entry):
    response = client.get(detail_url(steg))
    html = body(response)
    assert response.status_code == 200
    for text in (
        "Steg till arbete",
        "Stöd för dig som vill börja arbeta eller studera.",
        "Vem insatsen är för",
        "Du ska vara mellan 16 och 64 år.",
        "Villkor för att delta",
        "Vad du gör i insatsen",
        "6–12 månader",
        "För dig som bor i: Krokom.",
        "Arbetsmarknadsenheten P",
        "Betalas av Förbund A",
        "Så anmäler du dig",
        "0640-123 45",
        "steg@kommun.example",
        "Anmäl intresse",
    ):
        assert text in html, text


def test_an_unpublished_intervention_has_no_page(client, world, steg):
    CatalogueEntryFactory(intervention=steg, published=False)
    assert client.get(detail_url(steg)).status_code == 404
    assert client.get(register_url(steg)).status_code == 404


def test_an_ended_intervention_says_so_and_shows_related(client, world, steg, entry):
    other = InterventionFactory(provider=world.p, lead_association=world.a, name="Annan väg")
    CatalogueEntryFactory(intervention=other)
    Intervention.objects.filter(pk=steg.pk).update(status=Intervention.Status.ENDED)
    response = client.get(detail_url(steg))
    assert response.status_code == 410
    html = body(response)
    assert "tar inte emot anmälningar just nu" in html
    assert "Annan väg" in html
    assert "steg@kommun.example" not in html  # nothing but the name of a closed intervention


# --- Registration ----------------------------------------------------------------------------


def test_a_person_registers_interest_and_gets_a_receipt(client, world, steg, entry):
    response = client.post(register_url(steg), form_data(receipt="on"))
    assert response.status_code == 302
    registration = InterestRegistration.objects.get()
    assert registration.provider == world.p
    receipt = client.get(response["Location"])
    html = body(receipt)
    assert registration.reference in html
    assert "Vi har skickat en bekräftelse" in html
    assert "Sara" not in html and "jobba" not in html
    assert len(mail.outbox) == 1 and "Sara" not in mail.outbox[0].body


def test_a_receipt_needs_a_valid_signature(client, world, steg, entry):
    url = reverse("catalogue:receipt", kwargs={"insats": steg.public_id})
    response = client.get(url, {"kvitto": "forfalskad"})
    assert response.status_code == 302
    assert response["Location"] == detail_url(steg)


def test_bad_input_is_shown_again_with_every_message_and_nothing_lost(client, world, steg, entry):
    response = client.post(
        register_url(steg), form_data(phone="12", email="sara@", municipality="2380")
    )
    assert response.status_code == 400
    html = body(response)
    assert "Telefonnumret ser inte rätt ut" in html
    assert "E-postadressen ser inte rätt ut" in html
    assert "Östersund ingår i Förbund B" in html
    assert 'value="Sara Exempel"' in html  # what was written stays in the form
    assert "Vill börja jobba igen" in html
    assert not InterestRegistration.objects.exists()


def test_missing_contact_details_are_asked_for(client, world, steg, entry):
    response = client.post(register_url(steg), form_data(phone="", email=""))
    assert response.status_code == 400
    assert "Skriv ett telefonnummer eller en e-postadress" in body(response)


def test_the_honeypot_stores_nothing_and_tells_the_robot_nothing(client, world, steg, entry):
    response = client.post(register_url(steg), form_data(webbplats="http://spam.example"))
    assert response.status_code == 302
    assert "tack" in response["Location"]
    assert not InterestRegistration.objects.exists()
    assert not AuditEvent.objects.filter(action="interest.create").exists()


def test_a_too_large_post_is_refused(client, world, steg, entry):
    response = client.post(register_url(steg), form_data(need="x" * 20_000))
    assert response.status_code == 413
    assert "Anmälan är för lång" in body(response)
    assert not InterestRegistration.objects.exists()


def test_a_flood_from_one_address_is_told_to_wait_and_keeps_the_form(client, world, steg, entry):
    for _ in range(PER_ADDRESS[0]):
        assert client.post(register_url(steg), form_data()).status_code == 302
    response = client.post(register_url(steg), form_data(name="Sjätte Person"))
    assert response.status_code == 429
    html = body(response)
    assert "Din anmälan är inte skickad än" in html
    assert 'value="Sjätte Person"' in html
    assert InterestRegistration.objects.count() == PER_ADDRESS[0]


def test_a_full_intervention_says_so_and_shows_related_ones(client, world, steg, entry):
    other = InterventionFactory(provider=world.p, lead_association=world.a, name="Annan väg")
    CatalogueEntryFactory(intervention=other)
    for i in range(2):
        participant = Participant.objects.create(
            provider=world.p,
            identity_kind=Participant.IdentityKind.RESERVE,
            reserve_id=f"R-{i}",
            gender="man",
            birth_year=1990,
        )
        Enrolment.objects.create(
            provider=world.p, participant=participant, intervention=steg, start=date(2026, 1, 1)
        )
    assert "Insatsen är full just nu" in body(client.get(detail_url(steg)))
    response = client.post(register_url(steg), form_data())
    assert response.status_code == 409
    html = body(response)
    assert "Insatsen är full just nu" in html
    assert "Annan väg" in html
    assert not InterestRegistration.objects.exists()


def test_public_pages_are_the_same_for_a_logged_in_office(as_persona, world, steg, entry):
    """Logged-in staff see the public page like anyone; it never lists registrations."""
    Client().post(register_url(steg), form_data())
    for persona in ("alice", "bob"):
        html = body(as_persona(persona).get(detail_url(steg)))
        assert "Sara Exempel" not in html


def test_the_catalogue_in_english(client, world, steg, entry):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = body(client.get(INDEX))
    assert "<h1>Catalogue of interventions</h1>" in html
    assert "Get closer to a job" in html
    assert "Register interest" in body(client.get(detail_url(steg)))


def test_a_missing_applicant_is_asked_for(client, world, steg, entry):
    response = client.post(register_url(steg), form_data(applicant=None))
    assert response.status_code == 400
    assert "Välj vem som skickar anmälan." in body(response)
    assert not InterestRegistration.objects.exists()


def test_the_form_is_never_cached(client, world, steg, entry):
    response = client.post(register_url(steg), form_data(phone="12"))
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_online_registration_switched_off_points_to_the_contact(client, world, steg):
    CatalogueEntryFactory(intervention=steg, registrations_open=False)
    html = body(client.get(register_url(steg)))
    assert "Det går inte att anmäla intresse till insatsen här på webben" in html
    assert "Tillbaka till Steg till arbete" in html
    assert client.post(register_url(steg), form_data()).status_code == 409
    assert not InterestRegistration.objects.exists()
