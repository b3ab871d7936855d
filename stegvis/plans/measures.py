"""The measure registry: what a plan goal can point at, and where each figure comes from.

A :class:`Measure` is data — key, label, unit (and so the range a target must lie in), the scopes
it applies to, whether it splits by gender, and whether more is better (``at_least``) or less
(``at_most``). Its *figure source* is a function ``source(goal, period) -> Outcome`` registered
with :func:`provide`. A measure without a source is still a valid goal; its follow-up says "not
yet measurable" with :attr:`Measure.missing`, the reason, and never a number.

A new figure source (for example the aggregates app's share of exits to work or studies) plugs
in with one call, from its app's ``ready()`` or module import::

    from stegvis.plans.measures import Outcome, provide

    def exits_to_work(goal, period):
        ...  # database aggregation, returns Outcome({"women": ..., "men": ..., "total": ...})

    provide("exits_work_studies", exits_to_work)

Every source computes by database aggregation in the app that owns the figure (finance, surveys,
interventions here; the aggregates app registers the figures only received packages can answer:
exits, step movement, violence screening, participants per coach, occupancy); this module only
calls them. The association never reads a provider's rows for a goal. A source returns ``None``
values with a ``reason`` when the figure cannot be shown (too few answers, no budget outcome, …).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from stegvis.plans.models import PlanGoal

GROUPS = ("women", "men", "total")
HUNDRED = Decimal(100)
MIN_CELL = 5  # calculations.md §6: no figure from fewer than 5


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def single_year(self) -> int | None:
        return self.start.year if self.start.year == self.end.year else None


@dataclass
class Outcome:
    """A figure's value for women, men and in total (only ``total`` when not split); a reason
    when it cannot be shown."""

    values: dict[str, Decimal | None] = field(default_factory=dict)
    reason: str = ""
    target: Decimal | None = None  # set by sources whose target is itself a figure (reference)


Source = Callable[["PlanGoal", Period], Outcome]


@dataclass(frozen=True)
class Measure:
    key: str
    label: object  # a lazy translation
    unit: str  # "percent" | "count" | "ratio"
    scopes: frozenset[str]  # "association", "intervention"
    gendered: bool
    direction: str = "at_least"
    survey: bool = False  # the goal names a questionnaire and an item
    missing: object = ""  # why there is no figure yet, while no source is provided
    counts_people: bool = False  # a count of people: published with small-cell suppression

    @property
    def max_target(self) -> Decimal | None:
        return HUNDRED if self.unit == "percent" else None

    def source(self) -> Source | None:
        return _SOURCES.get(self.key)


AGGREGATES_MISSING = gettext_lazy(
    "Inte mätbart ännu: måttet kräver avidentifierade sammanställningar från utförarna, som "
    "förbundet ännu inte tar emot i Stegvis."
)

MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure(
            "exits_work_studies",
            gettext_lazy("Andel avslut till arbete eller studier"),
            "percent",
            frozenset({"association", "intervention"}),
            gendered=True,
            missing=AGGREGATES_MISSING,
        ),
        Measure(
            "positive_step",
            gettext_lazy("Andel avslutade deltagare med positiv stegförflyttning"),
            "percent",
            frozenset({"intervention"}),
            gendered=True,
            missing=AGGREGATES_MISSING,
        ),
        Measure(
            "survey_share_positive",
            gettext_lazy("Andel positiva svar på en enkätfråga"),
            "percent",
            frozenset({"association", "intervention"}),
            gendered=True,
            survey=True,
        ),
        Measure(
            "screening_coverage",
            gettext_lazy("Andel avslutade deltagare som fått frågor om våld"),
            "percent",
            frozenset({"association", "intervention"}),
            gendered=False,
            missing=AGGREGATES_MISSING,
        ),
        Measure(
            "cost_share_interventions",
            gettext_lazy("Andel av kostnaderna till insatser"),
            "percent",
            frozenset({"association"}),
            gendered=False,
        ),
        Measure(
            "equity_of_ceiling",
            gettext_lazy("Eget kapital i procent av rekommenderat tak (prognos)"),
            "percent",
            frozenset({"association"}),
            gendered=False,
            direction="at_most",
        ),
        Measure(
            "participants_per_coach",
            gettext_lazy("Deltagare per coach (heltidstjänst)"),
            "ratio",
            frozenset({"association", "intervention"}),
            gendered=False,
            missing=AGGREGATES_MISSING,
        ),
        Measure(
            "occupancy",
            gettext_lazy("Platsutnyttjande"),
            "percent",
            frozenset({"association", "intervention"}),
            gendered=False,
            missing=AGGREGATES_MISSING,
        ),
        Measure(
            "structural_activities",
            gettext_lazy("Antal strukturövergripande aktiviteter"),
            "count",
            frozenset({"association", "intervention"}),
            gendered=False,
        ),
        Measure(
            "structural_attendees",
            gettext_lazy("Antal deltagare i strukturövergripande aktiviteter"),
            "count",
            frozenset({"association", "intervention"}),
            gendered=True,
            counts_people=True,
        ),
    )
}

_SOURCES: dict[str, Source] = {}


# --- Figures shared by the goals of one follow-up --------------------------------------------

T = TypeVar("T")
_SHARED: ContextVar[dict[Hashable, Any] | None] = ContextVar("plan_shared_figures", default=None)


@contextmanager
def shared_figures(seed: Mapping[Any, Any] | None = None) -> Iterator[None]:
    """Inside the block, a figure that several goals read (the year's package sums behind the
    exit, step, screening, coach and occupancy goals; a questionnaire's shares; the year's
    equity) is computed once, by :func:`shared`: a plan's follow-up costs the same number of
    queries however many goals it has. Nothing outlives the block, so nothing can go stale:
    the figures are those of this one reading. ``seed``: figures the caller has computed already
    under the same keys (the annual report's package sums of the year). A nested block uses the
    outer one's figures."""
    if _SHARED.get() is not None:
        yield
        return
    token = _SHARED.set(dict(seed or {}))
    try:
        yield
    finally:
        _SHARED.reset(token)


def shared(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, once per ``key`` inside :func:`shared_figures` (every time outside it)."""
    memo = _SHARED.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    result: T = memo[key]
    return result


def provide(key: str, source: Source) -> None:
    """Register ``source`` as the figure of measure ``key`` (replacing any earlier one)."""
    if key not in MEASURES:
        raise KeyError(key)
    _SOURCES[key] = source


def choices() -> list[tuple[str, str]]:
    return [(m.key, str(m.label)) for m in MEASURES.values()]


def one_decimal(part: int | Fraction | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    exact = (
        Decimal(part.numerator) / Decimal(part.denominator)
        if isinstance(part, Fraction)
        else Decimal(part)
    )
    return (exact * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def outcome(goal: PlanGoal, period: Period) -> Outcome:
    """The goal's outcome in ``period`` from its measure's figure source, or the reason there is
    none."""
    measure = MEASURES.get(goal.measure)
    if measure is None:
        return Outcome(reason=_("Målet följs upp i text."))
    source = measure.source()
    if source is None:
        return Outcome(reason=str(measure.missing) or _("Inte mätbart ännu."))
    return source(goal, period)


# --- The sources that exist today -----------------------------------------------------------


def _funded(goal: PlanGoal) -> object:
    """The interventions the goal covers: its own, or every one its association funds."""
    from stegvis.interventions.models import Intervention

    if goal.intervention_id is not None:
        return Intervention.objects.filter(pk=goal.intervention_id)
    return Intervention.objects.filter(fundings__association_id=goal.association_id).distinct()


def _cost_share(goal: PlanGoal, period: Period) -> Outcome:
    """Finance (calculations.md §3): the outcome's costs in the period by category, through
    ``finance.figures.cost_distribution``."""
    from stegvis.finance.figures import cost_distribution
    from stegvis.finance.models import Outcome as Booked

    first = period.start.year * 12 + period.start.month
    last = period.end.year * 12 + period.end.month

    def costs() -> dict[str, int]:
        return dict(
            Booked.objects.filter(association_id=goal.association_id)
            .annotate(month_number=F("year") * 12 + F("month"))
            .filter(month_number__gte=first, month_number__lte=last)
            .values_list("post__category")
            .annotate(total=Sum("amount"))
            .values_list("post__category", "total")
        )

    distribution = cost_distribution(shared(("costs", goal.association_id, period), costs))
    if distribution.interventions_percent is None:
        return Outcome(reason=_("Inga bokförda kostnader i perioden."))
    return Outcome({"total": distribution.interventions_percent})


def equity_key(association_id: int, year: int) -> tuple[str, int, int]:
    """The key of the year's ``finance.figures.equity`` (the annual report seeds it with its
    own)."""
    return ("equity", association_id, year)


def _equity(goal: PlanGoal, period: Period) -> Outcome:
    """Finance (calculations.md §2): forecast closing equity of the period's year as a share of
    the ceiling, through ``finance.figures.equity``."""
    from stegvis.finance.figures import equity

    year = period.end.year
    result = shared(equity_key(goal.association_id, year), lambda: equity(goal.association, year))
    closing, ceiling = result.forecast_closing, result.ceiling
    if closing is None:
        return Outcome(reason=_("Ingående eget kapital saknas för året."))
    if not ceiling:
        return Outcome(reason=_("Inget rekommenderat tak för årets medlemsbidrag."))
    return Outcome({"total": one_decimal(closing, ceiling)})


def _survey(goal: PlanGoal, period: Period) -> Outcome:
    """Surveys: the item's share positive of the responses in the period, for women, men and in
    total (``surveys.results.figures``), nothing from fewer than 5 answers; with
    ``at_least_reference`` the target is the national reference of the year before."""
    from stegvis.surveys.models import ReferenceValue, SurveyResponse
    from stegvis.surveys.results import figures

    questionnaire = goal.questionnaire
    if questionnaire is None:
        return Outcome(reason=_("Ingen enkät vald."))
    responses = SurveyResponse.objects.filter(
        association_id=goal.association_id,
        version__questionnaire=questionnaire,
        answered_on__gte=period.start,
        answered_on__lte=period.end,
    )
    if goal.intervention_id is not None:
        responses = responses.filter(intervention_id=goal.intervention_id)
    scope = ("survey", goal.association_id, questionnaire.pk, goal.intervention_id, period)
    total = shared(scope, lambda: figures(responses)).get(0, {}).get(goal.item_key)
    by_gender = (
        shared((*scope, "gender"), lambda: figures(responses, "gender")) if goal.by_gender else {}
    )
    values: dict[str, Decimal | None] = {"total": total.share_positive if total else None}
    if goal.by_gender:
        for group, value in (("women", "kvinna"), ("men", "man")):
            cell = by_gender.get(value, {}).get(goal.item_key)
            values[group] = cell.share_positive if cell else None
    result = Outcome(values)
    if values["total"] is None:
        result.reason = _("Färre än 5 svar i perioden.")
    if goal.at_least_reference:
        year = period.end.year - 1
        # Every version's number of each item, and the year's references of the group.
        numbers = shared(
            ("survey_numbers", questionnaire.pk),
            lambda: list(questionnaire.versions.values_list("items__key", "items__number")),
        )
        references = shared(
            ("survey_references", goal.association_id, questionnaire.respondent_group, year),
            lambda: list(
                ReferenceValue.objects.filter(
                    association_id=goal.association_id,
                    respondent_group=questionnaire.respondent_group,
                    year=year,
                )
                .order_by("number")  # the lowest number first, as before
                .values_list("number", "share_positive")
            ),
        )
        item = {number for key, number in numbers if key == goal.item_key}
        reference = next((share for number, share in references if number in item), None)
        result.target = reference
        if reference is None:
            result.reason = _("Nationellt referensvärde för %(year)s saknas.") % {
                "year": period.end.year - 1
            }
    return result


def _activities(goal: PlanGoal, period: Period) -> Outcome:
    """Interventions: structural activities held in the period (one count query)."""
    from stegvis.interventions.models import StructuralActivity

    count = shared(
        ("activities", goal.association_id, goal.intervention_id, period),
        lambda: StructuralActivity.objects.filter(
            intervention__in=_funded(goal).values("pk"),  # type: ignore[attr-defined]
            date__gte=period.start,
            date__lte=period.end,
        ).aggregate(n=Count("pk"))["n"],
    )
    return Outcome({"total": Decimal(count)})


def _attendees(goal: PlanGoal, period: Period) -> Outcome:
    """Interventions: attendees of the period's structural activities, women, men and in total
    (women + men + other/not given), one aggregate query."""
    from stegvis.interventions.models import Attendance

    sums = shared(
        ("attendees", goal.association_id, goal.intervention_id, period),
        lambda: Attendance.objects.filter(
            activity__intervention__in=_funded(goal).values("pk"),  # type: ignore[attr-defined]
            activity__date__gte=period.start,
            activity__date__lte=period.end,
        ).aggregate(women=Sum("women"), men=Sum("men"), other=Sum("other")),
    )
    women, men, other = (sums["women"] or 0), (sums["men"] or 0), (sums["other"] or 0)
    values: dict[str, Decimal | None] = {"total": Decimal(women + men + other)}
    if goal.by_gender:
        values.update(women=Decimal(women), men=Decimal(men))
    return Outcome(values)


provide("cost_share_interventions", _cost_share)
provide("equity_of_ceiling", _equity)
provide("survey_share_positive", _survey)
provide("structural_activities", _activities)
provide("structural_attendees", _attendees)
