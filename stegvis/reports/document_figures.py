"""The association's participant figures for a report period, from the received packages only.

The sums are ``reports.association.figures_in_range`` over the current packages that lie wholly
inside the period, so that a part-year report (January–April, January–August) never counts a
package reaching beyond its end; packages that straddle the period, and quarters no package
covers, are reported as such (``Coverage``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from stegvis.aggregates.figures import Figures, Missing, attach_goals, missing_packages
from stegvis.aggregates.models import ReceivedPackage
from stegvis.core.models import Association
from stegvis.reports.association import current_packages, figures_in_range
from stegvis.reports.periods import date_range


@dataclass
class Coverage:
    """Which packages the period's figures could not use, and which quarters have none."""

    straddling: list[tuple[str, str]] = field(default_factory=list)  # (intervention, period)
    missing: list[Missing] = field(default_factory=list)


def period_packages(association: Association, start: date, end: date) -> QuerySet[ReceivedPackage]:
    return current_packages(association, date_range(start, end))


def participant_figures(
    association: Association, start: date, end: date, *, goals: bool = True
) -> tuple[list[Figures], Figures]:
    """Per intervention and in total: the figures layer's ``figures_in_range`` (one definition
    of the sums), plus one query for the interventions' goals when ``goals`` (the start page
    has none)."""
    per, total = figures_in_range(association, date_range(start, end))
    if goals:
        attach_goals(per, start.year)
    return per, total


def coverage(association: Association, start: date, end: date) -> Coverage:
    """Packages that overlap the period without lying inside it, and the ended quarters of the
    period that no current package covers."""
    straddling = (
        ReceivedPackage.objects.filter(
            association=association,
            replaced_by__isnull=True,
            period_start__lte=end,
            period_end__gte=start,
        )
        .exclude(period_start__gte=start, period_end__lte=end)
        .order_by("intervention__name", "period_start")
        .values_list("intervention__name", "period")
    )
    missing = [m for m in missing_packages(association, start.year) if m.period.end <= end]
    return Coverage(straddling=list(straddling), missing=missing)
