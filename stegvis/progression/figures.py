"""Progression figures, computed in one place: the database reads each enrolment's first and
latest answers per item (one windowed query, :func:`spans`), and the counts and means are summed
over one row per enrolment.

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

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import FirstValue, RowNumber

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


def _answers(instrument: Instrument, keys: list[str], *, in_intervention: bool) -> QuerySet[Answer]:
    rows = Answer.objects.filter(item__version__instrument=instrument, item__key__in=keys)
    if in_intervention:
        rows = rows.exclude(measurement__occasion=Measurement.Occasion.FOLLOW_UP)
    return rows


def _first_latest(
    rows: QuerySet[Answer], outer: str, field_name: str = "score"
) -> tuple[Subquery, Subquery, Subquery]:
    """Subqueries for the first answer, the latest answer and the number of answers of the
    enrolment named by ``outer``: for a query that selects them once per row (the package's
    grouped exits). An aggregate whose filters name them makes PostgreSQL run them again for
    every filter; over many enrolments, :func:`spans` reads the same in one query."""
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


@dataclass(frozen=True)
class Span:
    """An enrolment's first and latest answer to one item (by key, across versions), in the
    order of ``FIRST``, and how many answers it gave."""

    first: int
    latest: int
    answers: int


def spans(answers: QuerySet[Answer], field_name: str = "score") -> dict[tuple[int, str], Span]:
    """Per enrolment and item key: the first and latest of ``answers`` and their number. One
    query with window functions, one row per enrolment and key, whatever the number of
    enrolments and items (a subquery per enrolment and item instead took 46 s for 2 000
    enrolments of one intervention: docs/performance.md, finding 16)."""
    part = [F("measurement__enrolment_id"), F("item__key")]
    rows = (
        answers.annotate(
            enrolment_ref=F("measurement__enrolment_id"),
            item_key=F("item__key"),
            rank=Window(RowNumber(), partition_by=part, order_by=[F(f).asc() for f in FIRST]),
            last=Window(
                FirstValue(field_name),
                partition_by=part,
                order_by=[F(f.lstrip("-")).desc() for f in LATEST],
            ),
            count=Window(Count("pk"), partition_by=part),
        )
        .filter(rank=1)
        .order_by()
        .values_list("enrolment_ref", "item_key", field_name, "last", "count")
    )
    return {(e, key): Span(first, last, n) for e, key, first, last, n in rows}


def _people(enrolments: QuerySet[Enrolment]) -> list[tuple[int, tuple[str, ...], Any, str]]:
    """Each enrolment's id, the groups it counts in (its gender's and the total), exit date and
    exit reason."""
    groups: dict[str, tuple[str, ...]] = {
        Gender.KVINNA: ("women", "total"),
        Gender.MAN: ("men", "total"),
    }
    return [
        (pk, groups.get(gender, ("total",)), exit_date, reason)
        for pk, gender, exit_date, reason in enrolments.order_by().values_list(
            "pk", "participant__gender", "exit_date", "exit_reason"
        )
    ]


class _Tally:
    """Counts and sums per name and group, summed in Python over one row per enrolment."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(GROUPS, 0))
        self.sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(GROUPS, 0))

    def count(self, name: str, groups: tuple[str, ...], value: int | None = None) -> None:
        for group in groups:
            self.counts[name][group] += 1
            if value is not None:
                self.sums[name][group] += value

    def __getitem__(self, name: str) -> dict[str, int]:
        return dict(self.counts[name])

    def mean(self, name: str) -> dict[str, Decimal | None]:
        """The exact mean of the summed values, to two decimals (None where none)."""
        counts, sums = self.counts[name], self.sums[name]
        return {g: _mean(Decimal(sums[g]) / counts[g]) if counts[g] else None for g in GROUPS}


def _profile_moves(
    profile: Instrument, enrolments: QuerySet[Enrolment], provider_id: int
) -> dict[int, tuple[Fraction, Fraction] | None]:
    """Per enrolment with the participant's own profile answers in the intervention: the mean
    score of those answers at its first and at its latest such measurement, or None when it
    has only one. One grouped query (a row per measurement); compared as exact fractions."""
    rows = (
        Answer.objects.filter(
            item__version__instrument=profile,
            item__audience=Item.Audience.PARTICIPANT,
            provider_id=provider_id,
            measurement__enrolment__in=enrolments.values("pk"),
        )
        .exclude(measurement__occasion=Measurement.Occasion.FOLLOW_UP)
        .order_by()
        .values_list(
            "measurement__enrolment_id",
            "measurement__date",
            "measurement__created_at",
            "measurement_id",
        )
        .annotate(total=Sum("score"), n=Count("pk"))
    )
    measured: dict[int, list[tuple[Any, Any, int, Fraction]]] = defaultdict(list)
    for enrolment_id, day, created, measurement_id, total, n in rows:
        measured[enrolment_id].append((day, created, measurement_id, Fraction(total, n)))
    moves: dict[int, tuple[Fraction, Fraction] | None] = {}
    for enrolment_id, occasions in measured.items():
        occasions.sort(key=lambda o: o[:3])
        moves[enrolment_id] = (occasions[0][3], occasions[-1][3]) if len(occasions) >= 2 else None
    return moves


def intervention_figures(
    intervention: Intervention,
    *,
    profile: Instrument | None,
    ladder: Instrument | None,
    ladder_labels: dict[int, str] | None = None,
    enrolments: QuerySet[Enrolment] | None = None,
) -> InterventionFigures:
    """The intervention's progression figures for women, men and in total. A constant number
    of queries (eight at most): the instruments' latest versions and items, the enrolments,
    each enrolment's first and latest answer per item (:func:`spans`, for the profile and for
    the ladder) and the means of its own profile answers per measurement; summed in Python
    over one row per enrolment, the means exact.

    ``enrolments`` narrows the enrolments counted (e.g. to a period, or to the participants
    from one funding association's municipalities, for an aggregate package); by default every
    enrolment in the intervention."""
    if enrolments is None:
        enrolments = Enrolment.objects.filter(intervention=intervention)
    enrolments = enrolments.exclude(exit_reason=ExitReason.FELREGISTRERING)
    scope = enrolments.values("pk")
    profile_items: list[Item] = []
    items: dict[tuple[int, str], Span] = {}
    moves: dict[int, tuple[Fraction, Fraction] | None] = {}
    if profile is not None:
        profile_items = list(profile.latest_version().items.order_by("order"))
        keys = [item.key for item in profile_items]
        items = spans(
            _answers(profile, keys, in_intervention=True).filter(
                provider_id=intervention.provider_id, measurement__enrolment__in=scope
            )
        )
        moves = _profile_moves(profile, enrolments, intervention.provider_id)
    ladder_item: Item | None = None
    ladder_spans: dict[tuple[int, str], Span] = {}
    steps: dict[int, StepCount] = {}
    if ladder is not None:
        ladder_item = ladder.latest_version().items.get()
        ladder_spans = spans(
            _answers(ladder, [ladder_item.key], in_intervention=True).filter(
                provider_id=intervention.provider_id, measurement__enrolment__in=scope
            ),
            "value",
        )
        steps = {
            value: StepCount(
                value=value,
                label=ladder_item.label_for(value, ladder_labels or {}),
                start=dict.fromkeys(GROUPS, 0),
                exit=dict.fromkeys(GROUPS, 0),
            )
            for value in ladder_item.allowed_values()
        }
    tally = _Tally()
    for pk, groups, exit_date, reason in _people(enrolments):
        left = exit_date is not None and reason not in WORK_OR_STUDIES
        counted = [("", groups), ("left_", groups if left else ())]
        tally.count("n", groups)
        tally.count("left", groups if left else ())
        if profile is not None:
            move = moves.get(pk)
            for prefix, where in counted:
                if move is not None:
                    tally.count(f"{prefix}pm", where)
                    if move[1] > move[0]:
                        tally.count(f"{prefix}pp", where)
            for item in profile_items:
                span = items.get((pk, item.key))
                if span is not None and span.answers >= 2:
                    tally.count(f"i{item.pk}", groups, span.latest - span.first)
        if ladder_item is not None:
            span = ladder_spans.get((pk, ladder_item.key))
            if span is None:
                continue
            _count_step(steps, span.first, "start", groups)
            if exit_date is not None:
                _count_step(steps, span.latest, "exit", groups)
            if span.answers < 2:
                continue
            for prefix, where in counted:
                tally.count(f"{prefix}lm", where, span.latest - span.first)
                if span.latest > span.first:
                    tally.count(f"{prefix}lp", where)
    figures = InterventionFigures(
        enrolments=tally["n"],
        profile_measured=tally["pm"],
        profile_positive=tally["pp"],
        ladder_measured=tally["lm"],
        ladder_positive=tally["lp"],
        ladder_mean_steps=tally.mean("lm"),
        items=[
            ItemMean(item=item, mean=tally.mean(f"i{item.pk}"), n=tally[f"i{item.pk}"])
            for item in profile_items
        ],
        steps=list(steps.values()),
    )
    left_without: dict[str, dict[str, Any]] = {
        "exited": tally["left"],
        "profile_measured": tally["left_pm"],
        "profile_positive": tally["left_pp"],
        "ladder_measured": tally["left_lm"],
        "ladder_positive": tally["left_lp"],
        "ladder_mean_steps": tally.mean("left_lm"),
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
    return figures


def _count_step(steps: dict[int, StepCount], value: int, at: str, groups: tuple[str, ...]) -> None:
    """One more on step ``value`` at the start or at exit (a value off the ladder is left out)."""
    step = steps.get(value)
    if step is not None:
        counts = getattr(step, at)
        for group in groups:
            counts[group] += 1


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
    groups, and those to other reasons whose ladder step rose during the intervention. Two
    queries besides the ladder's item: the exits, and their first and latest steps."""
    from stegvis.core.codes import EXIT_REPORT_GROUP

    reasons = {r for r, group in EXIT_REPORT_GROUP.items() if group in set(goal.report_groups)}
    item = ladder.latest_version().items.get()
    exits = Enrolment.objects.filter(
        intervention_id=goal.intervention_id,
        exit_date__gte=goal.period_start,
        exit_date__lte=goal.period_end,
    ).exclude(exit_reason=ExitReason.FELREGISTRERING)
    moved = spans(
        _answers(ladder, [item.key], in_intervention=True).filter(
            measurement__enrolment__in=exits.values("pk")
        ),
        "value",
    )
    tally = _Tally()
    for pk, groups, _exit_date, reason in _people(exits):
        tally.count("exits", groups)
        if reason in reasons:
            tally.count("in", groups)
            continue
        span = moved.get((pk, item.key))
        if span is not None and span.answers >= 2 and span.latest > span.first:
            tally.count("further", groups)
    outcome = {g: share(tally["further"][g], tally["exits"][g]) for g in GROUPS}
    target = Decimal(goal.target)
    return StepGoal(
        exits=tally["exits"],
        in_groups=tally["in"],
        further=tally["further"],
        outcome=outcome,
        met={g: _met(outcome[g], target) for g in GROUPS},
    )
