"""The set-based national compilation (``national.country_counts``) against the definitions it
replaces: ``association_figures``' participants in the year and the per-association structural
volume, on packages written directly (corrections, a sender whose first period of the year is
not Q1, two associations co-funding one intervention), in a constant number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Sum

from stegvis.aggregates.figures import association_figures
from stegvis.aggregates.models import PackageCell, PackageDispatch, ReceivedPackage
from stegvis.aggregates.national import country_counts, national_counts, to_csv
from stegvis.aggregates.periods import parse
from stegvis.core.models import Association, AuditEvent, Organisation
from stegvis.interventions.models import Attendance, Intervention, StructuralActivity
from stegvis.interventions.tests.factories import (
    InterventionFactory,
    StructuralInterventionFactory,
)

YEARS = [2025, 2026, 2027]


def _package(association, sender, intervention, label, cells, *, replaced_by=None, version=1):
    """A received package with the given participant cells {(row, gender): n} (plus an
    exit-groups cell that must never count as a participant)."""
    period = parse(label)
    package = ReceivedPackage.objects.create(
        association=association,
        sender=sender,
        intervention=intervention,
        period=label,
        period_start=period.start,
        period_end=period.end,
        version=version,
        document={},
        signature="x",
        key_id="k",
        received_via=PackageDispatch.Via.FILE,
        replaced_by=replaced_by,
    )
    rows = {("participants", row, g): n for (row, g), n in cells.items()}
    rows["exit_groups", "arbete", "kvinna"] = 7
    rows["participants", "exited", "man"] = 5
    PackageCell.objects.bulk_create(
        PackageCell(association=association, package=package, table=t, row=r, gender=g, count=n)
        for (t, r, g), n in rows.items()
    )
    return package


def cells(start=(0, 0, 0), new=(0, 0, 0)) -> dict[tuple[str, str], int]:
    genders = ("kvinna", "man", "annat")
    return {
        **{("enrolled_at_start", g): n for g, n in zip(genders, start, strict=True)},
        **{("new", g): n for g, n in zip(genders, new, strict=True)},
    }


@pytest.fixture
def country(world):
    """Gemensam: co-funded by A and B, sent by P and Q. Egen: A's alone, a year package.
    Tom: B's, a package without participant cells. Training: structural, co-funded."""
    a, b, p, q = world.a, world.b, world.p, world.q
    gemensam = InterventionFactory(
        name="Gemensam väg", code="gemensam", provider=p, fundings=[(a, 60), (b, 40)]
    )
    egen = InterventionFactory(name="Egen väg", code="egen", provider=p, fundings=[(a, 100)])
    tom = InterventionFactory(name="Tom väg", code="tom", provider=q, fundings=[(b, 100)])
    # A, from P: 2025Q4, then 2026 from Q2 (its first period of 2026 is not Q1), Q2 corrected.
    _package(a, p, gemensam, "2025Q4", cells((3, 0, 0), (1, 1, 0)))
    q2 = _package(a, p, gemensam, "2026Q2", cells((4, 2, 1), (1, 0, 0)), version=2)
    _package(a, p, gemensam, "2026Q2", cells((40, 20, 10), (9, 9, 9)), replaced_by=q2)
    _package(a, p, gemensam, "2026Q3", cells((5, 2, 1), (0, 3, 0)))
    _package(a, p, gemensam, "2026Q4", cells((5, 4, 1), (2, 0, 0)))
    # A, from Q: from Q1.
    _package(a, q, gemensam, "2026Q1", cells((1, 1, 0), (0, 1, 0)))
    _package(a, q, gemensam, "2026Q2", cells((1, 2, 0), (0, 0, 1)))
    # B, the same intervention from P: other counts, never A's.
    _package(b, p, gemensam, "2026Q1", cells((100, 100, 100), (10, 10, 10)))
    _package(b, p, gemensam, "2026Q3", cells((200, 200, 200), (20, 20, 20)))
    # A's year package and a month package of the next year.
    _package(a, p, egen, "2026", cells((6, 1, 0), (2, 2, 2)))
    _package(a, p, egen, "2027-02", cells((3, 3, 3), (1, 0, 0)))
    # B's package with no participant cells at all.
    package = _package(b, q, tom, "2026Q1", {})
    package.cells.filter(table="participants").delete()

    training = StructuralInterventionFactory(
        name="Utbildning i samverkan", code="utb", provider=p, fundings=[(a, 50), (b, 50)]
    )
    idle = StructuralInterventionFactory(
        name="Arbetsgrupp", code="grupp", provider=p, fundings=[(a, 100)]
    )
    fk = Organisation.objects.get(name="Försäkringskassan")
    for day, hours, rows in (
        (date(2026, 3, 3), Decimal("3.5"), [(fk, 4, 1, 0), (p.organisation, 6, 2, 1)]),
        (date(2026, 9, 9), Decimal("2"), [(fk, 2, 2, 0)]),
        (date(2026, 10, 1), Decimal("1.25"), []),  # no attendance recorded
        (date(2025, 9, 9), Decimal("8"), [(fk, 9, 9, 9)]),
    ):
        activity = StructuralActivity.objects.create(
            intervention=training, date=day, title="Tillfälle", type="utbildning", hours=hours
        )
        for org, women, men, other in rows:
            Attendance.objects.create(
                activity=activity, organisation=org, women=women, men=men, other=other
            )
    return {"gemensam": gemensam, "egen": egen, "tom": tom, "training": training, "idle": idle}


def _old_structural(association, year):
    """The structural rows as ``national_counts`` computed them before (per intervention the
    association funds: its activities dated in the year and their attendance)."""
    rows = []
    for i in Intervention.objects.filter(
        fundings__association=association, kind=Intervention.Kind.STRUCTURAL
    ).order_by("name"):
        activities = StructuralActivity.objects.filter(intervention=i, date__year=year)
        volume = activities.aggregate(n=Count("pk"), h=Sum("hours"))
        people = Attendance.objects.filter(activity__in=activities).aggregate(
            w=Sum("women"), m=Sum("men"), o=Sum("other")
        )
        rows.append(
            (
                i.code,
                people["w"] or 0,
                people["m"] or 0,
                people["o"] or 0,
                volume["n"],
                volume["h"] or Decimal(0),
            )
        )
    return rows


def _individual(rows):
    return [(r.intervention.code, r.women, r.men, r.other) for r in rows]


def _structural(rows):
    return [(r.intervention.code, r.women, r.men, r.other, r.occasions, r.hours) for r in rows]


def test_the_country_counts_equal_the_per_association_definitions(world, country):
    counts = country_counts(YEARS)
    for association in (world.a, world.b):
        for year in YEARS:
            individual, structural = counts.of(association.pk, year)
            per, _total = association_figures(association, year)
            expected = [
                (
                    f.intervention.code,
                    f.participants.get("kvinna", 0),
                    f.participants.get("man", 0),
                    f.participants.get("annat", 0),
                )
                for f in per
            ]
            assert _individual(individual) == expected, (association.slug, year)
            assert _structural(structural) == _old_structural(association, year)
            # The one-association entry point gives the same rows.
            one = national_counts(association, year)
            assert (_individual(one[0]), _structural(one[1])) == (
                _individual(individual),
                _structural(structural),
            )
    # Years that are not consecutive give the same rows for each of them.
    gaps = country_counts([2027, 2025])
    assert gaps.years == [2025, 2027]
    for association in (world.a, world.b):
        for year in (2025, 2027):
            individual, structural = gaps.of(association.pk, year)
            expected = counts.of(association.pk, year)
            assert _individual(individual) == _individual(expected[0])
            assert _structural(structural) == _structural(expected[1])
        assert gaps.of(association.pk, 2026) == ([], [])


def test_the_country_counts_by_hand(world, country):
    """A, Gemensam, 2026: from P the first period is Q2 (corrected: 4, 2, 1 at start, not the
    replaced 40, 20, 10), from Q it is Q1 (1, 1, 0); new from P 3, 3, 0 and from Q 0, 1, 1.
    Women 4 + 1 + 3 = 8, men 2 + 1 + 3 + 1 = 7, other 1 + 0 + 0 + 1 = 2. B's packages
    of the same intervention stay B's: 100 + 10 + 20 each. Egen: its year package 6 + 2, 1 + 2,
    0 + 2. Tom: a package without participant cells is a row of zeros. The training, 2026: 3
    occasions, 6.75 hours, women 4 + 6 + 2, men 1 + 2 + 2, other 1, for A and B alike."""
    counts = country_counts([2026])
    individual, structural = counts.of(world.a.pk, 2026)
    assert _individual(individual) == [("egen", 8, 3, 2), ("gemensam", 8, 7, 2)]
    assert _individual(counts.of(world.b.pk, 2026)[0]) == [
        ("gemensam", 130, 130, 130),
        ("tom", 0, 0, 0),
    ]
    assert _structural(structural) == [
        ("grupp", 0, 0, 0, 0, Decimal(0)),
        ("utb", 12, 5, 1, 3, Decimal("6.75")),
    ]
    assert _structural(counts.of(world.b.pk, 2026)[1]) == [("utb", 12, 5, 1, 3, Decimal("6.75"))]
    assert counts.of(world.a.pk, 2024) == ([], [])


def test_a_selection_of_associations_holds_only_theirs(world, country):
    counts = country_counts([2026], [world.b])
    assert counts.of(world.a.pk, 2026) == ([], [])
    assert _individual(counts.of(world.b.pk, 2026)[0])[0] == ("gemensam", 130, 130, 130)


def test_the_number_of_queries_is_constant(world, country, django_assert_num_queries):
    with django_assert_num_queries(2):
        country_counts([2026], [world.a])
    with django_assert_num_queries(2):
        country_counts(YEARS)
    with django_assert_num_queries(2):
        national_counts(world.b, 2026)


def test_the_country_csv_command(world, country, tmp_path: Path):
    out = tmp_path / "nationell.csv"
    call_command("national_export", "--from-year", "2026", "--to-year", "2027", "--output", out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "forbund;ar;insatskod;insats;typ;kvinnor;man;annat;totalt;tillfallen;timmar"
    a, b = world.a.slug, world.b.slug
    assert f"{a};2026;gemensam;Gemensam väg;individinriktad;8;7;2;17;;" in lines
    assert f"{a};2027;egen;Egen väg;individinriktad;4;3;3;10;;" in lines
    assert f"{b};2026;gemensam;Gemensam väg;individinriktad;130;130;130;390;;" in lines
    assert f"{b};2026;utb;Utbildning i samverkan;strukturovergripande;12;5;1;18;3;6,75" in lines
    # Each association's part is what its own export (to_csv) holds.
    own = to_csv(*national_counts(world.a, 2026), 2026).splitlines()[1:]
    assert [line.split(";", 1)[1] for line in lines if line.startswith(f"{a};2026;")] == own
    events = AuditEvent.objects.filter(action="aggregates.national_export")
    every = Association.objects.values_list("pk", flat=True)
    assert sorted(e.association_id or 0 for e in events) == sorted(every)


def test_the_command_for_chosen_associations_to_stdout(world, country):
    out = StringIO()
    call_command("national_export", "--year", "2026", "--association", world.b.slug, stdout=out)
    body = out.getvalue()
    assert f"{world.b.slug};2026;tom;" in body and f"{world.a.slug};" not in body
    with pytest.raises(CommandError):
        call_command("national_export", "--year", "2026", "--association", "inget", stdout=out)
