"""The package's tables as they were computed before the grouped rewrite (one filtered count
per cell, commit 553478d), kept verbatim as the reference the new computation must equal.
Only for tests: slow (hundreds of aggregate expressions), but plainly the definition."""

# ruff: noqa
from __future__ import annotations

from typing import Any

from django.db.models import Count, DateField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least

from stegvis.aggregates import package
from stegvis.aggregates.package import (
    AGE_ROWS,
    EXIT_REASONS,
    GENDERS,
    NOT_STATED,
    TABLES,
    TIME_BANDS,
    DaysBetween,
    _empty,
    _gender,
)
from stegvis.aggregates.periods import Period
from stegvis.core.codes import AGE_BANDS, EXIT_REPORT_GROUP, IncomeSource, Occupation, ReportGroup
from stegvis.interventions.models import Intervention
from stegvis.participants.models import Enrolment, FollowUp, Pause
from stegvis.progression.models import Instrument


def _ladder(intervention: Intervention) -> Instrument | None:
    from stegvis.progression.services import plan_for

    for instrument in plan_for(intervention).instruments:
        if instrument.latest_version().is_ladder:
            return instrument
    return None


def reference_tables(
    base: QuerySet[Enrolment], intervention: Intervention, period: Period
) -> dict[str, dict[str, dict[str, int]]]:
    """Every table of the package over the enrolments ``base`` (one intervention's), for any
    period: the one definition of the counts, for packages and the provider's own report."""
    start, end = period.start, period.end
    in_period = base.filter(
        Q(start__lte=end) & (Q(exit_date__isnull=True) | Q(exit_date__gte=start))
    )
    at_start = Q(start__lt=start)
    new = Q(start__gte=start)
    exited = Q(exit_date__gte=start, exit_date__lte=end)
    days_in = DaysBetween(
        Least(Coalesce("exit_date", Value(end, output_field=DateField())), Value(end)),
        Greatest("start", Value(start, output_field=DateField())),
    ) + Value(1)  # both days count: a person enrolled on one day has one participant-day
    time_in = DaysBetween(F("exit_date"), F("start"))
    rows = in_period.annotate(
        days_in=days_in, time_in=time_in, age=end.year - F("participant__birth_year")
    )

    wanted: dict[str, Any] = {}
    tables = {name: _empty(spec[0]) for name, spec in TABLES.items()}

    def want(table: str, row: str, where: Q) -> None:
        for g in GENDERS:
            wanted[f"{table}|{row}|{g}"] = Count("pk", filter=where & _gender(g))

    want("participants", "enrolled_at_start", at_start)
    want("participants", "new", new)
    want("participants", "active", Q())
    want("participants", "exited", exited)
    for g in GENDERS:
        wanted[f"participants|participant_days|{g}"] = Sum("days_in", filter=_gender(g))
    for reason in EXIT_REASONS:
        want("exit_reasons", reason, exited & Q(exit_reason=reason))
    for group in ReportGroup.values:
        reasons = [r for r, grp in EXIT_REPORT_GROUP.items() if grp == group]
        want("exit_groups", group, exited & Q(exit_reason__in=reasons))
    for (low, high), key in zip(AGE_BANDS, AGE_ROWS, strict=False):
        want("age_bands", key, Q(age__gte=low, age__lte=high))
    banded = Q()
    for low, high in AGE_BANDS:
        banded |= Q(age__gte=low, age__lte=high)
    want("age_bands", "ovriga", ~banded)
    for source in IncomeSource.values:
        want("income_start", source, exited & Q(income_source_start=source))
        exit_source = Q(income_source_exit=source)
        if source == IncomeSource.OKAND:
            exit_source |= Q(income_source_exit="")
        want("income_exit", source, exited & exit_source)
    for occupation in [*Occupation.values, NOT_STATED]:
        code = "" if occupation == NOT_STATED else occupation
        want("occupation_start", occupation, exited & Q(occupation_start=code))
        want("occupation_exit", occupation, exited & Q(occupation_exit=code))
    for band_key, (first_day, last_day) in TIME_BANDS.items():
        band = Q(time_in__gte=first_day)
        if last_day is not None:
            band &= Q(time_in__lte=last_day)
        want("time_in_intervention", band_key, exited & band)
    want("violence_screening", "asked", exited & Q(violence_screening_asked=True))
    want("violence_screening", "not_asked", exited & Q(violence_screening_asked=False))
    want("survey_at_exit", "offered", exited & Q(survey_offered_at_exit=True))
    want("survey_at_exit", "not_offered", exited & Q(survey_offered_at_exit=False))

    for key, value in rows.order_by().aggregate(**wanted).items():
        table, row, g = key.split("|")
        tables[table][row][g] = int(value or 0)
    for g, paused in _paused_days(in_period, period).items():
        tables["participants"]["participant_days"][g] -= paused

    _progression(tables, rows.filter(exited), intervention)
    _follow_ups(tables, base, period)
    return tables


def _paused_days(in_period: QuerySet[Enrolment], period: Period) -> dict[str, int]:
    """Days of the period on which an enrolment was paused, by gender: each pause clipped to the
    period and to the enrolment (both ends counted, as participant-days are). Pauses of one
    enrolment never overlap (``participants.services.add_pause``), so no day counts twice."""
    start, end = (
        Value(period.start, output_field=DateField()),
        Value(period.end, output_field=DateField()),
    )
    days = DaysBetween(
        Least(Coalesce("end", end), Coalesce("enrolment__exit_date", end), end),
        Greatest("start", "enrolment__start", start),
    ) + Value(1)
    agg = (
        Pause.objects.filter(enrolment__in=in_period.values("pk"))
        .annotate(days=days)
        .filter(days__gt=0)
        .order_by()
        .aggregate(**{g: Sum("days", filter=Q(enrolment__participant__gender=g)) for g in GENDERS})
    )
    return {g: int(agg[g] or 0) for g in GENDERS}


def _progression(
    tables: dict[str, dict[str, dict[str, int]]],
    exits: QuerySet[Enrolment],
    intervention: Intervention,
) -> None:
    """Ladder movement of the period's exits, first to latest answer in the intervention (as
    progression.figures counts it): positive, none, negative, or not measured (fewer than two
    answers); and the distribution of steps moved among the measured."""
    ladder = _ladder(intervention)
    if ladder is None:
        counts = exits.order_by().aggregate(**{g: Count("pk", filter=_gender(g)) for g in GENDERS})
        tables["progression"]["ej_matt"] = {g: counts[g] for g in GENDERS}
        return
    from stegvis.progression.figures import _answers, _first_latest

    item = ladder.latest_version().items.get()
    first, latest, count = _first_latest(
        _answers(ladder, [item.key], in_intervention=True), "pk", "value"
    )
    measured = exits.annotate(step_first=first, step_latest=latest, step_n=count)
    two = Q(step_n__gte=2)
    wheres = {
        "positiv": two & Q(step_latest__gt=F("step_first")),
        "ingen": two & Q(step_latest=F("step_first")),
        "negativ": two & Q(step_latest__lt=F("step_first")),
        "ej_matt": Q(step_n__isnull=True) | Q(step_n__lt=2),
    }
    wanted = {
        f"progression|{row}|{g}": Count("pk", filter=w & _gender(g))
        for row, w in wheres.items()
        for g in GENDERS
    }
    for group in ReportGroup.values:
        reasons = [r for r, grp in EXIT_REPORT_GROUP.items() if grp == group]
        for g in GENDERS:
            wanted[f"positive_by_group|{group}|{g}"] = Count(
                "pk", filter=wheres["positiv"] & Q(exit_reason__in=reasons) & _gender(g)
            )
    for key, value in measured.order_by().aggregate(**wanted).items():
        table, row, g = key.split("|")
        tables[table][row][g] = value
    moved = (
        measured.filter(two)
        .annotate(moved=F("step_latest") - F("step_first"))
        .order_by()
        .values("moved")
        .annotate(**{g: Count("pk", filter=_gender(g)) for g in GENDERS})
    )
    steps: dict[str, dict[str, int]] = {}
    for counted in sorted(moved, key=lambda r: r["moved"]):
        step = "0" if counted["moved"] == 0 else f"{counted['moved']:+d}"
        steps[step] = {g: counted[g] for g in GENDERS}
    tables["steps_moved"] = steps


def _follow_ups(
    tables: dict[str, dict[str, dict[str, int]]], base: QuerySet[Enrolment], period: Period
) -> None:
    """Follow-ups at 6 and 12 months done in the period: occupation, or not reached."""
    done = (
        FollowUp.objects.filter(
            enrolment__in=base.values("pk"),
            months__in=[6, 12],
            done_on__gte=period.start,
            done_on__lte=period.end,
        )
        .order_by()
        .values("months", "reached", "occupation")
        .annotate(**{g: Count("pk", filter=Q(enrolment__participant__gender=g)) for g in GENDERS})
    )
    for row in done:
        key = row["occupation"] if row["reached"] else "ej_nadd"
        target = tables[f"follow_up_{row['months']}"][key]
        for g in GENDERS:
            target[g] += row[g]
