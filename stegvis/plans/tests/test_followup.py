"""The follow-up table against hand-computed worked examples, by gender.

A's plan for 2026, one focus area, these goals (follow-up period: the year 2026):

| goal | figure | target | outcome | verdict |
| costs to interventions (calculations.md §3) | finance outcomes 2026 (below) | ≥ 75 | 81,0 | met |
| same, ambitious | same | ≥ 85 | 81,0 | not met |
| survey q6 ≥ national level 2025 | surveys/tests/test_results.py | 80,0 (ref.) | 83,3 | met |
| survey q1, by gender | 3 women, 4 men | ≥ 60 | –, – (under 5), 50,0 | –, –, not met |
| structural attendees, by gender | 12 w, 8 m, 1 not given | ≥ 10 | 12 / 8 / 21 | met/not/met |
| steps in Steg, by gender | package: 5 w (3 up), 5 m (2 up) | ≥ 50 | 60 / 40 / 50 | met/not/met |
| exits to work or studies | package: 4 of 10 exits to work | ≥ 40 | 40,0 | met |
| a text goal | – | – | – | not measurable (followed up in text) |

Finance outcomes 2026: administration 1 600 000, individual 7 100 000, structural 1 000 000,
new 300 000 (total 10 000 000) → interventions 81,0 %. Step movement and exits come from the
package the association received for Steg (the aggregates app), never from enrolment rows; the
worked examples of those figures are in aggregates/tests/test_plan_measures.py.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from stegvis.aggregates.tests.test_figures import _receive, _tables
from stegvis.finance.models import BudgetPost, Outcome
from stegvis.interventions.models import Attendance, StructuralActivity
from stegvis.interventions.tests.factories import StructuralInterventionFactory
from stegvis.plans import measures, services
from stegvis.plans.followup import HIDDEN, MET, NOT_MEASURABLE, NOT_MET, follow_up
from stegvis.plans.measures import Period
from stegvis.plans.services import ActivityDetails, GoalDetails
from stegvis.surveys import services as surveys
from stegvis.surveys.tests.conftest import open_round
from stegvis.surveys.tests.test_results import ROWS_2026, answer, reference_file

pytestmark = pytest.mark.django_db
D = Decimal
_serial = itertools.count(1)


def cost_outcomes(association) -> None:
    for category, amount in (
        ("administration", 1_600_000),
        ("individinriktade", 7_100_000),
        ("strukturovergripande", 1_000_000),
        ("nya_insatser", 300_000),
    ):
        post = BudgetPost.objects.create(
            association=association, code=category, name=category, category=category
        )
        # Two quarters, so the period sum is a database sum over rows.
        for month, part in ((6, amount // 2), (12, amount - amount // 2)):
            Outcome.objects.create(
                association=association,
                post=post,
                year=2026,
                month=month,
                months=3,
                amount=part,
                source="manual",
            )


@pytest.fixture
def questionnaire(world, A, steg):
    loaded = {
        r.questionnaire.key: r.questionnaire for r in surveys.load_samples(A["alice"], world.a)
    }
    questionnaire = loaded["deltagare-avslut"]
    survey_round = open_round(world, questionnaire, [steg], title="Avslut 2026")
    answer(survey_round, ROWS_2026, date(2026, 3, 10))
    surveys.import_reference_values(
        A["alice"],
        reference_file(
            ["2025;deltagare_avslut;1;71,0;4,1;2100", "2025;deltagare_avslut;6;80,0;;2100"]
        ),
        "nationellt.csv",
    )
    return questionnaire


def structural_attendance(world) -> None:
    seminar = StructuralInterventionFactory(
        name="Kunskapslyft",
        code="lyft",
        provider=world.p,
        lead_association=world.a,
        start=date(2025, 1, 1),
    )
    organisation = world.a.members.first().organisation
    for day, women, men, other in ((date(2026, 3, 1), 7, 3, 1), (date(2026, 9, 1), 5, 5, 0)):
        activity = StructuralActivity.objects.create(
            intervention=seminar, date=day, title="Seminarium", type="seminarium", hours=3
        )
        Attendance.objects.create(
            activity=activity, organisation=organisation, women=women, men=men, other=other
        )
    # Outside the period: not counted.
    outside = StructuralActivity.objects.create(
        intervention=seminar, date=date(2025, 12, 1), title="Före", type="seminarium", hours=1
    )
    Attendance.objects.create(activity=outside, organisation=organisation, women=50, men=50)


def steg_package(world, steg) -> None:
    """The provider's package for Steg, June 2026: 5 women and 5 men left; 2 + 2 to work, the
    rest to other; 3 of the women and 2 of the men (all among those to other) moved up the
    ladder."""
    tables = _tables(
        at_start=(5, 5), new=(0, 0), groups={"arbete": (2, 2), "annat": (3, 3)}, days=(150, 150)
    )
    none = {"kvinna": 0, "man": 0, "annat": 0}
    tables["progression"] = {
        "positiv": {**none, "kvinna": 3, "man": 2},
        "ingen": {**none, "kvinna": 2, "man": 3},
        "negativ": dict(none),
        "ej_matt": dict(none),
    }
    tables["steps_moved"] = {
        "+1": tables["progression"]["positiv"],
        "0": tables["progression"]["ingen"],
    }
    tables["positive_by_group"]["annat"] = {**none, "kvinna": 3, "man": 2}
    _receive(world, steg, world.a, "2026-06", tables)


@pytest.fixture
def plan(world, A, draft, area, steg, questionnaire):
    cost_outcomes(world.a)
    structural_attendance(world)
    steg_package(world, steg)
    alice = A["alice"]
    add = services.add_goal
    add(alice, area, GoalDetails("Minst 75 % till insatser", "cost_share_interventions", D(75)))
    add(alice, area, GoalDetails("Minst 85 % till insatser", "cost_share_interventions", D(85)))
    add(
        alice,
        area,
        GoalDetails(
            "Nöjdhet minst nationell nivå",
            "survey_share_positive",
            questionnaire=questionnaire,
            item_key="d6",
            at_least_reference=True,
        ),
    )
    add(
        alice,
        area,
        GoalDetails(
            "Bemötande",
            "survey_share_positive",
            D(60),
            by_gender=True,
            questionnaire=questionnaire,
            item_key="d1",
        ),
    )
    add(alice, area, GoalDetails("Kunskapslyft", "structural_attendees", D(10), by_gender=True))
    add(
        alice,
        area,
        GoalDetails("Stegförflyttning", "positive_step", D(50), intervention=steg, by_gender=True),
    )
    add(alice, area, GoalDetails("Till arbete eller studier", "exits_work_studies", D(40)))
    add(alice, area, GoalDetails("Ett gott samarbete med medlemmarna"))
    services.add_activity(alice, area, ActivityDetails("Medlemssamråd", 2026, 1, "Förbundschef"))
    return draft


def table(result):
    return {
        row.goal.text: (row.target, [(c.group, c.outcome, c.verdict) for c in row.cells])
        for area in result.areas
        for row in area.goals
    }


def test_the_follow_up_table_of_the_worked_examples(plan, django_assert_max_num_queries):
    result = follow_up(plan)
    assert result.period == Period(date(2026, 1, 1), date(2026, 12, 31))
    rows = table(result)
    assert rows["Minst 75 % till insatser"] == (D(75), [("total", D("81.0"), MET)])
    assert rows["Minst 85 % till insatser"] == (D(85), [("total", D("81.0"), NOT_MET)])
    assert rows["Nöjdhet minst nationell nivå"] == (D("80.0"), [("total", D("83.3"), MET)])
    assert rows["Bemötande"] == (
        D(60),
        [
            ("women", None, NOT_MEASURABLE),
            ("men", None, NOT_MEASURABLE),
            ("total", D("50.0"), NOT_MET),
        ],
    )
    assert rows["Kunskapslyft"] == (
        D(10),
        [("women", D(12), MET), ("men", D(8), NOT_MET), ("total", D(21), MET)],
    )
    assert rows["Stegförflyttning"] == (
        D(50),
        [("women", D("60.0"), MET), ("men", D("40.0"), NOT_MET), ("total", D("50.0"), MET)],
    )
    assert rows["Till arbete eller studier"] == (D(40), [("total", D("40.0"), MET)])
    assert rows["Ett gott samarbete med medlemmarna"] == (None, [("total", None, NOT_MEASURABLE)])
    reasons = {row.goal.text: row.reason for area in result.areas for row in area.goals}
    assert reasons["Ett gott samarbete med medlemmarna"] == "Målet följs upp i text."
    assert result.counts() == {MET: 5, NOT_MET: 2, NOT_MEASURABLE: 1, HIDDEN: 0}
    [activity] = result.areas[0].activities
    assert (activity.text, activity.status) == ("Medlemssamråd", "planned")


def test_the_plan_rows_are_read_in_three_queries(world, A, draft, area, steg, questionnaire):
    """Areas, goals (with their intervention, questionnaire and association) and activities:
    three queries whatever the number of areas, goals and activities. Text goals ask no
    figure source, so these are the plan's own rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alice = A["alice"]
    second = services.add_area(alice, draft, "Samverkan")
    for target in (area, second):
        for n in range(3):
            details = GoalDetails(f"Text {n}", intervention=steg, questionnaire=questionnaire)
            services.add_goal(alice, target, details)
        services.add_activity(alice, target, ActivityDetails(f"Möte {target.pk}", 2026, 1, "Chef"))
    with CaptureQueriesContext(connection) as read:
        result = follow_up(draft)
    assert len(read.captured_queries) == 3
    goals = [row.goal for area_row in result.areas for row in area_row.goals]
    assert len(goals) == 6
    with CaptureQueriesContext(connection) as touched:
        names = {(g.intervention.name, g.questionnaire.title, g.association.name) for g in goals}
    assert names == {(steg.name, questionnaire.title, world.a.name)}
    assert touched.captured_queries == []


def test_a_second_goal_on_the_same_figure_costs_no_query(plan, A):
    """Every goal reads its figure through ``measures.shared_figures``: a plan whose goals all
    come twice (another target, the same figure) costs the queries of the plan once, and each
    copy gets its original's outcome."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as once:
        first = table(follow_up(plan))
    area = plan.areas.get()
    for goal in list(area.goals.exclude(measure="")):
        services.add_goal(
            A["alice"],
            area,
            GoalDetails(
                f"{goal.text} (igen)",
                goal.measure,
                goal.target,
                intervention=goal.intervention,
                by_gender=goal.by_gender,
                questionnaire=goal.questionnaire,
                item_key=goal.item_key,
                at_least_reference=goal.at_least_reference,
            ),
        )
    with CaptureQueriesContext(connection) as twice:
        second = table(follow_up(plan))
    assert len(second) == 2 * len(first) - 1  # the text goal is not copied
    for text, row in first.items():
        if f"{text} (igen)" in second:
            assert second[f"{text} (igen)"] == row
    assert len(twice.captured_queries) == len(once.captured_queries)


def test_a_shorter_period_counts_only_its_own_figures(plan):
    rows = table(follow_up(plan, Period(date(2026, 1, 1), date(2026, 6, 30))))
    # Half of every cost category is booked in June: the same shares.
    assert rows["Minst 75 % till insatser"][1] == [("total", D("81.0"), MET)]
    # Only the March seminar: 7 women, 3 men, 1 not given.
    assert rows["Kunskapslyft"][1] == [
        ("women", D(7), NOT_MET),
        ("men", D(3), NOT_MET),
        ("total", D(11), MET),
    ]


def published(result):
    return {
        row.goal.text: [(c.group, c.mark or c.outcome, c.verdict) for c in row.cells]
        for area in result.areas
        for row in area.goals
    }


def test_published_counts_of_people_are_suppressed_as_one_row(plan):
    """calculations.md §6 for the board's page and the annual report. The year: 12 women, 8 men
    and 1 not given (21). The one not given is 1-4: alone hidden in its row, so the smallest shown
    cell goes too (men 8 → "–"); showing the men would give 21 - 12 - 8 = 1 back. The half year:
    7 women, 3 men, 1 not given (11): men and not given are "<5" and add up to 4 in three ways."""
    rows = published(follow_up(plan, publish=True))
    assert rows["Kunskapslyft"] == [
        ("women", D(12), MET),
        ("men", "–", HIDDEN),
        ("total", D(21), MET),
    ]
    half = published(follow_up(plan, Period(date(2026, 1, 1), date(2026, 6, 30)), publish=True))
    assert half["Kunskapslyft"] == [
        ("women", D(7), NOT_MET),
        ("men", "<5", HIDDEN),
        ("total", D(11), MET),
    ]
    # Shares and counts of things (activities) are not counts of people: as the office sees them.
    assert rows["Stegförflyttning"] == [
        ("women", D("60.0"), MET),
        ("men", D("40.0"), NOT_MET),
        ("total", D("50.0"), MET),
    ]
    # The counts read the totals' verdicts, which are shown.
    assert follow_up(plan, publish=True).counts() == {
        MET: 5,
        NOT_MET: 2,
        NOT_MEASURABLE: 1,
        HIDDEN: 0,
    }


def test_a_published_total_of_one_to_four_hides_its_verdict(world, A, area):
    structural_attendance(world)
    services.add_goal(A["alice"], area, GoalDetails("Få deltagare", "structural_attendees", D(2)))
    # The March seminar alone: 7 women, 3 men, 1 not given.
    result = follow_up(area.plan, Period(date(2026, 3, 1), date(2026, 3, 1)), publish=True)
    [row] = [r for a in result.areas for r in a.goals if r.goal.text == "Få deltagare"]
    assert [(c.mark, c.verdict) for c in row.cells] == [("", MET)]  # 11, shown
    Attendance.objects.filter(activity__date=date(2026, 3, 1)).update(women=2, men=1, other=0)
    result = follow_up(area.plan, Period(date(2026, 3, 1), date(2026, 3, 1)), publish=True)
    [row] = [r for a in result.areas for r in a.goals if r.goal.text == "Få deltagare"]
    assert [(c.outcome, c.mark, c.verdict) for c in row.cells] == [(None, "<5", HIDDEN)]
    assert result.counts()[HIDDEN] == 1
    # The office's own table is exact.
    office = follow_up(area.plan, Period(date(2026, 3, 1), date(2026, 3, 1)))
    [row] = [r for a in office.areas for r in a.goals if r.goal.text == "Få deltagare"]
    assert [(c.outcome, c.verdict) for c in row.cells] == [(D(3), MET)]


def test_a_new_figure_source_plugs_in_with_one_function(plan, monkeypatch):
    monkeypatch.setattr(measures, "_SOURCES", dict(measures._SOURCES))
    measures.provide(
        "exits_work_studies", lambda goal, period: measures.Outcome({"total": D("42.5")})
    )
    rows = table(follow_up(plan))
    assert rows["Till arbete eller studier"] == (D(40), [("total", D("42.5"), MET)])
    with pytest.raises(KeyError):
        measures.provide("okänt", lambda goal, period: measures.Outcome())


def test_equity_within_the_ceiling_of_calculations_2(world, A, area):
    from stegvis.finance.figures import equity
    from stegvis.finance.models import Budget, BudgetLine, CeilingTier, EquityYear

    budget = Budget.objects.create(association=world.a, year=2026, decided_on=date(2025, 11, 20))
    for code, category, amount in (
        ("bidrag", "medlemsbidrag", 12_000_000),
        ("kansli", "administration", 1_600_000),
        ("insatser", "individinriktade", 10_650_000),
    ):
        post = BudgetPost.objects.create(
            association=world.a, code=code, name=code, category=category
        )
        BudgetLine.objects.create(association=world.a, budget=budget, post=post, amount=amount)
    EquityYear.objects.create(association=world.a, year=2026, opening=1_900_000)
    CeilingTier.objects.create(
        association=world.a,
        year=2026,
        lower=7_100_000,
        upper=15_000_000,
        first_amount=7_000_000,
        first_percent=20,
        above_percent=15,
    )
    from stegvis.finance.models import ContributionKey

    ContributionKey.objects.create(
        association=world.a, year=2026, total=12_000_000, kind="population", population_year=2025
    )
    figures = equity(world.a, 2026)
    assert figures.ceiling == 2_150_000  # 0,20 × 7 000 000 + 0,15 × 5 000 000
    # No outcome yet: the forecast is the budget, 12 000 000 − 12 250 000 = −250 000.
    assert figures.forecast_closing == 1_650_000
    services.add_goal(
        A["alice"], area, GoalDetails("Eget kapital under taket", "equity_of_ceiling", D(100))
    )
    [row] = follow_up(area.plan).areas[0].goals
    # 1 650 000 / 2 150 000 = 76,74… % ≤ 100 → met
    assert [(c.outcome, c.verdict) for c in row.cells] == [(D("76.7"), MET)]
