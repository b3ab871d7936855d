"""Progression figures, computed in one place by database aggregation.

Everything compares an enrolment's *first* and *latest* answer to the same item (by item key,
across the instrument's versions), using ``Answer.score``: the value turned so that higher is
always better. Per participant the latest answer is the latest of all; per intervention,
follow-up measurements after exit are left out, so that the figures describe the time in the
intervention.

- *Profile movement*: the mean of the participant's own answers to the profile at the latest
  measurement is higher than at the first (at least two measurements with such answers).
- *Ladder movement*: the step at the latest measurement is higher than at the first.
- *Mean change per item*: the mean of (latest − first) over enrolments with two answers.
- *Left without work or studies*: exited with a reason other than work, work with support or
  studies (a registration error counts nowhere).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)

from stegvis.core.codes import ExitReason, Gender
from stegvis.interventions.models import Intervention
from stegvis.participants.models import Enrolment
from stegvis.progression.models import Answer, Instrument, InstrumentVersion, Item, Measurement

GROUPS = ("women", "men", "total")
GROUP_FILTER = {
    "women": Q(participant__gender=Gender.KVINNA),
    "men": Q(participant__gender=Gender.MAN),
    "total": Q(),
}
WORK_OR_STUDIES = [ExitReason.ARBETE, ExitReason.ARBETE_MED_STOD, ExitReason.STUDIER]
FIRST = ("measurement__date", "measurement__created_at", "measurement_id")
LATEST = ("-measurement__date", "-measurement__created_at", "-measurement_id")


def share(part: int | None, whole: int | None) -> Decimal | None:
    """Per cent with one decimal, or None when there is nobody to count."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _mean(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _answers(instrument: Instrument, key: str, *, in_intervention: bool) -> QuerySet[Answer]:
    rows = Answer.objects.filter(item__version__instrument=instrument, item__key=key)
    if in_intervention:
        rows = rows.exclude(measurement__occasion=Measurement.Occasion.FOLLOW_UP)
    return rows


def _first_latest(
    rows: QuerySet[Answer], outer: str, field_name: str = "score"
) -> tuple[Subquery, Subquery, Subquery]:
    """Subqueries for the first answer, the latest answer and the number of answers of the
    enrolment named by ``outer``."""
    own = rows.filter(measurement__enrolment=OuterRef(outer))
    first = Subquery(own.order_by(*FIRST).values(field_name)[:1], output_field=IntegerField())
    latest = Subquery(own.order_by(*LATEST).values(field_name)[:1], output_field=IntegerField())
    count = Subquery(
        own.order_by().values("measurement__enrolment").annotate(c=Count("pk")).values("c"),
        output_field=IntegerField(),
    )
    return first, latest, count


# --- Per participant -----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    item: Item
    first: int | None
    latest: int | None
    answers: int
    change: int | None  # in score (higher is better), None without two answers


@dataclass
class ParticipantInstrument:
    instrument: Instrument
    version: InstrumentVersion
    rows: list[ItemRow]
    totals: dict[str, dict[str, int | None]]  # audience -> first, latest, change, items

    @property
    def is_ladder(self) -> bool:
        return self.version.is_ladder


def participant_figures(enrolment: Enrolment, instrument: Instrument) -> ParticipantInstrument:
    """Change per item and in total (per audience) between the enrolment's first and latest
    answers to this instrument. Two queries."""
    version = instrument.latest_version()
    all_answers = Answer.objects.filter(
        item__version__instrument=instrument, measurement__enrolment=enrolment
    )
    by_key = all_answers.filter(item__key=OuterRef("key"))
    items = (
        Item.objects.filter(version=version)
        .annotate(
            first_value=Subquery(by_key.order_by(*FIRST).values("value")[:1]),
            latest_value=Subquery(by_key.order_by(*LATEST).values("value")[:1]),
            first_score=Subquery(by_key.order_by(*FIRST).values("score")[:1]),
            latest_score=Subquery(by_key.order_by(*LATEST).values("score")[:1]),
            n=Subquery(
                by_key.order_by().values("item__key").annotate(c=Count("pk")).values("c"),
                output_field=IntegerField(),
            ),
        )
        .annotate(change=F("latest_score") - F("first_score"))
        .order_by("order")
    )
    rows = [
        ItemRow(
            item=i,
            first=i.first_value,
            latest=i.latest_value,
            answers=i.n or 0,
            change=i.change if (i.n or 0) >= 2 else None,
        )
        for i in items
    ]
    sums: dict[str, Any] = {}
    for audience in Item.Audience.values:
        both = Q(audience=audience, n__gte=2)
        sums[f"{audience}_first"] = Sum("first_score", filter=both)
        sums[f"{audience}_latest"] = Sum("latest_score", filter=both)
        sums[f"{audience}_items"] = Count("pk", filter=both)
        sums[f"{audience}_low"] = Min("min_value", filter=Q(audience=audience))
        sums[f"{audience}_low_max"] = Max("min_value", filter=Q(audience=audience))
        sums[f"{audience}_high"] = Min("max_value", filter=Q(audience=audience))
        sums[f"{audience}_high_max"] = Max("max_value", filter=Q(audience=audience))
    agg = items.order_by().aggregate(**sums)
    totals = {}
    for audience in Item.Audience.values:
        first, latest = agg[f"{audience}_first"], agg[f"{audience}_latest"]
        totals[audience] = {
            "first": first,
            "latest": latest,
            "change": latest - first if first is not None and latest is not None else None,
            "items": agg[f"{audience}_items"],
            # A sum is shown only over items on one scale (not 0–100 added to 1–10).
            "comparable": agg[f"{audience}_low"] == agg[f"{audience}_low_max"]
            and agg[f"{audience}_high"] == agg[f"{audience}_high_max"],
        }
    return ParticipantInstrument(instrument=instrument, version=version, rows=rows, totals=totals)


# --- Per intervention ----------------------------------------------------------------------


@dataclass
class ItemMean:
    item: Item
    mean: dict[str, Decimal | None]
    n: dict[str, int]


@dataclass
class StepCount:
    value: int
    label: str
    start: dict[str, int]
    exit: dict[str, int]


@dataclass
class InterventionFigures:
    enrolments: dict[str, int]
    profile_measured: dict[str, int]
    profile_positive: dict[str, int]
    ladder_measured: dict[str, int]
    ladder_positive: dict[str, int]
    ladder_mean_steps: dict[str, Decimal | None]
    items: list[ItemMean] = field(default_factory=list)
    steps: list[StepCount] = field(default_factory=list)
    left_without: dict[str, dict[str, Any]] = field(default_factory=dict)

    def profile_share(self) -> dict[str, Decimal | None]:
        return {g: share(self.profile_positive[g], self.profile_measured[g]) for g in GROUPS}

    def ladder_share(self) -> dict[str, Decimal | None]:
        return {g: share(self.ladder_positive[g], self.ladder_measured[g]) for g in GROUPS}


def _profile_mean(profile: Instrument, outer: str) -> Subquery:
    """Mean score of the participant's own profile answers at the measurement ``outer``."""
    return Subquery(
        Answer.objects.filter(
            measurement_id=OuterRef(outer),
            item__version__instrument=profile,
            item__audience=Item.Audience.PARTICIPANT,
        )
        .order_by()
        .values("measurement_id")
        .annotate(m=Avg("score"))
        .values("m"),
        output_field=FloatField(),
    )


def intervention_figures(
    intervention: Intervention,
    *,
    profile: Instrument | None,
    ladder: Instrument | None,
    ladder_labels: dict[int, str] | None = None,
    enrolments: QuerySet[Enrolment] | None = None,
) -> InterventionFigures:
    """The intervention's progression figures for women, men and in total. A constant number
    of queries (under ten), whatever the number of participants.

    ``enrolments`` narrows the enrolments counted (e.g. to a period, or to the participants
    from one funding association's municipalities, for an aggregate package); by default every
    enrolment in the intervention."""
    if enrolments is None:
        enrolments = Enrolment.objects.filter(intervention=intervention)
    enrolments = enrolments.exclude(exit_reason=ExitReason.FELREGISTRERING)
    annotations: dict[str, Any] = {}
    profile_items: list[Item] = []
    ladder_item: Item | None = None
    if profile is not None:
        profile_items = list(profile.latest_version().items.order_by("order"))
        for item in profile_items:
            first, latest, count = _first_latest(
                _answers(profile, item.key, in_intervention=True), "pk"
            )
            annotations[f"f_{item.pk}"] = first
            annotations[f"l_{item.pk}"] = latest
            annotations[f"n_{item.pk}"] = count
        own = Answer.objects.filter(
            item__version__instrument=profile,
            item__audience=Item.Audience.PARTICIPANT,
            measurement__enrolment=OuterRef("pk"),
        ).exclude(measurement__occasion=Measurement.Occasion.FOLLOW_UP)
        annotations["pm_first"] = Subquery(own.order_by(*FIRST).values("measurement_id")[:1])
        annotations["pm_latest"] = Subquery(own.order_by(*LATEST).values("measurement_id")[:1])
    if ladder is not None:
        ladder_item = ladder.latest_version().items.get()
        first, latest, count = _first_latest(
            _answers(ladder, ladder_item.key, in_intervention=True), "pk", "value"
        )
        annotations.update(step_first=first, step_latest=latest, step_n=count)
    rows = enrolments.annotate(**annotations)
    if profile is not None:
        rows = rows.annotate(
            mean_first=_profile_mean(profile, "pm_first"),
            mean_latest=_profile_mean(profile, "pm_latest"),
        )
    left = Q(exit_date__isnull=False) & ~Q(exit_reason__in=WORK_OR_STUDIES)
    profile_two = Q(pm_first__isnull=False) & ~Q(pm_first=F("pm_latest"))
    profile_up = profile_two & Q(mean_latest__gt=F("mean_first"))
    ladder_two = Q(step_n__gte=2)
    ladder_up = ladder_two & Q(step_latest__gt=F("step_first"))
    wanted: dict[str, Any] = {}
    for group in GROUPS:
        where = GROUP_FILTER[group]
        wanted[f"{group}_n"] = Count("pk", filter=where)
        wanted[f"{group}_left"] = Count("pk", filter=where & left)
        if profile is not None:
            wanted[f"{group}_pm"] = Count("pk", filter=where & profile_two)
            wanted[f"{group}_pp"] = Count("pk", filter=where & profile_up)
            wanted[f"{group}_left_pm"] = Count("pk", filter=where & left & profile_two)
            wanted[f"{group}_left_pp"] = Count("pk", filter=where & left & profile_up)
            for item in profile_items:
                two = where & Q(**{f"n_{item.pk}__gte": 2})
                wanted[f"{group}_i{item.pk}"] = Avg(
                    F(f"l_{item.pk}") - F(f"f_{item.pk}"), filter=two, output_field=FloatField()
                )
                wanted[f"{group}_in{item.pk}"] = Count("pk", filter=two)
        if ladder is not None:
            wanted[f"{group}_lm"] = Count("pk", filter=where & ladder_two)
            wanted[f"{group}_lp"] = Count("pk", filter=where & ladder_up)
            wanted[f"{group}_ls"] = Avg(
                F("step_latest") - F("step_first"),
                filter=where & ladder_two,
                output_field=FloatField(),
            )
            wanted[f"{group}_left_lm"] = Count("pk", filter=where & left & ladder_two)
            wanted[f"{group}_left_lp"] = Count("pk", filter=where & left & ladder_up)
            wanted[f"{group}_left_ls"] = Avg(
                F("step_latest") - F("step_first"),
                filter=where & left & ladder_two,
                output_field=FloatField(),
            )
    agg = rows.order_by().aggregate(**wanted)

    def per_group(suffix: str, default: Any = 0) -> dict[str, Any]:
        return {g: agg.get(f"{g}_{suffix}", default) for g in GROUPS}

    figures = InterventionFigures(
        enrolments=per_group("n"),
        profile_measured=per_group("pm"),
        profile_positive=per_group("pp"),
        ladder_measured=per_group("lm"),
        ladder_positive=per_group("lp"),
        ladder_mean_steps={g: _mean(agg.get(f"{g}_ls")) for g in GROUPS},
    )
    figures.items = [
        ItemMean(
            item=item,
            mean={g: _mean(agg[f"{g}_i{item.pk}"]) for g in GROUPS},
            n={g: agg[f"{g}_in{item.pk}"] for g in GROUPS},
        )
        for item in profile_items
    ]
    left_without: dict[str, dict[str, Any]] = {
        "exited": per_group("left"),
        "profile_measured": per_group("left_pm"),
        "profile_positive": per_group("left_pp"),
        "ladder_measured": per_group("left_lm"),
        "ladder_positive": per_group("left_lp"),
        "ladder_mean_steps": {g: _mean(agg.get(f"{g}_left_ls")) for g in GROUPS},
    }
    left_without["profile_share"] = {
        g: share(left_without["profile_positive"][g], left_without["profile_measured"][g])
        for g in GROUPS
    }
    left_without["ladder_share"] = {
        g: share(left_without["ladder_positive"][g], left_without["ladder_measured"][g])
        for g in GROUPS
    }
    figures.left_without = left_without
    if ladder is not None and ladder_item is not None:
        first, latest, _count = _first_latest(
            _answers(ladder, ladder_item.key, in_intervention=True), "pk", "value"
        )
        lean = enrolments.annotate(step_first=first, step_latest=latest)
        figures.steps = _step_distribution(lean, ladder_item, ladder_labels or {})
    return figures


def _step_distribution(
    rows: QuerySet[Enrolment], item: Item, labels: dict[int, str]
) -> list[StepCount]:
    """How many stood on each step at their first ladder answer, and at their latest for those
    who have left (one query each)."""
    steps = {
        value: StepCount(
            value=value,
            label=item.label_for(value, labels),
            start=dict.fromkeys(GROUPS, 0),
            exit=dict.fromkeys(GROUPS, 0),
        )
        for value in item.allowed_values()
    }
    for column, target, where in (
        ("step_first", "start", Q(step_first__isnull=False)),
        ("step_latest", "exit", Q(step_latest__isnull=False, exit_date__isnull=False)),
    ):
        counted = (
            rows.filter(where)
            .order_by()
            .values(column)
            .annotate(
                women=Count("pk", filter=GROUP_FILTER["women"]),
                men=Count("pk", filter=GROUP_FILTER["men"]),
                total=Count("pk"),
            )
        )
        for row in counted:
            step = steps.get(row[column])
            if step is not None:
                getattr(step, target).update({g: row[g] for g in GROUPS})
    return list(steps.values())


# --- The goal "a further 4 of 10 have moved a step" (calculations.md §5) -------------------


@dataclass
class StepGoal:
    """Outcome of a goal measured as the share of exits with positive step movement, beyond
    the exits to the goal's report groups (e.g. work and studies)."""

    exits: dict[str, int]
    in_groups: dict[str, int]
    further: dict[str, int]
    outcome: dict[str, Decimal | None]
    met: dict[str, bool | None]


def _met(outcome: Decimal | None, target: Decimal) -> bool | None:
    return None if outcome is None else outcome >= target


def step_goal(goal: Any, *, ladder: Instrument) -> StepGoal:
    """Exits in the goal's period (registration errors left out), those to the goal's report
    groups, and those to other reasons whose ladder step rose during the intervention. One
    query."""
    from stegvis.core.codes import EXIT_REPORT_GROUP

    reasons = [r for r, group in EXIT_REPORT_GROUP.items() if group in set(goal.report_groups)]
    item = ladder.latest_version().items.get()
    first, latest, count = _first_latest(
        _answers(ladder, item.key, in_intervention=True), "pk", "value"
    )
    rows = (
        Enrolment.objects.filter(
            intervention_id=goal.intervention_id,
            exit_date__gte=goal.period_start,
            exit_date__lte=goal.period_end,
        )
        .exclude(exit_reason=ExitReason.FELREGISTRERING)
        .annotate(step_first=first, step_latest=latest, step_n=count)
    )
    in_groups = Q(exit_reason__in=reasons)
    further = ~in_groups & Q(step_n__gte=2, step_latest__gt=F("step_first"))
    wanted: dict[str, Any] = {}
    for group in GROUPS:
        where = GROUP_FILTER[group]
        wanted[f"{group}_exits"] = Count("pk", filter=where)
        wanted[f"{group}_in"] = Count("pk", filter=where & in_groups)
        wanted[f"{group}_further"] = Count("pk", filter=where & further)
    agg = rows.order_by().aggregate(**wanted)
    outcome = {g: share(agg[f"{g}_further"], agg[f"{g}_exits"]) for g in GROUPS}
    target = Decimal(goal.target)
    return StepGoal(
        exits={g: agg[f"{g}_exits"] for g in GROUPS},
        in_groups={g: agg[f"{g}_in"] for g in GROUPS},
        further={g: agg[f"{g}_further"] for g in GROUPS},
        outcome=outcome,
        met={g: _met(outcome[g], target) for g in GROUPS},
    )
