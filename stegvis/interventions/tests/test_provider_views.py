"""The provider's intervention pages: list, detail, and the manager's choice of coaches."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from stegvis.core.models import AuditEvent, Role, RoleAssignment
from stegvis.core.tests.factories import UserFactory
from stegvis.interventions.tests.factories import InterventionFactory

OUTSIDERS = ["alice", "carol", "dave", "erin", "frank"]


def p_url(world, name: str, provider=None, **kwargs) -> str:
    unit = provider or world.p
    return reverse(f"interventions:provider_{name}", kwargs={"provider": unit.public_id, **kwargs})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- provider_list -----------------------------------------------------------------------------


def test_the_manager_sees_every_intervention_of_the_provider(
    as_persona, world, steg, training, shared
):
    response = as_persona("petra").get(p_url(world, "list"))
    assert response.status_code == 200
    assert [i.name for i in response.context["page"].object_list] == [
        "Samverkansutbildning",
        "Steg till arbete",
    ]
    assert {i.name: i.coach_count for i in response.context["page"].object_list} == {
        "Samverkansutbildning": 0,
        "Steg till arbete": 1,
    }


def test_a_coach_sees_only_the_interventions_assigned_to_them(as_persona, world, steg, training):
    response = as_persona("bob").get(p_url(world, "list"))
    assert [i.name for i in response.context["page"].object_list] == ["Steg till arbete"]
    page = response.content.decode()
    assert "Samverkansutbildning" not in page
    # The count is of all the intervention's coaches, not only the one looking.
    steg.coaches.add(world["petra"])
    response = as_persona("bob").get(p_url(world, "list"))
    assert response.context["page"].object_list[0].coach_count == 2


def test_provider_list_links_from_the_navigation(as_persona, world):
    page = as_persona("bob").get(p_url(world, "list")).content.decode()
    assert f'<a href="{p_url(world, "list")}" aria-current="page">Insatser</a>' in page


def test_provider_list_query_count_is_constant(as_persona, world, django_assert_max_num_queries):
    for n in range(3):
        InterventionFactory(
            provider=world.p,
            lead_association=world.a,
            name=f"Insats {n:02d}",
            coaches=[world["bob"]],
        )
    client = as_persona("petra")
    with django_assert_max_num_queries(25) as small:
        response = client.get(p_url(world, "list"))
    assert len(response.context["page"].object_list) == 3
    for n in range(3, 25):
        InterventionFactory(
            provider=world.p,
            lead_association=world.a,
            name=f"Insats {n:02d}",
            coaches=[world["bob"], world["petra"]],
        )
    with django_assert_max_num_queries(len(small)):
        response = client.get(p_url(world, "list"))
    assert len(response.context["page"].object_list) == 25


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_provider_list_checks_owner(as_persona, world, persona):
    assert as_persona(persona).get(p_url(world, "list")).status_code == 404


# --- provider_detail ---------------------------------------------------------------------------


def test_provider_detail_shows_the_intervention_and_its_coaches(as_persona, world, steg):
    response = as_persona("petra").get(p_url(world, "detail", intervention=steg.public_id))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Steg till arbete" in page
    assert "Bob" in page
    assert p_url(world, "coaches", intervention=steg.public_id) in page
    # A coach reads the page but does not choose coaches.
    page = as_persona("bob").get(p_url(world, "detail", intervention=steg.public_id)).content
    assert p_url(world, "coaches", intervention=steg.public_id) not in page.decode()


def test_a_coach_does_not_reach_an_intervention_they_are_not_assigned_to(
    as_persona, world, training
):
    response = as_persona("bob").get(p_url(world, "detail", intervention=training.public_id))
    assert response.status_code == 404


def test_it_checks_owner(as_persona, world, steg, shared):
    urls = [
        p_url(world, "list"),
        p_url(world, "detail", intervention=steg.public_id),
        p_url(world, "coaches", intervention=steg.public_id),
    ]
    for persona in ["dave", "erin", "frank", "alice"]:
        client = as_persona(persona)
        for url in urls:
            assert client.get(url).status_code == 404, (persona, url)
            assert client.post(url, {"coaches": [world["erin"].pk]}).status_code == 404
    # Q's intervention under P's address: as if it did not exist.
    assert (
        as_persona("petra").get(p_url(world, "detail", intervention=shared.public_id)).status_code
        == 404
    )
    assert list(steg.coaches.all()) == [world["bob"]]


# --- provider_coaches --------------------------------------------------------------------------


def test_the_manager_chooses_coaches_among_the_providers_staff(as_persona, world, steg):
    former = UserFactory(full_name="Före Detta")
    RoleAssignment.objects.create(
        user=former, role=Role.COACH, unit=world.p, deactivated_at="2025-01-01T00:00Z"
    )
    client = as_persona("petra")
    url = p_url(world, "coaches", intervention=steg.public_id)
    form = client.get(url).context["form"]
    assert list(form.fields["coaches"].queryset) == [world["bob"], world["petra"]]
    assert form["coaches"].value() == [world["bob"].pk]
    response = client.post(url, {"coaches": [world["petra"].pk]})
    assert response.status_code == 302
    assert response["Location"] == p_url(world, "detail", intervention=steg.public_id)
    assert list(steg.coaches.all()) == [world["petra"]]
    assert messages_of(response) == ["Insatsens coacher är sparade."]
    event = AuditEvent.objects.get(action="intervention.coaches")
    assert (event.unit, event.user, event.object_id) == (
        world.p,
        world["petra"],
        str(steg.public_id),
    )
    # Bob is no longer assigned: the intervention is gone from his pages.
    assert (
        as_persona("bob").get(p_url(world, "detail", intervention=steg.public_id)).status_code
        == 404
    )


def test_the_manager_can_remove_every_coach(as_persona, world, steg):
    response = as_persona("petra").post(p_url(world, "coaches", intervention=steg.public_id), {})
    assert response.status_code == 302
    assert not steg.coaches.exists()


def test_someone_without_a_role_at_the_provider_is_not_offered(as_persona, world, steg):
    response = as_persona("petra").post(
        p_url(world, "coaches", intervention=steg.public_id), {"coaches": [world["erin"].pk]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"coaches": ["Välj ett av alternativen i listan."]}
    assert list(steg.coaches.all()) == [world["bob"]]


def test_it_checks_role(as_persona, world, steg):
    client = as_persona("bob")
    url = p_url(world, "coaches", intervention=steg.public_id)
    assert client.get(url).status_code == 403
    assert client.post(url, {"coaches": []}).status_code == 403
    assert list(steg.coaches.all()) == [world["bob"]]
