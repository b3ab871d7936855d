"""The operating plan's exits and occupancy goals, answered from received packages only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from stegvis.aggregates.tests.test_figures import _receive, _tables
from stegvis.plans import measures
from stegvis.plans.measures import Period

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
