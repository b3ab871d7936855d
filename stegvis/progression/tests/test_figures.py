"""The progression figures against a hand-computed worked example, for women, men and total.

Five enrolments in "Steg" (and one registration error, counted nowhere). Profile items answered:
halsa and vardag (participant), coach_tro (coach); the ladder (steps 1–7).

| who | exit | first: halsa, vardag, coach_tro, step | latest | profile mean | ladder |
| W1 | arbete | 3, 5, 4, 2 | 6, 5, 6, 4 | 4 → 5.5 up | 2 → 4 (+2) |
| W2 | sjukdom | 5, 4, –, 3 | 4, 4, –, 3 | 4.5 → 4 | 3 → 3 |
| W3 | open | 2, 2, –, 1 | (one measurement) | – | – |
| M1 | ater_remittent | 4, 3, 5, 2 | 5, 5, 5, 3 | 3.5 → 5 up | 2 → 3 (+1) |
| M2 | studier | 6, 6, –, 4 | 5, 6, –, 4 | 6 → 5.5 | 4 → 4 |
M2 also has a follow-up after exit (9, 9, step 7): left out of the intervention's figures, but in
M2's own change. The registration error M3 (1 → 10) is left out.

By hand: profile positive 1 of 2 women, 1 of 2 men, 2 of 4 in total (50,0 % each); ladder the
same counts; mean steps 2/2 = 1,00, 1/2 = 0,50, 3/4 = 0,75. Mean change: halsa (3 − 1)/2 = 1,00,
(1 − 1)/2 = 0,00, 2/4 = 0,50; vardag 0,00, 2/2 = 1,00, 0,50; coach_tro 2,00 (n 1), 0,00 (n 1),
1,00 (n 2). Left without work or studies: W2 and M1: profile and ladder up 0 of 1, 1 of 1,
1 of 2; mean steps 0,00, 1,00, 0,50.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stegvis.interventions.tests.factories import GoalFactory
from stegvis.progression import figures
from stegvis.progression.tests.conftest import enrol, measure
from stegvis.progression.tests.factories import answers

D = Decimal


def _two(enrolment, instruments, first, latest, days=(date(2026, 1, 12), date(2026, 4, 6))):
    for day, values, occasion in ((days[0], first, "start"), (days[1], latest, "periodic")):
        if values is None:
            continue
        m = measure(enrolment, day, occasion)
        *profile, step = values
        keys = ["halsa", "vardag", "coach_tro"]
        answers(
            m,
            instruments["profile"],
            {k: v for k, v in zip(keys, profile, strict=True) if v is not None},
        )
        answers(m, instruments["ladder"], {"steg": step})


@pytest.fixture
def example(world, steg, instruments):
    w1 = enrol(steg, exit_date=date(2026, 4, 10), exit_reason="arbete")
    _two(w1, instruments, (3, 5, 4, 2), (6, 5, 6, 4))
    w2 = enrol(steg, exit_date=date(2026, 4, 20), exit_reason="sjukdom")
    _two(w2, instruments, (5, 4, None, 3), (4, 4, None, 3))
    w3 = enrol(steg)
    _two(w3, instruments, (2, 2, None, 1), None)
    m1 = enrol(steg, gender="man", exit_date=date(2026, 4, 30), exit_reason="ater_remittent")
    _two(m1, instruments, (4, 3, 5, 2), (5, 5, 5, 3))
    m2 = enrol(steg, gender="man", exit_date=date(2026, 5, 1), exit_reason="studier")
    _two(m2, instruments, (6, 6, None, 4), (5, 6, None, 4))
    follow = measure(m2, date(2026, 10, 1), "follow_up")
    answers(follow, instruments["profile"], {"halsa": 9, "vardag": 9})
    answers(follow, instruments["ladder"], {"steg": 7})
    m3 = enrol(steg, gender="man", exit_date=date(2026, 2, 1), exit_reason="felregistrering")
    _two(
        m3, instruments, (1, 1, 1, 1), (10, 10, 10, 7), days=(date(2026, 1, 12), date(2026, 1, 30))
    )
    return {"w1": w1, "m2": m2}


def _figures(steg, instruments):
    return figures.intervention_figures(
        steg, profile=instruments["profile"], ladder=instruments["ladder"]
    )


def test_intervention_figures_match_the_worked_example(example, steg, instruments):
    f = _figures(steg, instruments)
    assert f.enrolments == {"women": 3, "men": 2, "total": 5}
    assert f.profile_measured == {"women": 2, "men": 2, "total": 4}
    assert f.profile_positive == {"women": 1, "men": 1, "total": 2}
    assert f.profile_share() == {"women": D("50.0"), "men": D("50.0"), "total": D("50.0")}
    assert f.ladder_measured == {"women": 2, "men": 2, "total": 4}
    assert f.ladder_positive == {"women": 1, "men": 1, "total": 2}
    assert f.ladder_mean_steps == {"women": D("1.00"), "men": D("0.50"), "total": D("0.75")}
    means = {row.item.key: (row.mean, row.n) for row in f.items}
    assert means["halsa"] == (
        {"women": D("1.00"), "men": D("0.00"), "total": D("0.50")},
        {"women": 2, "men": 2, "total": 4},
    )
    assert means["vardag"][0] == {"women": D("0.00"), "men": D("1.00"), "total": D("0.50")}
    assert means["coach_tro"] == (
        {"women": D("2.00"), "men": D("0.00"), "total": D("1.00")},
        {"women": 1, "men": 1, "total": 2},
    )
    assert means["tro_pa_arbete"] == (
        {"women": None, "men": None, "total": None},
        {"women": 0, "men": 0, "total": 0},
    )
    left = f.left_without
    assert left["exited"] == {"women": 1, "men": 1, "total": 2}
    assert left["profile_share"] == {"women": D("0.0"), "men": D("100.0"), "total": D("50.0")}
    assert left["ladder_positive"] == {"women": 0, "men": 1, "total": 1}
    assert left["ladder_share"] == {"women": D("0.0"), "men": D("100.0"), "total": D("50.0")}
    assert left["ladder_mean_steps"] == {"women": D("0.00"), "men": D("1.00"), "total": D("0.50")}
    start = {s.value: s.start for s in f.steps}
    exit_ = {s.value: s.exit for s in f.steps}
    assert start[1] == {"women": 1, "men": 0, "total": 1}
    assert start[2] == {"women": 1, "men": 1, "total": 2}
    assert start[3] == {"women": 1, "men": 0, "total": 1}
    assert start[4] == {"women": 0, "men": 1, "total": 1}
    assert exit_[3] == {"women": 1, "men": 1, "total": 2}
    assert exit_[4] == {"women": 1, "men": 1, "total": 2}
    assert sum(s.exit["total"] for s in f.steps) == 4
    assert exit_[7] == {"women": 0, "men": 0, "total": 0}


def test_participant_change_includes_the_follow_up(example, instruments):
    result = figures.participant_figures(example["m2"], instruments["profile"])
    rows = {r.item.key: r for r in result.rows}
    assert (rows["halsa"].first, rows["halsa"].latest, rows["halsa"].change) == (6, 9, 3)
    assert (rows["vardag"].first, rows["vardag"].latest, rows["vardag"].change) == (6, 9, 3)
    assert rows["coach_tro"].change is None
    assert result.totals["participant"] == {
        "first": 12,
        "latest": 18,
        "change": 6,
        "items": 2,
        "comparable": True,
    }
    assert result.totals["coach"]["items"] == 0
    ladder = figures.participant_figures(example["m2"], instruments["ladder"])
    assert (ladder.rows[0].first, ladder.rows[0].latest, ladder.rows[0].change) == (4, 7, 3)


def test_participant_totals_count_items_answered_twice(example, instruments):
    result = figures.participant_figures(example["w1"], instruments["profile"])
    assert result.totals["participant"] == {
        "first": 8,
        "latest": 11,
        "change": 3,
        "items": 2,
        "comparable": True,
    }
    assert result.totals["coach"] == {
        "first": 4,
        "latest": 6,
        "change": 2,
        "items": 1,
        "comparable": True,
    }


def test_lower_is_better_items_count_as_better_when_lower(world, steg):
    from stegvis.progression import services
    from stegvis.progression.instrument_files import parse

    spec = parse(
        {
            "format": "stegvis-instrument/1",
            "key": "oro",
            "name": "Oro",
            "kind": "self",
            "items": [
                {
                    "key": "oro",
                    "text": "Hur orolig är du?",
                    "scale": {"type": "numeric", "min": 1, "max": 10},
                    "higher_is_better": False,
                }
            ],
        }
    )
    instrument, _ = services.load_instrument(spec)
    e = enrol(steg)
    answers(measure(e, date(2026, 1, 12)), instrument, {"oro": 8})
    answers(measure(e, date(2026, 3, 12)), instrument, {"oro": 3})
    row = figures.participant_figures(e, instrument).rows[0]
    assert (row.first, row.latest, row.change) == (8, 3, 5)


def test_intervention_figures_take_constant_queries(
    world, steg, instruments, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            e = enrol(steg, gender="man" if i % 2 else "kvinna")
            _two(e, instruments, (3, 4, 5, 2), (5, 5, 6, 3))

    add(2)
    with django_assert_max_num_queries(8):
        _figures(steg, instruments)
    add(6)
    with django_assert_max_num_queries(8):
        f = _figures(steg, instruments)
    assert f.ladder_positive["total"] == 8


def test_intervention_figures_read_no_subquery_per_enrolment(example, steg, instruments):
    """Each enrolment's first and latest answers come from one windowed query per instrument,
    not from a correlated subquery per item and enrolment: those ran again for every filter of
    the aggregate on PostgreSQL, 46 s for 2 000 enrolments (docs/performance.md, finding 16).
    Each query nests at most the scope of enrolments and the window's wrapping."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as read:
        _figures(steg, instruments)
        figures.step_goal(
            GoalFactory(intervention=steg, measure="share_positive_step"),
            ladder=instruments["ladder"],
        )
    nested = {q["sql"].upper().count("SELECT") for q in read.captured_queries}
    assert max(nested) <= 4, nested


def test_empty_intervention_has_no_shares(world, steg, instruments):
    f = _figures(steg, instruments)
    assert f.enrolments["total"] == 0
    assert f.profile_share()["total"] is None
    assert f.ladder_mean_steps["total"] is None


def test_step_goal_matches_the_worked_example_of_calculations_5(world, steg, instruments):
    """calculations.md §5: 30 exits, 9 to work, 4 to studies, 11 with a positive step movement
    but neither, 6 other: further step movement 11/30 = 36,7 % < 40 % → not met.

    Split by hand: women 16 (5 work, 2 studies, 6 moved, 3 other), men 14 (4, 2, 5, 3).
    Work and studies exits moved up too, and must not count again. Women 6/16 = 37,5 %,
    men 5/14 = 35,7 %, total 11/30 = 36,7 %: not met for anyone.
    """

    goal = GoalFactory(
        intervention=steg,
        measure="share_positive_step",
        report_groups=["arbete", "studier"],
        target=D("40"),
    )
    exit_day = date(2026, 6, 1)
    plan = {"kvinna": (5, 2, 6, 3), "man": (4, 2, 5, 3)}
    for gender, (work, studies, moved, other) in plan.items():
        rows = (
            [("arbete", (2, 5))] * work
            + [("studier", (3, 4))] * studies
            + [("ater_remittent", (2, 3))] * moved
            + [("sjukdom", (3, 3))] * (other - 1)
            + [("annat", None)]
        )
        for reason, steps in rows:
            e = enrol(steg, gender=gender, exit_date=exit_day, exit_reason=reason)
            if steps is None:
                continue  # never measured: still an exit in the denominator
            for day, step in zip((date(2026, 1, 12), date(2026, 5, 20)), steps, strict=True):
                answers(measure(e, day), instruments["ladder"], {"steg": step})
    # An exit outside the period and a registration error count nowhere.
    enrol(steg, start=date(2025, 9, 1), exit_date=date(2025, 12, 1), exit_reason="sjukdom")
    enrol(steg, exit_date=exit_day, exit_reason="felregistrering")
    result = figures.step_goal(goal, ladder=instruments["ladder"])
    assert result.exits == {"women": 16, "men": 14, "total": 30}
    assert result.in_groups == {"women": 7, "men": 6, "total": 13}
    assert result.further == {"women": 6, "men": 5, "total": 11}
    assert result.outcome == {"women": D("37.5"), "men": D("35.7"), "total": D("36.7")}
    assert result.met == {"women": False, "men": False, "total": False}


def test_no_sum_over_items_on_different_scales(world, steg, instruments):
    e = enrol(steg)
    answers(
        measure(e, date(2026, 1, 12)), instruments["health"], {"halsa_vas": 40, "livskvalitet": 4}
    )
    answers(
        measure(e, date(2026, 4, 6)), instruments["health"], {"halsa_vas": 65, "livskvalitet": 7}
    )
    result = figures.participant_figures(e, instruments["health"])
    assert result.totals["participant"]["comparable"] is False
    assert [r.change for r in result.rows] == [25, 3]


def test_figures_for_a_narrower_set_of_enrolments(example, steg, instruments):
    """E.g. an aggregate package counts only some enrolments: here the men."""
    from stegvis.participants.models import Enrolment

    men = Enrolment.objects.filter(intervention=steg, participant__gender="man")
    f = figures.intervention_figures(
        steg, profile=instruments["profile"], ladder=instruments["ladder"], enrolments=men
    )
    assert f.enrolments == {"women": 0, "men": 2, "total": 2}
    assert f.ladder_positive == {"women": 0, "men": 1, "total": 1}
