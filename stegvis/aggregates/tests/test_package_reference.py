"""The package's tables against the reference (the one-count-per-cell definition kept in
reference_package.py), on varied data: exits of every reason and report group, every income
source and occupation, every age band, every time band, pauses, ladder movement positive,
negative and none and unmeasured, follow-ups reached and not, all three genders, residents of
both associations and of neither, registration errors. Every row of every table must be hit
by some period, so that a wrong row cannot pass unnoticed."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from stegvis.aggregates import package
from stegvis.aggregates.periods import parse
from stegvis.core.codes import AGE_BANDS, ExitReason, IncomeSource, Occupation
from stegvis.participants.models import Pause

from . import reference_package
from .conftest import KROKOM, OSTERSUND, STOCKHOLM, Person, enrol
from .reference_package import reference_tables

PERIODS = ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026-07", "2025", "2026"]


@pytest.fixture
def varied(world, gemensam, ladder):
    rng = random.Random(11)
    reasons = list(ExitReason.values)
    incomes = list(IncomeSource.values)
    occupations = [*Occupation.values, ""]
    ages = [low for low, _high in AGE_BANDS] + [high for _low, high in AGE_BANDS] + [15, 70]
    day0 = date(2025, 6, 1)
    enrolments = []
    for n in range(200):
        start = day0 + timedelta(days=rng.randint(0, 420))
        exits = n % 5 != 0
        exit_date = start + timedelta(days=rng.choice([0, 30, 91, 92, 182, 183, 365, 366, 400]))
        if not exits or exit_date >= date(2026, 11, 1):
            exit_date = None
        person = Person(
            gender=("kvinna", "man", "annat")[n % 3],
            born=2026 - ages[n % len(ages)] - rng.choice([0, 1]),
            home=(KROKOM, KROKOM, OSTERSUND, STOCKHOLM)[n % 4],
            start=start,
            exit=exit_date,
            reason=rng.choice(reasons) if exit_date else "",
            income=(rng.choice(incomes), rng.choice(["", *incomes]) if exit_date else ""),
            occupation=(
                rng.choice(occupations),
                rng.choice(occupations) if exit_date else "",
            ),
            screened=rng.random() < 0.5,
            survey=rng.random() < 0.5,
            steps=tuple(rng.randint(1, 7) for _ in range(rng.choice([0, 1, 2, 2, 3, 4]))),
            moved_to=rng.choice(["", "", OSTERSUND, KROKOM]),
            follow_up=(
                (
                    (6, 12)[n % 2],
                    min(exit_date + timedelta(days=rng.randint(150, 380)), date(2026, 10, 31)),
                    ["", *Occupation.values][n // 3 % 5],
                )
                if exit_date and exit_date < date(2026, 6, 1)
                else None
            ),
        )
        enrolment = enrol(gemensam, person, ladder)
        enrolments.append(enrolment)
        if n % 4 == 1:
            pause_start = start + timedelta(days=rng.randint(0, 60))
            Pause.objects.create(
                provider=world.p,
                enrolment=enrolment,
                start=pause_start,
                end=rng.choice([None, pause_start + timedelta(days=rng.randint(0, 120))]),
            )
    return enrolments


def _rows_hit(tables_list) -> set[tuple[str, str]]:
    return {
        (name, row)
        for tables in tables_list
        for name, rows in tables.items()
        for row, counts in rows.items()
        if any(counts.values())
    }


def test_the_tables_equal_the_reference_for_every_association_and_period(varied, world, gemensam):
    computed = []
    for association in (world.a, world.b):
        for label in PERIODS:
            period = parse(label)
            base = package.resident_enrolments(world.p, association, gemensam)
            expected = reference_tables(base, gemensam, period)
            tables = package.compute_tables(world.p, association, gemensam, period)
            assert tables == expected, (association.slug, label)
            assert list(tables["steps_moved"]) == list(expected["steps_moved"])
            computed.append(tables)
    # The provider's own report: every enrolment, wherever the participant lives.
    for label in PERIODS:
        period = parse(label)
        base = package.provider_enrolments(world.p, gemensam)
        expected = reference_tables(base, gemensam, period)
        assert package.tables_for(base, gemensam, period) == expected, label
        computed.append(expected)
    every_row = {(name, row) for name, (rows, _base) in package.TABLES.items() for row in rows}
    assert every_row - _rows_hit(computed) == set()
    steps = {step for tables in computed for step in tables["steps_moved"]}
    assert {"0"} < steps and any(s.startswith("-") for s in steps)


def test_without_a_ladder_every_exit_is_unmeasured(varied, world, gemensam, monkeypatch):
    monkeypatch.setattr(package, "_ladder_answers", lambda _intervention: None)
    monkeypatch.setattr(reference_package, "_ladder", lambda _intervention: None)
    for label in ("2026Q1", "2026"):
        period = parse(label)
        base = package.resident_enrolments(world.p, world.a, gemensam)
        assert package.tables_for(base, gemensam, period) == reference_tables(
            base, gemensam, period
        )


def test_build_and_receive_take_a_constant_number_of_queries(example, world, gemensam):
    """The same number of queries with the worked example's dozen enrolments and with two
    hundred more (the grouped counts and one insert of every cell)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stegvis.aggregates import services

    services._ensure_registered(world.p, world.a, world["alice"])

    def counted(label: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as build:
            raw = services.build_file(world.p, gemensam, world.a, label)
        with CaptureQueriesContext(connection) as received:
            package_ = services.receive(world.a, raw, user=None, via="file")
        cells = {(c.table, c.row, c.gender): c.count for c in package_.cells.all()}
        assert cells == {
            (t, r, g): n
            for t, rows in package_.document["tables"].items()
            for r, counts in rows.items()
            for g, n in counts.items()
        }
        assert len(cells) > 250
        return len(build), len(received)

    counted("2026Q1")  # the first audit event also makes the audit chain's head
    few = counted("2026Q2")
    assert few[0] <= 20 and few[1] <= 15, few
    rng = random.Random(5)
    for n in range(200):
        start = date(2026, 4, 1) + timedelta(days=rng.randint(0, 80))
        enrol(
            gemensam,
            Person(
                ("kvinna", "man", "annat")[n % 3],
                1990,
                KROKOM,
                start,
                start + timedelta(days=5),
                "arbete",
            ),
            None,
        )
    assert counted("2026Q3") == few
