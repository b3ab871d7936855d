"""Fixtures of reports: the aggregates app's co-funded intervention "Gemensam väg" and its
worked-example participants (stegvis/aggregates/tests/conftest.py), time pinned to 2026-11-27,
and a helper to receive a package of hand-made tables."""

from __future__ import annotations

import pytest

from stegvis.aggregates import package
from stegvis.aggregates.tests.conftest import (  # noqa: F401 - fixtures
    PEOPLE,
    _today,
    actor_of,
    enrol,
    example,
    gemensam,
    ladder,
)
from stegvis.aggregates.tests.test_figures import _receive, _tables

__all__ = ["PEOPLE", "actor_of", "enrol", "receive", "tables"]


def tables(
    at_start: tuple[int, int],
    new: tuple[int, int],
    groups: dict[str, tuple[int, int]],
    days: tuple[int, int] = (0, 0),
    positive_group: str = "annat",
    **extra: dict[str, tuple[int, int]],
) -> dict:
    """Consistent package tables (women, men) as ``aggregates`` builds them in its tests, with
    ``extra`` rows replacing zero rows of tables that have no sum rule (follow-ups) or moving
    exits from "not measured" to a progression row; exits with a positive movement are in the
    exit group ``positive_group``."""
    result = _tables(at_start, new, groups, days)
    for name, rows in extra.items():
        for row, (w, m) in rows.items():
            result[name][row] = {"kvinna": w, "man": m, "annat": 0}
            if name == "progression":
                rest = result["progression"]["ej_matt"]
                rest["kvinna"] -= w
                rest["man"] -= m
                # every measured exit moved one step (up, none or down)
                step = {"positiv": "+1", "ingen": "0", "negativ": "-1"}[row]
                result["steps_moved"][step] = {"kvinna": w, "man": m, "annat": 0}
                if row == "positiv":
                    exits = result["exit_groups"][positive_group]
                    assert exits["kvinna"] >= w and exits["man"] >= m, "more positive than exits"
                    result["positive_by_group"][positive_group] = {
                        "kvinna": w,
                        "man": m,
                        "annat": 0,
                    }
    assert package.inconsistencies(result) == []
    return result


def receive(world, intervention, period: str, counts: dict, association=None) -> None:
    _receive(world, intervention, association or world.a, period, counts)


@pytest.fixture
def received(world, gemensam):  # noqa: F811 - the fixture
    """Two quarters of Gemensam väg at A: Q1 3 women and 8 men at start, 2 + 4 new; Q2 4 + 10
    at start (carried over), 1 + 2 new. Exits: Q1 work 1 + 2; Q2 studies 0 + 1, other 1 + 0."""
    receive(world, gemensam, "2026Q1", tables((3, 8), (2, 4), {"arbete": (1, 2)}, (400, 900)))
    receive(
        world,
        gemensam,
        "2026Q2",
        tables((4, 10), (1, 2), {"studier": (0, 1), "annat": (1, 0)}, (420, 1000)),
    )
    return gemensam
