"""The national count export: what the national follow-up asks for, per intervention and year.

Individual interventions: participants in the year by gender, from the received packages.
Structural interventions: occasions, hours and attendees by gender, from the activities the
association records.

:func:`country_counts` answers every association (or a selection) and every year of a range at
once, in two queries whatever their number, summing in the database; :func:`national_counts`
(one association, one year) is the same computation for a selection of one, so there is one
definition. "Participants in the year" is ``reports.association.figures_in_range``'s over the
calendar year: the current packages (a correction replaces the earlier) whose period lies inside
the year, those enrolled at the start of each sender's first period of the year plus every new
one. A package's period never crosses a year (periods.parse), so its year is its start's year.
The wall: an association's counts come only from the cells of its own packages.
"""

from __future__ import annotations

import csv
import functools
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import ExtractYear

from stegvis.core.models import Association
from stegvis.interventions.models import Attendance, Funding, Intervention

from .models import ReceivedPackage
from .package import GENDERS


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


Key = tuple[int, int]  # (association id, year)


@dataclass
class CountryCounts:
    """Rows per (association id, year), each list ordered by intervention name. Individual rows:
    every intervention with a current package in the year. Structural rows: every structural
    intervention the association funds (occasions 0 when it had no activity that year)."""

    years: list[int]
    individual: dict[Key, list[NationalRow]] = field(default_factory=dict)
    structural: dict[Key, list[NationalRow]] = field(default_factory=dict)

    def of(self, association_id: int, year: int) -> tuple[list[NationalRow], list[NationalRow]]:
        key = (association_id, year)
        return self.individual.get(key, []), self.structural.get(key, [])


def _current_packages(years: list[int], associations: Any) -> QuerySet[ReceivedPackage]:
    """The current packages whose period lies inside one of the years, with their year."""
    packages = ReceivedPackage.objects.filter(
        replaced_by__isnull=True,
        period_start__gte=date(years[0], 1, 1),
        period_end__lte=date(years[-1], 12, 31),
    ).annotate(year=ExtractYear("period_start"))
    if years != list(range(years[0], years[-1] + 1)):
        packages = packages.filter(year__in=years)
    if associations is not None:
        packages = packages.filter(association_id__in=associations)
    return packages


def _participants(packages: QuerySet[ReceivedPackage]) -> QuerySet[Any]:
    """Participants in the year per (association, year, intervention, gender): every new one
    plus those enrolled at the start of each sender's first period of the year. One query; a
    package without participant cells gives a row with gender None."""
    firsts = (
        packages.annotate(
            first_start=Window(
                Min("period_start"),
                partition_by=[F("association_id"), F("intervention_id"), F("sender_id"), F("year")],
            )
        )
        .filter(period_start=F("first_start"))
        .order_by()
        .values("pk")
    )
    return (
        packages.annotate(
            people=FilteredRelation(
                "cells",
                condition=Q(
                    cells__table="participants", cells__row__in=["new", "enrolled_at_start"]
                ),
            )
        )
        .values(
            "association_id",
            "year",
            "intervention_id",
            "intervention__name",
            "intervention__code",
            "people__gender",
        )
        .annotate(
            n=Sum(
                "people__count",
                # The wall: a cell counts only for the association whose package it is.
                filter=Q(people__association_id=F("association_id"))
                & (Q(people__row="new") | Q(pk__in=firsts)),
            )
        )
        .order_by()
    )


@functools.cache
def _attendees() -> dict[str, Subquery]:
    """Each activity's attendees by gender, as subqueries on the activity joined as ``acts``.
    Built once: a query resolves a copy of each, and building them is a third of the
    structural query's cost in Python."""

    def of(column: str) -> Subquery:
        return Subquery(
            Attendance.objects.filter(activity=OuterRef("acts__pk"))
            .order_by()
            .values("activity")
            .annotate(v=Sum(column))
            .values("v"),
            output_field=IntegerField(),
        )

    return {"w": of("women"), "m": of("men"), "o": of("other")}


def _structural(years: list[int], associations: Any) -> QuerySet[Any]:
    """Per structural intervention an association funds and year: occasions, hours and
    attendees of its activities dated in the years. One query; an intervention without
    activities in the years gives a row with year None. Attendees are summed per activity in
    a subquery, so the hours are not multiplied by the attendance rows."""
    attendees = _attendees()
    fundings = Funding.objects.filter(intervention__kind=Intervention.Kind.STRUCTURAL)
    if associations is not None:
        fundings = fundings.filter(association_id__in=associations)
    return (
        fundings.annotate(
            acts=FilteredRelation(
                "intervention__activities",
                condition=Q(
                    intervention__activities__date__gte=date(years[0], 1, 1),
                    intervention__activities__date__lte=date(years[-1], 12, 31),
                ),
            ),
            year=ExtractYear("acts__date"),
            w=attendees["w"],
            m=attendees["m"],
            o=attendees["o"],
        )
        .values(
            "association_id", "intervention_id", "intervention__name", "intervention__code", "year"
        )
        .annotate(
            occasions=Count("acts__pk"),
            hours=Sum("acts__hours"),
            women=Sum("w"),
            men=Sum("m"),
            other=Sum("o"),
        )
        .order_by()
    )


class _Interventions(dict[int, Intervention]):
    """The interventions named by the rows, loaded with the fields the export shows (id, name,
    code, kind; any other field loads on access, as with ``QuerySet.only``)."""

    def get_row(self, row: dict[str, Any], kind: str) -> Intervention:
        pk = row["intervention_id"]
        if pk not in self:
            known = {
                "id": pk,
                "name": row["intervention__name"],
                "code": row["intervention__code"],
                "kind": kind,
            }
            fields = [f.attname for f in Intervention._meta.concrete_fields if f.attname in known]
            self[pk] = Intervention.from_db(
                Intervention.objects.db, fields, [known[f] for f in fields]
            )
        return self[pk]


def country_counts(
    years: Iterable[int], associations: Iterable[int | Association] | None = None
) -> CountryCounts:
    """The national counts of every association (or those given) for every year given. Two
    queries whatever the number of associations and years: participants, and structural
    volume."""
    wanted = sorted(set(years))
    result = CountryCounts(years=wanted)
    if not wanted:
        return result
    chosen = (
        None
        if associations is None
        else [a.pk if isinstance(a, Association) else a for a in associations]
    )
    interventions = _Interventions()

    def order(row: NationalRow) -> tuple[str, int]:
        return row.intervention.name, row.intervention.pk

    people: dict[tuple[int, int, int], dict[str, int]] = {}
    for row in _participants(_current_packages(wanted, chosen)):
        interventions.get_row(row, Intervention.Kind.INDIVIDUAL)
        key = (row["association_id"], int(row["year"]), row["intervention_id"])
        counts = people.setdefault(key, dict.fromkeys(GENDERS, 0))
        if row["people__gender"] is not None and row["n"]:
            counts[row["people__gender"]] += int(row["n"])
    individual: dict[Key, list[NationalRow]] = defaultdict(list)
    for (association_id, year, intervention_id), counts in people.items():
        individual[association_id, year].append(
            NationalRow(
                intervention=interventions[intervention_id],
                women=counts["kvinna"],
                men=counts["man"],
                other=counts["annat"],
            )
        )
    result.individual = {key: sorted(rows, key=order) for key, rows in individual.items()}

    volume: dict[tuple[int, int, int], dict[str, Any]] = {}
    funded: dict[int, set[int]] = defaultdict(set)
    for row in _structural(wanted, chosen):
        interventions.get_row(row, Intervention.Kind.STRUCTURAL)
        funded[row["association_id"]].add(row["intervention_id"])
        if row["year"] is not None:
            volume[row["association_id"], int(row["year"]), row["intervention_id"]] = row
    for association_id, intervention_ids in funded.items():
        for year in wanted:
            rows = []
            for intervention_id in intervention_ids:
                v = volume.get((association_id, year, intervention_id))
                rows.append(
                    NationalRow(
                        intervention=interventions[intervention_id],
                        women=int(v["women"] or 0) if v else 0,
                        men=int(v["men"] or 0) if v else 0,
                        other=int(v["other"] or 0) if v else 0,
                        occasions=int(v["occasions"]) if v else 0,
                        hours=Decimal(v["hours"] if v and v["hours"] is not None else 0),
                    )
                )
            result.structural[association_id, year] = sorted(rows, key=order)
    return result


def national_counts(
    association: Association, year: int
) -> tuple[list[NationalRow], list[NationalRow]]:
    """(individual rows, structural rows) of one association for the year."""
    return country_counts([year], [association.pk]).of(association.pk, year)


HEADER = [
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


def _rows(
    individual: list[NationalRow], structural: list[NationalRow], year: int
) -> Iterable[list[Any]]:
    for kind, rows in (("individinriktad", individual), ("strukturovergripande", structural)):
        for row in rows:
            yield [
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


def to_csv(individual: list[NationalRow], structural: list[NationalRow], year: int) -> str:
    """Semicolon-separated, as Swedish spreadsheets read it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(_rows(individual, structural, year))
    return out.getvalue()


def country_csv(counts: CountryCounts, associations: Iterable[Association]) -> str:
    """``to_csv``'s format with the association's short name first, for the national
    compilation: each association given (in that order), each year, as ``to_csv`` would."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["forbund", *HEADER])
    for association in associations:
        for year in counts.years:
            individual, structural = counts.of(association.pk, year)
            for row in _rows(individual, structural, year):
                writer.writerow([association.slug, *row])
    return out.getvalue()
