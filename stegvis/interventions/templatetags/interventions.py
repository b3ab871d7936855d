"""Template helpers for intervention pages: URLs under the acting owner, shares and targets."""

from __future__ import annotations

from decimal import Decimal

from django import template

from stegvis.interventions.models import Goal
from stegvis.interventions.services import PERCENT_MEASURES, format_share

register = template.Library()


@register.simple_tag(takes_context=True)
def intervention_url(context: template.Context, name: str, **kwargs: object) -> str:
    """``{% intervention_url "detail" intervention=i.public_id %}`` under the acting owner."""
    from stegvis.interventions.views import intervention_url as _intervention_url

    return _intervention_url(context["actor"], name, **kwargs)


@register.filter
def share(value: Decimal | None) -> str:
    """A funding share: 40 %, 33,33 %."""
    if value is None or value == "":
        return "–"
    return f"{format_share(Decimal(value))}\u00a0%"


@register.filter
def decimal(value: Decimal | None) -> str:
    """A decimal without trailing zeros and with a decimal comma: 1,5 (hours, FTE)."""
    if value is None or value == "":
        return "–"
    return format_share(Decimal(value))


@register.filter
def goal_target(goal: Goal) -> str:
    """A goal's target: a share in per cent, or a number (participants per FTE)."""
    if goal.measure in PERCENT_MEASURES:
        return share(goal.target)
    return format_share(Decimal(goal.target))


@register.filter
def report_group_labels(goal: Goal) -> str:
    from stegvis.core.codes import ReportGroup

    labels = dict(ReportGroup.choices)
    return ", ".join(str(labels.get(g, g)) for g in goal.report_groups) or "–"
