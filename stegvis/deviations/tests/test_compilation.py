"""The compilation against a worked example computed by hand.

Association A, period 2026-01-01 – 2026-03-31. Six reports received in the period (bob, coach at
P, files them all; FK = Försäkringskassan, K = Krokom kommun):

| no | received   | category                  | involved | state     | decided    | days |
|----|------------|---------------------------|----------|-----------|------------|------|
| 1  | 2026-01-10 | Kontakt och tillgänglighet| FK       | closed    | 2026-01-20 | 10   |
| 2  | 2026-01-25 | Regler och ersättningar   | FK, K    | feedback  | 2026-02-24 | 30   |
| 3  | 2026-02-03 | Kontakt och tillgänglighet| K        | decided   | 2026-02-07 | 4    |
| 4  | 2026-02-14 | ”Mellan stolarna”         | FK       | reviewed  |            |      |
| 5  | 2026-03-01 | Kontakt och tillgänglighet| FK, K    | received  |            |      |
| 6  | 2026-03-20 | Regler och ersättningar   | K        | merged→2  |            |      |

Outside it, and not counted: a decided report of A received 2025-12-30, and one of B.

- total 6; by category: Kontakt 3, Regler 2, Mellan stolarna 1, every other category 0;
- by organisation (a report counts once per organisation involved): FK 1, 2, 4, 5 → 4;
  K 2, 3, 5, 6 → 4;
- by state: received 1, returned 0, reviewed 1, merged 1, taken 0, decided 1, feedback 1, closed 1;
- time to decision over the 3 decided: sorted 4, 10, 30 → median 10; mean 44 / 3 = 14,67 → 14,7;
- per month: January Kontakt 1 + Regler 1; February Kontakt 1 + Mellan stolarna 1; March
  Kontakt 1 + Regler 1 → totals 2, 2, 2.
For January alone: reports 1 and 2, days 10 and 30 → median (10 + 30) / 2 = 20, mean 20.
"""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from stegvis.deviations import services
from stegvis.deviations.compilation import compile_reports
from stegvis.deviations.models import DEFAULT_CATEGORIES
from stegvis.deviations.tests.conftest import BASE, category

KONTAKT, REGLER, MELLAN = (
    "Kontakt och tillgänglighet",
    "Regler och ersättningar",
    "”Mellan stolarna”",
)


@pytest.fixture
def example(world, A, file, fk, krokom, handled_by_alice):
    alice = A["alice"]

    def report(received, name, orgs, goal="received", decided=None):
        made = file(
            "bob",
            received_on=received,
            event_date=received,
            category=category(world.a, name),
            organisations=orgs,
        )
        if goal == "reviewed" or decided:
            services.review(alice, made)
        if decided:
            services.take_to_group(alice, made)
            services.decide(alice, made, action="Åtgärd.", organisation=fk, decided_on=decided)
            if goal in {"feedback", "closed"}:
                services.give_feedback(alice, made, feedback="Tack.", base_url=BASE)
            if goal == "closed":
                services.close(alice, made)
        return made

    with time_machine.travel("2026-04-15 10:00 +02:00", tick=False):
        report(date(2025, 12, 30), KONTAKT, [fk], "decided", date(2026, 1, 2))
        r1 = report(date(2026, 1, 10), KONTAKT, [fk], "closed", date(2026, 1, 20))
        r2 = report(date(2026, 1, 25), REGLER, [fk, krokom], "feedback", date(2026, 2, 24))
        report(date(2026, 2, 3), KONTAKT, [krokom], "decided", date(2026, 2, 7))
        report(date(2026, 2, 14), MELLAN, [fk], "reviewed")
        report(date(2026, 3, 1), KONTAKT, [fk, krokom])
        r6 = report(date(2026, 3, 20), REGLER, [krokom])
        services.merge(alice, r6, into=r2)
        file(
            "erin",
            association=world.b,
            received_on=date(2026, 2, 1),
            category=category(world.b, KONTAKT),
        )
    return r1


def test_the_compilation_matches_the_worked_example(world, example):
    c = compile_reports(world.a, date(2026, 1, 1), date(2026, 3, 31))
    assert c.total == 6
    counts = {row.label: row.count for row in c.by_category}
    assert list(counts) == DEFAULT_CATEGORIES
    assert counts == {
        KONTAKT: 3,
        REGLER: 2,
        "Handläggning och väntetider": 0,
        "Informationsöverföring och sekretess": 0,
        MELLAN: 1,
        "Hälso- och sjukvård": 0,
        "Övrigt": 0,
    }
    assert [(r.label, r.count) for r in c.by_organisation] == [
        ("Försäkringskassan", 4),
        ("Krokom kommun", 4),
    ]
    assert [(r.label, r.count) for r in c.by_state] == [
        ("Mottagen", 1),
        ("Återsänd för komplettering", 0),
        ("Granskad", 1),
        ("Sammanslagen", 1),
        ("Tagen till beredningsgruppen", 0),
        ("Åtgärd beslutad", 1),
        ("Återkoppling given", 1),
        ("Avslutad", 1),
    ]
    assert c.decided == 3
    assert c.median_days == Decimal("10.0")
    assert c.mean_days == Decimal("14.7")
    assert c.months == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert c.by_month == [(KONTAKT, [1, 1, 1]), (REGLER, [1, 0, 1]), (MELLAN, [0, 1, 0])]
    assert c.month_totals == [2, 2, 2]
    assert c.reports is not None
    assert [r.number for r in c.reports] == [2, 3, 4, 5, 6, 7]


def test_an_even_number_of_decisions_has_the_mean_of_the_middle_two(world, example):
    c = compile_reports(world.a, date(2026, 1, 1), date(2026, 1, 31))
    assert (c.total, c.decided, c.median_days, c.mean_days) == (
        2,
        2,
        Decimal("20.0"),
        Decimal("20.0"),
    )


def test_an_empty_period_has_zeros_and_no_time_to_decision(world, example):
    c = compile_reports(world.a, date(2025, 6, 1), date(2025, 6, 30))
    assert c.total == 0
    assert all(row.count == 0 for row in c.by_category + c.by_state)
    assert c.by_organisation == []
    assert (c.decided, c.median_days, c.mean_days, c.by_month) == (0, None, None, [])


def test_a_retired_category_with_reports_stays_in_the_figures(world, A, example):
    regler = category(world.a, REGLER)
    services.update_category(A["alice"], regler, name=REGLER, active=False)
    unused = category(world.a, "Övrigt")
    services.update_category(A["alice"], unused, name="Övrigt", active=False)
    c = compile_reports(world.a, date(2026, 1, 1), date(2026, 3, 31))
    labels = [row.label for row in c.by_category]
    assert REGLER in labels and "Övrigt" not in labels


def test_the_compilation_takes_a_fixed_number_of_queries(
    world, example, file, django_assert_num_queries
):
    def run():
        c = compile_reports(world.a, date(2026, 1, 1), date(2026, 12, 31))
        return [(r.number, [o.name for o in r.organisations.all()]) for r in c.reports]

    with django_assert_num_queries(8):
        run()
    for _ in range(5):
        file("bob")
    with django_assert_num_queries(8):
        assert len(run()) == 11


@pytest.mark.parametrize(
    "start,end",
    [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2025, 6, 1), date(2025, 6, 30)),
    ],
)
def test_without_breakdowns_the_other_figures_are_the_same(
    world, example, start, end, django_assert_num_queries
):
    full = compile_reports(world.a, start, end)
    with django_assert_max_num_queries_for(full, django_assert_num_queries):
        short = compile_reports(world.a, start, end, breakdowns=False)
    assert (short.by_organisation, short.by_state) == ([], [])
    assert (
        short.total,
        short.by_category,
        short.decided,
        short.median_days,
        short.mean_days,
        short.months,
        short.by_month,
    ) == (
        full.total,
        full.by_category,
        full.decided,
        full.median_days,
        full.mean_days,
        full.months,
        full.by_month,
    )


def django_assert_max_num_queries_for(full, django_assert_num_queries):
    """Categories, the one summary, the median (when anything is decided), the months."""
    return django_assert_num_queries(4 if full.decided else 3)
