"""The report's sections against the hand-computed example of ``document_world`` (packages only),
calculations.md §3 and §4, and the publication rules for the board."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from stegvis.core.actors import Actor
from stegvis.core.models import Organisation
from stegvis.deviations import services as deviations
from stegvis.deviations.models import DeviationCategory
from stegvis.finance.models import BudgetPost, Outcome
from stegvis.interventions.models import Attendance, StructuralActivity
from stegvis.interventions.tests.factories import StructuralInterventionFactory
from stegvis.reports import document_sections
from stegvis.reports.document_sections import Effect, build_sections, effect_for, share_shown
from stegvis.reports.suppression import HIDDEN, SMALL
from stegvis.reports.tests.document_world import build

JAN, JUN, APR, DEC = date(2026, 1, 1), date(2026, 6, 30), date(2026, 4, 30), date(2026, 12, 31)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(
        datetime(2026, 11, 27, 12, tzinfo=timezone.get_fixed_timezone(60)), tick=False
    ):
        yield


def _tables(world, start=JAN, end=JUN, *, publish=False):
    sections = build_sections(world.a, start, end, publish=publish)
    return {t.key: t for s in sections for t in s.tables}, {s.key: s for s in sections}


def test_sections_follow_the_order_of_an_annual_report(world):
    sections = build_sections(world.a, JAN, DEC, publish=False)
    assert [s.key for s in sections] == [
        "intro", "mission", "key_figures", "individual", "structural", "goals", "surveys",
        "violence", "lex_heller", "finance", "effect",
    ]  # fmt: skip


def test_participant_tables_match_the_hand_computed_example(world):
    build(world)
    tables, _sections = _tables(world)
    assert tables["participants"].columns == ["Kvinnor", "Män", "Totalt"]
    assert tables["participants"].rows == [
        ("Gemensam väg", [19, 21, 40]),
        ("Steget", [3, 1, 4]),
        ("Totalt", [22, 22, 44]),
    ]
    assert tables["new"].rows[-1] == ("Totalt", [10, 13, 23])
    assert tables["exited"].rows == [
        ("Gemensam väg", [10, 14, 24]),
        ("Steget", [1, 0, 1]),
        ("Totalt", [11, 14, 25]),
    ]
    assert tables["exit_groups"].rows[0] == ("Gemensam väg", [18, 3, 0, 2, 1, 24])
    assert tables["exit_groups"].rows[-1] == ("Totalt", [19, 3, 0, 2, 1, 25])
    assert tables["exit_groups_gender"].rows[0] == ("Arbete", [8, 11, 19])
    goal = tables["intervention_goals"].rows[0]
    assert goal == (
        "Gemensam väg: Minst 40 % till arbete eller studier",
        [Decimal("40.00"), Decimal("90.0"), Decimal("85.7"), Decimal("87.5"), "Uppfyllt"],
    )
    assert tables["effect"].rows[-1] == ("Effekt (kr)", [3_693_600])
    assert tables["key_figures"].rows[:4] == [
        ("Deltagare i individinriktade insatser", [44]),
        ("varav nya under perioden", [23]),
        ("Avslutade deltagare", [25]),
        ("Avslut till arbete eller studier", [22]),
    ]


def test_the_figures_of_a_whole_year_equal_the_aggregates_app(world):
    """One definition: the report's full-year figures are association_figures'."""
    from stegvis.aggregates.figures import association_figures
    from stegvis.reports.document_figures import participant_figures

    build(world)
    ours_per, ours_total = participant_figures(world.a, JAN, DEC)
    theirs_per, theirs_total = association_figures(world.a, 2026)
    assert ours_total.participant_row() == theirs_total.participant_row()
    assert [f.participant_row() for f in ours_per] == [f.participant_row() for f in theirs_per]


def test_an_interim_report_counts_only_packages_inside_the_period_and_says_so(world):
    build(world)
    tables, sections = _tables(world, JAN, APR)
    assert tables["participants"].rows[0] == ("Gemensam väg", [15, 14, 29])
    assert tables["exited"].rows[-1] == ("Totalt", [7, 8, 15])
    notes = sections["individual"].notes
    assert any("Gemensam väg, period 2026Q2" in n and "inte medräknat" in n for n in notes)
    assert tables["effect"].rows[0] == ("Personer som avslutats till arbete", [9])


def test_missing_quarters_are_named(world):
    build(world)
    _t, sections = _tables(world, JAN, DEC)
    notes = sections["individual"].notes
    assert "Sammanställning saknas: Steget, 2026Q2." in notes
    assert "Sammanställning saknas: Gemensam väg, 2026Q3." in notes


def test_the_board_sees_no_count_from_1_to_4_and_no_share_that_reveals_one(world):
    build(world)
    tables, _sections = _tables(world, publish=True)
    for key in ("participants", "new", "exited", "exit_groups", "exit_groups_gender"):
        table = tables[key]
        assert table.suppressed
        for _label, values in table.rows:
            assert not any(isinstance(v, int) and 0 < v < 5 for v in values), (key, values)
    assert tables["participants"].rows[1] == ("Steget", [SMALL, SMALL, SMALL])
    # 9 of 10 women, 12 of 14 men, 21 of 24: each share would reveal a count of 1-3 left over.
    assert tables["intervention_goals"].rows[0][1][1:4] == [None, None, None]
    # "Work or studies" is studies (<5) plus work: shown as a mark, not a number.
    key = dict(tables["key_figures"].rows)
    assert key["Avslut till arbete eller studier"] == [HIDDEN]
    assert key["Deltagare i individinriktade insatser"] == [44]


def test_the_boards_tables_of_exits_show_a_shared_figure_alike_or_hide_it_everywhere(world):
    """Exits by gender, by report group and by group and gender share their totals (each
    intervention's exits, each gender's, each group's): suppressed together, a figure hidden in
    one of them is hidden in all (suppression.suppress_linked)."""
    build(world)
    tables, _sections = _tables(world, publish=True)
    grids = [
        [values for _label, values in tables[key].rows]
        for key in ("exited", "exit_groups", "exit_groups_gender")
    ]
    n, k, m = len(grids[0]) - 1, len(grids[0][0]) - 1, len(grids[1][0]) - 1
    for link in document_sections.exit_links(n, k, m):
        shown = [grids[t][r][c] for t, (r, c) in link]
        assert all(isinstance(v, int) for v in shown) == any(isinstance(v, int) for v in shown)
        assert len({v for v in shown if isinstance(v, int)}) <= 1, link


def test_the_boards_tables_of_exits_give_no_hidden_exit_back_together(world):
    """test_suppression.LEAKY as packages: A's 1 woman to work and 4 men to other; B's 19 women
    and 2 men to work, 4 women and 2 men to other. Suppressed one table at a time, exits by group
    and gender would show the women's and men's exits (24, 8) that exits by gender hides, and
    the reader could work out A's 1 woman. Together, nothing is pinned beyond the marks."""
    from stegvis.aggregates.tests.test_figures import _receive
    from stegvis.aggregates.tests.test_figures import _tables as package_tables
    from stegvis.interventions.tests.factories import InterventionFactory
    from stegvis.reports.tests.test_suppression import _pinned, _withheld

    for code, groups in (
        ("alfa", {"arbete": (1, 0), "annat": (0, 4)}),
        ("beta", {"arbete": (19, 2), "annat": (4, 2)}),
    ):
        intervention = InterventionFactory(
            name=code.capitalize(), code=code, provider=world.p, lead_association=world.a
        )
        exited = (sum(w for w, _m in groups.values()), sum(m for _w, m in groups.values()))
        _receive(
            world, intervention, world.a, "2026Q1", package_tables(exited, (0, 0), groups, (90, 90))
        )
    office, _s = _tables(world)
    board, _s = _tables(world, publish=True)
    keys = ("exited", "exit_groups", "exit_groups_gender")
    exact = [[values for _label, values in office[key].rows] for key in keys]
    shown = [[values for _label, values in board[key].rows] for key in keys]
    assert exact[0] == [[1, 4, 5], [23, 4, 27], [24, 8, 32]]
    links = document_sections.exit_links(2, 2, 5)
    assert not _pinned(shown, links) - _pinned([_withheld(t) for t in exact], links)


def test_the_violence_screening_is_suppressed_with_the_exits(world):
    """The screening table's row totals are the interventions' exits. A: 3 women and 3 men to
    work, 8 women to other, 10 of the 14 asked; B: 1 man to work, 3 women and 2 men to other,
    all 6 asked. Published on its own the screening table shows A's 14 and B's 6, which the
    tables of exits hide, and every cell of exits by group and intervention could be worked
    out; published together, nothing is pinned beyond the marks."""
    from stegvis.aggregates.tests.test_figures import _receive
    from stegvis.aggregates.tests.test_figures import _tables as package_tables
    from stegvis.interventions.tests.factories import InterventionFactory
    from stegvis.reports.tests.test_suppression import _pinned, _withheld

    for code, groups, asked in (
        ("alfa", {"arbete": (3, 3), "annat": (8, 0)}, (8, 2)),
        ("beta", {"arbete": (0, 1), "annat": (3, 2)}, (3, 3)),
    ):
        intervention = InterventionFactory(
            name=code.capitalize(), code=code, provider=world.p, lead_association=world.a
        )
        exited = (sum(w for w, _m in groups.values()), sum(m for _w, m in groups.values()))
        tables = package_tables(exited, (0, 0), groups, (90, 90))
        screening = tables["violence_screening"]
        screening["asked"] = {"kvinna": asked[0], "man": asked[1], "annat": 0}
        screening["not_asked"] = {
            "kvinna": exited[0] - asked[0],
            "man": exited[1] - asked[1],
            "annat": 0,
        }
        _receive(world, intervention, world.a, "2026Q1", tables)
    office, _s = _tables(world)
    board, _s = _tables(world, publish=True)
    keys = ("exited", "exit_groups", "exit_groups_gender", "violence_screening")
    exact = [[values for _label, values in office[key].rows] for key in keys]
    shown = [[values for _label, values in board[key].rows] for key in keys]
    assert exact[3] == [[10, 4, 14], [6, 0, 6], [16, 4, 20]]
    links = document_sections.exit_links(2, 2, 5)
    links += [[(0, (0, 2)), (3, (0, 2))], [(0, (1, 2)), (3, (1, 2))], [(0, (2, 2)), (3, (2, 2))]]
    assert not _pinned(shown, links) - _pinned([_withheld(t) for t in exact], links)
    # The share asked is shown only where its table's row is.
    assert [v for _label, (v,) in board["violence_share"].rows] == [None, None]


def test_share_shown_needs_5_in_the_base_the_part_and_the_rest():
    assert share_shown(0, 5)
    assert share_shown(5, 10)
    assert not share_shown(4, 10)
    assert not share_shown(9, 10)
    assert not share_shown(3, 4)
    assert share_shown(10, 10)


def test_worked_example_4_socio_economic_effect():
    """calculations.md §4: 10 exits to work, 12 months: 10 × 16 200 × 12 = 1 944 000 kr."""
    assert Effect(persons=10, per_month=16_200, months=12).amount == 1_944_000


def test_effect_for_reads_exits_to_work_from_the_packages(world):
    build(world)
    effect = effect_for(world.a, 2026)
    assert (effect.persons, effect.per_month, effect.months) == (19, 16_200, 12)
    assert effect.amount == 3_693_600
    assert effect_for(world.b, 2026).amount == 0


def test_a_small_effect_is_hidden_from_the_board(world):
    """3 exits to work: the office sees 3 and 583 200 kr; the board "<5" and no amount (the
    amount would reveal the count)."""
    from stegvis.aggregates.tests.test_figures import _receive
    from stegvis.aggregates.tests.test_figures import _tables as package_tables
    from stegvis.interventions.tests.factories import InterventionFactory

    small = InterventionFactory(name="Liten", provider=world.p, lead_association=world.a)
    _receive(
        world,
        small,
        world.a,
        "2026Q1",
        package_tables((3, 3), (0, 0), {"arbete": (1, 2)}, (90, 90)),
    )
    office, _s = _tables(world, JAN, APR)
    assert office["effect"].rows[0][1] == [3] and office["effect"].rows[-1][1] == [583_200]
    board, _s = _tables(world, JAN, APR, publish=True)
    assert board["effect"].rows[0][1] == [SMALL] and board["effect"].rows[-1][1] == [HIDDEN]
    assert dict(board["key_figures"].rows)["Samhällsekonomisk effekt (kr)"] == [HIDDEN]


def _seminars(world) -> None:
    """Kunskapslyft: two seminars January-June (15 women, 8 men, 1 not given) and one after."""
    seminars = StructuralInterventionFactory(
        name="Kunskapslyft", provider=world.p, lead_association=world.a
    )
    fk = Organisation.objects.get(name="Försäkringskassan")
    krokom = Organisation.objects.get(name="Krokom kommun")
    for day, hours, attendees in (
        (date(2026, 2, 3), Decimal("2.5"), {fk: (6, 2, 0), krokom: (4, 1, 0)}),
        (date(2026, 5, 12), Decimal("3"), {fk: (5, 5, 1)}),
        (date(2026, 9, 1), Decimal("8"), {fk: (9, 9, 0)}),  # after June: not in the period
    ):
        activity = StructuralActivity.objects.create(
            intervention=seminars, date=day, title="Seminarium", type="seminarium", hours=hours
        )
        for org, (w, m, o) in attendees.items():
            Attendance.objects.create(activity=activity, organisation=org, women=w, men=m, other=o)


def test_structural_activities_attendance_and_hours(world):
    _seminars(world)
    tables, _sections = _tables(world)
    assert tables["activities"].rows == [("Kunskapslyft", [2, Decimal("5.5")])]
    assert tables["attendance"].rows == [
        ("Kunskapslyft", [15, 8, 1, 24]),
        ("Totalt", [15, 8, 1, 24]),
    ]
    assert tables["attendance_org"].rows == [
        ("Försäkringskassan", [11, 7, 1, 19]),
        ("Krokom kommun", [4, 1, 0, 5]),
        ("Totalt", [15, 8, 1, 24]),
    ]
    assert dict(tables["key_figures"].rows)["Strukturinriktade aktiviteter"] == [2]
    published, _s = _tables(world, publish=True)
    org = published["attendance_org"].rows
    assert org[1][1][0] == SMALL and org[1][1][1] == SMALL


def test_the_plans_goals_publish_counts_of_people_as_one_row(world):
    """The plan's goals in the annual report follow plans.followup: attendees (people) as one
    suppressed row, activities (not people) as counted. January-June: 15 women, 8 men, 1 not
    given at 2 activities. Published, the 1 not given is 1-4 and alone in its row, so the men (8)
    are hidden too; shown, 24 - 15 - 8 would give it back."""
    from stegvis.plans import services as plans
    from stegvis.plans.services import GoalDetails

    _seminars(world)
    alice = Actor(user=world["alice"], assignment=world.roles["alice"])
    area = plans.add_area(alice, plans.create_plan(alice, 2026), "Samverkan")
    plans.add_goal(
        alice,
        area,
        GoalDetails("Kunskapslyft", "structural_attendees", Decimal(10), by_gender=True),
    )
    plans.add_goal(alice, area, GoalDetails("Aktiviteter", "structural_activities", Decimal(3)))
    office, _s = _tables(world)
    board, _s = _tables(world, publish=True)
    assert dict(office["plan_goals"].rows)["Kunskapslyft"] == [10, 15, 8, 24, "Uppfyllt"]
    assert dict(board["plan_goals"].rows)["Kunskapslyft"] == [10, 15, HIDDEN, 24, "Uppfyllt"]
    # Two activities against a target of 3: a count of things, the same for the board.
    assert dict(board["plan_goals"].rows)["Aktiviteter"] == [3, None, None, 2, "Inte uppfyllt"]


def test_attendance_per_intervention_and_per_organisation_are_suppressed_together(world):
    """Both tables end in the same total row. Försäkringskassan: 5 women and 1 not given;
    Krokom: 3 men and 3 not given (12 in all). Per intervention: 5, "<5", "<5", 12. Suppressed
    on its own, the table per organisation would hide the women's 5 as "–" in its total row, and
    the 5 shown per intervention would give Försäkringskassan's women back."""
    from stegvis.reports.tests.test_suppression import _pinned, _withheld

    seminars = StructuralInterventionFactory(
        name="Kunskapslyft", provider=world.p, lead_association=world.a
    )
    activity = StructuralActivity.objects.create(
        intervention=seminars, date=date(2026, 3, 3), title="Seminarium", type="seminarium", hours=2
    )
    for name, (w, m, o) in (("Försäkringskassan", (5, 0, 1)), ("Krokom kommun", (0, 3, 3))):
        Attendance.objects.create(
            activity=activity,
            organisation=Organisation.objects.get(name=name),
            women=w,
            men=m,
            other=o,
        )
    office, _s = _tables(world)
    board, _s = _tables(world, publish=True)
    keys = ("attendance", "attendance_org")
    exact = [[values for _label, values in office[key].rows] for key in keys]
    shown = [[values for _label, values in board[key].rows] for key in keys]
    assert exact[0] == [[5, 3, 4, 12], [5, 3, 4, 12]]
    links = [[(0, (1, g)), (1, (2, g))] for g in range(4)]
    assert not _pinned(shown, links) - _pinned([_withheld(t) for t in exact], links)
    assert shown[0][-1][0] == shown[1][-1][0] == HIDDEN  # the women's 5, in both tables


def test_worked_example_3_cost_distribution_in_the_finance_section(world):
    """calculations.md §3: 1 600 000 / 7 100 000 / 1 000 000 / 300 000 → 16,0 / 71,0 / 10,0 /
    3,0 %; 81,0 % to interventions → met."""
    for code, category, amount in (
        ("kansli", "administration", 1_600_000),
        ("individ", "individinriktade", 7_100_000),
        ("struktur", "strukturovergripande", 1_000_000),
        ("nya", "nya_insatser", 300_000),
    ):
        post = BudgetPost.objects.create(
            association=world.a, code=code, name=code, category=category
        )
        Outcome.objects.create(
            association=world.a, post=post, year=2026, month=6, amount=amount, source="manual"
        )
    tables, sections = _tables(world, JAN, DEC)
    assert [values for _label, values in tables["cost_distribution"].rows] == [
        [1_600_000, Decimal("16")],
        [7_100_000, Decimal("71")],
        [1_000_000, Decimal("10")],
        [300_000, Decimal("3")],
    ]
    assert any("81,0 %" in n and "uppfyllt" in n for n in sections["finance"].notes)
    assert sections["finance"].charts
    assert dict(tables["key_figures"].rows)["Andel av kostnaderna till insatser %"] == [
        Decimal("81")
    ]


def _lex_heller_reports(world, received: list[date]) -> DeviationCategory:
    """One report to A in its first category for each day of ``received``; the category."""
    bob = Actor(user=world["bob"], assignment=world.roles["bob"])
    category = DeviationCategory.objects.filter(association=world.a).order_by("position").first()
    assert category is not None
    fk = Organisation.objects.get(name="Försäkringskassan")
    for day in received:
        deviations.file_report(
            bob,
            world.a,
            deviations.ReportDetails(
                event_date=date(2026, 1, 5),
                category=category,
                organisations=[fk],
                what_happened="Personen skickades mellan två myndigheter.",
            ),
            base_url="http://testserver/",
            received_on=day,
        )
    return category


def test_lex_heller_reports_per_category_and_month(world):
    category = _lex_heller_reports(
        world, [date(2026, 2, 3), date(2026, 2, 20), date(2026, 5, 2), date(2026, 8, 1)]
    )
    tables, _sections = _tables(world)
    months = tables["lex_heller_months"]
    assert months.columns[:6] == ["Jan", "Feb", "Mar", "Apr", "Maj", "Jun"]
    assert months.rows[0] == (category.name, [0, 2, 0, 0, 1, 0, 3])
    assert tables["lex_heller_handling"].rows[0] == ("Rapporter totalt", [3])
    published, _s = _tables(world, publish=True)
    assert published["lex_heller_handling"].rows[0] == ("Rapporter totalt", [SMALL])


def test_lex_heller_decided_and_undecided_are_suppressed_with_the_total(world):
    """7 reports, 5 decided: published, the total 7 stays, so the decided 5 would give the 2
    undecided back. The 2 are "<5", and the 5 are hidden with them."""
    from stegvis.deviations.models import DeviationReport

    _lex_heller_reports(world, [date(2026, 3, day) for day in range(1, 8)])
    decided = DeviationReport.objects.filter(association=world.a).order_by("number")[:5]
    DeviationReport.objects.filter(pk__in=[r.pk for r in decided]).update(
        decided_on=date(2026, 4, 1), days_to_decision=30
    )
    office, _s = _tables(world)
    assert dict(office["lex_heller_handling"].rows)["Beslutade"] == [5]
    board, _s = _tables(world, publish=True)
    handling = dict(board["lex_heller_handling"].rows)
    assert handling["Rapporter totalt"] == [7]
    assert handling["Beslutade"] == [HIDDEN]


def test_an_empty_period_is_an_honest_empty_report(world):
    sections = build_sections(world.b, JAN, DEC, publish=False)
    assert not document_sections.has_data(sections)
    by_key = {s.key: s for s in sections}
    for key in ("individual", "structural", "surveys", "violence", "lex_heller", "finance"):
        assert by_key[key].empty and not by_key[key].tables, key
    assert dict(by_key["key_figures"].tables[0].rows)["Deltagare i individinriktade insatser"] == [
        0
    ]


def _structural(world, name, attendees):
    seminars = StructuralInterventionFactory(name=name, provider=world.p, lead_association=world.a)
    activity = StructuralActivity.objects.create(
        intervention=seminars,
        date=date(2026, 3, 3),
        title="Seminarium",
        type="seminarium",
        hours=Decimal("2"),
    )
    for org, (w, m, o) in attendees.items():
        Attendance.objects.create(activity=activity, organisation=org, women=w, men=m, other=o)


def test_the_annual_report_takes_the_same_queries_whatever_it_holds(
    world, django_assert_num_queries
):
    """Building the annual report (every table, no rendering) reads each source once: more
    interventions, packages, goals and activities add rows, not queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stegvis.interventions.models import Goal
    from stegvis.reports.kinds import KINDS
    from stegvis.reports.periods import date_range
    from stegvis.reports.tests.document_world import extra_intervention

    fk = Organisation.objects.get(name="Försäkringskassan")
    krokom = Organisation.objects.get(name="Krokom kommun")
    build(world)
    _structural(world, "Kunskapslyft", {fk: (6, 2, 0)})
    rng = date_range(JAN, DEC)
    with CaptureQueriesContext(connection) as first:
        KINDS["annual"].build(world.a, rng)
    assert len(first.captured_queries) <= 17
    extra = extra_intervention(world)
    Goal.objects.create(
        intervention=extra,
        text="Platsutnyttjande",
        measure=Goal.Measure.OCCUPANCY,
        target=80,
        period_start=JAN,
        period_end=DEC,
    )
    _structural(world, "Arbetsplatsnätverk", {krokom: (1, 2, 0), fk: (3, 0, 0)})
    with django_assert_num_queries(len(first.captured_queries)):
        report = KINDS["annual"].build(world.a, rng)
    tables = {t.key: t for s in report.sections for t in s.tables}
    assert [label for label, _v in tables["participants"].rows] == [
        "Extra", "Gemensam väg", "Steget", "Totalt",
    ]  # fmt: skip
    # Attendance per intervention follows the volume table's order, per organisation by name.
    assert [label for label, _v in tables["activities"].rows] == [
        "Arbetsplatsnätverk", "Kunskapslyft",
    ]  # fmt: skip
    assert tables["attendance"].rows == [
        ("Arbetsplatsnätverk", [4, 2, 0, 6]),
        ("Kunskapslyft", [6, 2, 0, 8]),
        ("Totalt", [10, 4, 0, 14]),
    ]
    assert tables["attendance_org"].rows == [
        ("Försäkringskassan", [9, 2, 0, 11]),
        ("Krokom kommun", [1, 2, 0, 3]),
        ("Totalt", [10, 4, 0, 14]),
    ]
    assert [label.split(":")[0] for label, _v in tables["intervention_goals"].rows] == [
        "Extra", "Gemensam väg",
    ]  # fmt: skip


def test_the_plans_package_goals_read_the_reports_own_sums_of_the_year(world):
    """The plan's goals that read the year's packages (exits, step movement, occupancy) take
    the sums the report has made for the year, and its equity goal the finance section's
    equity: the cells are summed and the equity computed once, and every goal has
    the figure its follow-up alone gives it. A part of the year sums nothing for them: their
    measures are followed up per whole year only."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stegvis.interventions.models import Intervention
    from stegvis.plans import services as plans
    from stegvis.plans.followup import follow_up
    from stegvis.plans.services import GoalDetails
    from stegvis.reports.kinds import KINDS
    from stegvis.reports.periods import date_range

    build(world)
    post = BudgetPost.objects.create(
        association=world.a, code="k", name="k", category="medlemsbidrag"
    )
    Outcome.objects.create(
        association=world.a, post=post, year=2026, month=6, amount=100, source="manual"
    )
    alice = Actor(user=world["alice"], assignment=world.roles["alice"])
    plan = plans.create_plan(alice, 2026)
    area = plans.add_area(alice, plan, "Arbete")
    gemensam = Intervention.objects.get(name="Gemensam väg")
    for text, measure, intervention in (
        ("Arbete eller studier", "exits_work_studies", None),
        ("Stegförflyttning", "positive_step", gemensam),
        ("Våldsfrågor", "screening_coverage", None),
        ("Beläggning", "occupancy", gemensam),
        ("Eget kapital", "equity_of_ceiling", None),
    ):
        plans.add_goal(alice, area, GoalDetails(text, measure, Decimal(40), intervention))
    with CaptureQueriesContext(connection) as queries:
        report = KINDS["annual"].build(world.a, date_range(JAN, DEC))

    def reading(table: str) -> int:
        return sum(table in q["sql"] for q in queries.captured_queries)

    assert reading("aggregates_packagecell") == 1
    assert reading("finance_contributionkey") == 1  # the equity, in the finance section
    rows = {t.key: t for s in report.sections for t in s.tables}["plan_goals"].rows
    alone = follow_up(plan)
    assert [values[3] for _text, values in rows] == [
        row.total.outcome for row in alone.areas[0].goals
    ]
    assert all(values[3] is not None for _text, values in rows[:3])


def test_a_positive_step_goal_hides_a_share_of_few_exits_from_the_board(world):
    """A share-of-positive-step goal (calculations.md §5) is published under the same rule as a
    share of exits in groups: 1 of 3 women (33.3 %) would tell the board the count, so it is
    hidden; the office sees it."""
    from stegvis.aggregates.tests.test_figures import _receive
    from stegvis.interventions.models import Goal
    from stegvis.interventions.tests.factories import InterventionFactory

    from .conftest import tables as package_tables

    small = InterventionFactory(name="Liten", provider=world.p, lead_association=world.a)
    Goal.objects.create(
        intervention=small,
        text="Steg framåt",
        measure=Goal.Measure.SHARE_POSITIVE_STEP,
        report_groups=["arbete", "studier"],
        target=30,
        period_start=JAN,
        period_end=DEC,
    )
    counts = package_tables((5, 12), (0, 0), {"annat": (3, 10)}, progression={"positiv": (1, 5)})
    _receive(world, small, world.a, "2026Q1", counts)
    office, _s = _tables(world, JAN, APR)
    assert office["intervention_goals"].rows[0][1][1:4] == [
        Decimal("33.3"),
        Decimal("50.0"),
        Decimal("46.2"),
    ]
    board, _s = _tables(world, JAN, APR, publish=True)
    women, men, total = board["intervention_goals"].rows[0][1][1:4]
    assert women is None
    # Men 5 of 10 would pass the share rule, but the exited table hides the men's 10 beside
    # the women's <5, so the share goes too.
    assert men is None
    assert total == Decimal("46.2")


def test_an_effect_from_few_follow_ups_in_work_is_hidden_from_the_board(world):
    """With follow-ups the effect is (follow-ups in work) × 6 × 16 200 kr: 2 × 6 × 16 200 =
    194 400 kr tells whoever reads the kronor per month beside it that 2 were found in work.
    The office sees the amount; the board sees the 10 exits to work and no amount."""
    from stegvis.aggregates.tests.test_figures import _receive
    from stegvis.interventions.tests.factories import InterventionFactory

    from .conftest import tables as package_tables

    small = InterventionFactory(name="Liten", provider=world.p, lead_association=world.a)
    counts = package_tables(
        (6, 6), (0, 0), {"arbete": (5, 5)}, follow_up_6={"forvarvsarbete": (1, 1)}
    )
    _receive(world, small, world.a, "2026Q1", counts)
    office, sections = _tables(world, JAN, APR)
    assert office["effect"].rows[0][1] == [10] and office["effect"].rows[-1][1] == [194_400]
    assert "Uppföljningar finns för perioden" in " ".join(sections["effect"].notes)
    board, _s = _tables(world, JAN, APR, publish=True)
    assert board["effect"].rows[0][1] == [10] and board["effect"].rows[-1][1] == [HIDDEN]
    assert dict(board["key_figures"].rows)["Samhällsekonomisk effekt (kr)"] == [HIDDEN]


def test_a_chart_is_drawn_once_per_content(world):
    """The report's charts are pure functions of their labels, values and title: the same
    report built again draws nothing, and a changed figure draws a new chart."""
    from stegvis.reports.document_sections import _bar_chart, _drawn_bar_chart

    build(world)
    _drawn_bar_chart.cache_clear()
    first = build_sections(world.a, JAN, DEC, publish=False)
    drawn = _drawn_bar_chart.cache_info()
    assert drawn.misses >= 1
    again = build_sections(world.a, JAN, DEC, publish=False)
    assert _drawn_bar_chart.cache_info().misses == drawn.misses
    charts = [c for s in first for c in s.charts]
    assert charts and charts == [c for s in again for c in s.charts]
    one = _bar_chart(["Arbete", "Studier"], [3, 4], "Avslut")
    assert _bar_chart(["Arbete", "Studier"], [3, 4], "Avslut") is one
    assert _bar_chart(["Arbete", "Studier"], [3, 5], "Avslut") != one
    assert _bar_chart(["Arbete", "Studier"], [3, 4], "Exits") != one
