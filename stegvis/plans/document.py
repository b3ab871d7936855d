"""The plan as the document boards decide: one context for the web page and the PDF, so they
show the same goals, fact sheets and numbers. Budget pages come from ``finance.figures`` and
finance's own table templates; nothing is recomputed here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string

from stegvis.finance import figures
from stegvis.finance.models import BudgetLine
from stegvis.interventions.models import Intervention
from stegvis.plans.followup import GoalRow, follow_up
from stegvis.plans.models import Plan


@dataclass
class FactSheet:
    intervention: Intervention
    plan_goals: list[GoalRow] = field(default_factory=list)
    volume_goals: list[Any] = field(default_factory=list)
    budget: int | None = None


def _interventions(plan: Plan) -> list[Intervention]:
    """The interventions the association funds that run at some time during the plan years."""
    first, last = plan.years[0], plan.years[-1]
    return list(
        Intervention.objects.filter(fundings__association=plan.association)
        .filter(start__year__lte=last)
        .filter(Q(ended__isnull=True) | Q(ended__year__gte=first))
        .select_related("provider__organisation")
        .prefetch_related("goals")
        .distinct()
        .order_by("name")
    )


def context(plan: Plan) -> dict[str, Any]:
    result = follow_up(plan)
    budget = figures.reference_budget(plan.association, plan.year)
    table = figures.budget_table(budget) if budget is not None else None
    lines = (
        dict(
            BudgetLine.objects.filter(budget=budget, post__intervention__isnull=False).values_list(
                "post__intervention_id", "amount"
            )
        )
        if budget is not None
        else {}
    )
    sheets = []
    for intervention in _interventions(plan):
        sheets.append(
            FactSheet(
                intervention,
                [
                    row
                    for area in result.areas
                    for row in area.goals
                    if row.goal.intervention_id == intervention.pk
                ],
                list(intervention.goals.all()),
                lines.get(intervention.pk),
            )
        )
    return {
        "plan": plan,
        "association": plan.association,
        "result": result,
        "sheets": sheets,
        "budget": budget,
        "table": table,
        "considerations": plan.considerations.select_related(
            "conclusion__consultation", "area", "goal", "activity"
        ).order_by("conclusion__consultation__date", "conclusion_id", "id"),
        "multi": figures.multi_year_plan(plan.association, plan.year),
        "distribution": figures.cost_distribution(figures.budget_category_amounts(budget)),
    }


def rendered(request: HttpRequest, plan: Plan) -> Any:
    """The document laid out by WeasyPrint from the print template, which includes the same
    body as the web page (a ``weasyprint.Document``)."""
    from weasyprint import HTML

    html = render_to_string("plans/document_print.html", context(plan), request=request)
    return HTML(string=html, base_url=request.build_absolute_uri("/")).render()


def pdf(request: HttpRequest, plan: Plan) -> bytes:
    return bytes(rendered(request, plan).write_pdf())
