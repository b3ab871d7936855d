"""The office's catalogue pages (/a/<association>/katalog/) and the provider's inbox
(/p/<provider>/intresseanmalningar/): owner, role, behaviour, audit, query counts."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from stegvis.catalogue.models import CatalogueEntry, InterestRegistration
from stegvis.catalogue.tests.factories import CatalogueEntryFactory, InterestRegistrationFactory
from stegvis.core.models import AuditEvent, Municipality, Role, RoleAssignment
from stegvis.core.tests.factories import UserFactory
from stegvis.core.tests.personas import act_as
from stegvis.interventions.models import Intervention
from stegvis.interventions.tests.factories import InterventionFactory
from stegvis.participants.models import Referral
from stegvis.participants.tests.conftest import national_id

pytestmark = pytest.mark.django_db


def office_list(world, association=None) -> str:
    return reverse("catalogue:office_list", kwargs={"association": (association or world.a).slug})


def office_edit(world, intervention: Intervention, association=None) -> str:
    return reverse(
        "catalogue:office_edit",
        kwargs={
            "association": (association or world.a).slug,
            "intervention": intervention.public_id,
        },
    )


def inbox(world, provider=None) -> str:
    return reverse("catalogue:inbox", kwargs={"provider": (provider or world.p).public_id})


def detail(world, registration: InterestRegistration) -> str:
    return reverse(
        "catalogue:registration_detail",
        kwargs={"provider": world.p.public_id, "registration": registration.public_id},
    )


def convert(world, registration: InterestRegistration) -> str:
    return reverse(
        "catalogue:registration_convert",
        kwargs={"provider": world.p.public_id, "registration": registration.public_id},
    )


def body(response) -> str:
    return response.content.decode()


EDIT = {
    "published": "on",
    "summary": "Stöd för dig som vill börja arbeta.",
    "target_group": "Dig som är 16–64 år.",
    "how_to_apply": "Anmäl intresse här.",
    "contact_tel": "0640-123 45",
    "needs": ["arbete"],
    "registrations_open": "on",
}


@pytest.fixture
def registration(world, steg, entry) -> InterestRegistration:
    return InterestRegistrationFactory(
        intervention=steg, municipality=Municipality.objects.get(code="2309")
    )


# --- office_list -------------------------------------------------------------------------------


def test_office_list_shows_texts_and_the_review_reminder(as_persona, world, steg, shared):
    CatalogueEntryFactory(intervention=steg, reviewed_on=date(2025, 1, 10))
    with time_machine.travel("2026-03-02 09:00 +01:00"):
        response = as_persona("alice").get(office_list(world))
    html = body(response)
    assert response.status_code == 200
    assert "1 text har inte granskats på tolv månader" in html
    assert "Dags att granska" in html
    assert "Publicerad" in html
    # A co-funded intervention is listed; its texts are written by the lead association.
    assert "texterna skrivs av Förbund B" in html
    assert office_edit(world, shared) not in html


def test_office_list_checks_owner(as_persona, world, steg):
    assert as_persona("dave").get(office_list(world)).status_code == 404
    assert as_persona("bob").get(office_list(world)).status_code == 404


def test_office_list_checks_role(as_persona, world, steg):
    assert as_persona("carol").get(office_list(world)).status_code == 403
    assert as_persona("helena").get(office_list(world)).status_code == 403


def test_office_list_query_count_is_constant(
    as_persona, world, steg, django_assert_max_num_queries
):
    client = as_persona("alice")
    CatalogueEntryFactory(intervention=steg)
    client.get(office_list(world))
    with django_assert_max_num_queries(40) as small:
        client.get(office_list(world))
    for i in range(10):
        intervention = InterventionFactory(provider=world.p, lead_association=world.a)
        if i % 2:
            CatalogueEntryFactory(intervention=intervention)
    with django_assert_max_num_queries(len(small)):
        response = client.get(office_list(world))
    assert len(response.context["page"].object_list) == 11


# --- office_edit -------------------------------------------------------------------------------


def test_preview_shows_the_public_page_and_saves_nothing(as_persona, world, steg):
    response = as_persona("alice").post(office_edit(world, steg), {**EDIT, "action": "preview"})
    assert response.status_code == 200
    html = body(response)
    assert "Förhandsgranskning: så här ser sidan ut" in html
    assert "Stöd för dig som vill börja arbeta." in html
    assert "För dig som bor i: Krokom." in html
    assert "Betalas av Förbund A" in html
    assert not CatalogueEntry.objects.exists()


def test_saving_publishes_the_texts(as_persona, world, steg, client):
    response = as_persona("alice").post(office_edit(world, steg), {**EDIT, "action": "save"})
    assert response.status_code == 302
    entry = CatalogueEntry.objects.get()
    assert (entry.published, entry.needs, entry.reviewed_on) == (True, ["arbete"], date.today())
    public = reverse("catalogue:detail", kwargs={"insats": steg.public_id})
    assert client.get(public).status_code == 200


def test_saving_shows_every_problem(as_persona, world, steg):
    data = {**EDIT, "summary": "", "contact_tel": "", "action": "save"}
    response = as_persona("alice").post(office_edit(world, steg), data)
    html = body(response)
    assert "Skriv en kort beskrivning av insatsen." in html
    assert "Ange telefon eller e-post till insatsen innan den publiceras." in html
    assert not CatalogueEntry.objects.exists()


def test_the_form_starts_from_the_interventions_target_group(as_persona, world, steg):
    Intervention.objects.filter(pk=steg.pk).update(target_group="Unga vuxna i Krokom.")
    assert "Unga vuxna i Krokom." in body(as_persona("alice").get(office_edit(world, steg)))


def test_marking_as_reviewed(as_persona, world, steg):
    entry = CatalogueEntryFactory(intervention=steg, reviewed_on=date(2024, 1, 1))
    response = as_persona("alice").post(office_edit(world, steg), {"action": "reviewed"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.reviewed_on == date.today()


def test_office_edit_checks_owner(as_persona, world, steg):
    assert as_persona("dave").get(office_edit(world, steg, world.b)).status_code == 404
    assert as_persona("dave").post(office_edit(world, steg, world.b), EDIT).status_code == 404
    assert not CatalogueEntry.objects.exists()


def test_office_edit_checks_role(as_persona, world, steg, shared):
    assert as_persona("carol").get(office_edit(world, steg)).status_code == 403
    # A co-funder's office sees the intervention but does not write its texts.
    assert as_persona("alice").get(office_edit(world, shared)).status_code == 403


# --- The provider's inbox ----------------------------------------------------------------------


def test_the_inbox_lists_new_registrations_with_an_audited_read(as_persona, world, registration):
    response = as_persona("bob").get(inbox(world))
    html = body(response)
    assert response.status_code == 200
    assert "Sara Exempel" in html
    assert "Steg till arbete" in html
    event = AuditEvent.objects.get(action="interest.list")
    assert (event.unit, event.user) == (world.p, world["bob"])
    assert response["Cache-Control"] == "no-store, private"


def test_the_inbox_checks_owner(as_persona, world, registration):
    for persona in ("erin", "alice", "dave", "frank"):
        response = as_persona(persona).get(inbox(world))
        assert response.status_code == 404, persona
        assert "Sara" not in body(response)


def test_the_inbox_shows_a_coach_only_their_own_interventions(as_persona, world, registration):
    """The role test: every provider role may open the inbox, but a coach who works in none of
    the interventions sees none of their registrations."""
    other = UserFactory(email="otto@test.example", full_name="Otto")
    RoleAssignment.objects.create(user=other, role=Role.COACH, unit=world.p)
    world.users["otto"], world.roles["otto"] = other, RoleAssignment.objects.get(user=other)
    client = act_as(Client(), world, "otto")
    html = body(client.get(inbox(world)))
    assert "Sara" not in html
    assert "Inga nya intresseanmälningar." in html
    assert client.get(detail(world, registration)).status_code == 404


def test_the_inbox_query_count_is_constant(
    as_persona, world, steg, entry, django_assert_max_num_queries
):
    client = as_persona("petra")
    krokom = Municipality.objects.get(code="2309")
    InterestRegistrationFactory(intervention=steg, municipality=krokom)
    client.get(inbox(world))
    with django_assert_max_num_queries(40) as small:
        client.get(inbox(world))
    for _ in range(20):
        InterestRegistrationFactory(intervention=steg, municipality=krokom)
    with django_assert_max_num_queries(len(small)):
        response = client.get(inbox(world))
    assert body(response).count("Sara Exempel") == 21


def test_the_referral_list_links_to_the_inbox_with_the_count(as_persona, world, registration):
    url = reverse("participants:referral_list", kwargs={"provider": world.p.public_id})
    html = body(as_persona("bob").get(url))
    assert "1 ny intresseanmälan från katalogen" in html
    assert inbox(world) in html


# --- registration_detail -----------------------------------------------------------------------


def test_the_detail_shows_contact_details_and_is_audited(as_persona, world, registration):
    html = body(as_persona("bob").get(detail(world, registration)))
    assert "Sara Exempel" in html and "070-123 45 67" in html and "Vill börja jobba" in html
    event = AuditEvent.objects.get(action="interest.view")
    assert (event.unit, event.object_id) == (world.p, str(registration.public_id))


def test_the_detail_checks_owner(as_persona, world, registration):
    for persona in ("erin", "alice"):
        assert as_persona(persona).get(detail(world, registration)).status_code == 404


def test_declining_from_the_detail(as_persona, world, registration):
    client = as_persona("petra")
    response = client.post(detail(world, registration), {"reason": ""})
    assert response.status_code == 400
    assert "Välj ett skäl." in body(response)
    response = client.post(detail(world, registration), {"reason": "ej_intresserad"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.state == InterestRegistration.State.DECLINED


# --- registration_convert ----------------------------------------------------------------------


def test_converting_asks_the_national_id_and_makes_a_referral(as_persona, world, registration):
    client = as_persona("bob")
    page = body(client.get(convert(world, registration)))
    assert 'value="Sara Exempel"' in page
    response = client.post(
        convert(world, registration),
        {
            "identity_kind": "personnummer",
            "national_id": national_id("19900315", "123"),
            "name": "Sara Exempel",
            "contact": "070-123 45 67",
            "home_municipality": Municipality.objects.get(code="2309").pk,
            "born_outside_nordic": "ej_angivet",
            "planned_start": date.today().isoformat(),
            "referring_kinds": ["sjalv"],
            "need": "Vill börja jobba igen",
        },
    )
    assert response.status_code == 302, body(response)
    referral = Referral.objects.get()
    assert response["Location"].endswith(f"/remisser/{referral.public_id}/")
    registration.refresh_from_db()
    assert registration.referral == referral
    # Handled: going back to the form sends you to the detail.
    assert client.get(convert(world, registration)).status_code == 302


def test_converting_with_a_bad_number_shows_the_problem(as_persona, world, registration):
    response = as_persona("petra").post(
        convert(world, registration),
        {
            "identity_kind": "personnummer",
            "national_id": "19900315-0000",
            "born_outside_nordic": "ej_angivet",
            "planned_start": date.today().isoformat(),
            "referring_kinds": ["sjalv"],
        },
    )
    assert response.status_code == 400
    assert not Referral.objects.exists()


def test_converting_checks_owner(as_persona, world, registration):
    assert as_persona("erin").post(convert(world, registration), {}).status_code == 404
    assert as_persona("alice").get(convert(world, registration)).status_code == 404
