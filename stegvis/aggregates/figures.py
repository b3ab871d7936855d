"""The association's follow-up, computed from the cells of the packages it has received (never
from anything else): per intervention and in total, for one calendar year. Only current packages
count (a corrected one replaces the earlier). Sums are taken in the database; "participants in the
year" is those enrolled at the start of each sender's first period of the year plus the new ones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from stegvis.core.codes import ReportGroup
from stegvis.core.models import Association
from stegvis.interventions.models import Goal, Intervention

from .models import ReceivedPackage
from .package import GENDERS
from .periods import Period, parse

Counts = dict[str, int]
Tables = dict[str, dict[str, Counts]]
# A quarter is late this many days after it ended without a package.
LATE_AFTER_DAYS = 30


def share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _with_total(counts: Counts) -> dict[str, int]:
    return {**counts, "total": sum(counts.get(g, 0) for g in GENDERS)}


@dataclass
class GoalOutcome:
    goal: Goal
    outcome: dict[str, Decimal | None]
    met: dict[str, bool | None]


@dataclass
class Figures:
    intervention: Intervention | None
    tables: Tables = field(default_factory=dict)
    participants: Counts = field(default_factory=dict)
    days_covered: int = 0
    goals: list[GoalOutcome] = field(default_factory=list)

    def row(self, table: str, row: str) -> dict[str, int]:
        return _with_total(self.tables.get(table, {}).get(row, dict.fromkeys(GENDERS, 0)))

    def participant_row(self) -> dict[str, Any]:
        """The annual report's participant table: participants, new, exited, exits per group."""
        return {
            "participants": _with_total(self.participants or dict.fromkeys(GENDERS, 0)),
            "new": self.row("participants", "new"),
            "exited": self.row("participants", "exited"),
            "groups": [(label, self.row("exit_groups", g)) for g, label in ReportGroup.choices],
        }

    def year_tables(self) -> Tables:
        """Every table summed over the year; the participants table shows those in the year
        (at-start counts of later periods are not added up)."""
        people = self.tables.get("participants", {})
        zero = dict.fromkeys(GENDERS, 0)
        return {
            **self.tables,
            "participants": {
                "active": {g: self.participants.get(g, 0) for g in GENDERS},
                "new": people.get("new", zero),
                "exited": people.get("exited", zero),
                "participant_days": people.get("participant_days", zero),
            },
        }

    def rows(self, table: str) -> list[tuple[str, dict[str, int]]]:
        return [(row, _with_total(c)) for row, c in self.tables.get(table, {}).items()]

    def occupancy(self) -> Decimal | None:
        """Participant-days over places × days covered by packages (calculations.md §7)."""
        if self.intervention is None or not self.intervention.places or not self.days_covered:
            return None
        days = self.row("participants", "participant_days")["total"]
        return share(days, self.intervention.places * self.days_covered)


def _current(association: Association, year: int) -> Any:
    return ReceivedPackage.objects.filter(
        association=association, replaced_by__isnull=True, period_start__year=year
    )


def association_figures(association: Association, year: int) -> tuple[list[Figures], Figures]:
    """Per intervention (with packages in the year) and in total, with the year's goals.

    The sums are ``reports.association.figures_in_range`` over the calendar year (a package's
    period never crosses a year, so "inside the year" is "starting in the year")."""
    from stegvis.reports.association import figures_in_range
    from stegvis.reports.periods import date_range

    per, total = figures_in_range(association, date_range(date(year, 1, 1), date(year, 12, 31)))
    attach_goals(per, year)
    return per, total


def attach_goals(per: list[Figures], year: int) -> None:
    """Each intervention's goal outcomes for the year, from one query for all their goals."""
    by_intervention: dict[int, list[Goal]] = defaultdict(list)
    interventions = {f.intervention.pk: f.intervention for f in per if f.intervention}
    goals = Goal.objects.filter(
        intervention_id__in=list(interventions),
        period_start__lte=date(year, 12, 31),
        period_end__gte=date(year, 1, 1),
    ).order_by("period_start", "text")
    for goal in goals:
        goal.intervention = interventions[goal.intervention_id]
        by_intervention[goal.intervention_id].append(goal)
    for figures in per:
        assert figures.intervention is not None
        figures.goals = goal_outcomes(figures, year, goals=by_intervention[figures.intervention.pk])


def goal_outcomes(
    figures: Figures, year: int, *, goals: list[Goal] | None = None
) -> list[GoalOutcome]:
    """The intervention's goals for the year that packages can measure (calculations.md §5):
    share of exits to the goal's report groups, share of exits with a positive step movement
    beyond those groups, and occupancy. ``goals``: the intervention's goals of the year, when
    the caller has fetched them already (``attach_goals``)."""
    assert figures.intervention is not None
    outcomes = []
    if goals is None:
        goals = list(
            figures.intervention.goals.filter(
                period_start__lte=date(year, 12, 31), period_end__gte=date(year, 1, 1)
            ).order_by("period_start", "text")
        )
    for goal in goals:
        outcome = goal_outcome(goal, figures)
        if outcome is None:
            continue
        met = {g: None if v is None else v >= goal.target for g, v in outcome.items()}
        outcomes.append(GoalOutcome(goal=goal, outcome=outcome, met=met))
    return outcomes


def goal_outcome(goal: Goal, figures: Figures) -> dict[str, Decimal | None] | None:
    """The outcome of one intervention goal from the figures of its packages (calculations.md
    §5) for women, men and in total, or None for a measure packages cannot answer. The one
    definition used by this app's follow-up and by the reports."""
    if goal.measure == Goal.Measure.SHARE_EXITS_IN_GROUPS:
        exited = figures.row("participants", "exited")
        in_groups = dict.fromkeys([*GENDERS, "total"], 0)
        for group in goal.report_groups:
            for g, n in figures.row("exit_groups", group).items():
                in_groups[g] += n
        return {g: share(in_groups[g], exited[g]) for g in ("kvinna", "man", "total")}
    if goal.measure == Goal.Measure.SHARE_POSITIVE_STEP:
        # Exits with a positive step movement beyond the goal's groups (e.g. work and
        # studies), as a share of every exit (§5: 11 of 30 = 36.7 %).
        exited = figures.row("participants", "exited")
        further = dict.fromkeys([*GENDERS, "total"], 0)
        for group in ReportGroup.values:
            if group in goal.report_groups:
                continue
            for g, n in figures.row("positive_by_group", group).items():
                further[g] += n
        return {g: share(further[g], exited[g]) for g in ("kvinna", "man", "total")}
    if goal.measure == Goal.Measure.OCCUPANCY:
        return {"kvinna": None, "man": None, "total": figures.occupancy()}
    return None


@dataclass(frozen=True)
class Missing:
    intervention: Intervention
    period: Period
    late: bool


def _quarters(year: int) -> list[Period]:
    return [parse(f"{year}Q{n}") for n in range(1, 5)]


def missing_packages(
    association: Association,
    year: int,
    *,
    spans: list[tuple[int, date, date]] | None = None,
) -> list[Missing]:
    """Each individual intervention the association funds and each quarter of the year that
    has ended (and in which the intervention ran) that no current package covers; late when it
    ended more than 30 days ago. ``spans``: (intervention, start, end) of the current packages
    that overlap the year, when the caller has read them already (a report's packages: those
    that overlap its range are enough for the quarters that end inside it)."""
    today = timezone.localdate()
    first, last = date(year, 1, 1), date(year, 12, 31)
    # Only those that ran in the year: one that started after it or ended before it has no
    # quarter to miss (the loop below skips every quarter of it).
    interventions = list(
        Intervention.objects.filter(
            Q(ended__isnull=True) | Q(ended__gte=first),
            fundings__association=association,
            kind=Intervention.Kind.INDIVIDUAL,
            start__lte=last,
        )
        .select_related("provider")
        .order_by("name")
    )
    if spans is None:
        spans = list(
            ReceivedPackage.objects.filter(association=association, replaced_by__isnull=True)
            .filter(period_end__gte=first, period_start__lte=last)
            .values_list("intervention_id", "period_start", "period_end")
        )
    covered: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for intervention_id, start, end in spans:
        covered[intervention_id].append((start, end))
    result = []
    quarters = _quarters(year)
    for intervention in interventions:
        for quarter in quarters:
            if quarter.end >= today or quarter.end < intervention.start:
                continue
            if intervention.ended and quarter.start > intervention.ended:
                continue
            if _covers(covered[intervention.pk], quarter):
                continue
            late = today - quarter.end > timedelta(days=LATE_AFTER_DAYS)
            result.append(Missing(intervention=intervention, period=quarter, late=late))
    return result


def _covers(spans: list[tuple[date, date]], period: Period) -> bool:
    day = period.start
    for start, end in sorted(spans):
        if start <= day <= end:
            day = end + timedelta(days=1)
        if day > period.end:
            return True
    return day > period.end
