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
    Case,
    CharField,
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
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
from stegvis.progression.figures import _first_latest
from stegvis.progression.models import Answer, InstrumentVersion, Item, Measurement

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
    period: the one definition of the counts, for packages and the provider's own report.

    Grouped in the database: the period's enrolments by gender, start before the period, exit
    in it and age band (participants, age bands), and the period's exits by gender and every
    code the exit tables count (exit reason, income, occupation, time band, screening, survey,
    steps moved); each group's count is then added to its row of every table. A small query
    that compiles fast, whatever the number of rows and tables."""
    start, end = period.start, period.end
    in_period = base.filter(
        Q(start__lte=end) & (Q(exit_date__isnull=True) | Q(exit_date__gte=start))
    )
    exited = Q(exit_date__gte=start, exit_date__lte=end)
    days_in = DaysBetween(
        Least(Coalesce("exit_date", Value(end, output_field=DateField())), Value(end)),
        Greatest("start", Value(start, output_field=DateField())),
    ) + Value(1)  # both days count: a person enrolled on one day has one participant-day
    tables = {name: _empty(spec[0]) for name, spec in TABLES.items()}

    age = end.year - F("participant__birth_year")
    band = Case(
        *[
            When(Q(age__gte=low, age__lte=high), then=Value(key))
            for (low, high), key in zip(AGE_BANDS, AGE_ROWS, strict=False)
        ],
        default=Value("ovriga"),
        output_field=CharField(),
    )
    people = (
        in_period.annotate(age=age)
        .annotate(
            g=F("participant__gender"),
            at_start=Case(When(start__lt=start, then=True), default=False),
            is_exit=Case(When(exited, then=True), default=False),
            band=band,
        )
        .order_by()
        .values("g", "at_start", "is_exit", "band")
        .annotate(n=Count("pk"), days=Sum(days_in))
    )
    participants = tables["participants"]
    for group in people:
        g, n = group["g"], group["n"]
        if g not in GENDERS:
            continue
        participants["enrolled_at_start" if group["at_start"] else "new"][g] += n
        participants["active"][g] += n
        participants["participant_days"][g] += int(group["days"] or 0)
        if group["is_exit"]:
            participants["exited"][g] += n
        tables["age_bands"][group["band"]][g] += n
    for g, paused in _paused_days(in_period, period).items():
        participants["participant_days"][g] -= paused

    _exits(tables, in_period.filter(exited), intervention)
    _follow_ups(tables, base, period)
    return tables


def _time_band() -> tuple[DaysBetween, Case]:
    time_in = DaysBetween(F("exit_date"), F("start"))
    whens = []
    for key, (first_day, last_day) in TIME_BANDS.items():
        where = Q(time_in__gte=first_day)
        if last_day is not None:
            where &= Q(time_in__lte=last_day)
        whens.append(When(where, then=Value(key)))
    return time_in, Case(*whens, default=None, output_field=CharField())


def _exits(
    tables: dict[str, dict[str, dict[str, int]]],
    exits: QuerySet[Enrolment],
    intervention: Intervention,
) -> None:
    """The tables of the period's exits, in one grouped query: exit reason and report group,
    income and occupation at start and exit, time in the intervention, violence screening,
    survey, and ladder movement, first to latest answer in the intervention (as
    progression.figures counts it): positive, none, negative, or not measured (fewer than two
    answers), the positive ones by report group and the distribution of steps moved."""
    time_in, time_band = _time_band()
    rows = exits.annotate(time_in=time_in).annotate(g=F("participant__gender"), time_band=time_band)
    fields = [
        "g",
        "exit_reason",
        "income_source_start",
        "income_source_exit",
        "occupation_start",
        "occupation_exit",
        "time_band",
        "violence_screening_asked",
        "survey_offered_at_exit",
    ]
    ladder = _ladder_answers(intervention)
    if ladder is not None:
        first, latest, count = _first_latest(ladder, "pk", "value")
        rows = rows.annotate(step_first=first, step_latest=latest, step_n=count)
        fields += ["step_first", "step_latest", "step_n"]
    steps: dict[int, dict[str, int]] = {}
    for group in rows.order_by().values(*fields).annotate(n=Count("pk")):
        g, n = group["g"], group["n"]
        if g not in GENDERS:
            continue

        def add(table: str, row: str | None, g: str = g, n: int = n) -> None:
            if row in tables[table]:
                tables[table][row][g] += n

        reason = group["exit_reason"]
        report_group = EXIT_REPORT_GROUP.get(reason)
        add("exit_reasons", reason)
        add("exit_groups", report_group)
        add("income_start", group["income_source_start"])
        add("income_exit", group["income_source_exit"] or IncomeSource.OKAND)
        add("occupation_start", group["occupation_start"] or NOT_STATED)
        add("occupation_exit", group["occupation_exit"] or NOT_STATED)
        add("time_in_intervention", group["time_band"])
        add("violence_screening", "asked" if group["violence_screening_asked"] else "not_asked")
        add("survey_at_exit", "offered" if group["survey_offered_at_exit"] else "not_offered")
        if ladder is None or group["step_n"] is None or group["step_n"] < 2:
            add("progression", "ej_matt")
            continue
        moved = group["step_latest"] - group["step_first"]
        add("progression", "positiv" if moved > 0 else "negativ" if moved < 0 else "ingen")
        if moved > 0:
            add("positive_by_group", report_group)
        steps.setdefault(moved, dict.fromkeys(GENDERS, 0))[g] += n
    tables["steps_moved"] = {
        "0" if moved == 0 else f"{moved:+d}": steps[moved] for moved in sorted(steps)
    }


def _ladder_answers(intervention: Intervention) -> QuerySet[Answer] | None:
    """The answers to the ladder of the intervention's plan (the first instrument whose latest
    version is a ladder; None without one) in the intervention (follow-ups after exit left
    out), as ``progression.figures._answers`` selects them, but by item id, given as a
    parameter (no join on the item's key)."""
    from stegvis.progression.services import plan_for

    instruments = plan_for(intervention).instruments
    latest: dict[int, InstrumentVersion] = {}
    for version in InstrumentVersion.objects.filter(instrument__in=instruments).order_by(
        "instrument_id", "-number"
    ):
        latest.setdefault(version.instrument_id, version)
    ladder = next((i for i in instruments if latest[i.pk].is_ladder), None)
    if ladder is None:
        return None
    items = list(
        Item.objects.filter(version__instrument=ladder).values_list("pk", "version", "key")
    )
    (key,) = [key for _pk, version, key in items if version == latest[ladder.pk].pk]  # one item
    # "item_id + 0": an expression, so that no index on the item can be used and the subquery
    # starts from the enrolment's measurements (then their answers). With a plain item_id,
    # SQLite without statistics read every answer to the item per exit (60 s for a year of
    # the 2 000-participant intervention, 0.5 s now); PostgreSQL starts from the enrolment
    # either way.
    return (
        Answer.objects.alias(ladder_item=F("item_id") + Value(0))
        .filter(ladder_item__in=[pk for pk, _v, k in items if k == key])
        .exclude(measurement__occasion=Measurement.Occasion.FOLLOW_UP)
    )


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
