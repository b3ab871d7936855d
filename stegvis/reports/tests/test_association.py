"""The association's report from received packages, against hand-computed worked examples."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stegvis.aggregates.figures import association_figures
from stegvis.interventions.models import Attendance, Intervention, StructuralActivity
from stegvis.interventions.tests.factories import InterventionFactory
from stegvis.reports.association import association_report, participant_report
from stegvis.reports.periods import RangeError, date_range, period_range

from .conftest import receive, tables


def _rows(table) -> dict:
    return dict(table.rows)


def test_a_half_year_sums_both_quarters_and_counts_each_person_once(world, received):
    """2026H1: participants = Q1's at start (3 + 8) + new in Q1 (2 + 4) and Q2 (1 + 2) = 6 + 14;
    new 3 + 6; exits 2 + 3, by group work 3, studies 1, other 1 (conftest ``received``)."""
    report = association_report(world.a, period_range("2026Q1", "2026Q2"))
    assert report.range.label == "2026H1"
    assert not report.empty
    assert _rows(report.table("deltagare")) == {
        "Gemensam väg": [6, 14, 0, 20],
        "Totalt": [6, 14, 0, 20],
    }
    assert _rows(report.table("nya"))["Gemensam väg"] == [3, 6, 0, 9]
    assert _rows(report.table("avslutade"))["Gemensam väg"] == [2, 3, 0, 5]
    assert _rows(report.table("avslutsgrupper"))["Gemensam väg"] == [3, 1, 0, 0, 1, 5]
    groups = _rows(report.table("exit-groups"))
    assert groups["Arbete"] == [1, 2, 0, 3] and groups["Totalt"] == [2, 3, 0, 5]
    assert _rows(report.table("time-in-intervention"))["0–3 månader"] == [2, 3, 0, 5]
    # The Q2 quarter alone: at its start 4 + 10, new 1 + 2.
    q2 = association_report(world.a, period_range("2026Q2"))
    assert _rows(q2.table("deltagare"))["Totalt"] == [5, 12, 0, 17]


def test_the_year_figures_of_aggregates_are_the_same_sums(world, received):
    per, total = association_figures(world.a, 2026)
    report = participant_report(world.a, period_range("2026"))
    assert [f.intervention for f in per] == [f.intervention for f in report.per]
    assert total.tables == report.total.tables
    assert total.participants == report.total.participants == {"kvinna": 6, "man": 14, "annat": 0}


def test_the_published_version_hides_small_counts(world, received):
    report = association_report(world.a, period_range("2026H1")).publish()
    assert report.published
    assert _rows(report.table("avslutade"))["Gemensam väg"] == ["<5", "<5", 0, 5]
    assert _rows(report.table("deltagare"))["Gemensam väg"] == [6, 14, 0, 20]
    # Shares computed from small counts are not published, and the report says so.
    assert report.table("vald-andel") is None
    assert "1 tabell med andelar räknade ur små antal ingår inte" in " ".join(report.notes)


def _grids(report, keys):
    return [[values for _label, values in report.table(key).rows] for key in keys]


def test_the_published_tables_of_exits_give_no_hidden_exit_back_together(world):
    """test_suppression.LEAKY as packages (A: 1 woman to work, 4 men to other; B: 19 women
    and 2 men to work, 4 women and 2 men to other). The report's exits by gender, by report group
    and (the detail table of all interventions) by group and gender share their totals. Published
    one at a time, the detail table shows the women's 24 that exits by gender hides, and A's 1
    woman can be worked out; published together (``Report.links``), nothing is pinned beyond the
    marks."""
    from stegvis.reports.tests.test_suppression import _pinned, _withheld

    made = []
    for code, groups in (
        ("alfa", {"arbete": (1, 0), "annat": (0, 4)}),
        ("beta", {"arbete": (19, 2), "annat": (4, 2)}),
    ):
        made.append(
            InterventionFactory(
                name=code.capitalize(), code=code, provider=world.p, lead_association=world.a
            )
        )
        exited = (sum(w for w, _m in groups.values()), sum(m for _w, m in groups.values()))
        receive(world, made[-1], "2026Q1", tables(exited, (0, 0), groups))
    keys = ["avslutade", "avslutsgrupper", "exit-groups", "exit-reasons", "vald-tackning"]
    # All interventions together, and Beta's detail tables (linked to Beta's rows).
    for chosen in ("", str(made[1].public_id)):
        exact = association_report(world.a, period_range("2026Q1"), intervention=chosen)
        board = exact.publish()
        assert _grids(exact, keys)[0] == [[1, 4, 0, 5], [23, 4, 0, 27], [24, 8, 0, 32]]
        index = {key: i for i, key in enumerate(keys)}
        links = [[(index[k], pos) for k, pos in link if k in index] for link in exact.links]
        links = [link for link in links if len(link) > 1]
        baseline = _pinned([_withheld(grid) for grid in _grids(exact, keys)], links)
        assert not _pinned(_grids(board, keys), links) - baseline, chosen


def test_a_period_without_packages_is_an_honest_empty_report(world, gemensam):
    report = association_report(world.a, period_range("2025"))
    assert report.empty
    assert any("Inga mottagna paket för perioden 2025" in n for n in report.notes)
    assert report.table("deltagare").rows == [("Totalt", [0, 0, 0, 0])]
    # and the quarters that ran and ended without a package are named (intervention began 2025)
    assert any("Paket saknas: Gemensam väg" in n and "2025Q4" in n for n in report.notes)


def test_packages_that_do_not_fit_the_range_are_named_not_split(world, gemensam):
    receive(world, gemensam, "2026Q3", tables((2, 2), (1, 1), {}))
    report = participant_report(world.a, period_range("2026-08"))
    assert report.empty
    notes = " ".join(report.notes())
    assert "Gemensam väg 2026Q3 sträcker sig utanför perioden" in notes
    assert "Paket saknas: Gemensam väg (Arbetsmarknadsenheten P), 2026-08, sent" in notes


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (date(2026, 6, 1), date(2026, 3, 31), r"Slutet \(2026-03-31\) ligger före början"),
        (date(2026, 1, 2), date(2026, 3, 31), "första dagen i en månad"),
        (date(2026, 1, 1), date(2026, 3, 30), "sista dagen i en månad"),
    ],
)
def test_a_range_must_be_whole_months_in_order(start, end, message):
    with pytest.raises(RangeError, match=message):
        date_range(start, end)


def test_period_labels_and_their_errors():
    assert period_range("2026T2").label == "2026T2"
    assert period_range("2026-01", "2026-02").label == "2026-01–2026-02"
    with pytest.raises(RangeError, match="Okänd period 2026Q5"):
        period_range("2026Q5")
    with pytest.raises(RangeError, match="före början"):
        period_range("2026Q3", "2026Q1")


def test_structural_activities_count_occasions_hours_and_attendees(world):
    seminar = InterventionFactory(
        provider=world.p,
        lead_association=world.a,
        kind=Intervention.Kind.STRUCTURAL,
        fundings=[(world.a, 100)],
        name="Nätverk",
        code="natverk",
    )
    fk = world.fk_unit.organisation
    municipality = world.p.organisation
    for day, hours, people in (
        (date(2026, 2, 3), Decimal("2.5"), {fk: (3, 1, 0), municipality: (6, 2, 1)}),
        (date(2026, 3, 9), Decimal("4"), {fk: (2, 2, 0)}),
        (date(2026, 5, 1), Decimal("8"), {fk: (9, 9, 9)}),  # outside Q1
    ):
        activity = StructuralActivity.objects.create(
            intervention=seminar, date=day, title="Träff", type="natverk", hours=hours
        )
        for org, (w, m, o) in people.items():
            Attendance.objects.create(activity=activity, organisation=org, women=w, men=m, other=o)
    report = association_report(world.a, period_range("2026Q1"), sections=("structural",))
    assert _rows(report.table("struktur-volym")) == {
        "Nätverk": [2, Decimal("6.5")],
        "Totalt": [2, Decimal("6.5")],
    }
    attendees = _rows(report.table("struktur-deltagare"))
    assert attendees[fk.name] == [5, 3, 0, 8]
    assert attendees[municipality.name] == [6, 2, 1, 9]
    assert attendees["Totalt"] == [11, 5, 1, 17]
    published = report.publish()
    assert published.table("struktur-volym") == report.table("struktur-volym")
    assert _rows(published.table("struktur-deltagare"))[municipality.name][2] == "<5"


def test_screening_coverage_from_the_packages(world, gemensam):
    """Q1: 4 women and 6 men exit; 3 women and 6 men asked → women 75.0 %, men 100.0 %, 90.0 %."""
    counts = tables((4, 6), (0, 0), {"arbete": (4, 6)})
    counts["violence_screening"]["asked"] = {"kvinna": 3, "man": 6, "annat": 0}
    counts["violence_screening"]["not_asked"] = {"kvinna": 1, "man": 0, "annat": 0}
    receive(world, gemensam, "2026Q1", counts)
    report = association_report(world.a, period_range("2026Q1"), sections=("screening",))
    assert _rows(report.table("vald-tackning"))["Gemensam väg"] == [9, 1, 10]
    assert _rows(report.table("vald-andel"))["Totalt"] == [
        Decimal("75.0"),
        Decimal("100.0"),
        Decimal("90.0"),
    ]


def test_finance_section_shows_the_cost_distribution_worked_example(world):
    """calculations.md §3: 1.6, 7.1, 1.0 and 0.3 Mkr → 16.0, 71.0, 10.0, 3.0 %; 81.0 % ≥ 75."""
    from stegvis.finance.models import BudgetPost, Category, Outcome

    amounts = {
        Category.ADMINISTRATION: 1_600_000,
        Category.INDIVIDINRIKTADE: 7_100_000,
        Category.STRUKTUROVERGRIPANDE: 1_000_000,
        Category.NYA_INSATSER: 300_000,
    }
    for i, (category, amount) in enumerate(amounts.items()):
        post = BudgetPost.objects.create(
            association=world.a, name=str(category.label), category=category, code=f"p{i}"
        )
        Outcome.objects.create(association=world.a, post=post, year=2026, month=6, amount=amount)
    report = association_report(world.a, period_range("2026H1"), sections=("finance",))
    rows = _rows(report.table("ekonomi-fordelning"))
    assert rows["Administration"] == [1_600_000, Decimal("16.0")]
    assert rows["Individinriktade insatser"] == [7_100_000, Decimal("71.0")]
    assert rows["Till insatser (mål minst 75 %: uppnått)"] == [None, Decimal("81.0")]
    assert _rows(report.table("ekonomi-utfall"))["Summa kostnader"][2] == 10_000_000


def test_interventions_that_share_a_name_come_in_the_order_of_their_ids(world, gemensam):
    """The order of a published grid decides which cells its suppression hides, so two
    interventions of the same name come in id order, whatever order the database keeps them in."""
    twin = InterventionFactory(
        name="Gemensam väg",
        code="gemensam-2",
        provider=world.p,
        lead_association=world.a,
        fundings=[(world.a, 100)],
        places=10,
        start=date(2025, 1, 1),
    )
    receive(world, twin, "2026Q1", tables((1, 1), (1, 1), {}))
    receive(world, gemensam, "2026Q1", tables((2, 2), (1, 1), {}))
    # An updated row moves to the end of a PostgreSQL table: the first intervention is now
    # stored after its twin.
    Intervention.objects.filter(pk=gemensam.pk).update(places=11)
    per, _total = association_figures(world.a, 2026)
    assert [f.intervention.pk for f in per] == [gemensam.pk, twin.pk]
