"""The operating plan's measures that only received packages can answer (plans.measures).

Registered in ``AggregatesConfig.ready``: the share of exits to work or studies and occupancy,
per intervention or for the whole association, from the packages the association has received
for a calendar year (``figures.association_figures``), never from a provider's rows. A plan
goal followed up for a period that is not one whole calendar year, or before any package has
arrived, says why instead of showing a number; no share is shown from fewer than 5.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from stegvis.aggregates.figures import Figures, association_figures
from stegvis.core.codes import ReportGroup

if TYPE_CHECKING:
    from stegvis.plans.measures import Outcome, Period
    from stegvis.plans.models import PlanGoal

# The plan's groups and the packages' gender columns.
COLUMNS = {"women": "kvinna", "men": "man"}


def _figures(goal: PlanGoal, period: Period) -> tuple[Figures | None, str]:
    year = period.start.year
    if period.start != date(year, 1, 1) or period.end != date(year, 12, 31):
        return None, _("Måttet följs upp per kalenderår ur förbundets paket; välj ett helt år.")
    per, total = association_figures(goal.association, year)
    figures = (
        total
        if goal.intervention is None
        else next((f for f in per if f.intervention == goal.intervention), None)
    )
    if figures is None or not figures.tables:
        return None, _(
            "Inte mätbart ännu: inga avidentifierade sammanställningar har tagits emot för året."
        )
    return figures, ""


def exits_to_work_or_studies(goal: PlanGoal, period: Period) -> Outcome:
    """Exits in the year to work or studies (report groups Arbete and Studier) ÷ exits, for
    women, men and in total when the goal is split (calculations.md §5)."""
    from stegvis.plans.measures import MIN_CELL, Outcome, one_decimal

    figures, reason = _figures(goal, period)
    if figures is None:
        return Outcome(reason=reason)
    exited = figures.row("participants", "exited")
    work = figures.row("exit_groups", ReportGroup.ARBETE)
    studies = figures.row("exit_groups", ReportGroup.STUDIER)
    values: dict[str, Decimal | None] = {}
    for group in ("women", "men", "total") if goal.by_gender else ("total",):
        column = COLUMNS.get(group, "total")
        whole = exited[column]
        values[group] = (
            one_decimal(work[column] + studies[column], whole) if whole >= MIN_CELL else None
        )
    if values["total"] is None:
        return Outcome(values, _("Färre än 5 avslut under året."))
    return Outcome(values)


def occupancy(goal: PlanGoal, period: Period) -> Outcome:
    """Participant-days ÷ (places × days the packages cover) (calculations.md §7); for the
    association, over every intervention with places and packages."""
    from stegvis.plans.measures import Outcome, one_decimal

    figures, reason = _figures(goal, period)
    if figures is None:
        return Outcome(reason=reason)
    if goal.intervention is not None:
        value = figures.occupancy()
    else:
        per, _total = association_figures(goal.association, period.start.year)
        measured = [f for f in per if f.intervention is not None and f.intervention.places]
        days = sum(f.row("participants", "participant_days")["total"] for f in measured)
        capacity = sum(
            f.intervention.places * f.days_covered
            for f in measured
            if f.intervention is not None and f.intervention.places
        )
        value = one_decimal(days, capacity)
    if value is None:
        return Outcome(reason=_("Insatsen har inget antal platser angivet."))
    return Outcome({"total": value})


def register() -> None:
    from stegvis.plans.measures import provide

    provide("exits_work_studies", exits_to_work_or_studies)
    provide("occupancy", occupancy)
