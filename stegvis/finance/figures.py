"""Every figure of finance, computed in one place from the stored lines; nothing here writes.

The web pages, the XLSX and PDF exports and the imports' total checks all call these functions,
so they always agree. Sums over rows are done by the database (``Sum`` grouped by post or
category); the report's subtotals are the sums of its own rows, so a printed table always adds up.
Amounts are whole kronor; rounding uses the largest-remainder method where parts must add up to a
whole (calculations.md §1 and §3).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import floor

from django.db.models import Case, Max, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from stegvis.core.models import Association, Member, MemberPopulation, Organisation
from stegvis.finance.models import (
    COST_CATEGORIES,
    INCOME_CATEGORIES,
    Budget,
    BudgetLine,
    BudgetPost,
    Category,
    CeilingTier,
    ContributionKey,
    EquityYear,
    Outcome,
    StateEstimate,
)
from stegvis.interventions.models import Intervention

HUNDRED = Decimal("100")
CATEGORY_ORDER = list(INCOME_CATEGORIES) + list(COST_CATEGORIES)
INTERVENTION_GOAL = Fraction(75, 100)


def largest_remainder(total: int, weights: Sequence[Fraction | int | Decimal]) -> list[int]:
    """Split ``total`` (whole units) in proportion to ``weights`` so that the parts sum exactly to
    ``total``: every part gets the floor of its exact quota, and the units left go one each to the
    largest remainders (ties to the earlier part)."""
    exact = [Fraction(w) for w in weights]
    if any(w < 0 for w in exact):
        raise ValueError("negative weight")
    whole = sum(exact, Fraction(0))
    if not exact or whole == 0:
        if total == 0:
            return [0] * len(exact)
        raise ValueError("nothing to split by")
    quotas = [total * w / whole for w in exact]
    parts = [floor(q) for q in quotas]
    left = total - sum(parts)
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def round_kr(value: Fraction | Decimal | int) -> int:
    """Half-up rounding to whole kronor (negative amounts away from zero)."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return int(Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


# --- Contributions (§1) ------------------------------------------------------------------------


def months_in_year(member: Member, year: int) -> int:
    """The months of ``year`` whose first day falls within the membership (pro rata by month)."""
    return sum(
        1
        for month in range(1, 13)
        if member.joined <= date(year, month, 1)
        and (member.left is None or member.left >= date(year, month, 1))
    )


@dataclass(frozen=True)
class ContributionRow:
    label: str
    member: Member | None
    percent: Decimal
    amount: int
    months: int = 12


@dataclass
class ContributionTable:
    key: ContributionKey
    rows: list[ContributionRow]
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.amount for r in self.rows)


def members_in_year(association: Association, year: int) -> list[Member]:
    return list(
        Member.objects.filter(association=association, joined__lte=date(year, 12, 31))
        .filter(Q(left__isnull=True) | Q(left__gte=date(year, 1, 1)))
        .select_related("organisation")
        .order_by("organisation__kind", "organisation__name", "pk")
    )


def contribution_weights(
    key: ContributionKey,
) -> tuple[list[tuple[str, Member | None, Fraction, int]], list[str]]:
    """(label, member, weight, months) per row of the key, and the problems that stop it."""
    members = members_in_year(key.association, key.year)
    municipal = [m for m in members if m.organisation.kind == Organisation.Kind.MUNICIPALITY]
    problems: list[str] = []
    rows: list[tuple[str, Member | None, Fraction, int]] = []
    months = {m.pk: months_in_year(m, key.year) for m in members}
    if key.kind == ContributionKey.Kind.FIXED:
        percents = {s.member_id: Fraction(s.percent) for s in key.shares.all()}
        for m in members:
            if m.organisation.kind != Organisation.Kind.MUNICIPALITY and m.pk in percents:
                rows.append((m.organisation.name, m, percents[m.pk] / 100, 12))
        group = sum((percents.get(m.pk, Fraction(0)) for m in municipal), Fraction(0)) / 100
        weighted = {m.pk: percents.get(m.pk, Fraction(0)) * months[m.pk] for m in municipal}
    else:
        state = Fraction(key.state_percent) / 100
        fk = [m for m in members if m.organisation.kind == Organisation.Kind.FK]
        af = [m for m in members if m.organisation.kind == Organisation.Kind.AF]
        if key.split_state and fk and af:
            rows.append((fk[0].organisation.name, fk[0], state / 2, 12))
            rows.append((af[0].organisation.name, af[0], state / 2, 12))
        elif state:
            label = _("Staten (Försäkringskassan för FK och Arbetsförmedlingen)")
            rows.append((label, fk[0] if fk else None, state, 12))
        regions = [m for m in members if m.organisation.kind == Organisation.Kind.REGION]
        region = Fraction(key.region_percent) / 100
        if region and not regions:
            problems.append(_("Förbundet har ingen region som medlem, men regionen har en andel."))
        for m in regions:
            rows.append((m.organisation.name, m, region / len(regions), 12))
        group = Fraction(key.municipal_percent) / 100
        populations = dict(
            MemberPopulation.objects.filter(
                association=key.association, year=key.population_year, member__in=municipal
            ).values_list("member_id", "population")
        )
        for m in municipal:
            if m.pk not in populations:
                problems.append(
                    _("Folkmängd saknas för %(member)s år %(year)s.")
                    % {"member": m.organisation.name, "year": key.population_year}
                )
        weighted = {m.pk: Fraction(populations.get(m.pk, 0)) * months[m.pk] for m in municipal}
    whole = sum(weighted.values(), Fraction(0))
    if group and not whole:
        problems.append(_("Kommunernas andel kan inte fördelas: ingen kommun har någon vikt."))
    for m in municipal:
        if whole and weighted[m.pk]:
            rows.append((m.organisation.name, m, group * weighted[m.pk] / whole, months[m.pk]))
    return rows, problems


def contribution_table(key: ContributionKey) -> ContributionTable:
    """The member contributions of one year: (member, share %, amount), exact to the krona.

    Weights are exact fractions; amounts and shares (in hundredths of a per cent) are both split
    with the largest-remainder method, so the amounts sum to the total and the shares to 100,00.
    """
    weights, problems = contribution_weights(key)
    if problems or not weights:
        return ContributionTable(key=key, rows=[], problems=problems or [_("Nyckeln är tom.")])
    fractions = [row[2] for row in weights]
    amounts = largest_remainder(int(key.total), fractions)
    hundredths = largest_remainder(10_000, fractions)
    rows = [
        ContributionRow(label, member, Decimal(h) / HUNDRED, amount, months)
        for (label, member, _w, months), amount, h in zip(weights, amounts, hundredths, strict=True)
    ]
    return ContributionTable(key=key, rows=rows)


# --- Budgets ------------------------------------------------------------------------------------


def current_budget(association: Association, year: int) -> Budget | None:
    """The newest revision of the year's budget."""
    return Budget.objects.filter(association=association, year=year).order_by("-revision").first()


def reference_budget(association: Association, year: int) -> Budget | None:
    """What outcomes are compared with: the newest decided revision, else the newest draft."""
    decided = (
        Budget.objects.filter(association=association, year=year, decided_on__isnull=False)
        .order_by("-revision")
        .first()
    )
    return decided or current_budget(association, year)


def category_position(category: str) -> int:
    return CATEGORY_ORDER.index(Category(category))


@dataclass
class CategoryBlock:
    category: Category
    rows: list
    totals: dict[str, int | None]

    @property
    def is_income(self) -> bool:
        return self.category in INCOME_CATEGORIES

    @property
    def total_row(self) -> ReportRow:
        """The block's totals as a report row (the deviation report's subtotal line)."""
        return ReportRow(str(self.category.label), self.category, "", **self.totals)

    @property
    def total_list(self) -> list[int | None]:
        """The totals in column order (the multi-year plan's years)."""
        return list(self.totals.values())


def _blocks(rows: Iterable, columns: Sequence[str]) -> list[CategoryBlock]:
    grouped: dict[str, list] = defaultdict(list)
    for row in rows:
        grouped[row.category].append(row)
    blocks = []
    for category in CATEGORY_ORDER:
        if category in grouped:
            items = sorted(grouped[category], key=lambda r: r.name.lower())
            totals = {c: _sum(getattr(r, c) for r in items) for c in columns}
            blocks.append(CategoryBlock(Category(category), items, totals))
    return blocks


def _sum(values: Iterable[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


@dataclass
class BudgetRow:
    public_id: object
    post_id: int
    code: str
    name: str
    category: str
    intervention: str
    amount: int


@dataclass
class BudgetTable:
    budget: Budget
    blocks: list[CategoryBlock]
    income: int
    costs: int

    @property
    def result(self) -> int:
        return self.income - self.costs

    @property
    def income_blocks(self) -> list[CategoryBlock]:
        return [b for b in self.blocks if b.is_income]

    @property
    def cost_blocks(self) -> list[CategoryBlock]:
        return [b for b in self.blocks if not b.is_income]

    @property
    def sections(self) -> list[tuple[str, list[CategoryBlock], int]]:
        return [
            (_("Intäkter"), self.income_blocks, self.income),
            (_("Kostnader"), self.cost_blocks, self.costs),
        ]


def budget_table(budget: Budget) -> BudgetTable:
    """A budget's lines by category with subtotals, total income, total costs and result."""
    lines = (
        BudgetLine.objects.filter(budget=budget)
        .select_related("post__intervention")
        .order_by("post__name", "pk")
    )
    rows = [
        BudgetRow(
            line.public_id,
            line.post_id,
            line.post.code,
            line.post.name,
            line.post.category,
            line.post.intervention.code if line.post.intervention else "",
            line.amount,
        )
        for line in lines
    ]
    by_category = dict(
        BudgetLine.objects.filter(budget=budget)
        .values_list("post__category")
        .annotate(total=Sum("amount"))
        .values_list("post__category", "total")
    )
    income = sum(by_category.get(c, 0) for c in INCOME_CATEGORIES)
    costs = sum(by_category.get(c, 0) for c in COST_CATEGORIES)
    blocks = _blocks(rows, [])
    for block in blocks:
        block.totals = {"amount": by_category.get(block.category, 0)}
    return BudgetTable(budget, blocks, income, costs)


@dataclass
class MultiYearPlan:
    years: list[int]
    budgets: list[Budget | None]
    blocks: list[CategoryBlock]
    income: list[int]
    costs: list[int]

    @property
    def results(self) -> list[int]:
        return [i - c for i, c in zip(self.income, self.costs, strict=True)]

    @property
    def columns(self) -> list[tuple[int, Budget | None]]:
        return list(zip(self.years, self.budgets, strict=True))


def multi_year_plan(association: Association, year: int) -> MultiYearPlan:
    """The decided year and the two planning years side by side (newest revision of each)."""
    years = [year, year + 1, year + 2]
    budgets = [current_budget(association, y) for y in years]
    ids = [b.pk for b in budgets if b is not None]
    amounts: dict[int, dict[int, int]] = defaultdict(dict)
    posts: dict[int, tuple[str, str]] = {}
    for post_id, name, category, y, amount in BudgetLine.objects.filter(
        budget_id__in=ids
    ).values_list("post_id", "post__name", "post__category", "budget__year", "amount"):
        amounts[post_id][y] = amount
        posts[post_id] = (name, category)
    rows = [
        _PlanItem(name, category, [amounts[pid].get(y) for y in years])
        for pid, (name, category) in posts.items()
    ]
    sums = (
        BudgetLine.objects.filter(budget_id__in=ids)
        .values_list("budget__year", "post__category")
        .annotate(total=Sum("amount"))
        .values_list("budget__year", "post__category", "total")
    )
    income = dict.fromkeys(years, 0)
    costs = dict.fromkeys(years, 0)
    by_category: dict[str, dict[str, int | None]] = defaultdict(
        lambda: dict.fromkeys((str(i) for i in range(len(years))), None)
    )
    for y, category, total in sums:
        (income if category in INCOME_CATEGORIES else costs)[y] += total
        by_category[category][str(years.index(y))] = total
    blocks = _plan_blocks(rows, by_category)
    return MultiYearPlan(
        years, budgets, blocks, [income[y] for y in years], [costs[y] for y in years]
    )


@dataclass
class _PlanItem:
    name: str
    category: str
    amounts: list[int | None]


def _plan_blocks(
    rows: list[_PlanItem], totals: dict[str, dict[str, int | None]]
) -> list[CategoryBlock]:
    grouped: dict[str, list[_PlanItem]] = defaultdict(list)
    for row in rows:
        grouped[row.category].append(row)
    return [
        CategoryBlock(
            Category(category),
            sorted(grouped[category], key=lambda r: r.name.lower()),
            totals[category],
        )
        for category in CATEGORY_ORDER
        if category in grouped
    ]


# --- Outcomes and the deviation report ----------------------------------------------------------


def months_elapsed(association: Association, year: int) -> int:
    """The last month of the year that has any outcome (0 when none)."""
    return Outcome.objects.filter(association=association, year=year).aggregate(
        m=Coalesce(Max("month"), 0)
    )["m"]


@dataclass
class ReportRow:
    name: str
    category: str
    code: str
    budget: int | None
    budget_to_date: int | None
    outcome: int | None
    forecast: int | None

    @property
    def deviation(self) -> int | None:
        if self.outcome is None and self.budget_to_date is None:
            return None
        return (self.outcome or 0) - (self.budget_to_date or 0)

    @property
    def deviation_percent(self) -> Decimal | None:
        return percent_of(self.deviation, self.budget_to_date)

    @property
    def forecast_deviation(self) -> int | None:
        if self.forecast is None:
            return None
        return self.forecast - (self.budget or 0)


def percent_of(part: int | None, whole: int | None) -> Decimal | None:
    """``part`` as a per cent of ``whole``, one decimal, half up; None when whole is 0 or None."""
    if part is None or not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass
class DeviationReport:
    year: int
    budget: Budget | None
    months: int
    blocks: list[CategoryBlock]
    income: ReportRow
    costs: ReportRow

    @property
    def result(self) -> ReportRow:
        i, c = self.income, self.costs
        return ReportRow(
            _("Resultat"),
            "",
            "",
            _diff(i.budget, c.budget),
            _diff(i.budget_to_date, c.budget_to_date),
            _diff(i.outcome, c.outcome),
            _diff(i.forecast, c.forecast),
        )

    @property
    def cost_blocks(self) -> list[CategoryBlock]:
        return [b for b in self.blocks if not b.is_income]

    @property
    def income_blocks(self) -> list[CategoryBlock]:
        return [b for b in self.blocks if b.is_income]


def _diff(a: int | None, b: int | None) -> int | None:
    if a is None and b is None:
        return None
    return (a or 0) - (b or 0)


REPORT_COLUMNS = ["budget", "budget_to_date", "outcome", "forecast"]


def deviation_report(association: Association, year: int) -> DeviationReport:
    """Budget against outcome per post, per category and in total, with the year's forecast.

    ``months`` is the last month with any outcome. Budget to date is the year's budget × months
    / 12 (half up, per post). Forecast rule: the outcome to date plus the budget of the months
    left, i.e. outcome + budget × (12 − months) / 12; with no outcome yet it is the budget.
    """
    # reference_budget() in one query: the newest decided revision, else the newest one.
    budget = (
        Budget.objects.filter(association=association, year=year)
        .order_by(Case(When(decided_on__isnull=False, then=0), default=1), "-revision")
        .first()
    )
    line_amount = BudgetLine.objects.filter(budget=budget, post=OuterRef("pk")).values("amount")
    outcome_sum = (
        Outcome.objects.filter(association=association, year=year, post=OuterRef("pk"))
        .values("post")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    # months_elapsed() on every row, read with the posts: with no row there is no outcome
    # either (an outcome's post is always listed), so the months are 0.
    last_month = (
        Outcome.objects.filter(association=association, year=year)
        .order_by("-month")
        .values("month")[:1]
    )
    posts = list(
        BudgetPost.objects.filter(association=association)
        .annotate(
            budget_amount=Subquery(line_amount[:1]),
            outcome_total=Subquery(outcome_sum[:1]),
            months=Subquery(last_month),
        )
        .filter(Q(budget_amount__isnull=False) | Q(outcome_total__isnull=False))
        .order_by("name", "pk")
    )
    months = int(posts[0].months or 0) if posts else 0
    rows = []
    for post in posts:
        b = post.budget_amount
        to_date = round_kr(Fraction(b * months, 12)) if b is not None else None
        left = round_kr(Fraction(b * (12 - months), 12)) if b is not None else 0
        forecast = (post.outcome_total or 0) + left
        rows.append(
            ReportRow(post.name, post.category, post.code, b, to_date, post.outcome_total, forecast)
        )
    blocks = _blocks(rows, REPORT_COLUMNS)

    def total(categories: Sequence[str], label: str) -> ReportRow:
        chosen = [b for b in blocks if b.category in categories]
        values = {c: _sum(b.totals[c] for b in chosen) for c in REPORT_COLUMNS}
        return ReportRow(label, "", "", **values)

    return DeviationReport(
        year,
        budget,
        months,
        blocks,
        total(INCOME_CATEGORIES, _("Summa intäkter")),
        total(COST_CATEGORIES, _("Summa kostnader")),
    )


# --- Key figures (§3) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    category: Category
    amount: int
    tenths: int

    @property
    def percent(self) -> Decimal:
        return Decimal(self.tenths) / 10


@dataclass
class CostDistribution:
    shares: list[Share]
    total: int
    interventions_percent: Decimal | None
    goal_met: bool | None


def cost_distribution(amounts: dict[str, int]) -> CostDistribution:
    """Each cost category's share of the costs, one decimal, summing to 100,0 (largest
    remainder), and whether at least 75 % went to interventions (individual + structural)."""
    categories = list(COST_CATEGORIES)
    values = [max(0, int(amounts.get(c, 0) or 0)) for c in categories]
    total = sum(values)
    if total == 0:
        return CostDistribution([], 0, None, None)
    tenths = largest_remainder(1000, values)
    shares = [Share(c, v, t) for c, v, t in zip(categories, values, tenths, strict=True)]
    to_interventions = sum(
        s.amount
        for s in shares
        if s.category in (Category.INDIVIDINRIKTADE, Category.STRUKTUROVERGRIPANDE)
    )
    exact = Fraction(to_interventions, total)
    tenths_interventions = sum(
        s.tenths
        for s in shares
        if s.category in (Category.INDIVIDINRIKTADE, Category.STRUKTUROVERGRIPANDE)
    )
    return CostDistribution(
        shares, total, Decimal(tenths_interventions) / 10, exact >= INTERVENTION_GOAL
    )


def budget_category_amounts(budget: Budget | None) -> dict[str, int]:
    if budget is None:
        return {}
    return dict(
        BudgetLine.objects.filter(budget=budget)
        .values_list("post__category")
        .annotate(total=Sum("amount"))
        .values_list("post__category", "total")
    )


def outcome_category_amounts(association: Association, year: int) -> dict[str, int]:
    return dict(
        Outcome.objects.filter(association=association, year=year)
        .values_list("post__category")
        .annotate(total=Sum("amount"))
        .values_list("post__category", "total")
    )


@dataclass(frozen=True)
class InterventionKeyFigures:
    """One intervention's key figures for a year: its budget line and places (budget per
    place), its booked costs, and its participants and participant-days from the aggregate
    packages the association has received for the year (never a provider's rows)."""

    intervention: Intervention
    budget: int | None
    places: int
    cost: int | None
    participants: int | None
    participant_days: int | None
    # Participants from 1 to 4, hidden from every reader but the office (calculations.md §6):
    # shown as "<5", and no cost per participant (cost ÷ it would give the count back).
    small: bool = False

    @property
    def per_place(self) -> int | None:
        if self.budget is None or not self.places:
            return None
        return round_kr(Fraction(self.budget, self.places))

    @property
    def participant_months(self) -> Decimal | None:
        """Participant-days ÷ 30.4375 (the average month, 365.25 / 12), one decimal."""
        if self.participant_days is None:
            return None
        months = Fraction(self.participant_days) / DAYS_PER_MONTH
        return (Decimal(months.numerator) / Decimal(months.denominator)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def per_participant(self) -> int | None:
        if self.cost is None or not self.participants or self.small:
            return None
        return round_kr(Fraction(self.cost, self.participants))

    @property
    def per_participant_month(self) -> int | None:
        """Cost ÷ participant-months, computed exactly (cost × 30.4375 ÷ participant-days) and
        rounded once to whole kronor."""
        if self.cost is None or not self.participant_days:
            return None
        return round_kr(Fraction(self.cost) * DAYS_PER_MONTH / self.participant_days)


def published_key_figures(rows: list[InterventionKeyFigures]) -> list[InterventionKeyFigures]:
    """The key figures as the board, the preparatory group and the auditor see them: an
    intervention's participants from 1 to 4 marked small (the office sees them exact)."""
    from stegvis.reports.suppression import is_small

    return [replace(r, small=is_small(r.participants or 0)) for r in rows]


# The average month in days (365.25 / 12): participant-months = participant-days / 30.4375.
DAYS_PER_MONTH = Fraction(36525, 1200)


def intervention_key_figures(association: Association, year: int) -> list[InterventionKeyFigures]:
    """Per intervention with a budget line, booked costs or a received package in ``year``:
    the reference budget's line, the year's outcome costs on the intervention's posts, and the
    participants in the year and participant-days from ``aggregates.figures``. Two aggregate
    queries here plus the packages' own."""
    from stegvis.aggregates.figures import association_figures

    budget = reference_budget(association, year)
    budgets: dict[int, int] = dict(
        BudgetLine.objects.filter(budget=budget, post__intervention__isnull=False)
        .values("post__intervention_id")
        .annotate(total=Sum("amount"))
        .values_list("post__intervention_id", "total")
        .order_by()
    )
    costs: dict[int, int] = dict(
        Outcome.objects.filter(association=association, year=year, post__intervention__isnull=False)
        .values("post__intervention_id")
        .annotate(total=Sum("amount"))
        .values_list("post__intervention_id", "total")
        .order_by()
    )
    per, _total = association_figures(association, year)
    packages = {f.intervention.pk: f for f in per if f.intervention is not None}
    interventions = {f.intervention.pk: f.intervention for f in per if f.intervention is not None}
    missing = (set(budgets) | set(costs)) - set(interventions)
    interventions.update(Intervention.objects.in_bulk(missing))
    rows = []
    for pk, intervention in sorted(interventions.items(), key=lambda i: (i[1].name, i[0])):
        figures = packages.get(pk)
        rows.append(
            InterventionKeyFigures(
                intervention=intervention,
                budget=budgets.get(pk),
                places=intervention.places,
                cost=costs.get(pk),
                participants=sum(figures.participants.values()) if figures else None,
                participant_days=(
                    figures.row("participants", "participant_days")["total"] if figures else None
                ),
            )
        )
    return rows


# --- Equity (§2) ---------------------------------------------------------------------------------


def ceiling_for(tiers: Iterable[CeilingTier], contributions: int) -> int | None:
    """The recommended equity ceiling for ``contributions`` by the first tier that covers it."""
    for tier in sorted(tiers, key=lambda t: t.lower):
        if tier.lower <= contributions and (tier.upper is None or contributions <= tier.upper):
            first = min(contributions, tier.first_amount)
            above = max(0, contributions - tier.first_amount)
            return round_kr(
                Fraction(tier.first_percent) * first / 100
                + Fraction(tier.above_percent) * above / 100
            )
    return None


@dataclass
class Equity:
    year: int
    opening: int | None
    opening_source: str
    planned_use: int
    budget_result: int | None
    outcome_result: int | None
    forecast_result: int | None
    contributions: int | None
    ceiling: int | None

    @property
    def budget_closing(self) -> int | None:
        return _plus(self.opening, self.budget_result)

    @property
    def forecast_closing(self) -> int | None:
        return _plus(self.opening, self.forecast_result)

    @property
    def over_ceiling(self) -> bool:
        closing = self.forecast_closing
        return closing is not None and self.ceiling is not None and closing > self.ceiling


def _plus(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _result_excluding_equity(rows_by_category: dict[str, int | None]) -> int | None:
    """Income (without planned use of equity) minus costs."""
    if not any(v is not None for v in rows_by_category.values()):
        return None
    income = sum(
        rows_by_category.get(c) or 0 for c in INCOME_CATEGORIES if c != Category.EGET_KAPITAL
    )
    costs = sum(rows_by_category.get(c) or 0 for c in COST_CATEGORIES)
    return income - costs


def equity(association: Association, year: int, report: DeviationReport | None = None) -> Equity:
    """Opening equity, the year's result (budget, outcome to date, forecast), closing equity and
    the ceiling. The result excludes the planned use of equity, which is financing, not income.

    Opening: as entered for the year; else the entered opening of the year before plus that
    year's forecast result (outcome to date plus the rest of its budget). ``report``: the
    year's :func:`deviation_report` when the caller has it already (not computed again)."""
    if report is None or report.year != year:
        report = deviation_report(association, year)
    by = {b.category: b.totals for b in report.blocks}
    budget_result = _result_excluding_equity({c: t["budget"] for c, t in by.items()})
    outcome_result = _result_excluding_equity({c: t["outcome"] for c, t in by.items()})
    forecast_result = _result_excluding_equity({c: t["forecast"] for c, t in by.items()})
    planned_use = (by.get(Category.EGET_KAPITAL) or {}).get("budget") or 0
    entered = EquityYear.objects.filter(association=association, year=year).first()
    opening: int | None
    if entered is not None:
        opening, source = entered.opening, "entered"
    else:
        before = EquityYear.objects.filter(association=association, year=year - 1).first()
        if before is not None:
            previous = equity(association, year - 1)
            opening, source = previous.forecast_closing, "previous"
        else:
            opening, source = None, "missing"
    key = ContributionKey.objects.filter(association=association, year=year).first()
    contributions = (
        int(key.total) if key is not None else (by.get(Category.MEDLEMSBIDRAG) or {}).get("budget")
    )
    tiers = list(CeilingTier.objects.filter(association=association, year=year))
    ceiling = ceiling_for(tiers, contributions) if contributions is not None else None
    return Equity(
        year,
        opening,
        source,
        planned_use,
        budget_result,
        outcome_result,
        forecast_result,
        contributions,
        ceiling,
    )


# --- Planning estimate of the state allocation (optional in the issue) ----------------------------


@dataclass(frozen=True)
class StateEstimateResult:
    model_amount: int
    floor: int | None
    estimate: int
    share_percent: Decimal

    @property
    def capped(self) -> bool:
        return self.floor is not None and self.floor > self.model_amount

    @property
    def implied_total(self) -> int:
        """The total allocation if the region and the municipalities match the state's half."""
        return self.estimate * 2


def state_estimate(p: StateEstimate) -> StateEstimateResult:
    """Base amount + (national amount − base × associations) × (75 % × own share of the
    income-support measure + 25 % × own share of the population 16–64), never below last year's
    allocation less the largest allowed decrease. Rounded half up to whole kronor."""
    pool = max(0, p.national_amount - p.base_amount * p.associations)
    share = Fraction(3, 4) * Fraction(p.income_support, p.national_income_support) + Fraction(
        1, 4
    ) * Fraction(p.population, p.national_population)
    model_amount = round_kr(p.base_amount + pool * share)
    floor = (
        round_kr(p.previous_allocation * (1 - Fraction(p.max_decrease_percent) / 100))
        if p.previous_allocation is not None
        else None
    )
    estimate = max(model_amount, floor) if floor is not None else model_amount
    percent = (Decimal(share.numerator) * 100 / Decimal(share.denominator)).quantize(
        Decimal("0.001"), rounding=ROUND_HALF_UP
    )
    return StateEstimateResult(model_amount, floor, estimate, percent)
