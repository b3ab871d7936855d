"""The operating plan's goals that need participant figures (exits, step movement, violence
screening, participants per coach, occupancy), answered from received packages only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from stegvis.aggregates import package
from stegvis.aggregates.tests.conftest import actor_of
from stegvis.aggregates.tests.test_figures import _receive, _tables
from stegvis.interventions.models import Staffing
from stegvis.plans import measures
from stegvis.plans import services as plans
from stegvis.plans.followup import MET, NOT_MET, follow_up
from stegvis.plans.measures import Period
from stegvis.plans.services import GoalDetails

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


def _goal(world, measure: str, intervention=None, by_gender: bool = False):
    return SimpleNamespace(
        measure=measure, association=world.a, intervention=intervention, by_gender=by_gender
    )


def _worked_example(world, gemensam) -> None:
    """calculations.md §5 and §7: 30 exits, 9 to work and 4 to studies (women 7/15, men 6/15);
    20 places, one June package of 30 days with 540 participant-days."""
    gemensam.places = 20
    gemensam.save(update_fields=["places"])
    tables = _tables(
        at_start=(15, 15),
        new=(0, 0),
        groups={"arbete": (5, 4), "studier": (2, 2), "annat": (8, 0), "sjukdom": (0, 9)},
        days=(300, 240),
    )
    _receive(world, gemensam, world.a, "2026-06", tables)


def test_exits_to_work_or_studies_by_gender_from_the_packages(world, gemensam):
    _worked_example(world, gemensam)
    for intervention in (gemensam, None):
        result = measures.outcome(_goal(world, "exits_work_studies", intervention, True), YEAR)
        assert result.values == {
            "women": Decimal("46.7"),
            "men": Decimal("40.0"),
            "total": Decimal("43.3"),
        }
        assert result.reason == ""


def test_occupancy_from_the_packages(world, gemensam):
    _worked_example(world, gemensam)
    for intervention in (gemensam, None):
        result = measures.outcome(_goal(world, "occupancy", intervention), YEAR)
        assert result.values == {"total": Decimal("90.0")}


def test_without_packages_or_for_part_of_a_year_the_follow_up_says_why(world, gemensam):
    no_packages = measures.outcome(_goal(world, "exits_work_studies", gemensam), YEAR)
    assert no_packages.values == {}
    assert no_packages.reason.startswith("Inte mätbart ännu: inga avidentifierade")
    _worked_example(world, gemensam)
    half = Period(date(2026, 1, 1), date(2026, 6, 30))
    partial = measures.outcome(_goal(world, "occupancy", gemensam), half)
    assert partial.values == {}
    assert "välj ett helt år" in partial.reason
    # Association B funds Gemensam väg too, but has received nothing: A's package is not B's.
    other = SimpleNamespace(
        measure="exits_work_studies", association=world.b, intervention=None, by_gender=False
    )
    assert measures.outcome(other, YEAR).values == {}


def test_fewer_than_five_exits_show_no_share(world, gemensam):
    tables = _tables(
        at_start=(3, 3), new=(0, 0), groups={"arbete": (1, 1), "annat": (1, 1)}, days=(90, 90)
    )
    _receive(world, gemensam, world.a, "2026-06", tables)
    result = measures.outcome(_goal(world, "exits_work_studies", gemensam, True), YEAR)
    assert result.values == {"women": None, "men": None, "total": None}
    assert result.reason == "Färre än 5 avslut under året."


def _section_5(world, gemensam) -> None:
    """calculations.md §5 in one package (June 2026): 42 participants (21 women, 21 men), 30 exits
    (15 + 15): 9 to work (5 + 4), 4 to studies (2 + 2); 11 with a positive step movement that
    went to neither (6 + 5), the other 19 without; 25 of the 30 asked about violence (12 + 13).
    Staffing: 1.5 + 0.5 full-time coaches."""
    tables = _tables(
        at_start=(21, 21),
        new=(0, 0),
        groups={"arbete": (5, 4), "studier": (2, 2), "annat": (8, 0), "sjukdom": (0, 9)},
        days=(600, 600),
    )
    none = {"kvinna": 0, "man": 0, "annat": 0}
    tables["progression"] = {
        "positiv": {**none, "kvinna": 6, "man": 5},
        "ingen": {**none, "kvinna": 9, "man": 10},
        "negativ": dict(none),
        "ej_matt": dict(none),
    }
    tables["steps_moved"] = {
        "+1": {**none, "kvinna": 6, "man": 5},
        "0": {**none, "kvinna": 9, "man": 10},
    }
    # The positive movements went to neither work nor studies.
    tables["positive_by_group"]["annat"] = {**none, "kvinna": 6}
    tables["positive_by_group"]["sjukdom"] = {**none, "man": 5}
    tables["violence_screening"] = {
        "asked": {**none, "kvinna": 12, "man": 13},
        "not_asked": {**none, "kvinna": 3, "man": 2},
    }
    assert package.inconsistencies(tables) == []
    _receive(world, gemensam, world.a, "2026-06", tables)
    organisations = [m.organisation for m in world.a.members.order_by("pk")[:2]]
    for organisation, fte in zip(organisations, ("1.5", "0.5"), strict=True):
        Staffing.objects.create(intervention=gemensam, organisation=organisation, fte=Decimal(fte))


def test_the_plan_follow_up_of_calculations_5_from_one_package(world, gemensam):
    """Work or studies 13/30 = 43.3 % ≥ 40 % → met; positive steps 11/30 = 36.7 % < 40 % → not
    met (women 6/15 = 40.0 % met, men 5/15 = 33.3 % not met); screening 25/30 = 83.3 %;
    42 participants / 2.0 FTE = 21.0 ≥ 20 → met."""
    _section_5(world, gemensam)
    alice = actor_of(world, "alice")
    plan = plans.create_plan(alice, 2026, plans.PlanTexts())
    area = plans.add_area(alice, plan, "Fler i arbete eller studier")
    for text, measure, target, by_gender in (
        ("Arbete eller studier", "exits_work_studies", 40, True),
        ("Stegförflyttning", "positive_step", 40, True),
        ("Våldsfrågor", "screening_coverage", 90, False),
        ("Deltagare per coach", "participants_per_coach", 20, False),
    ):
        plans.add_goal(
            alice,
            area,
            GoalDetails(text, measure, Decimal(target), intervention=gemensam, by_gender=by_gender),
        )
    rows = {
        row.goal.text: [(c.group, c.outcome, c.verdict) for c in row.cells]
        for row in follow_up(plan).areas[0].goals
    }
    assert rows == {
        "Arbete eller studier": [
            ("women", Decimal("46.7"), MET),
            ("men", Decimal("40.0"), MET),
            ("total", Decimal("43.3"), MET),
        ],
        "Stegförflyttning": [
            ("women", Decimal("40.0"), MET),
            ("men", Decimal("33.3"), NOT_MET),
            ("total", Decimal("36.7"), NOT_MET),
        ],
        "Våldsfrågor": [("total", Decimal("83.3"), NOT_MET)],
        "Deltagare per coach": [("total", Decimal("21.0"), MET)],
    }


def test_the_association_scope_sums_its_interventions(world, gemensam):
    _section_5(world, gemensam)
    for measure, value in (
        ("positive_step", Decimal("36.7")),
        ("screening_coverage", Decimal("83.3")),
        ("participants_per_coach", Decimal("21.0")),
    ):
        assert measures.outcome(_goal(world, measure), YEAR).values == {"total": value}


def test_participants_per_coach_needs_staffing_and_five_participants(world, gemensam):
    tables = _tables(at_start=(2, 2), new=(0, 0), groups={"annat": (1, 1)}, days=(60, 60))
    _receive(world, gemensam, world.a, "2026-06", tables)
    goal = _goal(world, "participants_per_coach", gemensam)
    assert measures.outcome(goal, YEAR).reason == (
        "Ingen bemanning i årsarbetare är angiven för insatsen."
    )
    organisation = world.a.members.first().organisation
    Staffing.objects.create(intervention=gemensam, organisation=organisation, fte=Decimal(1))
    result = measures.outcome(goal, YEAR)
    assert (result.values, result.reason) == ({"total": None}, "Färre än 5 deltagare under året.")


def test_no_goal_figure_reads_a_providers_rows(world, gemensam):
    """The step, screening and coach figures come from the package cells alone: with the
    provider's enrolments gone (as they are at another instance), the figures are the same,
    and no query touches a participant table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stegvis.participants.models import Enrolment

    _section_5(world, gemensam)
    Enrolment.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        for measure in ("positive_step", "screening_coverage", "participants_per_coach"):
            assert measures.outcome(_goal(world, measure, gemensam), YEAR).values["total"]
    touched = " ".join(q["sql"] for q in queries.captured_queries)
    assert "participants_" not in touched
    assert "aggregates_packagecell" in touched


def test_the_package_goals_of_a_plan_share_one_reading_of_the_year(world, gemensam):
    """A plan's follow-up sums the year's packages once, however many of its goals read them
    (no query per goal), and every goal's figure is the one it has on its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _section_5(world, gemensam)
    alice = actor_of(world, "alice")
    plan = plans.create_plan(alice, 2026, plans.PlanTexts())
    area = plans.add_area(alice, plan, "Fler i arbete eller studier")
    goals = [("exits_work_studies", gemensam, True)]

    def add(measure, intervention, by_gender):
        details = GoalDetails(
            f"{measure} {intervention}", measure, Decimal(10), intervention, by_gender
        )
        plans.add_goal(alice, area, details)

    add(*goals[0])
    with CaptureQueriesContext(connection) as one:
        follow_up(plan)
    more = [
        ("exits_work_studies", None, True),
        ("positive_step", gemensam, True),
        ("screening_coverage", None, False),
        ("participants_per_coach", gemensam, False),
        ("participants_per_coach", None, False),
        ("occupancy", gemensam, False),
    ]
    for goal in more:
        add(*goal)
    with CaptureQueriesContext(connection) as seven:
        result = follow_up(plan)
    assert len(seven.captured_queries) == len(one.captured_queries) + 1  # the staffing, once
    assert len(result.areas[0].goals) == 7
    for row in result.areas[0].goals:
        alone = measures.outcome(row.goal, YEAR)
        assert [c.outcome for c in row.cells] == [alone.values.get(c.group) for c in row.cells]
        assert alone.values["total"] is not None
