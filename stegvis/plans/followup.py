"""Follow-up of a plan for a period: every goal's target, outcome and verdict, for women, men and
in total where the goal is split by gender, and every activity's status. The plan's page, its
document and (later) the interim and annual reports read this one function, so they agree.

Verdicts: ``met``, ``not_met``, ``not_measurable`` (no figure: a text goal, a measure whose figure
source does not exist yet, too few answers, …) — never a number that was not computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy

from stegvis.plans import measures
from stegvis.plans.measures import Period
from stegvis.plans.models import FocusArea, Plan, PlanActivity, PlanGoal

MET = "met"
NOT_MET = "not_met"
NOT_MEASURABLE = "not_measurable"
VERDICTS = {
    MET: gettext_lazy("Uppfyllt"),
    NOT_MET: gettext_lazy("Inte uppfyllt"),
    NOT_MEASURABLE: gettext_lazy("Inte mätbart ännu"),
}
GROUP_LABELS = {
    "women": gettext_lazy("Kvinnor"),
    "men": gettext_lazy("Män"),
    "total": gettext_lazy("Totalt"),
}


@dataclass
class Cell:
    group: str
    outcome: Decimal | None
    verdict: str

    @property
    def label(self) -> str:
        return str(GROUP_LABELS[self.group])

    @property
    def verdict_label(self) -> str:
        return str(VERDICTS[self.verdict])


@dataclass
class GoalRow:
    goal: PlanGoal
    measure: measures.Measure | None
    target: Decimal | None
    cells: list[Cell]
    reason: str = ""

    @property
    def total(self) -> Cell:
        return next(c for c in self.cells if c.group == "total")


@dataclass
class AreaRow:
    area: FocusArea
    goals: list[GoalRow] = field(default_factory=list)
    activities: list[PlanActivity] = field(default_factory=list)


@dataclass
class FollowUp:
    plan: Plan
    period: Period
    areas: list[AreaRow]

    def counts(self) -> dict[str, int]:
        result = dict.fromkeys(VERDICTS, 0)
        for area in self.areas:
            for row in area.goals:
                result[row.total.verdict] += 1
        return result


def verdict(outcome: Decimal | None, target: Decimal | None, direction: str) -> str:
    if outcome is None or target is None:
        return NOT_MEASURABLE
    met = outcome >= target if direction == "at_least" else outcome <= target
    return MET if met else NOT_MET


def goal_row(goal: PlanGoal, period: Period) -> GoalRow:
    measure = measures.MEASURES.get(goal.measure)
    result = measures.outcome(goal, period)
    target = result.target if goal.at_least_reference else goal.target
    groups = measures.GROUPS if goal.by_gender else ("total",)
    direction = measure.direction if measure else "at_least"
    cells = [
        Cell(g, result.values.get(g), verdict(result.values.get(g), target, direction))
        for g in groups
    ]
    return GoalRow(goal, measure, target, cells, result.reason)


def default_period(plan: Plan) -> Period:
    from datetime import date

    return Period(date(plan.year, 1, 1), date(plan.year, 12, 31))


def follow_up(plan: Plan, period: Period | None = None) -> FollowUp:
    """The follow-up table of ``plan`` for ``period`` (default: the plan year). The plan's rows
    are read in three queries; each measured goal asks its figure source."""
    period = period or default_period(plan)
    areas = plan.areas.prefetch_related(
        "goals__intervention", "goals__questionnaire", "goals__association", "activities"
    )
    rows = []
    for area in areas:
        rows.append(
            AreaRow(
                area,
                [goal_row(goal, period) for goal in area.goals.all()],
                list(area.activities.all()),
            )
        )
    return FollowUp(plan, period, rows)
