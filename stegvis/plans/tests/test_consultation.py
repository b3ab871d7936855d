"""Member consultation: meetings, participants (officials only), conclusions, and how the plan
considers them — on the plan page, in the document, and carried to a new version."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from stegvis.core.models import Organisation
from stegvis.core.tests.factories import OrganisationFactory
from stegvis.plans import services
from stegvis.plans.models import Consideration, Consultation
from stegvis.plans.services import ActivityDetails, ConsultationDetails, GoalDetails

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel("2026-11-20 10:00 +01:00", tick=False):
        yield


@pytest.fixture
def meeting(A):
    return services.create_consultation(
        A["alice"],
        ConsultationDetails(
            date(2026, 2, 10),
            "Medlemssamråd 2026",
            agenda="1. Behov\n2. Budget",
            strategic_questions="Unga utanför?",
        ),
    )


def test_participants_are_member_organisations_by_role(world, A, meeting):
    member = world.a.members.first().organisation
    participant = services.add_participant(A["alice"], meeting, member, "Kommunchef", "Kim K")
    assert (participant.role, participant.name) == ("Kommunchef", "Kim K")
    stranger = OrganisationFactory(name="Främmande region", kind=Organisation.Kind.REGION)
    with pytest.raises(ValidationError) as error:
        services.add_participant(A["alice"], meeting, stranger, "")
    assert error.value.message_dict == {
        "organisation": ["Organisationen är inte medlem i förbundet."],
        "role": ["Ange deltagarens roll."],
    }
    with pytest.raises(PermissionDenied):
        services.add_participant(A["carol"], meeting, member, "Chef")


def test_a_conclusion_is_considered_by_the_next_plan(world, A, meeting, area):
    conclusion = services.add_conclusion(A["alice"], meeting, "Fler insatser för unga")
    goal = services.add_goal(A["alice"], area, GoalDetails("Unga i arbete"))
    activity = services.add_activity(A["alice"], area, ActivityDetails("Ungdomsteam", 2026, 2))
    services.consider(A["alice"], conclusion, goal, "Nytt mål för unga")
    services.consider(A["alice"], conclusion, activity, "Ett ungdomsteam startar")
    with pytest.raises(ValidationError) as error:
        services.consider(A["alice"], conclusion, area, "")
    assert error.value.message_dict == {"how": ["Beskriv hur slutsatsen beaktas."]}
    plan = area.plan
    services.decide(A["alice"], plan, date(2026, 11, 18), "§ 45")
    with pytest.raises(ValidationError) as error:
        services.consider(A["alice"], conclusion, area, "Sent")
    assert error.value.message_dict["part"] == [
        "Planen är beslutad och låst. Koppla slutsatsen till en ny version."
    ]
    copy = services.new_version(A["alice"], plan)
    carried = list(Consideration.objects.filter(plan=copy).order_by("id"))
    assert [(c.how, str(c.part)) for c in carried] == [
        ("Nytt mål för unga", "Unga i arbete"),
        ("Ett ungdomsteam startar", "Ungdomsteam"),
    ]
    assert all(c.part.pk not in (goal.pk, activity.pk) for c in carried)


def test_a_conclusion_cannot_be_linked_to_another_associations_plan(world, A, meeting):
    conclusion = services.add_conclusion(A["alice"], meeting, "X")
    b_plan = services.create_plan(A["dave"], 2026)
    b_area = services.add_area(A["dave"], b_plan, "B:s område")
    with pytest.raises(ValidationError) as error:
        services.consider(A["alice"], conclusion, b_area, "Så")
    assert error.value.message_dict["part"] == ["Planen tillhör ett annat förbund."]


def test_the_office_records_and_links_through_the_pages(world, as_persona, A, area):
    client = as_persona("alice")
    kw = {"association": world.a.slug}
    response = client.post(
        reverse("plans:consultation_create", kwargs=kw),
        {"date": "2026-02-10", "title": "Samråd februari"},
    )
    assert response.status_code == 302
    consultation = Consultation.objects.get(title="Samråd februari")
    ckw = {**kw, "consultation": consultation.public_id}
    client.post(reverse("plans:conclusion_add", kwargs=ckw), {"text": "Mer samverkan"})
    conclusion = consultation.conclusions.get()
    url = reverse("plans:conclusion_consider", kwargs={**ckw, "conclusion": conclusion.public_id})
    response = client.post(url, {"part": f"area:{area.public_id}", "how": ""})
    assert response.status_code == 400
    assert "Detta fält måste fyllas i." in response.content.decode()
    response = client.post(url, {"part": f"area:{area.public_id}", "how": "Ett nytt målområde"})
    assert response.status_code == 302
    page = client.get(
        reverse("plans:detail", kwargs={**kw, "plan": area.plan.public_id})
    ).content.decode()
    assert "Mer samverkan" in page and "Ett nytt målområde" in page
    document = client.get(
        reverse("plans:document", kwargs={**kw, "plan": area.plan.public_id})
    ).content.decode()
    assert "Mer samverkan" in document


def test_the_consultation_list_has_constant_queries(
    world, as_persona, A, django_assert_max_num_queries
):
    client = as_persona("carol")
    url = reverse("plans:consultations", kwargs={"association": world.a.slug})
    assert "Inga medlemssamråd registrerade ännu." in client.get(url).content.decode()
    services.create_consultation(A["alice"], ConsultationDetails(date(2026, 2, 1), "Ett"))
    with django_assert_max_num_queries(20) as first:
        client.get(url)
    for day in range(2, 28):
        services.create_consultation(A["alice"], ConsultationDetails(date(2026, 2, day), "Fler"))
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert "Sida 1 av 2" in client.get(url).content.decode()


@pytest.mark.parametrize("name", ["consultations", "consultation"])
def test_consultation_pages_check_owner_and_role(world, as_persona, meeting, name):
    kwargs = {"association": world.a.slug}
    if name == "consultation":
        kwargs["consultation"] = meeting.public_id
    url = reverse(f"plans:{name}", kwargs=kwargs)
    for persona in ("alice", "carol", "helena"):
        assert as_persona(persona).get(url).status_code == 200
    assert as_persona("dave").get(url).status_code == 404
    assert as_persona("bob").get(url).status_code == 404
    assert as_persona("rita").get(url).status_code in (302, 403)
