"""The plan as data: versions, locking, and every refusal of bad input with its message."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from stegvis.core.models import AuditEvent
from stegvis.plans import services
from stegvis.plans.models import Plan, PlanActivity
from stegvis.plans.services import ActivityDetails, GoalDetails

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel("2026-11-20 10:00 +01:00", tick=False):
        yield


def messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


def test_a_plan_covers_its_year_and_two_planning_years(draft):
    assert draft.years == [2026, 2027, 2028]
    assert (draft.version, draft.status) == (1, Plan.Status.DRAFT)
    assert AuditEvent.objects.filter(action="plans.plan.create").count() == 1


def test_only_the_office_writes(A, draft):
    for persona in ("carol", "dave", "bob"):
        with pytest.raises(PermissionDenied):
            services.add_area(A[persona], draft, "Något")


def test_a_second_plan_for_the_same_year_is_refused(A, draft):
    with pytest.raises(ValidationError) as error:
        services.create_plan(A["alice"], 2026)
    assert "Det finns redan en plan för 2026" in messages(error.value)["year"][0]


def test_a_goal_with_a_measure_and_a_target(A, area, steg):
    goal = services.add_goal(
        A["alice"],
        area,
        GoalDetails(
            "Fler kvinnor och män tar steg",
            measure="positive_step",
            target=Decimal("40"),
            intervention=steg,
            by_gender=True,
        ),
    )
    assert (goal.measure, goal.target, goal.intervention, goal.by_gender) == (
        "positive_step",
        Decimal("40"),
        steg,
        True,
    )


@pytest.mark.parametrize(
    ("details", "field", "message"),
    [
        (GoalDetails("", measure=""), "text", "Skriv målet."),
        (
            GoalDetails("Andel", measure="cost_share_interventions", target=Decimal("100.5")),
            "target",
            "En andel kan inte vara över 100 %.",
        ),
        (
            GoalDetails("Andel", measure="cost_share_interventions"),
            "target",
            "Ange ett målvärde för måttet.",
        ),
        (
            GoalDetails("Antal", measure="structural_activities", target=Decimal("-1")),
            "target",
            "Målvärdet kan inte vara negativt.",
        ),
        (
            GoalDetails("Antal", measure="structural_activities", target=Decimal("2.5")),
            "target",
            "Ett antal anges i hela tal.",
        ),
        (GoalDetails("X", measure="påhittat", target=Decimal(1)), "measure", "Välj ett mått"),
        (
            GoalDetails("X", measure="positive_step", target=Decimal(40)),
            "intervention",
            "Måttet gäller en insats: välj vilken.",
        ),
        (
            GoalDetails(
                "X", measure="cost_share_interventions", target=Decimal(75), by_gender=True
            ),
            "by_gender",
            "Måttet kan inte delas upp på kön.",
        ),
        (GoalDetails("X", target=Decimal(5)), "target", "Ett målvärde kräver ett mått."),
        (
            GoalDetails("X", measure="survey_share_positive", target=Decimal(80)),
            "questionnaire",
            "Välj enkät.",
        ),
    ],
)
def test_bad_goals_are_refused_with_a_message(A, area, details, field, message):
    with pytest.raises(ValidationError) as error:
        services.add_goal(A["alice"], area, details)
    assert any(m.startswith(message) for m in messages(error.value)[field])
    assert not area.goals.exists()


def test_an_intervention_of_another_association_is_refused(A, area, other):
    details = GoalDetails(
        "X", measure="structural_activities", target=Decimal(3), intervention=other
    )
    with pytest.raises(ValidationError) as error:
        services.add_goal(A["alice"], area, details)
    assert messages(error.value)["intervention"] == [
        "Insatsen finansieras inte av förbundet och kan inte väljas."
    ]


def test_a_questionnaire_of_another_association_is_refused(world, A, area):
    from stegvis.surveys import services as surveys

    [first, *_] = surveys.load_samples(A["dave"], world.b)
    details = GoalDetails(
        "X",
        measure="survey_share_positive",
        target=Decimal(80),
        questionnaire=first.questionnaire,
        item_key="d1",
    )
    with pytest.raises(ValidationError) as error:
        services.add_goal(A["alice"], area, details)
    assert messages(error.value)["questionnaire"] == [
        "Enkäten tillhör ett annat förbund och kan inte väljas."
    ]


def test_activities_must_lie_in_the_plan_years(A, area):
    services.add_activity(A["alice"], area, ActivityDetails("Medlemssamråd", 2028, 1))
    with pytest.raises(ValidationError) as error:
        services.add_activity(A["alice"], area, ActivityDetails("För sent", 2029, 1))
    assert messages(error.value)["year"] == ["Aktiviteten måste ligga inom planens år 2026–2028."]
    with pytest.raises(ValidationError) as error:
        services.add_activity(A["alice"], area, ActivityDetails("Kvartal", 2026, 5))
    assert "quarter" in messages(error.value)


def test_consultation_decision_and_lock(A, draft, area):
    services.send_for_consultation(A["alice"], draft, date(2026, 10, 1))
    assert draft.status == Plan.Status.CONSULTATION
    with pytest.raises(ValidationError):
        services.send_for_consultation(A["alice"], draft, date(2026, 10, 2))
    with pytest.raises(ValidationError) as error:
        services.decide(A["alice"], draft, date(2026, 9, 1), "§ 12")
    assert messages(error.value)["decided_on"] == ["Beslutet kan inte vara före samrådet."]
    with pytest.raises(ValidationError) as error:
        services.decide(A["alice"], draft, date(2026, 11, 18), "")
    assert "decision_number" in messages(error.value)
    services.decide(A["alice"], draft, date(2026, 11, 18), "§ 45/2026")
    draft.refresh_from_db()
    assert (draft.status, draft.decided_on, draft.decision_number) == (
        Plan.Status.DECIDED,
        date(2026, 11, 18),
        "§ 45/2026",
    )
    with pytest.raises(ValidationError) as error:
        services.decide(A["alice"], draft, date(2026, 11, 19), "§ 46/2026")
    assert error.value.messages == ["Planen är redan beslutad 2026-11-18 (§ 45/2026)."]
    with pytest.raises(ValidationError) as error:
        services.add_area(A["alice"], draft, "Nytt")
    assert error.value.messages == [
        "Planen är beslutad 2026-11-18 och låst. Skapa en ny version för att ändra den."
    ]
    with pytest.raises(ValidationError):
        services.update_texts(A["alice"], draft, services.PlanTexts(vision="Ändrad"))


def test_a_decision_in_the_future_is_refused(A, draft):
    with pytest.raises(ValidationError) as error:
        services.decide(A["alice"], draft, date(2026, 12, 1), "§ 1")
    assert messages(error.value)["decided_on"] == ["Beslutsdatumet kan inte ligga i framtiden."]


def test_a_new_version_copies_the_decided_plan(A, draft, area, steg):
    services.add_goal(
        A["alice"],
        area,
        GoalDetails("Kostnader", measure="cost_share_interventions", target=Decimal(75)),
    )
    activity = services.add_activity(A["alice"], area, ActivityDetails("Samråd", 2026, 1))
    services.decide(A["alice"], draft, date(2026, 11, 18), "§ 45")
    # Following up an activity of a decided plan is allowed: it is the follow-up.
    services.follow_up_activity(A["alice"], activity, PlanActivity.Status.DONE, "Hölls 3 feb")
    copy = services.new_version(A["alice"], draft)
    assert (copy.version, copy.status, copy.vision) == (2, Plan.Status.DRAFT, "Alla i arbete")
    [new_area] = copy.areas.all()
    assert new_area.pk != area.pk and new_area.name == area.name
    assert [g.text for g in new_area.goals.all()] == ["Kostnader"]
    assert [(a.text, a.status) for a in new_area.activities.all()] == [("Samråd", "done")]
    with pytest.raises(ValidationError):
        services.new_version(A["alice"], draft)  # not from an older version
    with pytest.raises(ValidationError):
        services.new_version(A["alice"], copy)  # a draft is edited directly
    # The decided version is unchanged.
    assert draft.areas.get().goals.count() == 1
