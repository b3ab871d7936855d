"""The plan pages through the test client, as the personas: behaviour, owner and role."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from stegvis.core.models import AuditEvent
from stegvis.plans import services
from stegvis.plans.models import Plan, PlanActivity
from stegvis.plans.services import ActivityDetails, GoalDetails

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel("2026-11-20 10:00 +01:00", tick=False):
        yield


def u(world, name: str, **kwargs) -> str:
    return reverse(f"plans:{name}", kwargs={"association": world.a.slug, **kwargs})


def test_the_office_creates_a_plan(world, as_persona):
    client = as_persona("alice")
    response = client.post(u(world, "create"), {"year": "2027"})
    plan = Plan.objects.get(association=world.a, year=2027)
    assert response.status_code == 302 and response["Location"] == u(
        world, "detail", plan=plan.public_id
    )
    response = client.post(u(world, "create"), {"year": "2027"})
    assert response.status_code == 400
    assert "Det finns redan en plan för 2027" in response.content.decode()


def test_the_list_is_empty_at_first_and_paginated(
    world, as_persona, A, django_assert_max_num_queries
):
    client = as_persona("carol")
    page = client.get(u(world, "list")).content.decode()
    assert "Förbundet har ingen verksamhetsplan i Stegvis ännu." in page
    assert "Skapa utkast" not in page  # the board reads only
    services.create_plan(A["alice"], 2026)
    with django_assert_max_num_queries(20) as first:
        client.get(u(world, "list"))
    for year in range(2000, 2030):
        if year != 2026:
            services.create_plan(A["alice"], year)
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = client.get(u(world, "list")).content.decode()
    assert "Sida 1 av 2" in page


def test_goal_form_errors_are_shown_and_nothing_saved(world, as_persona, area):
    client = as_persona("alice")
    url = u(world, "goal_add", plan=area.plan.public_id, area=area.public_id)
    response = client.post(
        url, {"text": "Andel", "measure": "cost_share_interventions", "target": "120"}
    )
    assert response.status_code == 400
    assert "En andel kan inte vara över 100 %." in response.content.decode()
    assert not area.goals.exists()
    response = client.post(
        url, {"text": "Andel", "measure": "cost_share_interventions", "target": "75,5"}
    )
    assert response.status_code == 302
    assert area.goals.get().target == Decimal("75.5")


def test_an_intervention_of_another_association_cannot_be_chosen(world, as_persona, area, other):
    client = as_persona("alice")
    url = u(world, "goal_add", plan=area.plan.public_id, area=area.public_id)
    response = client.post(
        url,
        {
            "text": "X",
            "measure": "structural_activities",
            "target": "3",
            "intervention": str(other.pk),
        },
    )
    assert response.status_code == 400
    assert not area.goals.exists()


def test_activity_outside_the_plan_years_is_refused(world, as_persona, area):
    client = as_persona("alice")
    url = u(world, "activity_add", plan=area.plan.public_id, area=area.public_id)
    response = client.post(url, {"text": "X", "year": "2030", "quarter": "1", "status": "planned"})
    assert response.status_code == 400
    assert not area.activities.exists()


def test_decide_then_locked_and_new_version(world, as_persona, area):
    plan = area.plan
    client = as_persona("alice")
    response = client.post(
        u(world, "decide", plan=plan.public_id),
        {"decided_on": "2026-11-18", "decision_number": "§ 45/2026"},
    )
    assert response.status_code == 302
    page = client.get(u(world, "detail", plan=plan.public_id)).content.decode()
    assert "§ 45/2026" in page and "Skapa en ny version" in page
    assert "Lägg till ett mål" not in page
    response = client.post(
        u(world, "decide", plan=plan.public_id),
        {"decided_on": "2026-11-19", "decision_number": "§ 46"},
    )
    assert response.status_code == 400
    assert "Planen är redan beslutad" in response.content.decode()
    response = client.post(u(world, "area_add", plan=plan.public_id), {"name": "Nytt"})
    assert response.status_code == 400
    assert "Skapa en ny version för att ändra den" in response.content.decode()
    response = client.post(u(world, "new_version", plan=plan.public_id))
    copy = Plan.objects.get(association=world.a, year=2026, version=2)
    assert response["Location"] == u(world, "detail", plan=copy.public_id)


def test_activity_status_is_followed_up(world, as_persona, A, area):
    activity = services.add_activity(A["alice"], area, ActivityDetails("Samråd", 2026, 1))
    client = as_persona("alice")
    url = u(world, "activity_follow", plan=area.plan.public_id, plan_activity=activity.public_id)
    client.post(url, {"status": "done", "comment": "Hölls"})
    activity.refresh_from_db()
    assert (activity.status, activity.comment) == (PlanActivity.Status.DONE, "Hölls")
    assert AuditEvent.objects.filter(action="plans.activity.follow_up").exists()


def test_the_follow_up_page_shows_verdicts_and_a_bad_period(world, as_persona, A, area):
    services.add_goal(
        A["alice"], area, GoalDetails("Till arbete", "exits_work_studies", Decimal(40))
    )
    client = as_persona("helena")  # the auditor reads
    url = u(world, "follow_up", plan=area.plan.public_id)
    page = client.get(url).content.decode()
    assert "Inte mätbart ännu" in page and "Till arbete" in page
    assert "40,0" in page
    response = client.get(url, {"fran": "2026-12-01", "till": "2026-01-01"})
    assert response.status_code == 400
    assert "Periodens slut kan inte vara före dess början." in response.content.decode()


def test_the_follow_up_page_suppresses_counts_of_people_for_every_reader_but_the_office(
    world, as_persona, A, area
):
    """calculations.md §6: 12 women, 8 men and 1 not given attended. The office reads them; the
    board and the auditor read women 12, men "–" (8 would give the 1 back), total 21."""
    from stegvis.plans.tests.test_followup import structural_attendance

    structural_attendance(world)
    services.add_goal(
        A["alice"],
        area,
        GoalDetails("Kunskapslyft", "structural_attendees", Decimal(10), by_gender=True),
    )
    url = u(world, "follow_up", plan=area.plan.public_id)

    def outcomes(persona):
        result = as_persona(persona).get(url).context["result"]
        [row] = result.areas[0].goals
        return [cell.mark or cell.outcome for cell in row.cells]

    assert outcomes("alice") == [Decimal(12), Decimal(8), Decimal(21)]
    for persona in ("carol", "helena"):
        assert outcomes(persona) == [Decimal(12), "–", Decimal(21)]
    page = as_persona("carol").get(url).content.decode()
    assert "Visas inte (färre än 5)" in page
    assert "visas som ”<5”" in page


PAGES = ["list", "detail", "follow_up", "document"]


def _url(world, name, plan):
    return u(world, name) if name == "list" else u(world, name, plan=plan.public_id)


@pytest.mark.parametrize("name", PAGES)
def test_it_checks_owner(world, as_persona, draft, name):
    # dave (office of B) gets 404 on A's pages, and on his own association's URL with A's plan.
    assert as_persona("dave").get(_url(world, name, draft)).status_code == 404
    if name != "list":
        url = reverse(
            f"plans:{name}", kwargs={"association": world.b.slug, "plan": draft.public_id}
        )
        assert as_persona("dave").get(url).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_it_checks_role(world, as_persona, draft, name):
    for persona in ("alice", "carol", "helena"):
        assert as_persona(persona).get(_url(world, name, draft)).status_code == 200
    # The reporter of A has a role at A but never sees plan pages; providers and referrers
    # have none at A.
    assert as_persona("rita").get(_url(world, name, draft)).status_code in (302, 403)
    for persona in ("bob", "frank"):
        assert as_persona(persona).get(_url(world, name, draft)).status_code == 404


def test_writes_check_role(world, as_persona, draft):
    response = as_persona("carol").post(u(world, "area_add", plan=draft.public_id), {"name": "X"})
    assert response.status_code == 403
    assert not draft.areas.exists()


def test_navigation_shows_the_plan_to_association_roles(world, as_persona):
    page = as_persona("carol").get(u(world, "list")).content.decode()
    assert u(world, "list") in page
