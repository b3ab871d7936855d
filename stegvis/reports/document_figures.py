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
from stegvis.reports.association import (
    RangePackage,
    current_packages,
    figures_in_range,
    range_packages,
)
from stegvis.reports.periods import date_range


@dataclass
class Coverage:
    """Which packages the period's figures could not use, and which quarters have none."""

    straddling: list[tuple[str, str]] = field(default_factory=list)  # (intervention, period)
    missing: list[Missing] = field(default_factory=list)


def period_packages(association: Association, start: date, end: date) -> QuerySet[ReceivedPackage]:
    return current_packages(association, date_range(start, end))


def participant_figures(
    association: Association,
    start: date,
    end: date,
    *,
    goals: bool = True,
    packages: list[RangePackage] | None = None,
) -> tuple[list[Figures], Figures]:
    """Per intervention and in total: the figures layer's ``figures_in_range`` (one definition
    of the sums), plus one query for the interventions' goals when ``goals`` (the start page
    has none). ``packages``: the period's :func:`range_packages`, when already read."""
    per, total = figures_in_range(association, date_range(start, end), packages=packages)
    if goals:
        attach_goals(per, start.year)
    return per, total


def coverage(
    association: Association,
    start: date,
    end: date,
    *,
    packages: list[RangePackage] | None = None,
) -> Coverage:
    """Packages that overlap the period without lying inside it, and the ended quarters of the
    period that no current package covers. ``packages``: the period's :func:`range_packages`,
    when already read (then one query, for the funded interventions)."""
    if packages is None:
        packages = range_packages(association, date_range(start, end))
    straddling = [(p.intervention_name, p.period) for p in packages if not p.inside]
    spans = [(p.intervention_id, p.start, p.end) for p in packages]
    missing = [
        m for m in missing_packages(association, start.year, spans=spans) if m.period.end <= end
    ]
    return Coverage(straddling=straddling, missing=missing)
