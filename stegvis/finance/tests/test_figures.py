"""The figures of finance against the worked examples of calculations.md §1–3, and properties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stegvis.finance import figures, services
from stegvis.finance.figures import cost_distribution, largest_remainder
from stegvis.finance.models import (
    BudgetLine,
    BudgetPost,
    CeilingTier,
    ContributionKey,
    EquityYear,
    Outcome,
)

pytestmark = pytest.mark.django_db


# --- §1 Member contributions ---------------------------------------------------------------------


def test_worked_example_1_contributions(world, alice, a_members):
    key = services.save_contribution_key(
        alice, world.a, services.KeyInput(year=2026, total=8_000_000, population_year=2025)
    )
    table = figures.contribution_table(key)
    assert table.problems == []
    amounts = {row.label: row.amount for row in table.rows}
    assert amounts["Staten (Försäkringskassan för FK och Arbetsförmedlingen)"] == 4_000_000
    assert amounts["Region Jämtland Härjedalen"] == 2_000_000
    assert amounts["Krokom kommun"] == 1_311_828
    assert amounts["Strömsund kommun"] == 494_624
    assert amounts["Åre kommun"] == 193_548
    assert table.total == 8_000_000
    assert sum(row.percent for row in table.rows) == Decimal("100")
    assert [r.percent for r in table.rows if r.label == "Krokom kommun"] == [Decimal("16.40")]


def test_largest_remainder_of_the_worked_example():
    weights = [Fraction(61, 93), Fraction(23, 93), Fraction(9, 93)]
    assert largest_remainder(2_000_000, weights) == [1_311_828, 494_624, 193_548]


@settings(max_examples=300, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=10**11),
    weights=st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=40).filter(
        lambda w: sum(w) > 0
    ),
)
def test_shares_always_sum_exactly_to_the_total(total, weights):
    parts = largest_remainder(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
    # Each part is its exact quota rounded down or up: never further off than one krona.
    whole = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - Fraction(total * weight, whole)) < 1


# Each example overwrites the populations and the key, so sharing the world is safe.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    total=st.integers(min_value=0, max_value=10**10),
    populations=st.lists(st.integers(min_value=1, max_value=10**6), min_size=3, max_size=3),
    state=st.integers(min_value=0, max_value=100),
)
def test_any_key_and_total_give_shares_that_sum_to_the_total(
    world, alice, a_members, total, populations, state
):
    from stegvis.core.models import MemberPopulation

    for key, population in zip("ABC", populations, strict=True):
        MemberPopulation.objects.filter(member=a_members[key], year=2025).update(
            population=population
        )
    rest = Decimal(100 - state)
    region = (rest / 2).quantize(Decimal("0.01"))
    key = services.save_contribution_key(
        alice,
        world.a,
        services.KeyInput(
            year=2026,
            total=total,
            state_percent=Decimal(state),
            region_percent=region,
            municipal_percent=rest - region,
            population_year=2025,
        ),
    )
    table = figures.contribution_table(key)
    assert table.total == total
    assert sum(r.percent for r in table.rows) == Decimal("100")


def test_a_member_joining_mid_year_counts_pro_rata_by_month(world, alice, a_members):
    member = a_members["C"]
    member.joined = date(2026, 7, 1)  # six months of 2026
    member.save()
    key = services.save_contribution_key(
        alice, world.a, services.KeyInput(year=2026, total=8_000_000, population_year=2025)
    )
    rows = {r.label: r for r in figures.contribution_table(key).rows}
    assert rows["Åre kommun"].months == 6
    # Municipal quarter 2 000 000 by 61 000×12 : 23 000×12 : 9 000×6 = 732 : 276 : 54.
    assert rows["Krokom kommun"].amount == 1_378_531  # 2 000 000 × 732/1062 = 1 378 531.07
    assert rows["Strömsund kommun"].amount == 519_774  # 519 774.01
    assert rows["Åre kommun"].amount == 101_695  # 101 694.92 → largest remainder
    assert sum(r.amount for r in rows.values()) == 8_000_000


def test_months_in_year():
    from stegvis.core.models import Member

    m = Member(joined=date(2026, 3, 15), left=date(2026, 10, 31))
    assert figures.months_in_year(m, 2026) == 7  # April–October
    assert figures.months_in_year(m, 2025) == 0


def test_fixed_key_from_the_foerbundsordning(world, alice, a_members):
    fk = world.a.members.get(organisation__kind="fk")
    shares = {
        fk: Decimal("50"),
        a_members["region"]: Decimal("25"),
        a_members["A"]: Decimal("10"),
        a_members["B"]: Decimal("10"),
        a_members["C"]: Decimal("5"),
    }
    key = services.save_contribution_key(
        alice,
        world.a,
        services.KeyInput(
            year=2026, total=1_000_001, kind=ContributionKey.Kind.FIXED, fixed=shares
        ),
    )
    rows = {r.label: r.amount for r in figures.contribution_table(key).rows}
    assert rows == {
        "Försäkringskassan": 500_001,  # 500 000.5 and the largest remainder goes to the first
        "Region Jämtland Härjedalen": 250_000,
        "Krokom kommun": 100_000,
        "Strömsund kommun": 100_000,
        "Åre kommun": 50_000,
    }


def test_split_state_shows_fk_and_af_at_25_percent_each(world, alice, a_members):
    from stegvis.core.tests.factories import MemberFactory, OrganisationFactory

    af = OrganisationFactory(name="Arbetsförmedlingen", kind="af")
    MemberFactory(association=world.a, organisation=af, joined=date(2015, 1, 1))
    key = services.save_contribution_key(
        alice,
        world.a,
        services.KeyInput(year=2026, total=8_000_000, split_state=True, population_year=2025),
    )
    rows = {r.label: r.amount for r in figures.contribution_table(key).rows}
    assert rows["Försäkringskassan"] == rows["Arbetsförmedlingen"] == 2_000_000


# --- §2 Equity ceiling ---------------------------------------------------------------------------


def _tier(association, year=2026):
    return CeilingTier.objects.create(
        association=association,
        year=year,
        lower=7_100_000,
        upper=15_000_000,
        first_amount=7_000_000,
        first_percent=Decimal("20"),
        above_percent=Decimal("15"),
    )


def test_worked_example_2_equity_ceiling(world):
    tier = _tier(world.a)
    assert figures.ceiling_for([tier], 12_000_000) == 2_150_000
    assert figures.ceiling_for([tier], 20_000_000) is None  # no tier covers it


def _post(association, code, category, name=None):
    return BudgetPost.objects.create(
        association=association, code=code, name=name or code, category=category
    )


def test_equity_forecast_over_the_ceiling_warns(world, alice):
    budget = services.create_budget(alice, world.a, 2026)
    income = _post(world.a, "bidrag", "medlemsbidrag")
    admin = _post(world.a, "kansli", "administration")
    use = _post(world.a, "ek", "eget_kapital")
    for post, amount in ((income, 12_000_000), (admin, 11_000_000), (use, 0)):
        BudgetLine.objects.create(association=world.a, budget=budget, post=post, amount=amount)
    _tier(world.a)
    EquityYear.objects.create(association=world.a, year=2026, opening=1_500_000)
    result = figures.equity(world.a, 2026)
    assert result.ceiling == 2_150_000
    assert result.budget_result == 1_000_000
    assert result.budget_closing == 2_500_000
    assert result.forecast_closing == 2_500_000
    assert result.over_ceiling
    # Six months of outcomes: costs ran higher, so the forecast closing falls under the ceiling.
    Outcome.objects.create(
        association=world.a,
        post=admin,
        year=2026,
        month=6,
        months=3,
        amount=6_000_000,
        source="manual",
    )
    Outcome.objects.create(
        association=world.a,
        post=income,
        year=2026,
        month=6,
        months=3,
        amount=6_000_000,
        source="manual",
    )
    result = figures.equity(world.a, 2026)
    # Forecast: income 6 000 000 + 6 000 000; costs 6 000 000 + 5 500 000 → result 500 000.
    assert result.forecast_result == 500_000
    assert result.forecast_closing == 2_000_000
    assert not result.over_ceiling


# --- §3 Cost distribution ------------------------------------------------------------------------


def test_worked_example_3_cost_distribution():
    d = cost_distribution(
        {
            "administration": 1_600_000,
            "individinriktade": 7_100_000,
            "strukturovergripande": 1_000_000,
            "nya_insatser": 300_000,
        }
    )
    assert [s.percent for s in d.shares] == [
        Decimal("16.0"),
        Decimal("71.0"),
        Decimal("10.0"),
        Decimal("3.0"),
    ]
    assert d.interventions_percent == Decimal("81.0")
    assert d.goal_met is True


def test_cost_shares_sum_to_100_even_when_each_rounds_down():
    d = cost_distribution({"administration": 1, "individinriktade": 1, "strukturovergripande": 1})
    assert sum(s.percent for s in d.shares) == Decimal("100.0")
    assert [s.tenths for s in d.shares] == [334, 333, 333, 0]
    assert d.goal_met is False  # 2/3 < 75 %


def test_goal_not_met_below_75_percent():
    d = cost_distribution({"administration": 3_000_000, "individinriktade": 7_000_000})
    assert d.interventions_percent == Decimal("70.0")
    assert d.goal_met is False


# --- Deviation report ----------------------------------------------------------------------------


def test_deviation_report_per_line_category_and_total(world, alice, steg):
    budget = services.create_budget(alice, world.a, 2026)
    services.add_line(
        alice, budget, services.LineInput("medlemsbidrag", "Medlemsbidrag", 1_200_000)
    )
    services.add_line(
        alice, budget, services.LineInput("administration", "Kansli", 240_000, code="kansli")
    )
    services.add_line(
        alice, budget, services.LineInput("individinriktade", "", 960_000, intervention=steg)
    )
    posts = {p.code: p for p in BudgetPost.objects.filter(association=world.a)}
    for code, month, amount in (
        ("kansli", 1, 25_000),
        ("kansli", 2, 20_000),
        ("kansli", 3, 30_000),
        ("insats-steg", 3, 200_000),
        ("medlemsbidrag-medlemsbidrag", 3, 300_000),
    ):
        services.record_outcome(
            alice, world.a, services.OutcomeInput(posts[code], 2026, month, amount)
        )
    report = figures.deviation_report(world.a, 2026)
    assert report.months == 3
    rows = {r.code: r for b in report.blocks for r in b.rows}
    kansli = rows["kansli"]
    assert (kansli.budget, kansli.budget_to_date, kansli.outcome) == (240_000, 60_000, 75_000)
    assert kansli.deviation == 15_000
    assert kansli.deviation_percent == Decimal("25.0")
    assert kansli.forecast == 75_000 + 180_000
    assert kansli.forecast_deviation == 15_000
    steg_row = rows["insats-steg"]
    assert (steg_row.budget_to_date, steg_row.deviation, steg_row.deviation_percent) == (
        240_000,
        -40_000,
        Decimal("-16.7"),
    )
    assert report.costs.budget == 1_200_000
    assert report.costs.outcome == 275_000
    assert report.costs.forecast == 255_000 + 920_000
    assert report.income.outcome == 300_000
    assert report.result.outcome == 25_000
    assert report.result.budget == 0
    # The annual report reads the cost outcomes from the report's blocks and passes the report
    # to equity(): the same figures as asking afresh.
    from_blocks = {b.category: b.totals["outcome"] or 0 for b in report.blocks}
    amounts = figures.outcome_category_amounts(world.a, 2026)
    assert figures.cost_distribution(from_blocks) == figures.cost_distribution(amounts)
    assert figures.cost_distribution(from_blocks).shares
    assert figures.equity(world.a, 2026, report) == figures.equity(world.a, 2026)


def test_the_reference_budget_is_the_newest_decided_revision_else_the_newest(world):
    from datetime import date

    from stegvis.finance.models import Budget

    def reference():
        return figures.deviation_report(world.a, 2026).budget

    assert reference() is None
    Budget.objects.create(association=world.a, year=2026, revision=0)
    draft = Budget.objects.create(association=world.a, year=2026, revision=1)
    assert reference() == draft == figures.reference_budget(world.a, 2026)
    decided = Budget.objects.create(
        association=world.a, year=2026, revision=2, decided_on=date(2026, 1, 1)
    )
    newer_draft = Budget.objects.create(association=world.a, year=2026, revision=3)
    assert reference() == decided == figures.reference_budget(world.a, 2026) != newer_draft


# --- Planning estimate of the state allocation -------------------------------------------------


def test_state_estimate_by_the_national_model(world):
    from stegvis.finance.models import StateEstimate

    p = StateEstimate(
        association=world.a,
        year=2027,
        national_amount=440_000_000,
        associations=80,
        base_amount=1_000_000,
        income_support=4_000,
        national_income_support=400_000,
        population=30_000,
        national_population=6_000_000,
        previous_allocation=None,
        max_decrease_percent=Decimal("10"),
    )
    # Pool 440 000 000 − 80 × 1 000 000 = 360 000 000; share 0,75 × 1 % + 0,25 × 0,5 % = 0,875 %
    # → 3 150 000; plus the base amount.
    result = figures.state_estimate(p)
    assert result.share_percent == Decimal("0.875")
    assert (result.model_amount, result.estimate, result.capped) == (4_150_000, 4_150_000, False)
    assert result.implied_total == 8_300_000
    # Last year 5 000 000 with at most 10 % decrease: the estimate is held at 4 500 000.
    p.previous_allocation = 5_000_000
    result = figures.state_estimate(p)
    assert (result.floor, result.estimate, result.capped) == (4_500_000, 4_500_000, True)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    total=st.integers(min_value=0, max_value=10**10),
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=5, max_size=5).filter(
        lambda w: sum(w) > 0
    ),
    months=st.integers(min_value=1, max_value=12),
)
def test_any_fixed_key_with_a_member_joining_mid_year_sums_to_the_total(
    world, alice, a_members, total, weights, months
):
    fk = world.a.members.get(organisation__kind="fk")
    members = [fk, a_members["region"], a_members["A"], a_members["B"], a_members["C"]]
    a_members["C"].joined = date(2026, 13 - months, 1)
    a_members["C"].save()
    hundredths = largest_remainder(10_000, weights)  # percentages that sum to exactly 100
    shares = {m: Decimal(h) / 100 for m, h in zip(members, hundredths, strict=True)}
    key = services.save_contribution_key(
        alice,
        world.a,
        services.KeyInput(year=2026, total=total, kind=ContributionKey.Kind.FIXED, fixed=shares),
    )
    table = figures.contribution_table(key)
    assert table.total == total
    assert sum(r.percent for r in table.rows) == Decimal("100")
