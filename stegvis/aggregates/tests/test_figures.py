"""The association's follow-up from received cells, against calculations.md §5 and §7."""

from __future__ import annotations

from decimal import Decimal

from stegvis.aggregates import figures, package, services, signing
from stegvis.aggregates.periods import parse
from stegvis.interventions.models import Goal


def _tables(
    at_start: tuple[int, int],
    new: tuple[int, int],
    groups: dict[str, tuple[int, int]],
    days: tuple[int, int],
) -> dict:
    """Consistent tables (women, men): exits by report group as given, every other exit table
    in one row."""
    zero = dict.fromkeys(package.GENDERS, 0)
    tables = {n: {r: dict(zero) for r in spec[0]} for n, spec in package.TABLES.items()}

    def put(table: str, row: str, pair: tuple[int, int]) -> None:
        tables[table][row] = {"kvinna": pair[0], "man": pair[1], "annat": 0}

    exited = (sum(v[0] for v in groups.values()), sum(v[1] for v in groups.values()))
    put("participants", "enrolled_at_start", at_start)
    put("participants", "new", new)
    put("participants", "active", (at_start[0] + new[0], at_start[1] + new[1]))
    put("participants", "exited", exited)
    put("participants", "participant_days", days)
    reason = {"arbete": "arbete", "studier": "studier", "annat": "annat", "sjukdom": "sjukdom"}
    for group, pair in groups.items():
        put("exit_groups", group, pair)
        put("exit_reasons", reason[group], pair)
    put("age_bands", "30_39", (at_start[0] + new[0], at_start[1] + new[1]))
    for table, row in [
        ("income_start", "okand"), ("income_exit", "okand"), ("occupation_start", "ovrigt"),
        ("occupation_exit", "ovrigt"), ("time_in_intervention", "0_3_man"),
        ("progression", "ej_matt"), ("violence_screening", "not_asked"),
        ("survey_at_exit", "not_offered"),
    ]:  # fmt: skip
        put(table, row, exited)
    tables["steps_moved"] = {}
    assert package.inconsistencies(tables) == []
    return tables


def _receive(world, intervention, association, period: str, tables: dict) -> None:
    document = package.build_document(
        key_id=services.provider_key(world.p).key_id,
        association=association,
        intervention=intervention,
        period=parse(period),
        version=1,
        tables=tables,
    )
    services._ensure_registered(world.p, association, world["alice"])
    raw = signing.to_bytes(services.sign(world.p, document))
    services.receive(association, raw, user=world["alice"], via="file")


def test_goal_and_occupancy_worked_examples(world, gemensam):
    """§5: 30 exits, 9 to work and 4 to studies: 13/30 = 43.3 % ≥ 40 % → met (women 7/15 =
    46.7 %, men 6/15 = 40.0 %). §7: 20 places, 30 days (June), 540 participant-days → 90.0 %."""
    gemensam.places = 20
    gemensam.save(update_fields=["places"])
    for measure, target, groups in (
        (Goal.Measure.SHARE_EXITS_IN_GROUPS, 40, ["arbete", "studier"]),
        (Goal.Measure.OCCUPANCY, 95, []),
    ):
        Goal.objects.create(
            intervention=gemensam, text=str(measure), measure=measure, report_groups=groups,
            target=target, period_start=parse("2026").start, period_end=parse("2026").end,
        )  # fmt: skip
    tables = _tables(
        at_start=(15, 15),
        new=(0, 0),
        groups={"arbete": (5, 4), "studier": (2, 2), "annat": (8, 0), "sjukdom": (0, 9)},
        days=(300, 240),
    )
    _receive(world, gemensam, world.a, "2026-06", tables)
    per, total = figures.association_figures(world.a, 2026)
    (result,) = per
    assert result.occupancy() == Decimal("90.0")
    occupancy_goal, share_goal = result.goals  # ordered by text: 'occupancy' first
    assert share_goal.outcome == {
        "kvinna": Decimal("46.7"),
        "man": Decimal("40.0"),
        "total": Decimal("43.3"),
    }
    assert share_goal.met == {"kvinna": True, "man": True, "total": True}
    assert occupancy_goal.outcome["total"] == Decimal("90.0")
    assert occupancy_goal.met["total"] is False
    row = total.participant_row()
    assert row["exited"] == {"kvinna": 15, "man": 15, "annat": 0, "total": 30}
    assert {str(label): c["total"] for label, c in row["groups"]} == {
        "Arbete": 9, "Studier": 4, "Arb.rehab": 0, "Sjukdom": 9, "Annat skäl": 8,
    }  # fmt: skip


def test_participants_in_the_year_count_the_first_period_start_and_every_new(world, gemensam):
    """Q1: 3 women at start, 2 new; Q2: 4 at start (carried over), 1 new → 3 + 2 + 1 = 6."""
    _receive(
        world, gemensam, world.a, "2026Q1", _tables((3, 0), (2, 0), {"arbete": (1, 0)}, (400, 0))
    )
    _receive(world, gemensam, world.a, "2026Q2", _tables((4, 0), (1, 0), {}, (450, 0)))
    _per, total = figures.association_figures(world.a, 2026)
    row = total.participant_row()
    assert row["participants"] == {"kvinna": 6, "man": 0, "annat": 0, "total": 6}
    assert row["new"]["total"] == 3 and row["exited"]["total"] == 1
    # Q3 has ended without a package (late: it ended more than 30 days before 27 November).
    missing = figures.missing_packages(world.a, 2026)
    assert [(m.period.label, m.late) for m in missing] == [("2026Q3", True)]


def test_a_month_package_set_covers_its_quarter(world, gemensam):
    for month in ("2026-07", "2026-08", "2026-09"):
        _receive(world, gemensam, world.a, month, _tables((1, 0), (0, 0), {}, (31, 0)))
    labels = [m.period.label for m in figures.missing_packages(world.a, 2026)]
    assert labels == ["2026Q1", "2026Q2"]


def test_only_interventions_that_ran_in_the_year_miss_quarters(world, django_assert_num_queries):
    """One that ended before the year or starts after it misses nothing; one that ended in Q2
    misses Q1 and Q2 only; the interventions are read in one query however many there are."""
    from datetime import date

    from stegvis.interventions.tests.factories import InterventionFactory

    def funded(name: str, start: date, ended: date | None = None):
        return InterventionFactory(
            name=name,
            code=name.lower(),
            provider=world.p,
            lead_association=world.a,
            fundings=[(world.a, 100)],
            start=start,
            ended=ended,
        )

    funded("Gammal", date(2019, 1, 1), date(2025, 12, 31))
    funded("Framtida", date(2027, 1, 1))
    funded("Kort", date(2026, 1, 1), date(2026, 5, 15))
    with django_assert_num_queries(2):  # the interventions and the packages
        missing = figures.missing_packages(world.a, 2026)
    assert [(m.intervention.name, m.period.label) for m in missing] == [
        ("Kort", "2026Q1"),
        ("Kort", "2026Q2"),
    ]
