"""The compilation of an association's Lex Heller reports for a period: the one place its figures
are computed, by database aggregation, for the page, the PDF and the XLSX alike.

A report belongs to the period when it was **received** (``received_on``) on a day from ``start``
to ``end``, both included. *Time to decision* is the number of calendar days from the day a report
was received to the decision date the administrator recorded (``decided_on − received_on``), over
the period's reports that have a decision; the median is the middle value (the mean of the two
middle values when their number is even).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from stegvis.core.models import Association
from stegvis.deviations.models import DeviationCategory, DeviationReport

State = DeviationReport.State


@dataclass(frozen=True)
class Row:
    label: str
    count: int


@dataclass(frozen=True)
class Compilation:
    association: Association
    start: date
    end: date
    total: int
    by_category: list[Row]
    by_organisation: list[Row]
    by_state: list[Row]
    decided: int
    median_days: Decimal | None
    mean_days: Decimal | None
    months: list[date]
    # Counts by category (in by_category's order) and month (in months' order).
    by_month: list[tuple[str, list[int]]] = field(default_factory=list)
    reports: QuerySet[DeviationReport] | None = None

    @property
    def month_totals(self) -> list[int]:
        return [sum(counts[i] for _label, counts in self.by_month) for i in range(len(self.months))]


def _one_decimal(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _months(start: date, end: date) -> list[date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (
            day.replace(year=day.year + 1, month=1)
            if day.month == 12
            else day.replace(month=day.month + 1)
        )
    return months


def period_reports(association: Association, start: date, end: date) -> QuerySet[DeviationReport]:
    return DeviationReport.objects.filter(
        association=association, received_on__gte=start, received_on__lte=end
    )


def compile_reports(
    association: Association, start: date, end: date, *, breakdowns: bool = True
) -> Compilation:
    """Every figure of the compilation, in a fixed number of queries whatever the period holds.

    ``breakdowns=False`` leaves out the counts per organisation and per state (empty lists), for
    callers that do not show them (the annual report): two queries fewer, same other figures."""
    reports = period_reports(association, start, end)
    in_period = Q(reports__received_on__gte=start, reports__received_on__lte=end)
    categories = (
        DeviationCategory.objects.filter(association=association)
        .annotate(n=Count("reports", filter=in_period))
        .filter(Q(active=True) | Q(n__gt=0))
        .order_by("position", "name")
    )
    by_category = [Row(c.name, c.n) for c in categories]
    decided = reports.filter(days_to_decision__isnull=False)
    by_organisation: list[Row] = []
    by_state: list[Row] = []
    if breakdowns:
        through = DeviationReport.organisations.through.objects.filter(deviationreport__in=reports)
        by_organisation = [
            Row(r["organisation__name"], r["n"])
            for r in through.values("organisation__name")
            .annotate(n=Count("id"))
            .order_by("-n", "organisation__name")
        ]
        state_counts = dict(
            reports.order_by().values("state").annotate(n=Count("id")).values_list("state", "n")
        )
        by_state = [Row(str(label), state_counts.get(value, 0)) for value, label in State.choices]
        total = sum(state_counts.values())
        summary = decided.aggregate(n=Count("id"), mean=Avg("days_to_decision"))
    else:
        # One query for the total and the decided ones (Avg skips the undecided NULLs).
        summary = reports.aggregate(
            total=Count("id"),
            n=Count("id", filter=Q(days_to_decision__isnull=False)),
            mean=Avg("days_to_decision"),
        )
        total = summary["total"]
    n = summary["n"]
    median = mean = None
    if n:
        mean = _one_decimal(summary["mean"])
        # The middle one or two values, read by the database in order.
        middle = decided.order_by("days_to_decision").values_list("days_to_decision", flat=True)[
            (n - 1) // 2 : n // 2 + 1
        ]
        values = [int(v or 0) for v in middle]
        median = _one_decimal(Decimal(sum(values)) / len(values))
    months = _months(start, end)
    grid = {(r["category"], r["month"]): r["n"] for r in _month_rows(reports)}
    by_month = [(c.name, [grid.get((c.pk, m), 0) for m in months]) for c in categories if c.n > 0]
    listed = (
        reports.select_related("category", "action_organisation", "merged_into")
        .prefetch_related("organisations")
        .order_by("number")
    )
    return Compilation(
        association=association,
        start=start,
        end=end,
        total=total,
        by_category=by_category,
        by_organisation=by_organisation,
        by_state=by_state,
        decided=n,
        median_days=median,
        mean_days=mean,
        months=months,
        by_month=by_month,
        reports=listed,
    )


def _month_rows(reports: QuerySet[DeviationReport]) -> list[dict[str, Any]]:
    rows = (
        reports.annotate(month=TruncMonth("received_on"))
        .values("category", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    # TruncMonth of a date is a date on every backend; normalise in case one returns a datetime.
    result = []
    for row in rows:
        month = row["month"]
        if hasattr(month, "date"):
            month = month.date()
        result.append({**row, "month": month})
    return result
