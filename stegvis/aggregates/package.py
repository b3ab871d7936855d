"""The aggregate package: its tables, how the provider computes them, its JSON schema, and the
checks a received package must pass. See docs/dev/aggregates.md for every definition.

Everything is counted by database aggregation over the provider's enrolments in one intervention
whose participant lived in the funding association's area when the enrolment started
(``EnrolmentResidence``; the current home municipality for older enrolments). Enrolments closed as
registration errors count nowhere. Each table row is a count per gender (kvinna, man, annat).
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least

from stegvis.core.codes import (
    AGE_BANDS,
    EXIT_REPORT_GROUP,
    ExitReason,
    Gender,
    IncomeSource,
    Occupation,
    ReportGroup,
)
from stegvis.core.models import Association, Unit
from stegvis.interventions.models import Intervention
from stegvis.participants.models import Enrolment, FollowUp, Pause
from stegvis.progression.models import Instrument

from .periods import PATTERN as PERIOD_PATTERN
from .periods import Period

SCHEMA_VERSION = 1
FORMAT = "stegvis-aggregate-package"
GENDERS = (Gender.KVINNA.value, Gender.MAN.value, Gender.ANNAT.value)
NOT_STATED = "ej_angivet"
AGE_ROWS = [f"{low}_{high}" for low, high in AGE_BANDS] + ["ovriga"]
TIME_BANDS = {  # time from start to exit, in days (inclusive upper bounds)
    "0_3_man": (0, 91),
    "3_6_man": (92, 182),
    "6_12_man": (183, 365),
    "over_12_man": (366, None),
}
EXIT_REASONS = [r for r in ExitReason.values if r != ExitReason.FELREGISTRERING]
FOLLOW_UP_ROWS = [*Occupation.values, "ej_nadd"]
PROGRESSION_ROWS = ["positiv", "ingen", "negativ", "ej_matt"]
STEP_PATTERN = r"^(0|[+-][1-9][0-9]?)$"
SLUG_PATTERN = r"^(?!.*[0-9]{6})(?!.*[0-9a-f]{8}-[0-9a-f]{4})[a-z0-9-]{1,60}$"

# Each table: its rows and the row of "participants" its every gender column must sum to
# (None: no such rule). "steps_moved" has open rows (a signed number of steps).
TABLES: dict[str, tuple[list[str], str | None]] = {
    "participants": (["enrolled_at_start", "new", "active", "exited", "participant_days"], None),
    "exit_reasons": (EXIT_REASONS, "exited"),
    "exit_groups": (list(ReportGroup.values), "exited"),
    "age_bands": (AGE_ROWS, "active"),
    "income_start": ([*IncomeSource.values], "exited"),
    "income_exit": ([*IncomeSource.values], "exited"),
    "occupation_start": ([*Occupation.values, NOT_STATED], "exited"),
    "occupation_exit": ([*Occupation.values, NOT_STATED], "exited"),
    "time_in_intervention": (list(TIME_BANDS), "exited"),
    "progression": (PROGRESSION_ROWS, "exited"),
    # Exits with a positive step movement, by report group (sums to progression "positiv"):
    # what the goal "a further share moved a step, beyond work and studies" needs (§5).
    "positive_by_group": (list(ReportGroup.values), None),
    "steps_moved": ([], None),
    "follow_up_6": (FOLLOW_UP_ROWS, None),
    "follow_up_12": (FOLLOW_UP_ROWS, None),
    "violence_screening": (["asked", "not_asked"], "exited"),
    "survey_at_exit": (["offered", "not_offered"], "exited"),
}


class DaysBetween(Func):
    """Whole days from the second date to the first (``end - start``)."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return f"({end} - {start})", (*end_params, *start_params)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        sql = f"CAST(ROUND(julianday({end}) - julianday({start})) AS INTEGER)"
        return sql, (*end_params, *start_params)


def resident_enrolments(
    provider: Unit, association: Association, intervention: Intervention
) -> QuerySet[Enrolment]:
    """The intervention's enrolments at the provider whose participant lived in the
    association's area at the start; registration errors left out."""
    area = list(association.area().values_list("pk", flat=True))
    return (
        Enrolment.objects.filter(provider=provider, intervention=intervention)
        .exclude(exit_reason=ExitReason.FELREGISTRERING)
        .annotate(
            home_at_start=Coalesce(
                F("residence__municipality_id"), F("participant__home_municipality_id")
            )
        )
        .filter(home_at_start__in=area)
    )


def _gender(g: str) -> Q:
    return Q(participant__gender=g)


def _ladder(intervention: Intervention) -> Instrument | None:
    from stegvis.progression.services import plan_for

    for instrument in plan_for(intervention).instruments:
        if instrument.latest_version().is_ladder:
            return instrument
    return None


def _empty(rows: list[str]) -> dict[str, dict[str, int]]:
    return {row: dict.fromkeys(GENDERS, 0) for row in rows}


def provider_enrolments(provider: Unit, intervention: Intervention) -> QuerySet[Enrolment]:
    """Every enrolment of the intervention at the provider, wherever the participant lives;
    registration errors left out (the provider's own report)."""
    return Enrolment.objects.filter(provider=provider, intervention=intervention).exclude(
        exit_reason=ExitReason.FELREGISTRERING
    )


def compute_tables(
    provider: Unit, association: Association, intervention: Intervention, period: Period
) -> dict[str, dict[str, dict[str, int]]]:
    """Every table of the package, by database aggregation (a constant number of queries)."""
    return tables_for(
        resident_enrolments(provider, association, intervention), intervention, period
    )


def tables_for(
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
        _answers(ladder, item.key, in_intervention=True), "pk", "value"
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


def build_document(
    *,
    key_id: str,
    association: Association,
    intervention: Intervention,
    period: Period,
    version: int,
    tables: dict[str, dict[str, dict[str, int]]],
) -> dict[str, Any]:
    """The package document (unsigned). Codes only: no names, no dates finer than the period."""
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "provider_key": key_id,
        "association": association.slug,
        "intervention": {
            "code": intervention.code,
            "lead_association": intervention.lead_association.slug,
        },
        "period": period.label,
        "version": version,
        "tables": tables,
    }


# --- Schema and consistency ------------------------------------------------------------------


def _counts() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {g: {"type": "integer", "minimum": 0} for g in GENDERS},
        "required": list(GENDERS),
        "additionalProperties": False,
    }


def schema() -> dict[str, Any]:
    """The JSON schema of a package document (docs/dev/aggregate-package.schema.json)."""
    # A slug must also equal an association's or intervention's own (checked on receipt); the
    # pattern already refuses six digits in a row (a birth date or national id) and a UUID.
    slug = {"type": "string", "pattern": SLUG_PATTERN}
    tables: dict[str, Any] = {}
    for name, (rows, _base) in TABLES.items():
        if name == "steps_moved":
            tables[name] = {
                "type": "object",
                "patternProperties": {STEP_PATTERN: {"$ref": "#/$defs/counts"}},
                "additionalProperties": False,
            }
        else:
            tables[name] = {
                "type": "object",
                "properties": {row: {"$ref": "#/$defs/counts"} for row in rows},
                "required": rows,
                "additionalProperties": False,
            }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://stegvis.se/schemas/aggregate-package-1.json",
        "title": "Stegvis aggregate package",
        "type": "object",
        "properties": {
            "format": {"const": FORMAT},
            "schema_version": {"const": SCHEMA_VERSION},
            "provider_key": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
            "association": slug,
            "intervention": {
                "type": "object",
                "properties": {"code": slug, "lead_association": slug},
                "required": ["code", "lead_association"],
                "additionalProperties": False,
            },
            "period": {"type": "string", "pattern": PERIOD_PATTERN},
            "version": {"type": "integer", "minimum": 1},
            "tables": {
                "type": "object",
                "properties": tables,
                "required": list(TABLES),
                "additionalProperties": False,
            },
        },
        "required": [
            "format",
            "schema_version",
            "provider_key",
            "association",
            "intervention",
            "period",
            "version",
            "tables",
        ],
        "additionalProperties": False,
        "$defs": {"counts": _counts()},
    }


def inconsistencies(tables: dict[str, dict[str, dict[str, int]]]) -> list[str]:
    """Every total of the package that does not add up (Swedish), empty when all do."""
    from django.utils.translation import gettext as _

    people = tables["participants"]
    problems = []
    for g in GENDERS:
        if people["active"][g] != people["enrolled_at_start"][g] + people["new"][g]:
            problems.append(
                _("Deltagare (%(g)s): inskrivna vid periodens start + nya är inte lika med aktiva.")
                % {"g": g}
            )
        if people["exited"][g] > people["active"][g]:
            problems.append(_("Deltagare (%(g)s): fler avslutade än aktiva.") % {"g": g})
    for name, (_rows, base) in TABLES.items():
        if base is None:
            continue
        for g in GENDERS:
            total = sum(cell[g] for cell in tables[name].values())
            if total != people[base][g]:
                problems.append(
                    _("Tabellen %(table)s (%(g)s) summerar till %(total)s, inte %(base)s.")
                    % {"table": name, "g": g, "total": total, "base": people[base][g]}
                )
    progression = tables["progression"]
    for g in GENDERS:
        positive = sum(cell[g] for cell in tables["positive_by_group"].values())
        if positive != progression["positiv"][g]:
            problems.append(
                _(
                    "Positiv stegförflyttning per avslutsgrupp (%(g)s) summerar till %(n)s, inte "
                    "%(positive)s."
                )
                % {"g": g, "n": positive, "positive": progression["positiv"][g]}
            )
        for group, cell in tables["positive_by_group"].items():
            if cell[g] > tables["exit_groups"][group][g]:
                problems.append(
                    _("Fler med positiv stegförflyttning än avslut i gruppen %(group)s (%(g)s).")
                    % {"group": group, "g": g}
                )
        measured = sum(progression[row][g] for row in ("positiv", "ingen", "negativ"))
        steps = sum(cell[g] for cell in tables["steps_moved"].values())
        if steps != measured:
            problems.append(
                _("Stegförflyttning (%(g)s): fördelningen summerar till %(steps)s, inte %(n)s.")
                % {"g": g, "steps": steps, "n": measured}
            )
    return problems
