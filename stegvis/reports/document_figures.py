"""The association's participant figures for a report period, from the received packages only.

``aggregates.figures.association_figures`` sums a whole calendar year; an interim report
(January–April, January–August) needs the packages of part of a year. This is the same
computation over the current packages that lie wholly inside the period, so that a part-year
report never counts a package reaching beyond its end; packages that straddle the period, and
quarters no package covers, are reported as such (``Coverage``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery, Sum

from stegvis.aggregates.figures import Figures, Missing, goal_outcomes, missing_packages
from stegvis.aggregates.models import PackageCell, ReceivedPackage
from stegvis.aggregates.package import GENDERS
from stegvis.aggregates.periods import parse
from stegvis.core.models import Association
from stegvis.interventions.models import Intervention


@dataclass
class Coverage:
    """Which packages the period's figures could not use, and which quarters have none."""

    straddling: list[tuple[str, str]] = field(default_factory=list)  # (intervention, period)
    missing: list[Missing] = field(default_factory=list)


def period_packages(association: Association, start: date, end: date) -> QuerySet[ReceivedPackage]:
    return ReceivedPackage.objects.filter(
        association=association,
        replaced_by__isnull=True,
        period_start__gte=start,
        period_end__lte=end,
    )


def participant_figures(
    association: Association, start: date, end: date, *, goals: bool = True
) -> tuple[list[Figures], Figures]:
    """Per intervention and in total, like ``association_figures`` for a whole year: four
    queries, plus one per intervention for its goals when ``goals`` (the start page has none)."""
    packages = period_packages(association, start, end)
    sums = (
        PackageCell.objects.filter(association=association, package__in=packages)
        .values("package__intervention_id", "table", "row", "gender")
        .annotate(n=Sum("count"))
        .order_by()
    )
    first_start = Subquery(
        packages.filter(
            intervention=OuterRef("package__intervention"), sender=OuterRef("package__sender")
        )
        .order_by("period_start")
        .values("period_start")[:1]
    )
    at_start = (
        PackageCell.objects.filter(
            association=association,
            package__in=packages,
            table="participants",
            row="enrolled_at_start",
        )
        .filter(package__period_start=first_start)
        .values("package__intervention_id", "gender")
        .annotate(n=Sum("count"))
        .order_by()
    )
    per = {
        i.pk: Figures(intervention=i)
        for i in Intervention.objects.filter(pk__in=packages.values("intervention_id")).order_by(
            "name"
        )
    }
    total = Figures(intervention=None)
    for row in sums:
        for target in (per[row["package__intervention_id"]], total):
            cell = target.tables.setdefault(row["table"], {}).setdefault(
                row["row"], dict.fromkeys(GENDERS, 0)
            )
            cell[row["gender"]] += row["n"]
    for row in at_start:
        for target in (per[row["package__intervention_id"]], total):
            target.participants[row["gender"]] = (
                target.participants.get(row["gender"], 0) + row["n"]
            )
    for figures in [*per.values(), total]:
        new = figures.tables.get("participants", {}).get("new", dict.fromkeys(GENDERS, 0))
        figures.participants = {g: figures.participants.get(g, 0) + new[g] for g in GENDERS}
    for intervention_id, label in packages.values_list("intervention_id", "period").distinct():
        per[intervention_id].days_covered += parse(label).days
    for figures in per.values() if goals else ():
        figures.goals = goal_outcomes(figures, start.year)
    return list(per.values()), total


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
