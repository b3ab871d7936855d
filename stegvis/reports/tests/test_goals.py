"""Goal follow-up (calculations.md §5) and the socio-economic effect (§4), worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from stegvis.aggregates.periods import parse
from stegvis.core.models import AuditEvent
from stegvis.interventions.models import Goal, Staffing
from stegvis.reports.goals import goal_follow_up
from stegvis.reports.models import SocioEconomicModel
from stegvis.reports.periods import period_range
from stegvis.reports.services import save_socioeconomic_model
from stegvis.reports.socioeconomic import socioeconomic_effect, socioeconomic_report

from .conftest import actor_of, receive, tables

# §5: 30 exits (15 women, 15 men): work 5 + 4, studies 2 + 2, other 8 + 9; of the 17 "other",
# 6 women and 5 men moved a step up the ladder (11 in all).
EXITS = {"arbete": (5, 4), "studier": (2, 2), "annat": (8, 9)}
POSITIVE = {"positiv": (6, 5)}


def _goal(intervention, measure, target, groups=()) -> Goal:
    year = parse("2026")
    return Goal.objects.create(
        intervention=intervention,
        text=str(measure.label),
        measure=measure,
        report_groups=list(groups),
        target=target,
        period_start=year.start,
        period_end=year.end,
    )


def _rows(report) -> dict:
    return dict(report.table("mal-insatser").rows)


def test_the_worked_example_of_goal_follow_up(world, gemensam):
    """Work or studies 13/30 = 43.3 % ≥ 40 → met (women 7/15 = 46.7, men 6/15 = 40.0);
    a further step 11/30 = 36.7 % < 40 → not met (women 6/15 = 40.0 met, men 5/15 = 33.3 not);
    30 participants with 1.5 full-time coaches = 20.0 per FTE ≥ 20 → met."""
    _goal(gemensam, Goal.Measure.SHARE_EXITS_IN_GROUPS, 40, ["arbete", "studier"])
    _goal(gemensam, Goal.Measure.SHARE_POSITIVE_STEP, 40, ["arbete", "studier"])
    _goal(gemensam, Goal.Measure.PARTICIPANTS_PER_FTE, 20)
    Staffing.objects.create(intervention=gemensam, organisation=world.p.organisation, fte="1.5")
    receive(world, gemensam, "2026Q2", tables((15, 15), (0, 0), EXITS, progression=POSITIVE))
    rows = _rows(goal_follow_up(world.a, period_range("2026Q2")))
    share = rows["Gemensam väg: Andel avslut till valda grupper"]
    assert share[:5] == [Decimal(40), "%", Decimal("46.7"), Decimal("40.0"), Decimal("43.3")]
    assert share[5:8] == ["Ja", "Ja", "Ja"]
    step = rows["Gemensam väg: Andel avslut med positiv stegförflyttning (utöver valda grupper)"]
    assert step[2:8] == [Decimal("40.0"), Decimal("33.3"), Decimal("36.7"), "Ja", "Nej", "Nej"]
    fte = rows["Gemensam väg: Deltagare per heltidstjänst"]
    assert fte[1:8] == ["", None, None, Decimal("20.0"), "–", "–", "Ja"]


def test_association_goals_screening_and_occupancy(world, gemensam):
    """June: 20 places, 30 days, 540 participant-days → 90.0 %; 3 of 4 exits asked about
    violence → 75.0 % < 100 → not met."""
    gemensam.places = 20
    gemensam.save(update_fields=["places"])
    counts = tables((2, 2), (0, 0), {"arbete": (2, 2)}, (300, 240))
    counts["violence_screening"]["asked"] = {"kvinna": 2, "man": 1, "annat": 0}
    counts["violence_screening"]["not_asked"] = {"kvinna": 0, "man": 1, "annat": 0}
    receive(world, gemensam, "2026-06", counts)
    rows = dict(goal_follow_up(world.a, period_range("2026-06")).table("mal-forbund").rows)
    screening = rows["Alla avslutade har fått frågorna om våld"]
    assert screening[2:8] == [
        Decimal("100.0"),
        Decimal("50.0"),
        Decimal("75.0"),
        "Ja",
        "Nej",
        "Nej",
    ]
    assert rows["Platsutnyttjande, alla individinriktade insatser"][4] == Decimal("90.0")
    cost = rows["Minst 75 % av årets kostnader går till insatser (2026)"]
    assert cost[4] is None and cost[7] == "–"  # no finance figures: not evaluated


def test_the_socioeconomic_worked_example(world, gemensam):
    """§4: 10 exits to work, 12 months: 10 × 16 200 × 12 = 1 944 000 kr, by assumption."""
    receive(world, gemensam, "2026H1", tables((6, 4), (0, 0), {"arbete": (6, 4)}))
    effect = socioeconomic_effect(world.a, period_range("2026H1"))
    assert effect.exits_to_work == 10
    assert effect.model.per_month == 16_200
    assert effect.assumed == effect.effect == 1_944_000
    assert not effect.uses_follow_ups
    report = socioeconomic_report(world.a, period_range("2026H1"))
    rows = dict(report.table("samhallsekonomi-effekt").rows)
    assert rows["Totalt"][2] == 1_944_000
    assert "bygger på antagandet om 12 månader" in report.sections[0].notes[0]


def test_follow_ups_replace_the_assumption(world, gemensam):
    """In work at the 6-month follow-up 3 + 1, at the 12-month one 2 + 1; 2 not reached:
    (4 + 3) × 6 months = 42 person-months × 16 200 = 680 400 kr."""
    follow = {
        "follow_up_6": {"forvarvsarbete": (3, 1), "ej_nadd": (1, 1)},
        "follow_up_12": {"forvarvsarbete": (2, 1)},
    }
    receive(world, gemensam, "2026H1", tables((6, 4), (0, 0), {"arbete": (6, 4)}, **follow))
    effect = socioeconomic_effect(world.a, period_range("2026H1"))
    assert effect.uses_follow_ups
    assert effect.known_person_months == 42
    assert effect.effect == 680_400
    assert effect.assumed == 1_944_000
    report = socioeconomic_report(world.a, period_range("2026H1"))
    assert "kända månader i arbete ersätter antagandet" in report.sections[0].notes[0]


def test_the_office_changes_the_model_and_the_change_is_audited(world):
    alice = actor_of(world, "alice")
    values = {"support": 11_000, "administration": 500, "tax": 5_700, "horizon_months": 6}
    model = save_socioeconomic_model(alice, values)
    assert model.per_month == 17_200
    event = AuditEvent.objects.filter(action="reports.socioeconomic.save").get()
    assert event.association == world.a
    assert "support: 10000 → 11000" in event.reason and "horizon_months: 12 → 6" in event.reason
    with pytest.raises(PermissionDenied):
        save_socioeconomic_model(actor_of(world, "carol"), values)
    assert SocioEconomicModel.objects.get().support == 11_000


def test_goals_of_every_intervention_come_in_one_query(world, gemensam):
    """association_figures (the annual report's and the aggregates page's figures) fetches the
    goals of all interventions at once: one more intervention adds no query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stegvis.aggregates.figures import association_figures

    from .document_world import extra_intervention

    _goal(gemensam, Goal.Measure.SHARE_EXITS_IN_GROUPS, 40, ["arbete", "studier"])
    receive(world, gemensam, "2026Q2", tables((15, 15), (0, 0), EXITS))
    with CaptureQueriesContext(connection) as one:
        per, _total = association_figures(world.a, 2026)
    assert [len(f.goals) for f in per] == [1]
    extra = extra_intervention(world)
    _goal(extra, Goal.Measure.SHARE_EXITS_IN_GROUPS, 40, ["arbete"])
    with CaptureQueriesContext(connection) as two:
        per, _total = association_figures(world.a, 2026)
    assert sorted(len(f.goals) for f in per) == [1, 1]
    assert len(two) == len(one)
    extra_goal = next(f for f in per if f.intervention == extra).goals[0]
    assert extra_goal.outcome["total"] == Decimal("100.0")  # 2 of 2 exits to work
