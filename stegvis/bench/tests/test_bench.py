"""The generator and the benchmark's bare SQL, on a tiny scale: the bulk-inserted packages hold
what the provider's own computation gives, the bare SQL gives the application's numbers, and the
same seed gives the same data. (Timings are never asserted: the benchmark is not a test.)"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.db import transaction
from stdnum import luhn

from stegvis.aggregates import package
from stegvis.aggregates.models import ReceivedPackage
from stegvis.aggregates.periods import parse
from stegvis.bench.generator import LAST_YEAR, SCALES, Generator, generate
from stegvis.bench.management.commands.bench import _normal
from stegvis.bench.operations import in_rollback, operations
from stegvis.participants.models import Enrolment, Participant, Pause

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny():
    return generate("tiny", seed=3, log=lambda _line: None)


def _fingerprint() -> list[tuple[object, ...]]:
    people = sorted(
        (p.national_id, p.name, p.gender, p.birth_year, p.identity_kind)
        for p in Participant.objects.all()
    )
    stays = sorted(
        (str(e.start), str(e.exit_date), e.exit_reason, e.intervention.code)
        for e in Enrolment.objects.select_related("intervention")
    )
    return [*people, *stays]


def test_every_package_holds_what_the_provider_computes(tiny):
    packages = ReceivedPackage.objects.select_related("sender", "association", "intervention")
    assert packages.count() > tiny.rows["packages via services"] > 0
    for received in packages:
        tables = package.compute_tables(
            received.sender, received.association, received.intervention, parse(received.period)
        )
        assert received.document["tables"] == tables, received.period
        assert not package.inconsistencies(tables)


def test_bare_sql_gives_the_applications_numbers(tiny):
    ops = operations(2025, [2025], import_rows=25)
    assert {op.key for op in ops} == {
        "annual_report",
        "national_1y",
        "national_10y",
        "participant_list",
        "import_10k",
        "packages_year",
    }
    for op in ops:
        app = in_rollback(op.app)()
        assert app, op.key
        assert _normal(app) == _normal(in_rollback(op.bare)()), op.key


def test_a_figure_that_differs_is_caught(tiny):
    """The comparison is not blind: one changed cell makes the bare result differ."""
    op = next(o for o in operations(2025, [2025], import_rows=5) if o.key == "annual_report")
    bare = op.bare()
    some = next(k for k in bare if k != "total")
    cell = next(iter(bare[some]["cells"]))
    bare[some]["cells"][cell] += 1
    assert _normal(op.app()) != _normal(bare)


def test_same_seed_same_data_and_fictional_numbers():
    with transaction.atomic():
        generate("tiny", seed=5, log=lambda _line: None)
        first = _fingerprint()
        transaction.set_rollback(True)
    generate("tiny", seed=5, log=lambda _line: None)
    assert _fingerprint() == first
    numbers = [p.national_id for p in Participant.objects.exclude(national_id_encrypted="")]
    assert numbers
    for number in numbers:
        assert 980 <= int(number[9:12]) <= 999  # the test-person serial range
        assert luhn.is_valid(number[2:8] + number[9:])


def test_the_list_interventions_run_through_the_country_decade():
    """The list page's intervention (steg1 of bench-01) is still running in the last year, so
    its 2 000 participants have real stays; the others are staggered 30-month runs."""
    stub = SimpleNamespace(scale=SCALES["country"])
    first, *others = Generator.intervention_plan(stub, 0, None)
    assert first == (date(2015, 1, 1), None)
    assert any(end is not None and end.year < LAST_YEAR for _start, end in others)
    neighbour_first = Generator.intervention_plan(stub, 1, None)[0]
    assert neighbour_first[1] is not None and neighbour_first[1].year < 2016


def test_a_package_cell_that_differs_is_caught(tiny):
    """The packages comparison covers every table: one changed cell in any of them differs."""
    # The generator makes no pauses: some, clipped by the period and by the enrolment.
    days = [date(2024, 12, 20), date(2025, 3, 1), date(2025, 6, 10), date(2025, 12, 20)]
    enrolments = Enrolment.objects.filter(
        start__lte=date(2025, 12, 31), intervention__code__startswith="steg"
    ).exclude(exit_date__lt=date(2025, 1, 1))
    for n, enrolment in enumerate(enrolments.order_by("pk")[:12]):
        start = max(enrolment.start, days[n % 4])
        end = None if n % 3 == 0 else start + timedelta(days=10 + 40 * (n % 4))
        Pause.objects.create(
            provider_id=enrolment.provider_id, enrolment=enrolment, start=start, end=end
        )
    op = next(o for o in operations(2025, [2025], import_rows=5) if o.key == "packages_year")
    app = _normal(in_rollback(op.app)())
    bare = in_rollback(op.bare)()
    assert _normal(bare) == app
    # The tiny data reaches every table but follow_up_12 (no 12-month follow-up done in 2025).
    reached = {
        table
        for tables in bare.values()
        for table, rows in tables.items()
        for counts in rows.values()
        if any(counts.values())
    }
    assert set(package.TABLES) - reached <= {"follow_up_12"}, reached
    some = next(iter(bare))
    for table in package.TABLES:
        changed = copy.deepcopy(bare)
        rows = changed[some][table] or {"+1": dict.fromkeys(package.GENDERS, 0)}
        row = next(iter(rows))
        rows[row][package.GENDERS[0]] += 1
        changed[some][table] = rows
        assert _normal(changed) != app, table
