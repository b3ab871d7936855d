"""A round that evaluates one activity of a structural intervention (a seminar, a training day):
opening it, the choices the office is offered, and the activity it keeps from being deleted."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from stegvis.core.models import AuditEvent
from stegvis.interventions import services as interventions
from stegvis.interventions.models import StructuralActivity
from stegvis.interventions.tests.factories import ActivityFactory, StructuralInterventionFactory
from stegvis.surveys.models import SurveyRound
from stegvis.surveys.tests.conftest import actor_of, open_round
from stegvis.surveys.tests.test_views import a_url, messages_of

pytestmark = pytest.mark.django_db

SEMINAR = "seminarieutvardering"


@pytest.fixture
def seminar(world) -> StructuralActivity:
    training = StructuralInterventionFactory(
        name="Samverkansutbildning", provider=world.p, lead_association=world.a
    )
    return ActivityFactory(intervention=training, title="Seminarium om psykisk hälsa")


@pytest.fixture
def of_b(world) -> StructuralActivity:
    training = StructuralInterventionFactory(
        name="B:s utbildning", provider=world.q, lead_association=world.b
    )
    return ActivityFactory(intervention=training, title="B:s seminarium")


def _activity_url(world, activity: StructuralActivity, name: str) -> str:
    return reverse(
        f"interventions:association_{name}",
        kwargs={
            "association": world.a.slug,
            "intervention": activity.intervention.public_id,
            "activity": activity.public_id,
        },
    )


def test_a_round_for_an_activity_belongs_to_its_intervention(world, loaded, seminar):
    survey_round = open_round(world, loaded[SEMINAR], [], activity=seminar, title="Seminariet")
    assert survey_round.activity == seminar
    assert list(survey_round.interventions.all()) == []
    event = AuditEvent.objects.get(action="survey_round.open")
    assert (event.association, event.reason) == (world.a, "Seminariet")


def test_a_round_is_for_interventions_or_an_activity_not_both(world, loaded, seminar):
    with pytest.raises(ValidationError) as error:
        open_round(world, loaded[SEMINAR], [seminar.intervention], activity=seminar)
    assert error.value.message_dict == {
        "activity": ["Välj antingen insatser eller en aktivitet, inte båda."]
    }
    assert not SurveyRound.objects.exists()


def test_the_office_cannot_evaluate_another_associations_activity(world, loaded, of_b):
    with pytest.raises(ValidationError) as error:
        open_round(world, loaded[SEMINAR], [], activity=of_b)
    assert error.value.message_dict == {
        "activity": ["Välj en aktivitet i förbundets egna insatser."]
    }
    assert not SurveyRound.objects.exists()


def test_the_form_offers_only_the_associations_own_activities(
    as_persona, world, loaded, seminar, of_b
):
    response = as_persona("alice").get(a_url(world, "round_create"))
    choices = list(response.context["form"].fields["activity"].queryset)
    assert choices == [seminar]
    page = response.content.decode()
    assert "Samverkansutbildning: 2025-03-12 Seminarium om psykisk hälsa" in page
    assert "B:s seminarium" not in page
    # Posting B's activity anyway is refused by the form, and nothing is opened.
    refused = as_persona("alice").post(
        a_url(world, "round_create"),
        {
            "questionnaire": loaded[SEMINAR].pk,
            "title": "Försök",
            "activity": of_b.pk,
            "opens_on": "2026-01-01",
            "closes_on": "2026-12-31",
        },
    )
    assert refused.status_code == 200
    assert "activity" in refused.context["form"].errors
    assert not SurveyRound.objects.exists()


def test_an_evaluated_activity_is_kept_with_a_message(as_persona, world, loaded, seminar):
    open_round(world, loaded[SEMINAR], [], activity=seminar, title="Seminariet")
    response = as_persona("alice").post(_activity_url(world, seminar, "activity_delete"))
    assert response.status_code == 302
    assert response["Location"] == _activity_url(world, seminar, "activity_detail")
    assert messages_of(response) == ["Aktiviteten kan inte tas bort: den används i enkätomgångar."]
    assert StructuralActivity.objects.filter(pk=seminar.pk).exists()
    assert SurveyRound.objects.get().activity == seminar
    # The refused delete leaves no event that says it was deleted.
    assert not AuditEvent.objects.filter(action="intervention.activity_delete").exists()


def test_the_service_refuses_to_delete_an_evaluated_activity(world, loaded, seminar):
    open_round(world, loaded[SEMINAR], [], activity=seminar, opens_on=date(2025, 3, 1))
    with pytest.raises(ValidationError) as error:
        interventions.delete_activity(actor_of(world, "alice"), seminar)
    assert error.value.messages == ["Aktiviteten kan inte tas bort: den används i enkätomgångar."]
    assert StructuralActivity.objects.filter(pk=seminar.pk).exists()
