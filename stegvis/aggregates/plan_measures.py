"""The operating plan's measures that only received packages can answer (plans.measures).

Registered in ``AggregatesConfig.ready``: the share of exits to work or studies, the share of exits
with positive step movement, violence screening coverage, participants per full-time coach and
occupancy, per intervention or for the whole association, from the packages the association has
received for a calendar year (``figures.association_figures``), never from a provider's rows: the
association holds counts, not participants (DESIGN.md §1, §3). A plan goal followed up for a
period that is not one whole calendar year, or before any package has arrived, says why instead
of showing a number; no figure is shown from fewer than 5.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Sum
from django.utils.translation import gettext as _

from stegvis.aggregates.figures import Figures, association_figures
from stegvis.core.codes import ReportGroup
from stegvis.plans.measures import shared

if TYPE_CHECKING:
    from stegvis.plans.measures import Outcome, Period
    from stegvis.plans.models import PlanGoal

# The plan's groups and the packages' gender columns.
COLUMNS = {"women": "kvinna", "men": "man"}


@dataclass
class Year:
    """The figures of the goal's scope for the period's year: ``figures`` for the goal's
    intervention or the association in total, ``per`` for each intervention with packages."""

    figures: Figures
    per: list[Figures]


def year_key(association_id: int, year: int) -> tuple[str, int, int]:
    """The key under which a follow-up shares the year's ``association_figures`` (one sum of
    the packages for every goal that reads them; the annual report seeds it with its own)."""
    return ("association_figures", association_id, year)


def _year(goal: PlanGoal, period: Period) -> tuple[Year | None, str]:
    year = period.start.year
    if period.start != date(year, 1, 1) or period.end != date(year, 12, 31):
        return None, _("Måttet följs upp per kalenderår ur förbundets paket; välj ett helt år.")
    per, total = shared(
        year_key(goal.association.pk, year), lambda: association_figures(goal.association, year)
    )
    figures = (
        total
        if goal.intervention is None
        else next((f for f in per if f.intervention == goal.intervention), None)
    )
    if figures is None or not figures.tables:
        return None, _(
            "Inte mätbart ännu: inga avidentifierade sammanställningar har tagits emot för året."
        )
    scope = per if goal.intervention is None else [figures]
    return Year(figures, scope), ""


def _share_of_exits(goal: PlanGoal, period: Period, parts: list[tuple[str, str]]) -> Outcome:
    """The year's exits counted in the package rows ``parts`` (table, row) ÷ the year's exits,
    for women, men and in total when the goal is split; no share from fewer than 5 exits."""
    from stegvis.plans.measures import MIN_CELL, Outcome, one_decimal

    year, reason = _year(goal, period)
    if year is None:
        return Outcome(reason=reason)
    exited = year.figures.row("participants", "exited")
    rows = [year.figures.row(table, row) for table, row in parts]
    values: dict[str, Decimal | None] = {}
    for group in ("women", "men", "total") if goal.by_gender else ("total",):
        column = COLUMNS.get(group, "total")
        whole = exited[column]
        part = sum(r[column] for r in rows)
        values[group] = one_decimal(part, whole) if whole >= MIN_CELL else None
    if values["total"] is None:
        return Outcome(values, _("Färre än 5 avslut under året."))
    return Outcome(values)


def exits_to_work_or_studies(goal: PlanGoal, period: Period) -> Outcome:
    """Exits in the year to work or studies (report groups Arbete and Studier) ÷ exits, for
    women, men and in total when the goal is split (calculations.md §5)."""
    return _share_of_exits(
        goal,
        period,
        [("exit_groups", ReportGroup.ARBETE), ("exit_groups", ReportGroup.STUDIER)],
    )


def positive_step(goal: PlanGoal, period: Period) -> Outcome:
    """Exits in the year whose latest ladder answer is above the first (the package's
    ``progression`` row ``positiv``) ÷ exits (calculations.md §5). The package does not cross
    movement with exit group, so exits to work or studies with a positive movement count too."""
    return _share_of_exits(goal, period, [("progression", "positiv")])


def screening_coverage(goal: PlanGoal, period: Period) -> Outcome:
    """Exits in the year who were asked the violence questions (the package's
    ``violence_screening`` row ``asked``) ÷ exits."""
    return _share_of_exits(goal, period, [("violence_screening", "asked")])


def participants_per_coach(goal: PlanGoal, period: Period) -> Outcome:
    """Participants in the year (enrolled at the start of the year's first package period plus
    the new ones, from the packages) ÷ the full-time equivalents staffing the intervention
    (``interventions.Staffing``, every member's FTE summed); for the association, over the
    interventions with both packages and staffing. One decimal; nothing from fewer than 5
    participants."""
    from stegvis.interventions.models import Staffing
    from stegvis.plans.measures import MIN_CELL, Outcome

    year, reason = _year(goal, period)
    if year is None:
        return Outcome(reason=reason)
    interventions = tuple(f.intervention.pk for f in year.per if f.intervention is not None)
    fte = shared(
        ("staffing", interventions),
        lambda: dict(
            Staffing.objects.filter(intervention__in=interventions)
            .values("intervention_id")
            .annotate(fte=Sum("fte"))
            .values_list("intervention_id", "fte")
            .order_by()
        ),
    )
    staffed = [f for f in year.per if f.intervention is not None and fte.get(f.intervention.pk)]
    if not staffed:
        return Outcome(reason=_("Ingen bemanning i årsarbetare är angiven för insatsen."))
    participants = sum(sum(f.participants.values()) for f in staffed)
    if participants < MIN_CELL:
        return Outcome({"total": None}, _("Färre än 5 deltagare under året."))
    coaches = sum((Decimal(fte[f.intervention.pk]) for f in staffed if f.intervention), Decimal())
    ratio = (Decimal(participants) / coaches).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Outcome({"total": ratio})


def occupancy(goal: PlanGoal, period: Period) -> Outcome:
    """Participant-days ÷ (places × days the packages cover) (calculations.md §7); for the
    association, over every intervention with places and packages."""
    from stegvis.plans.measures import Outcome, one_decimal

    year, reason = _year(goal, period)
    if year is None:
        return Outcome(reason=reason)
    if goal.intervention is not None:
        value = year.figures.occupancy()
    else:
        measured = [f for f in year.per if f.intervention is not None and f.intervention.places]
        days = sum(f.row("participants", "participant_days")["total"] for f in measured)
        capacity = sum(
            f.intervention.places * f.days_covered
            for f in measured
            if f.intervention is not None and f.intervention.places
        )
        value = one_decimal(days, capacity)
    if value is None:
        return Outcome(reason=_("Insatsen har inget antal platser angivet."))
    return Outcome({"total": value})


def register() -> None:
    from stegvis.plans.measures import provide

    provide("exits_work_studies", exits_to_work_or_studies)
    provide("positive_step", positive_step)
    provide("screening_coverage", screening_coverage)
    provide("participants_per_coach", participants_per_coach)
    provide("occupancy", occupancy)
