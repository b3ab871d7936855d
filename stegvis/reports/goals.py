"""Goal follow-up (calculations.md §5): each intervention's goals and the association's own,
with target, outcome and met / not met for women, men and in total. Everything is measured on
what the association holds: the received packages, finance, surveys and staffing."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from stegvis.aggregates.figures import Figures, goal_outcome, share
from stegvis.aggregates.package import GENDERS
from stegvis.core.models import Association
from stegvis.interventions.models import Goal, Staffing

from .association import _name, participant_report, screening_shares, total_label
from .base import Report, Section
from .periods import ReportRange
from .tables import Table, Value

SPLIT = ("kvinna", "man", "total")


@dataclass
class GoalRow:
    text: str
    target: Decimal | None
    outcome: dict[str, Decimal | None]
    met: dict[str, bool | None] = field(default_factory=dict)
    unit: str = "%"
    note: str = ""

    def __post_init__(self) -> None:
        if not self.met:
            self.met = {
                g: None if v is None or self.target is None else v >= self.target
                for g, v in self.outcome.items()
            }


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def fte_by_intervention(intervention_ids: list[int]) -> dict[int, Decimal]:
    return {
        r["intervention_id"]: r["fte"]
        for r in Staffing.objects.filter(intervention_id__in=intervention_ids)
        .values("intervention_id")
        .annotate(fte=Sum("fte"))
        .order_by()
        if r["fte"]
    }


def per_fte(participants: int, fte: Decimal | None) -> Decimal | None:
    if not fte:
        return None
    return _one_decimal(Decimal(participants) / Decimal(fte))


def measure(goal: Goal, figures: Figures, fte: Decimal | None) -> GoalRow:
    """One goal's outcome from the intervention's figures in the range."""
    note = ""
    if goal.measure == Goal.Measure.PARTICIPANTS_PER_FTE:
        people = sum(figures.participants.get(g, 0) for g in GENDERS)
        outcome = {"kvinna": None, "man": None, "total": per_fte(people, fte)}
        if not fte:
            note = _("Ingen bemanning registrerad.")
    else:
        outcome = goal_outcome(goal, figures) or {"kvinna": None, "man": None, "total": None}
    unit = "" if goal.measure == Goal.Measure.PARTICIPANTS_PER_FTE else "%"
    return GoalRow(goal.text, goal.target, outcome, unit=unit, note=note)


def intervention_goals(per: list[Figures], rng: ReportRange) -> list[tuple[Figures, GoalRow]]:
    """Goals whose period overlaps the range, of the interventions with packages in it."""
    ids = [f.intervention.pk for f in per if f.intervention]
    fte = fte_by_intervention(ids)
    goals = Goal.objects.filter(
        intervention_id__in=ids, period_start__lte=rng.end, period_end__gte=rng.start
    ).order_by("period_start", "text")
    by_intervention: dict[int, list[Goal]] = {}
    for goal in goals:
        by_intervention.setdefault(goal.intervention_id, []).append(goal)
    rows = []
    for figures in per:
        assert figures.intervention is not None
        pk = figures.intervention.pk
        for goal in by_intervention.get(pk, []):
            rows.append((figures, measure(goal, figures, fte.get(pk))))
    return rows


def association_goals(
    association: Association, rng: ReportRange, per: list[Figures], total: Figures
) -> list[GoalRow]:
    """The association's own goals: cost share to interventions, survey goals (against the
    national reference), violence screening coverage, occupancy and participants per FTE."""
    from stegvis.finance.figures import (
        budget_category_amounts,
        cost_distribution,
        outcome_category_amounts,
        reference_budget,
    )
    from stegvis.surveys.models import Questionnaire
    from stegvis.surveys.results import questionnaire_results

    rows = []
    amounts = outcome_category_amounts(association, rng.year)
    if not any(amounts.values()):
        amounts = budget_category_amounts(reference_budget(association, rng.year))
    distribution = cost_distribution(amounts)
    rows.append(
        GoalRow(
            _("Minst 75 %% av årets kostnader går till insatser (%(year)s)") % {"year": rng.year},
            Decimal(75),
            {"kvinna": None, "man": None, "total": distribution.interventions_percent},
            met={"kvinna": None, "man": None, "total": distribution.goal_met},
        )
    )
    for questionnaire in Questionnaire.objects.filter(association=association).order_by("title"):
        if not questionnaire.goals.filter(year=rng.year).exists():
            continue
        for result in questionnaire_results(questionnaire, year=rng.year).goals:
            rows.append(
                GoalRow(
                    f"{questionnaire.title}: {result.text}",
                    result.target,
                    {"kvinna": None, "man": None, "total": result.outcome},
                    met={"kvinna": None, "man": None, "total": result.met},
                )
            )
    women, men, all_ = screening_shares(total)
    rows.append(
        GoalRow(
            _("Alla avslutade har fått frågorna om våld"),
            Decimal(100),
            {"kvinna": women, "man": men, "total": all_},  # type: ignore[dict-item]
        )
    )
    days = sum(f.row("participants", "participant_days")["total"] for f in per if _places(f))
    capacity = sum(_places(f) * f.days_covered for f in per)
    rows.append(
        GoalRow(
            _("Platsutnyttjande, alla individinriktade insatser"),
            None,
            {"kvinna": None, "man": None, "total": share(days, capacity)},
        )
    )
    fte = sum(fte_by_intervention([f.intervention.pk for f in per if f.intervention]).values())
    people = sum(total.participants.get(g, 0) for g in GENDERS)
    rows.append(
        GoalRow(
            _("Deltagare per heltidstjänst, alla insatser"),
            None,
            {"kvinna": None, "man": None, "total": per_fte(people, Decimal(fte))},
            unit="",
        )
    )
    return rows


def _places(figures: Figures) -> int:
    return figures.intervention.places if figures.intervention else 0


def _met(value: bool | None) -> str:
    return "–" if value is None else (_("Ja") if value else _("Nej"))


def goal_table(title: str, key: str, rows: list[tuple[str, GoalRow]]) -> Table:
    body: list[tuple[str, list[Value]]] = [
        (
            label,
            [
                row.target,
                row.unit,
                *(row.outcome.get(g) for g in SPLIT),
                *(_met(row.met.get(g)) for g in SPLIT),
                row.note,
            ],
        )
        for label, row in rows
    ]
    return Table(
        title=title,
        columns=[
            _("Målvärde"),
            _("Enhet"),
            _("Kvinnor"),
            _("Män"),
            total_label(),
            _("Nått, kvinnor"),
            _("Nått, män"),
            _("Nått, totalt"),
            _("Anmärkning"),
        ],
        rows=body,
        key=key,
    )


def goal_follow_up(association: Association, rng: ReportRange) -> Report:
    figures = participant_report(association, rng)
    own = goal_table(
        _("Insatsernas mål"),
        "mal-insatser",
        [(f"{_name(f)}: {row.text}", row) for f, row in intervention_goals(figures.per, rng)],
    )
    assoc = goal_table(
        _("Förbundets mål"),
        "mal-forbund",
        [
            (row.text, row)
            for row in association_goals(association, rng, figures.per, figures.total)
        ],
    )
    section = Section("goals", _("Måluppfyllelse"), [own, assoc])
    if own.is_empty():
        section.notes.append(_("Inga mål för insatser med paket under perioden."))
    return Report(
        kind="goals",
        title=_("Måluppföljning %(period)s") % {"period": rng.label},
        owner_name=association.name,
        owner_key=association.slug,
        range=rng,
        sections=[section],
        notes=figures.notes(),
        empty=figures.empty,
    )
