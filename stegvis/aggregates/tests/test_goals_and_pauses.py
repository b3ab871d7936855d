"""The goal "a further share moved a step" answered from packages (calculations.md §5), and
participant-days without the days an enrolment was paused (§7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from stegvis.aggregates import figures, package
from stegvis.aggregates.periods import parse
from stegvis.interventions.models import Goal
from stegvis.participants.models import Pause

from .test_figures import _receive, _tables


def test_share_positive_step_worked_example(world, gemensam):
    """§5: 30 exits, 9 to work, 4 to studies, 11 with a positive step movement but neither,
    6 other. Further step movement 11/30 = 36.7 % < 40 % → not met. Women 6 of 15 = 40.0 %
    (met), men 5 of 15 = 33.3 % (not met). Three exits to work also moved a step: they are
    not "further" and do not count."""
    Goal.objects.create(
        intervention=gemensam,
        text="Ytterligare fyra av tio har tagit ett steg",
        measure=Goal.Measure.SHARE_POSITIVE_STEP,
        report_groups=["arbete", "studier"],
        target=40,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
    )
    tables = _tables(
        at_start=(15, 15),
        new=(0, 0),
        groups={"arbete": (5, 4), "studier": (2, 2), "annat": (8, 9)},
        days=(300, 300),
    )
    positive = {"arbete": (2, 1), "annat": (6, 5)}
    for group, (women, men) in positive.items():
        tables["positive_by_group"][group] = {"kvinna": women, "man": men, "annat": 0}
    tables["progression"]["positiv"] = {"kvinna": 8, "man": 6, "annat": 0}
    tables["progression"]["ej_matt"] = {"kvinna": 7, "man": 9, "annat": 0}
    tables["steps_moved"] = {"+1": {"kvinna": 8, "man": 6, "annat": 0}}
    assert package.inconsistencies(tables) == []
    _receive(world, gemensam, world.a, "2026Q2", tables)
    (result,), _total = figures.association_figures(world.a, 2026)
    (goal,) = result.goals
    assert goal.outcome == {
        "kvinna": Decimal("40.0"),
        "man": Decimal("33.3"),
        "total": Decimal("36.7"),
    }
    assert goal.met == {"kvinna": True, "man": False, "total": False}


def test_positive_steps_by_group_must_add_up(world, gemensam):
    tables = _tables((5, 0), (0, 0), {"annat": (5, 0)}, (10, 0))
    tables["positive_by_group"]["arbete"] = {"kvinna": 1, "man": 0, "annat": 0}
    problems = package.inconsistencies(tables)
    assert any("per avslutsgrupp (kvinna) summerar till 1, inte 0" in p for p in problems)
    assert any("gruppen arbete (kvinna)" in p for p in problems)


def test_the_built_package_counts_positive_steps_by_group(world, gemensam, example):
    """The worked example's Q3 exits for A: W2 to work moved 2 → 4 (positive), O1 to studies
    3 → 3 (none), M1 one answer (not measured)."""
    tables = package.compute_tables(world.p, world.a, gemensam, parse("2026Q3"))
    assert tables["positive_by_group"]["arbete"] == {"kvinna": 1, "man": 0, "annat": 0}
    assert sum(c["kvinna"] + c["man"] for c in tables["positive_by_group"].values()) == 1
    assert package.inconsistencies(tables) == []


def test_paused_days_are_not_participant_days(world, gemensam, example):
    """A's women in 2026Q3: W1 (open, 92 days) + W2 (to 15 August, 46 days) = 138. W1 paused
    1–10 August (10 days) and from 25 September on (6 days of the quarter), and 1–5 April
    (another quarter); W2 paused 10–20 August, clipped to her exit on the 15th (6 days).
    138 − 10 − 6 − 6 = 116."""
    w1, w2 = example["W1"], example["W2"]
    for enrolment, start, end in (
        (w1, date(2026, 4, 1), date(2026, 4, 5)),
        (w1, date(2026, 8, 1), date(2026, 8, 10)),
        (w1, date(2026, 9, 25), None),
        (w2, date(2026, 8, 10), date(2026, 8, 20)),
    ):
        Pause.objects.create(provider=world.p, enrolment=enrolment, start=start, end=end)
    tables = package.compute_tables(world.p, world.a, gemensam, parse("2026Q3"))
    assert tables["participants"]["participant_days"]["kvinna"] == 116
    # Q2: W1 from 1 April to 30 June is 91 days, 5 of them paused; W2 91 days.
    q2 = package.compute_tables(world.p, world.a, gemensam, parse("2026Q2"))
    assert q2["participants"]["participant_days"]["kvinna"] == 91 - 5 + 91
