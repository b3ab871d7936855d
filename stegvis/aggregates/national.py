"""The national count export: what the national follow-up asks for, per intervention and year.

Individual interventions: participants in the year by gender, from the received packages
(``figures.association_figures``). Structural interventions: occasions, hours and attendees by
gender, from the activities the association records. One query each for the structural volume.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from stegvis.core.models import Association
from stegvis.interventions.models import Attendance, Intervention, StructuralActivity

from .figures import association_figures


@dataclass(frozen=True)
class NationalRow:
    intervention: Intervention
    women: int
    men: int
    other: int
    occasions: int | None = None
    hours: Decimal | None = None

    @property
    def total(self) -> int:
        return self.women + self.men + self.other


def national_counts(
    association: Association, year: int
) -> tuple[list[NationalRow], list[NationalRow]]:
    """(individual rows, structural rows) for the year."""
    per, _total = association_figures(association, year)
    individual = [
        NationalRow(
            intervention=f.intervention,
            women=f.participants.get("kvinna", 0),
            men=f.participants.get("man", 0),
            other=f.participants.get("annat", 0),
        )
        for f in per
        if f.intervention is not None
    ]
    activities = StructuralActivity.objects.filter(intervention=OuterRef("pk"), date__year=year)
    attendance = Attendance.objects.filter(
        activity__intervention=OuterRef("pk"), activity__date__year=year
    )

    def per_intervention(rows: QuerySet, path: str, value: Any) -> Coalesce:
        return Coalesce(
            Subquery(rows.order_by().values(path).annotate(v=value).values("v")[:1]),
            Value(0),
        )

    structural = (
        Intervention.objects.filter(
            fundings__association=association, kind=Intervention.Kind.STRUCTURAL
        )
        .annotate(
            occasions=per_intervention(activities, "intervention", Count("pk")),
            hours=Coalesce(
                Subquery(
                    activities.order_by()
                    .values("intervention")
                    .annotate(v=Sum("hours"))
                    .values("v")[:1],
                    output_field=DecimalField(),
                ),
                Value(Decimal(0)),
                output_field=DecimalField(),
            ),
            women=per_intervention(attendance, "activity__intervention", Sum("women")),
            men=per_intervention(attendance, "activity__intervention", Sum("men")),
            other=per_intervention(attendance, "activity__intervention", Sum("other")),
        )
        .order_by("name")
    )
    return individual, [
        NationalRow(
            intervention=i,
            women=row["women"],
            men=row["men"],
            other=row["other"],
            occasions=row["occasions"],
            hours=row["hours"],
        )
        for i, row in ((i, vars(i)) for i in structural)
    ]


def to_csv(individual: list[NationalRow], structural: list[NationalRow], year: int) -> str:
    """Semicolon-separated, as Swedish spreadsheets read it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "ar",
            "insatskod",
            "insats",
            "typ",
            "kvinnor",
            "man",
            "annat",
            "totalt",
            "tillfallen",
            "timmar",
        ]
    )
    for kind, rows in (("individinriktad", individual), ("strukturovergripande", structural)):
        for row in rows:
            writer.writerow(
                [
                    year,
                    row.intervention.code,
                    row.intervention.name,
                    kind,
                    row.women,
                    row.men,
                    row.other,
                    row.total,
                    "" if row.occasions is None else row.occasions,
                    "" if row.hours is None else str(row.hours).replace(".", ","),
                ]
            )
    return out.getvalue()
