"""The package computed at the provider, count by count against the worked example of
conftest.py: "Gemensam" at P, funded by A (Krokom) and B (Östersund), period 2026Q3
(1 July – 30 September, 92 days).

By hand, for A (Krokom residents at enrolment start):
- at start W1, W2, O1 (women 2, other 1); new M1, M2 (men 2); exited W2, M1, O1.
- participant-days: W1 92, W2 1/7–15/8 = 46 → women 138; M1 10/7–30/9 = 83, M2 20/9–30/9 = 11
  → men 94; O1 1/7–5/7 = 5.
- time in the intervention: W2 1/2–15/8 = 195 days (6–12 months), M1 82 and O1 34 (0–3).
- ladder: W2 2 → 4 (positive, +2), M1 one answer (not measured), O1 3 → 3 (none, 0).
- follow-ups done in Q3: M6 at 6 months not reached; W5 at 12 months in studies.
- M4 (registration error) and M5 (Stockholm) count nowhere.
For B (Östersund residents at start): W3 (moved to Krokom in August, still B's: she lived in
Östersund when she started) at start and exited to sickness, 1/7–10/9 = 72 days, 15/1–10/9 =
238 days in the intervention, ladder 4 → 3 (negative, −1); M3 new, 1/8–30/9 = 61 days; W4's
6-month follow-up in work.
"""

from __future__ import annotations

from stegvis.aggregates import package
from stegvis.aggregates.models import EnrolmentResidence
from stegvis.aggregates.periods import parse

Q3 = parse("2026Q3")


def _expect(base: dict[str, dict[str, dict[str, int]]], **rows: dict[str, tuple[int, int, int]]):
    """Tables of zeros (as the package has them) with the given rows as (women, men, other)."""
    tables = {
        name: {row: dict.fromkeys(package.GENDERS, 0) for row in spec[0]}
        for name, spec in package.TABLES.items()
    }
    for key, cells in rows.items():
        table, row = key.split("__")
        tables[table][row] = dict(zip(package.GENDERS, cells, strict=True))
    return tables


def test_association_a_counts_only_its_residents(example, world, gemensam):
    tables = package.compute_tables(world.p, world.a, gemensam, Q3)
    expected = _expect(
        {},
        participants__enrolled_at_start=(2, 0, 1),
        participants__new=(0, 2, 0),
        participants__active=(2, 2, 1),
        participants__exited=(1, 1, 1),
        participants__participant_days=(138, 94, 5),
        exit_reasons__arbete=(1, 0, 0),
        exit_reasons__egen_begaran=(0, 1, 0),
        exit_reasons__studier=(0, 0, 1),
        exit_groups__arbete=(1, 0, 0),
        exit_groups__annat=(0, 1, 0),
        exit_groups__studier=(0, 0, 1),
        age_bands__30_39=(1, 0, 0),
        age_bands__25_29=(1, 0, 0),
        age_bands__16_19=(0, 0, 1),
        age_bands__40_49=(0, 1, 0),
        age_bands__50_64=(0, 1, 0),
        income_start__forsorjningsstod=(1, 0, 0),
        income_start__sjukpenning=(0, 1, 0),
        income_start__aktivitetsstod=(0, 0, 1),
        income_exit__lon=(1, 0, 0),
        income_exit__sjukpenning=(0, 1, 0),
        income_exit__studiemedel=(0, 0, 1),
        occupation_start__arbetssokande=(1, 0, 1),
        occupation_start__ovrigt=(0, 1, 0),
        occupation_exit__forvarvsarbete=(1, 0, 0),
        occupation_exit__ovrigt=(0, 1, 0),
        occupation_exit__studier=(0, 0, 1),
        time_in_intervention__6_12_man=(1, 0, 0),
        time_in_intervention__0_3_man=(0, 1, 1),
        progression__positiv=(1, 0, 0),
        positive_by_group__arbete=(1, 0, 0),
        progression__ej_matt=(0, 1, 0),
        progression__ingen=(0, 0, 1),
        follow_up_6__ej_nadd=(0, 1, 0),
        follow_up_12__studier=(1, 0, 0),
        violence_screening__asked=(1, 0, 1),
        violence_screening__not_asked=(0, 1, 0),
        survey_at_exit__offered=(1, 0, 0),
        survey_at_exit__not_offered=(0, 1, 1),
    )
    expected["steps_moved"] = {
        "0": {"kvinna": 0, "man": 0, "annat": 1},
        "+2": {"kvinna": 1, "man": 0, "annat": 0},
    }
    for name in package.TABLES:
        assert tables[name] == expected[name], name
    assert package.inconsistencies(tables) == []


def test_association_b_counts_the_mover_by_home_at_start(example, world, gemensam):
    tables = package.compute_tables(world.p, world.b, gemensam, Q3)
    expected = _expect(
        {},
        participants__enrolled_at_start=(1, 0, 0),
        participants__new=(0, 1, 0),
        participants__active=(1, 1, 0),
        participants__exited=(1, 0, 0),
        participants__participant_days=(72, 61, 0),
        exit_reasons__sjukdom=(1, 0, 0),
        exit_groups__sjukdom=(1, 0, 0),
        age_bands__30_39=(1, 1, 0),
        income_start__sjukpenning=(1, 0, 0),
        income_exit__sjukersattning=(1, 0, 0),
        occupation_start__ovrigt=(1, 0, 0),
        occupation_exit__ovrigt=(1, 0, 0),
        time_in_intervention__6_12_man=(1, 0, 0),
        progression__negativ=(1, 0, 0),
        follow_up_6__forvarvsarbete=(1, 0, 0),
        violence_screening__asked=(1, 0, 0),
        survey_at_exit__offered=(1, 0, 0),
    )
    expected["steps_moved"] = {"-1": {"kvinna": 1, "man": 0, "annat": 0}}
    for name in package.TABLES:
        assert tables[name] == expected[name], name
    assert package.inconsistencies(tables) == []


def test_an_enrolment_without_a_recorded_residence_counts_by_the_current_home(
    example, world, gemensam
):
    """Enrolments made before the residence was recorded fall back to the participant's
    current home municipality: W3 now lives in Krokom, so she would count for A."""
    EnrolmentResidence.objects.filter(enrolment=example["W3"]).delete()
    a = package.compute_tables(world.p, world.a, gemensam, Q3)
    b = package.compute_tables(world.p, world.b, gemensam, Q3)
    assert a["participants"]["exited"] == {"kvinna": 2, "man": 1, "annat": 1}
    assert b["participants"]["exited"] == {"kvinna": 0, "man": 0, "annat": 0}


def test_the_movement_counts_agree_with_the_providers_own_figures(example, world, gemensam, ladder):
    from stegvis.progression.figures import intervention_figures

    tables = package.compute_tables(world.p, world.a, gemensam, Q3)
    exits = package.resident_enrolments(world.p, world.a, gemensam).filter(
        exit_date__gte=Q3.start, exit_date__lte=Q3.end
    )
    figures = intervention_figures(gemensam, profile=None, ladder=ladder, enrolments=exits)
    assert tables["progression"]["positiv"]["kvinna"] == figures.ladder_positive["women"]
    assert sum(tables["progression"]["positiv"].values()) == figures.ladder_positive["total"]
    measured = sum(
        tables["progression"][r][g]
        for r in ("positiv", "ingen", "negativ")
        for g in package.GENDERS
    )
    assert measured == figures.ladder_measured["total"]


def test_a_month_and_a_year(example, world, gemensam):
    july = package.compute_tables(world.p, world.a, gemensam, parse("2026-07"))
    # W1, W2, O1 at start; M1 new (10 July); O1 exited 5 July; M4's registration error nowhere.
    assert july["participants"]["active"] == {"kvinna": 2, "man": 1, "annat": 1}
    assert july["participants"]["exited"] == {"kvinna": 0, "man": 0, "annat": 1}
    assert july["participants"]["participant_days"] == {"kvinna": 62, "man": 22, "annat": 5}


def test_the_computation_takes_a_constant_number_of_queries(
    example, world, gemensam, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        package.compute_tables(world.p, world.a, gemensam, Q3)
