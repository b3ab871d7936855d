"""Every survey and violence figure, computed here by database aggregation and nowhere else.

The web page, the XLSX, the PDF and the annual delivery all read these functions, so they always
agree. Definitions (documented in ``docs/dev/surveys.md``):

- *n* (number of answers) of a question: the answers given to it, "don't know" included;
- *share positive*: answers the questionnaire file marks positive ÷ answers with a score
  (so "don't know" is left out of the base), in per cent with one decimal;
- *mean*: the mean score of the answers with a score;
- nothing is shown of a question (or of a group: an intervention, women, men, a period) with
  fewer than :data:`MIN_ANSWERS` answers, and the groups of a split are hidden as calculations.md
  §6 hides cells beside their total (:func:`_complement`), so that none can be worked out;
- violence tallies and other counts that leave the office follow calculations.md §6
  (:func:`suppress`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stegvis.core.codes import Gender
from stegvis.interventions.models import Intervention
from stegvis.participants.models import Enrolment
from stegvis.reports.suppression import suppress_row
from stegvis.surveys.models import (
    Answer,
    Item,
    Questionnaire,
    QuestionnaireVersion,
    ReferenceValue,
    SurveyGoal,
    SurveyResponse,
    SurveyRound,
    ViolenceTally,
)

MIN_ANSWERS = 5
HUNDRED = Decimal(100)
PERIODS = {
    1: gettext_lazy("januari–april"),
    2: gettext_lazy("maj–augusti"),
    3: gettext_lazy("september–december"),
}
SPLITS = {
    "intervention": gettext_lazy("insats"),
    "gender": gettext_lazy("kön"),
    "period": gettext_lazy("period"),
}


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in per cent with one decimal (half up); None when ``whole`` is 0."""
    if not whole:
        return None
    return _one_decimal(Decimal(part) * HUNDRED / Decimal(whole))


@dataclass
class Figures:
    """One question's figures in one group of responses."""

    n: int = 0
    scored: int = 0
    positive: int = 0
    mean: Decimal | None = None
    distribution: dict[str, int] = field(default_factory=dict)
    hidden: bool = False

    @property
    def shown(self) -> bool:
        return not self.hidden and self.n >= MIN_ANSWERS

    @property
    def share_positive(self) -> Decimal | None:
        return share(self.positive, self.scored) if self.shown else None

    @property
    def shown_mean(self) -> Decimal | None:
        return self.mean if self.shown else None


@dataclass
class ItemRow:
    key: str
    label: str
    text: str
    number: str
    part: str
    options: list[tuple[str, str]]
    total: Figures
    groups: dict[Any, Figures] = field(default_factory=dict)
    reference: ReferenceValue | None = None
    previous: Figures | None = None
    publish: bool = False  # for readers outside the office: the distribution is suppressed

    @property
    def difference(self) -> Decimal | None:
        """Our share positive minus the national reference, in percentage points."""
        ours = self.total.share_positive
        if ours is None or self.reference is None:
            return None
        return ours - self.reference.share_positive

    def distribution_rows(self) -> list[tuple[str, int | str, Decimal | None]]:
        """(label, count, share of n) per answer option, for the data table beside the chart.

        Published (``publish``), the counts are one row of calculations.md §6 with n as their
        total: a count of 1–4 is "<5", the one that would give it back "–", and neither has a
        share. Empty when even n would have to be hidden, since n is shown beside the question."""
        counts = [self.total.distribution.get(value, 0) for value, _label in self.options]
        labels = [label for _value, label in self.options]
        if not self.publish:
            return [(lab, n, share(n, self.total.n)) for lab, n in zip(labels, counts, strict=True)]
        if not counts or not suppress_total(counts).isdigit():
            return []
        return [
            (lab, int(shown), share(int(shown), self.total.n))
            if shown.isdigit()
            else (lab, shown, None)
            for lab, shown in zip(labels, suppress(counts), strict=True)
        ]


@dataclass
class GoalResult:
    goal: SurveyGoal
    text: str
    outcome: Decimal | None
    target: Decimal | None
    met: bool | None  # None: cannot be evaluated (too few answers, or no reference value)


@dataclass
class Results:
    questionnaire: Questionnaire
    year: int
    responses: int
    items: list[ItemRow]
    split: str | None
    groups: list[tuple[Any, str]]
    reference_year: int | None
    goals: list[GoalResult]
    offered: int | None = None  # exits offered the survey (exit questionnaires only)
    publish: bool = False  # read outside the office: small counts suppressed (calculations.md §6)

    @property
    def shown(self) -> bool:
        return self.responses >= MIN_ANSWERS

    @property
    def split_label(self) -> str:
        return str(SPLITS.get(self.split or "", ""))

    @property
    def response_rate(self) -> Decimal | None:
        """Responses ÷ exits offered the survey; not shown when fewer than 5 were offered (the
        count of exits is itself a small cell)."""
        if not self.offered or self.offered < MIN_ANSWERS:
            return None
        return share(self.responses, self.offered)


def tertial(day: date) -> int:
    return 1 if day.month <= 4 else 2 if day.month <= 8 else 3


def _tertial_expression(path: str) -> Case:
    return Case(
        When(Q(**{f"{path}__month__lte": 4}), then=Value(1)),
        When(Q(**{f"{path}__month__lte": 8}), then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


def _group_expression(split: str | None, prefix: str = "") -> Any:
    if split == "intervention":
        return F(f"{prefix}intervention_id")
    if split == "gender":
        return F(f"{prefix}gender")
    if split == "period":
        return _tertial_expression(f"{prefix}answered_on")
    return Value(0, output_field=IntegerField())


# A question's figures over a group of answers (the aggregate), and as a Figures.
FIGURES = {
    "n": Count("id"),
    "scored": Count("score"),
    "positive": Count("id", filter=Q(positive=True)),
    "mean": Avg("score"),
}


def _figures_of(row: dict[str, Any]) -> Figures:
    mean = row["mean"]
    return Figures(
        n=row["n"],
        scored=row["scored"],
        positive=row["positive"],
        mean=Decimal(str(mean)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if mean is not None
        else None,
    )


def figures(
    responses: QuerySet[SurveyResponse], split: str | None = None
) -> dict[Any, dict[str, Figures]]:
    """Figures per group (``0`` when not split) and item key, for ``responses``: two aggregate
    queries, whatever the number of answers."""
    answers = Answer.objects.filter(response__in=responses.values("pk")).annotate(
        group=_group_expression(split, "response__")
    )
    result: dict[Any, dict[str, Figures]] = defaultdict(dict)
    for row in answers.values("group", "item__key").annotate(**FIGURES):
        result[row["group"]][row["item__key"]] = _figures_of(row)
    for row in answers.values("group", "item__key", "value").annotate(count=Count("id")):
        result[row["group"]][row["item__key"]].distribution[row["value"]] = row["count"]
    return result


def _complement(cells: list[Figures]) -> None:
    """Hide the groups of a split that calculations.md §6 hides when their counts are published
    beside the total: the groups under 5, and every group that would let one of them be worked
    out (one hidden group alone, or two that can only be 4 + 4 beside the total)."""
    counts = [c.n for c in cells]
    if not any(counts):
        return
    shown, _total = suppress_row(counts)
    for cell, value in zip(cells, shown, strict=True):
        if isinstance(value, str):
            cell.hidden = True


def select_responses(
    questionnaire: Questionnaire,
    *,
    year: int,
    period: int | None = None,
    intervention: Intervention | None = None,
    survey_round: SurveyRound | None = None,
) -> QuerySet[SurveyResponse]:
    responses = SurveyResponse.objects.filter(
        association=questionnaire.association,
        version__questionnaire=questionnaire,
        answered_on__year=year,
    )
    if period:
        months = {1: (1, 4), 2: (5, 8), 3: (9, 12)}[period]
        responses = responses.filter(
            answered_on__month__gte=months[0], answered_on__month__lte=months[1]
        )
    if intervention is not None:
        responses = responses.filter(intervention=intervention)
    if survey_round is not None:
        responses = responses.filter(round=survey_round)
    return responses


def _display_items(questionnaire: Questionnaire, keys_with_answers: set[str]) -> list[Item]:
    """The current version's questions, then questions of earlier versions that were answered
    (as their latest version worded them)."""
    current = questionnaire.current_version()
    items = list(current.items.filter(placeholder=False)) if current else []
    known = {i.key for i in items}
    older = Item.objects.filter(
        version__questionnaire=questionnaire, key__in=keys_with_answers - known
    ).order_by("key", "-version__number")
    return _shown_items(items, older, keys_with_answers)


def _shown_items(
    current: list[Item], older: Iterable[Item], keys_with_answers: set[str]
) -> list[Item]:
    """``current`` (the current version's questions, in order), then for each answered key it
    lacks the first of ``older`` (ordered by key, newest version first); never the gender
    question. The one rule of which questions a result shows."""
    items = list(current)
    seen = {i.key for i in items}
    for item in older:
        if item.key in keys_with_answers and item.key not in seen:
            seen.add(item.key)
            items.append(item)
    return [i for i in items if not i.is_gender]


def group_labels(split: str | None, keys: Sequence[Any]) -> list[tuple[Any, str]]:
    if split == "intervention":
        names = dict(
            Intervention.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name")
        )
        # By name, then by id where two interventions share a name (no intervention first).
        return sorted(
            ((k, names.get(k, _("Ingen insats"))) for k in keys), key=lambda g: (g[1], g[0] or 0)
        )
    if split == "gender":
        labels = dict(Gender.choices)
        order = {value: index for index, value in enumerate(Gender.values)}
        return [
            (k, str(labels.get(k, _("Ej besvarat"))))
            for k in sorted(keys, key=lambda k: order.get(k, 99))
        ]
    if split == "period":
        return [(k, str(PERIODS.get(k, k))) for k in sorted(keys)]
    return []


def _item_row(
    item: Item,
    total: dict[str, Figures],
    response_count: int,
    references: dict[str, ReferenceValue],
) -> ItemRow:
    """One question's row in total, with its national reference; hidden under five responses."""
    row = ItemRow(
        key=item.key,
        label=item.label,
        text=item.text,
        number=item.number,
        part=item.part,
        options=item.choices(),
        total=total.get(item.key, Figures()),
        reference=references.get(item.number) if item.number else None,
    )
    if response_count < MIN_ANSWERS:
        row.total.hidden = True
    return row


def year_totals(association: Any, year: int) -> dict[int, Results]:
    """For every questionnaire of the association with responses in ``year`` (by id, in title
    order): what
    :func:`questionnaire_results` gives for the whole year without a split — each question's
    figures in total (no answer distribution) and the national reference of the latest
    imported year up to ``year`` — in four queries whatever the number of questionnaires (the
    annual report's survey section). Goals, the previous year and offered exits are left out."""
    responses = SurveyResponse.objects.filter(association=association, answered_on__year=year)
    # The questionnaires answered in the year, by title as the database sorts it (the result
    # keeps this order), with their responses of the year and their current version's number.
    questionnaires = {
        q.pk: q
        for q in Questionnaire.objects.filter(association=association)
        .annotate(
            responses_in_year=Subquery(
                responses.filter(version__questionnaire=OuterRef("pk"))
                .order_by()
                .values("version__questionnaire")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            latest=Subquery(
                QuestionnaireVersion.objects.filter(questionnaire=OuterRef("pk"))
                .order_by("-number")
                .values("number")[:1]
            ),
        )
        .filter(responses_in_year__gt=0)
        .order_by("title")
    }
    if not questionnaires:
        return {}
    counts = {pk: q.responses_in_year for pk, q in questionnaires.items()}
    current = {pk: q.latest for pk, q in questionnaires.items()}
    totals: dict[int, dict[str, Figures]] = defaultdict(dict)
    for row in (
        Answer.objects.filter(response__in=responses.values("pk"))
        .values("response__version__questionnaire_id", "item__key")
        .annotate(**FIGURES)
        .order_by()
    ):
        totals[row["response__version__questionnaire_id"]][row["item__key"]] = _figures_of(row)
    items: dict[int, list[Item]] = defaultdict(list)
    for item in (
        Item.objects.filter(version__questionnaire_id__in=counts)
        .select_related("version")
        .order_by("key", "-version__number")
    ):
        items[item.version.questionnaire_id].append(item)
    # The latest reference year up to ``year`` per respondent group, and only its values.
    references: dict[str, dict[str, ReferenceValue]] = {}
    groups = {q.respondent_group for q in questionnaires.values()}
    latest = (
        ReferenceValue.objects.filter(
            association=association, respondent_group=OuterRef("respondent_group"), year__lte=year
        )
        .order_by("-year")
        .values("year")[:1]
    )
    for value in ReferenceValue.objects.filter(
        association=association, respondent_group__in=groups, year=Subquery(latest)
    ).order_by():
        references.setdefault(value.respondent_group, {})[value.number] = value
    result = {}
    for pk, questionnaire in questionnaires.items():
        total = totals.get(pk, {})
        candidates = items[pk]
        now = sorted(
            (i for i in candidates if i.version.number == current.get(pk) and not i.placeholder),
            key=lambda i: i.position,
        )
        refs = references.get(questionnaire.respondent_group, {})
        result[pk] = Results(
            questionnaire=questionnaire,
            year=year,
            responses=counts[pk],
            items=[
                _item_row(item, total, counts[pk], refs)
                for item in _shown_items(now, candidates, set(total))
            ],
            split=None,
            groups=[],
            reference_year=next(iter(refs.values())).year if refs else None,
            goals=[],
        )
    return result


def questionnaire_results(
    questionnaire: Questionnaire,
    *,
    year: int,
    period: int | None = None,
    intervention: Intervention | None = None,
    survey_round: SurveyRound | None = None,
    split: str | None = None,
    reference_year: int | None = None,
    publish: bool = False,
) -> Results:
    """Everything the results page, its exports and the goals show for one questionnaire and
    year: per question the figures in total and per group, the national reference value of
    ``reference_year`` (default: the latest imported year up to ``year``) and the association's
    own previous year. ``publish``: for a reader outside the office (the distribution of answers
    and a response count under 5 are suppressed)."""
    selection: dict[str, Any] = {
        "period": period,
        "intervention": intervention,
        "survey_round": survey_round,
    }
    responses = select_responses(questionnaire, year=year, **selection)
    total = figures(responses).get(0, {})
    by_group = figures(responses, split) if split else {}
    previous = figures(select_responses(questionnaire, year=year - 1, **selection)).get(0, {})
    response_count = responses.count()
    if reference_year is None:
        reference_year = (
            ReferenceValue.objects.filter(
                association=questionnaire.association,
                respondent_group=questionnaire.respondent_group,
                year__lte=year,
            )
            .order_by("-year")
            .values_list("year", flat=True)
            .first()
        )
    references = {
        r.number: r
        for r in ReferenceValue.objects.filter(
            association=questionnaire.association,
            respondent_group=questionnaire.respondent_group,
            year=reference_year or 0,
        )
    }
    groups = group_labels(split, list(by_group)) if split else []
    rows = []
    for item in _display_items(questionnaire, set(total)):
        row = _item_row(item, total, response_count, references)
        row.groups = {g: by_group[g].get(item.key, Figures()) for g, _label in groups}
        row.previous = previous.get(item.key)
        row.publish = publish
        _complement(list(row.groups.values()))
        rows.append(row)
    offered = None
    if questionnaire.respondent_group == "deltagare_avslut":
        offered = offered_at_exit(questionnaire, year=year, intervention=intervention)
    return Results(
        questionnaire=questionnaire,
        year=year,
        responses=response_count,
        items=rows,
        split=split,
        groups=groups,
        reference_year=reference_year,
        goals=evaluate_goals(
            questionnaire, year, rows_for_goals(questionnaire, year, rows, selection)
        ),
        offered=offered,
        publish=publish,
    )


def rows_for_goals(
    questionnaire: Questionnaire, year: int, rows: list[ItemRow], selection: dict[str, Any]
) -> dict[str, ItemRow]:
    """Goals are evaluated on the whole year (all interventions, all periods): reuse the rows
    when nothing narrows the selection, else compute the year's rows."""
    if not any(selection.values()):
        return {r.key: r for r in rows}
    total = figures(select_responses(questionnaire, year=year)).get(0, {})
    count = select_responses(questionnaire, year=year).count()
    result = {}
    for item in _display_items(questionnaire, set(total)):
        figures_ = total.get(item.key, Figures())
        if count < MIN_ANSWERS:
            figures_.hidden = True
        result[item.key] = ItemRow(
            key=item.key,
            label=item.label,
            text=item.text,
            number=item.number,
            part=item.part,
            options=[],
            total=figures_,
        )
    return result


def evaluate_goals(
    questionnaire: Questionnaire, year: int, rows: dict[str, ItemRow]
) -> list[GoalResult]:
    """Each goal of the year as met, not met, or not possible to evaluate (None)."""
    goals = list(questionnaire.goals.filter(year=year))
    reference_years = {g.reference_year for g in goals if g.reference_year}
    references = {
        (r.year, r.number): r.share_positive
        for r in ReferenceValue.objects.filter(
            association=questionnaire.association,
            respondent_group=questionnaire.respondent_group,
            year__in=reference_years,
        )
    }
    results = []
    for goal in goals:
        row = rows.get(goal.item_key)
        outcome = row.total.share_positive if row else None
        if goal.kind == SurveyGoal.Kind.SHARE:
            target = goal.target
            text = _("Fråga %(label)s: minst %(target)s %% positiva svar") % {
                "label": row.label if row else goal.item_key,
                "target": str(goal.target).replace(".", ","),
            }
        else:
            target = references.get((goal.reference_year, row.number if row else ""))
            text = _("Fråga %(label)s: minst nationell nivå %(year)s") % {
                "label": row.label if row else goal.item_key,
                "year": goal.reference_year,
            }
        met = None if outcome is None or target is None else outcome >= target
        results.append(GoalResult(goal=goal, text=text, outcome=outcome, target=target, met=met))
    return results


def offered_at_exit(
    questionnaire: Questionnaire, *, year: int, intervention: Intervention | None = None
) -> int:
    """How many exits of the year were offered the survey at exit, from the packages the
    association received for the year (their survey_at_exit cells, current versions only), in
    all its interventions or in one: the association's own residents, and never a provider's
    rows (the wall, DESIGN.md §3)."""
    from stegvis.aggregates.models import PackageCell

    cells = PackageCell.objects.filter(
        association=questionnaire.association,
        package__replaced_by__isnull=True,
        package__period_start__year=year,
        table="survey_at_exit",
        row="offered",
    )
    if intervention is not None:
        cells = cells.filter(package__intervention=intervention)
    return int(cells.aggregate(n=Sum("count"))["n"] or 0)


# --- Small-cell suppression (calculations.md §6) --------------------------------------------

SUPPRESSED = "<5"
COMPLEMENT = "–"


def suppress(cells: Sequence[int]) -> list[str]:
    """Counts as they may leave the office, with their total beside them (reports.suppression:
    1–4 as "<5", complementary cells as "–", zero stays 0). The caller shows
    :func:`suppress_total` as the total."""
    shown, _total = suppress_row(list(cells))
    return [str(v) for v in shown]


def suppress_total(cells: Sequence[int]) -> str:
    """The total of ``cells`` as it may be shown beside :func:`suppress`'s cells."""
    _shown, total = suppress_row(list(cells))
    return str(total)


# --- Violence tallies --------------------------------------------------------------------------


@dataclass
class TallyRow:
    label: str
    text: str
    total: int
    cells: list[tuple[str, str]]  # (answer label, suppressed count)
    shown_total: str = ""


def latest_items(tallies: QuerySet[ViolenceTally], keys: set[str]) -> list[Item]:
    """For each question key among ``tallies``, the item of the newest version that has it."""
    items = Item.objects.filter(pk__in=tallies.values("item_id"), key__in=keys).order_by(
        "key", "-version__number"
    )
    latest: dict[str, Item] = {}
    for item in items:
        latest.setdefault(item.key, item)
    return sorted(latest.values(), key=lambda i: (i.position, i.key))


def violence_tallies(tallies: QuerySet[ViolenceTally], *, exact: bool = False) -> list[TallyRow]:
    """Per question: the number of forms and each answer's count, suppressed (§6) unless
    ``exact``. One aggregate query."""
    sums: dict[str, dict[str, int]] = defaultdict(dict)
    for row in tallies.values("item__key", "value").annotate(count=Sum("count")):
        sums[row["item__key"]][row["value"]] = row["count"]
    rows = []
    for item in latest_items(tallies, set(sums)):
        by_value = sums[item.key]
        labels = [*item.choices(), ("", str(_("Inget svar")))]
        counts = [by_value.get(value, 0) for value, _label in labels]
        shown = [str(c) for c in counts] if exact else suppress(counts)
        rows.append(
            TallyRow(
                label=item.label,
                text=item.text,
                total=sum(counts),
                cells=[(label, cell) for (_value, label), cell in zip(labels, shown, strict=True)],
                shown_total=str(sum(counts)) if exact else suppress_total(counts),
            )
        )
    return rows


@dataclass
class CoverageRow:
    intervention: Intervention
    exits: int
    asked: int
    not_asked: int
    not_possible: int

    @property
    def share_asked(self) -> Decimal | None:
        return share(self.asked, self.exits)

    @property
    def goal_met(self) -> bool | None:
        """The goal "100 % of exited participants have been asked"."""
        return None if not self.exits else self.asked == self.exits


def screening_coverage(enrolments: QuerySet[Enrolment], *, year: int) -> list[CoverageRow]:
    """Per intervention: exits in ``year`` (misregistrations left out) and how many of them were
    asked the violence questions, not asked, or could not be asked. One aggregate query."""
    rows = (
        enrolments.filter(exit_date__year=year)
        .exclude(exit_reason="felregistrering")
        .values("intervention")
        .annotate(
            exits=Count("pk"),
            asked=Count("pk", filter=Q(violence_screening__outcome="asked")),
            not_possible=Count("pk", filter=Q(violence_screening__outcome="not_possible")),
        )
        .order_by()
    )
    interventions = Intervention.objects.in_bulk([r["intervention"] for r in rows])
    result = [
        CoverageRow(
            intervention=interventions[r["intervention"]],
            exits=r["exits"],
            asked=r["asked"],
            not_possible=r["not_possible"],
            not_asked=r["exits"] - r["asked"] - r["not_possible"],
        )
        for r in rows
    ]
    return sorted(result, key=lambda r: (r.intervention.name, r.intervention.pk))
