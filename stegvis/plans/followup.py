"""Follow-up of a plan for a period: every goal's target, outcome and verdict, for women, men and
in total where the goal is split by gender, and every activity's status. The plan's page, its
document and (later) the interim and annual reports read this one function, so they agree.

Verdicts: ``met``, ``not_met``, ``not_measurable`` (no figure: a text goal, a measure whose figure
source does not exist yet, too few answers, …) — never a number that was not computed.

Published (``publish=True``: every reader but the office, and the published annual report), the
outcomes of a goal that counts people (``Measure.counts_people``) follow calculations.md §6:
women, men and other with their total are one row of ``reports.suppression.suppress_row``
(other is not shown, but it is part of the total), so a count of 1–4 is "<5" and the cell that
would give it back is "–". A hidden cell's verdict is ``hidden`` too: a verdict against the
target would tell on which side of it the count lies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy

from stegvis.plans import measures
from stegvis.plans.measures import Period
from stegvis.plans.models import FocusArea, Plan, PlanActivity, PlanGoal

MET = "met"
NOT_MET = "not_met"
NOT_MEASURABLE = "not_measurable"
HIDDEN = "hidden"
VERDICTS = {
    MET: gettext_lazy("Uppfyllt"),
    NOT_MET: gettext_lazy("Inte uppfyllt"),
    NOT_MEASURABLE: gettext_lazy("Inte mätbart ännu"),
    HIDDEN: gettext_lazy("Visas inte (färre än 5)"),
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
    mark: str = ""  # "<5" or "–" where the published outcome is suppressed (then outcome is None)

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
    published: bool = False

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


def _marks(values: dict[str, Decimal | None], groups: tuple[str, ...]) -> dict[str, str]:
    """The suppression marks of a count goal's published cells (calculations.md §6)."""
    from stegvis.reports.suppression import suppress_counts, suppress_row

    if any(values.get(g) is None for g in groups):
        return {}
    if groups == ("total",):
        shown = suppress_counts([int(values["total"] or 0)])[0]
        return {"total": shown} if isinstance(shown, str) else {}
    women, men, total = (int(values[g] or 0) for g in ("women", "men", "total"))
    cells, row_total = suppress_row([women, men, total - women - men])
    published = {"women": cells[0], "men": cells[1], "total": row_total}
    return {g: v for g, v in published.items() if isinstance(v, str)}


def goal_row(goal: PlanGoal, period: Period, *, publish: bool = False) -> GoalRow:
    measure = measures.MEASURES.get(goal.measure)
    result = measures.outcome(goal, period)
    target = result.target if goal.at_least_reference else goal.target
    groups = measures.GROUPS if goal.by_gender else ("total",)
    direction = measure.direction if measure else "at_least"
    marks = _marks(result.values, groups) if publish and measure and measure.counts_people else {}
    cells = [
        Cell(g, None, HIDDEN, marks[g])
        if g in marks
        else Cell(g, result.values.get(g), verdict(result.values.get(g), target, direction))
        for g in groups
    ]
    return GoalRow(goal, measure, target, cells, result.reason)


def default_period(plan: Plan) -> Period:
    from datetime import date

    return Period(date(plan.year, 1, 1), date(plan.year, 12, 31))


def follow_up(plan: Plan, period: Period | None = None, *, publish: bool = False) -> FollowUp:
    """The follow-up table of ``plan`` for ``period`` (default: the plan year). The plan's rows
    are read in three queries (its areas, their goals with each goal's intervention,
    questionnaire and association, and their activities); each measured goal asks its figure
    source, and a figure several goals read is read once (``measures.shared_figures``).
    ``publish`` suppresses small counts (see the module's docstring)."""
    period = period or default_period(plan)
    goals = PlanGoal.objects.select_related("intervention", "questionnaire", "association")
    areas = plan.areas.all().prefetch_related(Prefetch("goals", queryset=goals), "activities")
    rows = []
    with measures.shared_figures():  # the goals read a shared figure once
        for area in areas:
            rows.append(
                AreaRow(
                    area,
                    [goal_row(goal, period, publish=publish) for goal in area.goals.all()],
                    list(area.activities.all()),
                )
            )
    return FollowUp(plan, period, rows, publish)
